"""Downloaded datasets: MNIST, Fashion-MNIST and CIFAR-10 fetched once into a cache folder, verified by checksum.

The cache folder is ``$NEURONLAB_DATA`` when set, else ``$XDG_CACHE_HOME/neuronlab``, else
``~/.cache/neuronlab``; each dataset gets a sub-folder with its files as distributed (gzipped IDX, read by
``load_mnist``; CIFAR-10's binary tarball, read by ``load_cifar10``). A download streams into a temporary
file in the same folder while hashing it, checks the length the server announced and the checksum, and only
then renames the file into place (atomic), so an interrupted or corrupt download never leaves a file that
looks complete. Mirrors are tried in order (those torchvision uses); ``$NEURONLAB_DATA_MIRROR`` replaces them
by one mirror that holds ``<dataset>/<file>`` (a local copy, or the tests' server). Offline, the error is one
line that names ``--data-dir`` for local copies.

Checksums: SHA-256 for the IDX files (as torchvision's sums and our own downloads agree); CIFAR-10's tarball is
checked against the MD5 its authors publish on https://www.cs.toronto.edu/~kriz/cifar.html (the only
published checksum; it could not be re-derived here, as the file cannot be downloaded where this was
written, so the published value is used as is). MD5 detects corruption, not deliberate tampering.
"""

from __future__ import annotations

import hashlib
import http.client
import os
import tempfile
import urllib.error
import urllib.request
from pathlib import Path

from neuronlab.data.datasets.cifar import ARCHIVE as CIFAR10_ARCHIVE
from neuronlab.data.errors import DataError

_IDX_FILES = (
    "train-images-idx3-ubyte.gz",
    "train-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
)

MIRRORS = {
    "mnist": ("https://ossci-datasets.s3.amazonaws.com/mnist/", "http://yann.lecun.com/exdb/mnist/"),
    "fashion_mnist": ("http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",),
    "cifar10": ("https://www.cs.toronto.edu/~kriz/",),
}
MIRROR_VARIABLE = "NEURONLAB_DATA_MIRROR"

# dataset -> (hash algorithm, {file name: hex digest})
CHECKSUMS: dict[str, tuple[str, dict[str, str]]] = {
    "mnist": (
        "sha256",
        dict(
            zip(
                _IDX_FILES,
                (
                    "440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                    "3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                    "8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                    "f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                ),
            )
        ),
    ),
    "fashion_mnist": (
        "sha256",
        dict(
            zip(
                _IDX_FILES,
                (
                    "08dc20ab1689590a0bcd66e874647b6ee8464e2d501b5a3f1f78831db19a3fdc",
                    "b0197879cbda89f3dc7b894f9fd52b858e68ea4182b6947c9d8c2b67e5f18dcc",
                    "78dcbbfb5a27efaf1b6c1d616caca68560be8766c5bffcb2791df9273a534229",
                    "42bd18137a62d5998cdeae52bf3a0676ac6b706f5cf8439b47bb5b151ae3dccf",
                ),
            )
        ),
    ),
    "cifar10": ("md5", {CIFAR10_ARCHIVE: "c32a1d4ab5d03f1284b67883e8d87530"}),  # cifar.html, binary version
}

_CHUNK = 1 << 16


def cache_dir() -> Path:
    """Where downloaded datasets live: $NEURONLAB_DATA, else $XDG_CACHE_HOME/neuronlab, else ~/.cache/neuronlab."""
    if os.environ.get("NEURONLAB_DATA"):
        return Path(os.environ["NEURONLAB_DATA"]).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "neuronlab"


def mirrors_of(name: str) -> tuple[str, ...]:
    """The base URLs to try for dataset ``name``: ``$NEURONLAB_DATA_MIRROR/<name>/`` when that is set, else
    the public mirrors."""
    override = os.environ.get(MIRROR_VARIABLE)
    return (f"{override.rstrip('/')}/{name}/",) if override else MIRRORS[name]


