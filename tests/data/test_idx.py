import gzip
import struct

import numpy as np
import pytest

from neuronlab.data import DataError, load_dataset, read_idx


def idx_bytes(array: np.ndarray, type_code: int) -> bytes:
    """An IDX file written from the format description: magic 0x0000TTNN, big-endian sizes, data."""
    header = struct.pack(">BBBB", 0, 0, type_code, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    big_endian = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[type_code]
    return header + array.astype(big_endian).tobytes()


def write_mnist(folder, n_train=5, n_test=3, shape=(4, 3), gz=False, dotted=False, seed=0):
    rng = np.random.default_rng(seed)
    out = {}
    for split, n in (("train", n_train), ("t10k", n_test)):
        if n is None:
            continue
        images = rng.integers(0, 256, size=(n, *shape)).astype(np.uint8)
        labels = rng.integers(0, 10, size=n).astype(np.uint8)
        for kind, array, dims in (("images", images, 3), ("labels", labels, 1)):
            name = f"{split}-{kind}.idx{dims}-ubyte" if dotted else f"{split}-{kind}-idx{dims}-ubyte"
            data = idx_bytes(array, 0x08)
            (folder / (name + ".gz" if gz else name)).write_bytes(gzip.compress(data) if gz else data)
        out[split] = (images, labels)
    return out


@pytest.mark.parametrize(
    "type_code, dtype",
    [(0x08, np.uint8), (0x09, np.int8), (0x0B, np.int16), (0x0C, np.int32), (0x0D, np.float32), (0x0E, np.float64)],
)
def test_read_idx_every_element_type(tmp_path, type_code, dtype):
    array = (
        (np.arange(24).reshape(2, 3, 4) - 5).astype(dtype)
        if dtype != np.uint8
        else np.arange(24, dtype=dtype).reshape(2, 3, 4)
    )
    path = tmp_path / "a.idx"
    path.write_bytes(idx_bytes(array, type_code))
    out = read_idx(path)
    assert out.dtype == dtype and out.dtype.isnative
    np.testing.assert_array_equal(out, array)


def test_read_idx_detects_gzip_by_content(tmp_path):
    array = np.arange(7, dtype=np.uint8)
    (tmp_path / "plain-name").write_bytes(gzip.compress(idx_bytes(array, 0x08)))
    np.testing.assert_array_equal(read_idx(tmp_path / "plain-name"), array)


@pytest.mark.parametrize("gz, dotted", [(False, False), (True, False), (False, True), (True, True)])
def test_mnist_loads_train_and_test_files(tmp_path, gz, dotted):
    written = write_mnist(tmp_path, gz=gz, dotted=dotted)
    b = load_dataset("mnist", data_dir=tmp_path)
    images = np.concatenate([written["train"][0], written["t10k"][0]])
    labels = np.concatenate([written["train"][1], written["t10k"][1]])
    assert b.X.shape == (8, 12) and b.X.dtype == np.float32 and b.image_shape == (4, 3)
    np.testing.assert_array_equal(b.X.reshape(8, 4, 3), images)
    np.testing.assert_array_equal(b.y, labels)
    assert b.y.dtype == np.int64 and b.class_names == [str(d) for d in range(10)]


def test_mnist_test_files_are_optional(tmp_path):
    write_mnist(tmp_path, n_test=None)
    assert len(load_dataset("mnist", data_dir=tmp_path).X) == 5


def write(tmp_path, data: bytes, name="x.idx"):
    path = tmp_path / name
    path.write_bytes(data)
    return path


GOOD = idx_bytes(np.arange(12, dtype=np.uint8).reshape(3, 4), 0x08)


@pytest.mark.parametrize(
    "data, message",
    [
        (b"\x00\x00", "2 bytes is too short for an IDX header"),
        (b"\x12\x34\x08\x01" + GOOD[4:], "bad magic number 0x12340801"),
        (b"\x00\x00\x07\x02" + GOOD[4:], "bad magic number 0x00000702"),
        (b"\x00\x00\x08\x00", "bad magic number 0x00000800"),
        (GOOD[:10], "truncated header: 2 dimensions need 12 bytes, the file has 10"),
        (GOOD[:-1], "truncated: shape (3, 4) of uint8 needs 12 data bytes, found 11"),
        (GOOD + b"\x00\x00", "has trailing bytes: shape (3, 4) of uint8 needs 12 data bytes, found 14"),
        (gzip.compress(GOOD, mtime=0)[:-6], "corrupt or truncated gzip data"),
    ],
)
def test_malformed_idx_files_are_refused_with_the_file_named(tmp_path, data, message):
    path = write(tmp_path, data)
    with pytest.raises(DataError) as info:
        read_idx(path)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file_is_a_data_error(tmp_path):
    with pytest.raises(DataError, match="cannot read file"):
        read_idx(tmp_path / "nope")


def test_mnist_needs_a_data_dir_with_the_files_or_a_download(tmp_path):
    with pytest.raises(DataError, match="could not download .*pass --data-dir"):  # offline: see tests/conftest.py
        load_dataset("mnist")
    with pytest.raises(DataError, match="not a directory"):
        load_dataset("mnist", data_dir=tmp_path / "absent")
    with pytest.raises(DataError, match="missing train-images-idx3-ubyte"):
        load_dataset("mnist", data_dir=tmp_path)
    write_mnist(tmp_path)
    (tmp_path / "t10k-labels-idx1-ubyte").unlink()
    with pytest.raises(DataError, match="missing t10k-labels-idx1-ubyte"):
        load_dataset("mnist", data_dir=tmp_path)


def replace_file(tmp_path, name, array, type_code=0x08):
    (tmp_path / name).write_bytes(idx_bytes(array, type_code))


@pytest.mark.parametrize(
    "name, array, type_code, message",
    [
        ("train-labels-idx1-ubyte", np.zeros(4, np.uint8), 0x08, "has 5 images but"),
        ("train-labels-idx1-ubyte", np.zeros((5, 1), np.uint8), 0x08, "expected uint8 labels of shape (count,)"),
        (
            "train-images-idx3-ubyte",
            np.zeros((5, 12), np.uint8),
            0x08,
            "expected uint8 images of shape (count, rows, cols)",
        ),
        ("train-images-idx3-ubyte", np.zeros((5, 4, 3), np.float32), 0x0D, "expected uint8 images"),
        (
            "train-labels-idx1-ubyte",
            np.array([0, 1, 12, 3, 4], np.uint8),
            0x08,
            "label 12 at index 2; expected digits 0-9",
        ),
        (
            "t10k-images-idx3-ubyte",
            np.zeros((3, 5, 5), np.uint8),
            0x08,
            "train images are (4, 3) but t10k images are (5, 5)",
        ),
    ],
)
def test_mnist_files_with_wrong_sizes_or_types_are_refused(tmp_path, name, array, type_code, message):
    write_mnist(tmp_path)
    replace_file(tmp_path, name, array, type_code)
    with pytest.raises(DataError) as info:
        load_dataset("mnist", data_dir=tmp_path)
    assert message in str(info.value)


def test_a_pipe_or_a_directory_is_refused_without_waiting(tmp_path):
    import os

    fifo = tmp_path / "train-images-idx3-ubyte"
    os.mkfifo(fifo)  # reading it would wait for a writer
    with pytest.raises(DataError, match="not a regular file .*; expected an IDX file"):
        read_idx(fifo)
    with pytest.raises(DataError, match="a directory; expected an IDX file"):
        read_idx(tmp_path)
