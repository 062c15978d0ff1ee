"""CIFAR-10 (Krizhevsky 2009) from its binary distribution, read without unpickling anything.

The authors distribute CIFAR-10 three ways; the "python version" is a set of pickles, and unpickling a
downloaded file can run arbitrary code, so neuronlab reads the "binary version" (``cifar-10-binary.tar.gz``)
whose format is documented on https://www.cs.toronto.edu/~kriz/cifar.html: each of ``data_batch_1.bin`` ..
``data_batch_5.bin`` and ``test_batch.bin`` is a sequence of 10,000 records of 3,073 bytes, one label byte
(0-9) followed by the 32 x 32 image as 1,024 red, 1,024 green and 1,024 blue bytes, each plane row by row.
That is the channel-first layout (C, H, W) = (3, 32, 32), so a record's pixels are already a flattened
CHW image.

The six batch files are read straight out of the tarball (never extracted: no member's path reaches the
file system), or from a folder of the extracted files.
"""

from __future__ import annotations

import tarfile
import zlib
from pathlib import Path

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle, image_classes
from neuronlab.data.errors import DataError

CLASS_NAMES = ("airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck")
IMAGE_SHAPE = (3, 32, 32)
RECORD_BYTES = 1 + 3 * 32 * 32
BATCHES = (*(f"data_batch_{i}.bin" for i in range(1, 6)), "test_batch.bin")  # the training batches, then the test
ARCHIVE = "cifar-10-binary.tar.gz"
FOLDER = "cifar-10-batches-bin"  # the folder inside the tarball


def read_batch(data: bytes, source: str) -> tuple[np.ndarray, np.ndarray]:
    """Images (n, 3, 32, 32) uint8 and labels (n,) uint8 from the bytes of one binary batch file."""
    if not data or len(data) % RECORD_BYTES:
        raise DataError(
            f"{source}: {len(data)} bytes is not a whole number of CIFAR-10 records ({RECORD_BYTES} bytes: "
            "1 label byte and 3072 pixel bytes); the file is truncated or not a CIFAR-10 binary batch"
        )
    records = np.frombuffer(data, dtype=np.uint8).reshape(-1, RECORD_BYTES)
    labels = records[:, 0]
    if labels.max() > 9:
        raise DataError(f"{source}: label {labels.max()} in record {int(np.argmax(labels > 9))}; expected 0-9")
    return records[:, 1:].reshape((-1,) + IMAGE_SHAPE), labels


def _batches_from_archive(path: Path) -> dict[str, bytes]:
    """The batch files inside the tarball (regular files named as in :data:`BATCHES`, in any folder)."""
    found: dict[str, bytes] = {}
    try:
        with tarfile.open(path, "r:gz") as archive:
            for member in archive:
                name = member.name.rsplit("/", 1)[-1]
                if member.isreg() and name in BATCHES and name not in found:
                    handle = archive.extractfile(member)
                    if handle is not None:
                        found[name] = handle.read()
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DataError(f"{path}: not a readable tar.gz archive ({error}); expected {ARCHIVE}") from None
    return found


def _batches_from_folder(folder: Path) -> dict[str, bytes]:
    for candidate in (folder, folder / FOLDER):
        if (candidate / BATCHES[0]).is_file():
            return {name: (candidate / name).read_bytes() for name in BATCHES if (candidate / name).is_file()}
    return {}


def load_cifar10(path) -> DatasetBundle:
    """CIFAR-10 from ``path``: the binary tarball ``cifar-10-binary.tar.gz``, or a folder that holds it or
    the extracted ``data_batch_1.bin`` .. ``data_batch_5.bin``, ``test_batch.bin`` (directly or in
    ``cifar-10-batches-bin/``). Returns the 50,000 training images followed by the 10,000 test images,
    pixels 0..255 as float32 rows of 3,072 values in (C, H, W) order, ``image_shape=(3, 32, 32)`` (the full
    set takes 740 MB as float32)."""
    path = Path(path)
    if path.is_dir():
        archive = path / ARCHIVE
        batches = _batches_from_archive(archive) if archive.is_file() else _batches_from_folder(path)
    elif path.is_file():
        batches = _batches_from_archive(path)
    else:
        raise DataError(f"{path}: no such file or folder; expected {ARCHIVE} or a folder with CIFAR-10's batches")
    missing = [name for name in BATCHES if name not in batches]
    if missing:
        raise DataError(
            f"{path}: missing {', '.join(missing)}; expected CIFAR-10's binary version ({ARCHIVE} or its "
            f"{FOLDER} files), not the python (pickle) version"
        )
    parts = [read_batch(batches[name], f"{path}: {name}") for name in BATCHES]
    return image_classes("cifar10", parts, CLASS_NAMES, IMAGE_SHAPE)
