"""Dataset downloads against a local HTTP server on 127.0.0.1 (no test touches the internet): the cache folder,
checksums, truncated and interrupted transfers, atomic placement, the offline error, the mirror override, and
``load_dataset`` / ``neuronlab train`` downloading MNIST, Fashion-MNIST and CIFAR-10 on first use."""

import gzip
import hashlib
import http.server
import io
import socket
import tarfile
import threading

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.cli.main import cli
from neuronlab.data import DataError, load_cifar10, load_dataset, load_mnist
from neuronlab.data.datasets import download
from neuronlab.data.datasets.download import cache_dir, download_dataset, fetch, mirrors_of


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


def cifar_tarball(batches: dict[str, tuple[np.ndarray, np.ndarray]], folder="cifar-10-batches-bin") -> bytes:
    """A tar.gz in CIFAR-10's binary format: per record 1 label byte, then the red, green and blue planes."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, (images, labels) in batches.items():
            records = b"".join(
                bytes([label]) + image.astype(np.uint8).tobytes() for image, label in zip(images, labels)
            )
            info = tarfile.TarInfo(f"{folder}/{name}")
            info.size = len(records)
            archive.addfile(info, io.BytesIO(records))
    return buffer.getvalue()


rng = np.random.default_rng(0)
TRAIN_LABELS, TEST_LABELS = np.arange(60) % 10, np.arange(20) % 10
FILES = {
    "train-images-idx3-ubyte.gz": idx(rng.integers(0, 256, (60, 28, 28))),
    "train-labels-idx1-ubyte.gz": idx(TRAIN_LABELS),
    "t10k-images-idx3-ubyte.gz": idx(rng.integers(0, 256, (20, 28, 28))),
    "t10k-labels-idx1-ubyte.gz": idx(TEST_LABELS),
}
BATCH_NAMES = [f"data_batch_{i}.bin" for i in range(1, 6)] + ["test_batch.bin"]
CIFAR_BATCHES = {
    name: (rng.integers(0, 256, (20, 3, 32, 32)), (np.arange(20) + i) % 10) for i, name in enumerate(BATCH_NAMES)
}
CIFAR = cifar_tarball(CIFAR_BATCHES)
FILES["cifar-10-binary.tar.gz"] = CIFAR
CIFAR_MD5 = {"cifar-10-binary.tar.gz": hashlib.md5(CIFAR).hexdigest()}


class Handler(http.server.BaseHTTPRequestHandler):
    """/good/NAME serves the file; /corrupt/ flips a byte; /truncated/ announces more bytes than it sends;
    /interrupted/ sends half and resets the connection."""

    requests = []

    def do_GET(self):
        Handler.requests.append(self.path)
        parts = self.path.strip("/").split("/")  # /KIND/NAME or /KIND/DATASET/NAME (a NEURONLAB_DATA_MIRROR)
        kind, name = parts[0], parts[-1]
        body = FILES.get(name)
        if body is None:
            self.send_error(404)
            return
        if kind == "corrupt":
            body = body[:-1] + bytes([body[-1] ^ 1])
        self.send_response(200)
        self.send_header("Content-Length", str(len(body) + (10 if kind == "truncated" else 0)))
        self.end_headers()
        if kind == "interrupted":
            self.wfile.write(body[: len(body) // 2])
            self.wfile.flush()
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
            self.connection.close()
            return
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture(scope="module")
def server():
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


IDX_SHA256 = {n: hashlib.sha256(b).hexdigest() for n, b in FILES.items() if n.endswith(".gz") and "idx" in n}


@pytest.fixture
def checksums(monkeypatch):
    """The published checksums replaced by those of the test files (for the paths that take no override)."""
    monkeypatch.setitem(download.CHECKSUMS, "mnist", ("sha256", IDX_SHA256))
    monkeypatch.setitem(download.CHECKSUMS, "fashion_mnist", ("sha256", IDX_SHA256))
    monkeypatch.setitem(download.CHECKSUMS, "cifar10", ("md5", CIFAR_MD5))


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_cache_folder_follows_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("NEURONLAB_DATA", raising=False)
    monkeypatch.delenv("XDG_CACHE_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert cache_dir() == tmp_path / "home" / ".cache" / "neuronlab"
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "neuronlab"
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path / "data"))
    assert cache_dir() == tmp_path / "data"


def test_download_verifies_and_loads(server, checksums, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path))
    folder = download_dataset("mnist", mirrors=[f"{server}/missing/", f"{server}/good/"], progress=False)
    assert folder == tmp_path / "mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(IDX_SHA256)  # no temporary files left behind
    bundle = load_mnist(folder)
    assert bundle.X.shape == (80, 784) and list(bundle.y[-2:]) == [8, 9]
    Handler.requests.clear()
    download_dataset("mnist", mirrors=[f"{server}/good/"], progress=False)  # cached: verified, not fetched again
    assert Handler.requests == []


@pytest.mark.parametrize(
    "kind, message",
    [
        ("corrupt", "checksum mismatch"),
        ("truncated", "download failed|truncated"),
        ("interrupted", "download failed|truncated"),
    ],
)
def test_bad_transfers_leave_nothing_behind(server, checksums, tmp_path, kind, message):
    name = "train-images-idx3-ubyte.gz"
    with pytest.raises(DataError, match=message):
        fetch(f"{server}/{kind}/{name}", tmp_path / name, IDX_SHA256[name], progress=False)
    assert list(tmp_path.iterdir()) == []


def test_a_corrupt_cached_file_is_fetched_again(server, checksums, tmp_path):
    (tmp_path / "train-labels-idx1-ubyte.gz").write_bytes(b"junk")
    download_dataset("mnist", tmp_path, mirrors=[f"{server}/good/"], progress=False)
    assert (tmp_path / "train-labels-idx1-ubyte.gz").read_bytes() == FILES["train-labels-idx1-ubyte.gz"]


def test_offline_error_is_one_line_naming_data_dir(checksums, tmp_path):
    with pytest.raises(DataError) as info:
        download_dataset("mnist", tmp_path, mirrors=[f"http://127.0.0.1:{closed_port()}/"], progress=False)
    message = str(info.value)
    assert "\n" not in message and "--data-dir" in message and "train-images-idx3-ubyte.gz" in message
    assert list(tmp_path.iterdir()) == []


# ------------------------------------------------------------------------------ the mirror override, load_dataset
def test_the_mirror_variable_replaces_the_public_mirrors(monkeypatch):
    monkeypatch.delenv("NEURONLAB_DATA_MIRROR")
    assert mirrors_of("mnist") == download.MIRRORS["mnist"]
    assert mirrors_of("cifar10") == ("https://www.cs.toronto.edu/~kriz/",)
    monkeypatch.setenv("NEURONLAB_DATA_MIRROR", "http://127.0.0.1:9/data/")
    assert mirrors_of("cifar10") == ("http://127.0.0.1:9/data/cifar10/",)


def test_the_published_cifar_checksum_is_the_binary_versions_md5():
    assert download.CHECKSUMS["cifar10"] == ("md5", {"cifar-10-binary.tar.gz": "c32a1d4ab5d03f1284b67883e8d87530"})


@pytest.mark.parametrize("name", ["mnist", "fashion_mnist"])
def test_load_dataset_downloads_into_the_cache_on_first_use(server, checksums, monkeypatch, tmp_path, name):
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path))
    monkeypatch.setenv("NEURONLAB_DATA_MIRROR", f"{server}/good")
    bundle = load_dataset(name)
    assert bundle.name == name and bundle.X.shape == (80, 784) and bundle.image_shape == (28, 28)
    np.testing.assert_array_equal(bundle.y, np.concatenate([TRAIN_LABELS, TEST_LABELS]))
    assert sorted(p.name for p in (tmp_path / name).iterdir()) == sorted(IDX_SHA256)
    assert bundle.class_names[0] == ("0" if name == "mnist" else "T-shirt/top")


def invoke(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def test_train_downloads_mnist_and_sizes_the_cnn_to_it(server, checksums, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("NEURONLAB_DATA_MIRROR", f"{server}/good")
    out = tmp_path / "run"
    result = invoke("train", "--dataset", "mnist", "--model", "cnn", "--epochs", "1", "--no-plots", "--out", out)
    assert result.exit_code == 0, result.output
    convs = [m for m in neuronlab.load(out / "model.safetensors").model.modules() if isinstance(m, nn.Conv2d)]
    assert convs[0].in_channels == 1 and convs[0].kernel_size == (5, 5)  # LeNet-5's kernel for 28 x 28


def test_train_offline_is_one_line_naming_data_dir(monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("NEURONLAB_DATA_MIRROR", f"http://127.0.0.1:{closed_port()}")
    result = invoke("train", "--dataset", "cifar10", "--epochs", "1", "--out", tmp_path / "run")
    assert result.exit_code == 1 and "Traceback" not in result.output, result.output
    (line,) = result.output.strip().splitlines()
    assert "could not download cifar-10-binary.tar.gz" in line and "--data-dir" in line
    assert not (tmp_path / "run").exists() or not any((tmp_path / "run").iterdir())


# ------------------------------------------------------------------------------ CIFAR-10 (binary version)
def test_cifar10_download_verifies_the_md5_and_reads_the_records(server, tmp_path):
    folder = download_dataset("cifar10", tmp_path, mirrors=[f"{server}/good/"], checksums=CIFAR_MD5, progress=False)
    bundle = load_cifar10(folder)
    assert bundle.X.shape == (120, 3072) and bundle.image_shape == (3, 32, 32) and bundle.X.dtype == np.float32
    images = np.concatenate([CIFAR_BATCHES[name][0] for name in BATCH_NAMES])  # training batches, then the test
    labels = np.concatenate([CIFAR_BATCHES[name][1] for name in BATCH_NAMES])
    np.testing.assert_array_equal(bundle.X.reshape(-1, 3, 32, 32), images)  # red, green, blue planes row by row
    np.testing.assert_array_equal(bundle.y, labels)
    assert bundle.class_names[:3] == ["airplane", "automobile", "bird"] and bundle.class_names[9] == "truck"


def test_cifar10_with_the_published_checksum_refuses_another_file(server, tmp_path):
    with pytest.raises(DataError, match="MD5 checksum mismatch"):
        download_dataset("cifar10", tmp_path, mirrors=[f"{server}/good/"], progress=False)
    assert list(tmp_path.iterdir()) == []


def test_cifar10_offline_error(tmp_path):
    with pytest.raises(DataError) as info:
        download_dataset("cifar10", tmp_path, mirrors=[f"http://127.0.0.1:{closed_port()}/"], progress=False)
    assert "\n" not in str(info.value) and "--data-dir" in str(info.value)


def test_cifar10_from_a_folder_of_extracted_batches(tmp_path):
    (tmp_path / "cifar-10-batches-bin").mkdir()
    with tarfile.open(fileobj=io.BytesIO(CIFAR), mode="r:gz") as archive:
        for member in archive:
            (tmp_path / member.name).write_bytes(archive.extractfile(member).read())
    np.testing.assert_array_equal(load_cifar10(tmp_path).X, load_dataset("cifar10", data_dir=tmp_path).X)


@pytest.mark.parametrize(
    "batches, message",
    [
        ({name: CIFAR_BATCHES[name] for name in BATCH_NAMES[:-1]}, "missing test_batch.bin"),
        ({**CIFAR_BATCHES, "test_batch.bin": (CIFAR_BATCHES["test_batch.bin"][0], np.full(20, 12))}, "label 12"),
    ],
)
def test_cifar10_refuses_incomplete_or_wrong_archives(tmp_path, batches, message):
    (tmp_path / "cifar-10-binary.tar.gz").write_bytes(cifar_tarball(batches))
    with pytest.raises(DataError, match=message):
        load_cifar10(tmp_path)


def test_cifar10_refuses_truncated_batches_and_the_pickle_version(tmp_path):
    whole = tmp_path / "whole"
    whole.mkdir()
    for name in BATCH_NAMES:
        images, labels = CIFAR_BATCHES[name]
        (whole / name).write_bytes(b"".join(bytes([y]) + x.astype(np.uint8).tobytes() for x, y in zip(images, labels)))
    (whole / "test_batch.bin").write_bytes((whole / "test_batch.bin").read_bytes()[:-5])
    with pytest.raises(DataError, match="not a whole number of CIFAR-10 records"):
        load_cifar10(whole)
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:  # the python version's member names
        info = tarfile.TarInfo("cifar-10-batches-py/data_batch_1")
        archive.addfile(info, io.BytesIO(b""))
    (tmp_path / "python.tar.gz").write_bytes(buffer.getvalue())
    with pytest.raises(DataError, match="not the python \\(pickle\\) version"):
        load_cifar10(tmp_path / "python.tar.gz")


def test_train_on_cifar10_sizes_the_cnn_to_colour_images(server, checksums, monkeypatch, tmp_path):
    monkeypatch.setenv("NEURONLAB_DATA", str(tmp_path / "cache"))
    monkeypatch.setenv("NEURONLAB_DATA_MIRROR", f"{server}/good")
    out = tmp_path / "run"
    result = invoke("train", "--dataset", "cifar10", "--model", "cnn", "--epochs", "1", "--no-plots", "--out", out)
    assert result.exit_code == 0, result.output
    assert "cifar10: classification, 3072 features, 10 classes" in result.output
    model = neuronlab.load(out / "model.safetensors").model
    conv = next(m for m in model.modules() if isinstance(m, nn.Conv2d))
    assert conv.in_channels == 3 and model(np.zeros((2, 3072), dtype=np.float32)).shape == (2, 10)