def digest_of(path: Path, algorithm: str = "sha256") -> str:
    digest = hashlib.new(algorithm)
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(_CHUNK), b""):
            digest.update(block)
    return digest.hexdigest()


def fetch(
    url: str, destination, checksum: str, *, algorithm: str = "sha256", progress: bool = True, timeout: float = 30.0
) -> Path:
    """Download ``url`` to ``destination``: streamed to a temporary file beside it, hashed on the way, its length
    checked against Content-Length and its ``algorithm`` digest against ``checksum``, then renamed into place.

    Raises DataError (the temporary file removed) on a network error, a truncated or interrupted transfer, or
    a checksum mismatch; ``destination`` is never left partly written.
    """
    destination = Path(destination)
    destination.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=destination.parent, prefix=f".{destination.name}.", suffix=".part")
    try:
        digest, received = hashlib.new(algorithm), 0
        with os.fdopen(handle, "wb") as out, urllib.request.urlopen(url, timeout=timeout) as response:
            expected = response.headers.get("Content-Length")
            expected = int(expected) if expected and expected.isdigit() else None
            bar = _progress_bar(destination.name, expected) if progress else None
            try:
                while True:
                    block = response.read(_CHUNK)
                    if not block:
                        break
                    out.write(block)
                    digest.update(block)
                    received += len(block)
                    if bar is not None:
                        bar.update(len(block))
            finally:
                if bar is not None:
                    bar.close()
        if expected is not None and received != expected:
            raise DataError(f"{url}: truncated download ({received} of {expected} bytes); run again to retry")
        if digest.hexdigest() != checksum:
            raise DataError(
                f"{url}: {algorithm.upper()} checksum mismatch (got {digest.hexdigest()}, expected {checksum}); "
                "the file is corrupt or not the one expected, and was not kept"
            )
        os.replace(temporary, destination)
    except (TimeoutError, urllib.error.URLError, http.client.HTTPException, ConnectionError) as error:
        reason = getattr(error, "reason", None) or error
        raise DataError(f"{url}: download failed ({type(error).__name__}: {reason})") from None
    finally:
        if os.path.exists(temporary):
            os.remove(temporary)
    return destination


def _progress_bar(name: str, total: int | None):
    from tqdm import tqdm

    return tqdm(total=total, unit="B", unit_scale=True, desc=f"downloading {name}", leave=False)


def download_dataset(name: str, root=None, *, mirrors=None, checksums=None, progress: bool = True) -> Path:
    """The folder of dataset ``name`` ("mnist", "fashion_mnist" or "cifar10") in the cache (or ``root``),
    downloading and verifying whatever file is missing; files already there are checked against their checksum
    first. ``mirrors``: base URLs to try in order (default :func:`mirrors_of`); ``checksums``: ``{file name:
    hex digest}`` replacing the published ones (for test files).

    Offline (every mirror failed) the DataError says so in one line and names ``--data-dir``.
    """
    if name not in CHECKSUMS:
        raise ValueError(f"download_dataset: unknown dataset {name!r}; downloadable: {', '.join(CHECKSUMS)}")
    algorithm, published = CHECKSUMS[name]
    folder = Path(root) if root is not None else cache_dir() / name
    for file_name, checksum in (published if checksums is None else checksums).items():
        path = folder / file_name
        if path.is_file() and digest_of(path, algorithm) == checksum:
            continue
        failures = []
        for mirror in mirrors if mirrors is not None else mirrors_of(name):
            try:
                fetch(mirror + file_name, path, checksum, algorithm=algorithm, progress=progress)
                break
            except DataError as error:
                failures.append(str(error))
        else:
            raise DataError(
                f"{name}: could not download {file_name} into {folder} ({'; '.join(failures)}); "
                f"if you are offline, put the files in a folder and pass --data-dir FOLDER (data_dir= in Python)"
            )
    return folder
