"""Dataset downloads against a local HTTP server on 127.0.0.1 (no test touches the internet): the cache folder,
checksums, truncated and interrupted transfers, atomic placement, and the offline error."""

import gzip
import hashlib
import http.server
import socket
import threading

import numpy as np
import pytest

from neuronlab.data import DataError, load_mnist
from neuronlab.data.datasets import download
from neuronlab.data.datasets.download import cache_dir, download_dataset, fetch


def idx(array: np.ndarray) -> bytes:
    header = bytes([0, 0, 0x08, array.ndim]) + b"".join(int(n).to_bytes(4, "big") for n in array.shape)
    return gzip.compress(header + array.astype(np.uint8).tobytes())


rng = np.random.default_rng(0)
FILES = {
    "train-images-idx3-ubyte.gz": idx(rng.integers(0, 256, (6, 28, 28))),
    "train-labels-idx1-ubyte.gz": idx(np.arange(6) % 10),
    "t10k-images-idx3-ubyte.gz": idx(rng.integers(0, 256, (2, 28, 28))),
    "t10k-labels-idx1-ubyte.gz": idx(np.array([3, 4])),
}


class Handler(http.server.BaseHTTPRequestHandler):
    """/good/NAME serves the file; /corrupt/ flips a byte; /truncated/ announces more bytes than it sends;
    /interrupted/ sends half and resets the connection."""

    requests = []

    def do_GET(self):
        Handler.requests.append(self.path)
        kind, name = self.path.strip("/").split("/", 1)
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


@pytest.fixture
def checksums(monkeypatch):
    monkeypatch.setitem(download.SHA256, "mnist", {n: hashlib.sha256(b).hexdigest() for n, b in FILES.items()})


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
    assert sorted(p.name for p in folder.iterdir()) == sorted(FILES)  # no temporary files left behind
    bundle = load_mnist(folder)
    assert bundle.X.shape == (8, 784) and list(bundle.y[-2:]) == [3, 4]
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
        fetch(f"{server}/{kind}/{name}", tmp_path / name, download.SHA256["mnist"][name], progress=False)
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
