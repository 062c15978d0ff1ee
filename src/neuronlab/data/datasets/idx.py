"""IDX files (the MNIST format), raw or gzip-compressed, read with every size checked.

Layout: magic number 0x0000TTNN (TT = element type code, NN = number of dimensions), NN big-endian
uint32 sizes, then the elements big-endian in C order. MNIST images are 0x00000803 (uint8, 3-D:
count x rows x cols), labels 0x00000801 (uint8, 1-D).
"""

from __future__ import annotations

import gzip
import math
import zlib
from pathlib import Path

import numpy as np

from neuronlab.data.datasets.bundle import DatasetBundle, image_classes
from neuronlab.data.errors import DataError, check_regular_file

IDX_TYPES = {0x08: np.uint8, 0x09: np.int8, 0x0B: np.int16, 0x0C: np.int32, 0x0D: np.float32, 0x0E: np.float64}


def _read_bytes(path: Path) -> bytes:
    check_regular_file(path, "an IDX file")
    try:
        raw = path.read_bytes()
    except OSError as error:
        raise DataError(f"{path}: cannot read file ({error.strerror or error})") from None
    if raw[:2] == b"\x1f\x8b":
        try:
            return gzip.decompress(raw)
        except (OSError, EOFError, zlib.error) as error:
            raise DataError(f"{path}: corrupt or truncated gzip data ({error})") from None
    return raw


def read_idx(path) -> np.ndarray:
    """Read one IDX file (gzip detected from its first bytes) into an array of its element type."""
    path = Path(path)
    data = _read_bytes(path)
    if len(data) < 4:
        raise DataError(f"{path}: {len(data)} bytes is too short for an IDX header (4-byte magic number)")
    magic = int.from_bytes(data[:4], "big")
    type_code, ndim = data[2], data[3]
    if data[0] != 0 or data[1] != 0 or type_code not in IDX_TYPES or ndim == 0:
        raise DataError(
            f"{path}: bad magic number 0x{magic:08X}; expected an IDX file, 0x0000TTNN with type "
            f"TT in {{{', '.join(f'{t:02X}' for t in IDX_TYPES)}}} and NN >= 1 dimensions"
        )
    header = 4 + 4 * ndim
    if len(data) < header:
        raise DataError(f"{path}: truncated header: {ndim} dimensions need {header} bytes, the file has {len(data)}")
    shape = tuple(int.from_bytes(data[4 + 4 * i : 8 + 4 * i], "big") for i in range(ndim))
    dtype = np.dtype(IDX_TYPES[type_code]).newbyteorder(">")
    expected = math.prod(shape) * dtype.itemsize
    found = len(data) - header
    if found != expected:
        problem = "truncated" if found < expected else "has trailing bytes"
        raise DataError(f"{path}: {problem}: shape {shape} of {dtype.name} needs {expected} data bytes, found {found}")
    return np.frombuffer(data, dtype=dtype, offset=header).reshape(shape).astype(dtype.newbyteorder("="))


def _find(data_dir: Path, split: str, kind: str) -> Path | None:
    """MNIST's file names, also the common variant with a dot and with .gz."""
    dims = "3" if kind == "images" else "1"
    for stem in (f"{split}-{kind}-idx{dims}-ubyte", f"{split}-{kind}.idx{dims}-ubyte"):
        for name in (stem, stem + ".gz"):
            if (data_dir / name).is_file():
                return data_dir / name
    return None


def _read_pair(images_path: Path, labels_path: Path) -> tuple[np.ndarray, np.ndarray]:
    images, labels = read_idx(images_path), read_idx(labels_path)
    if images.ndim != 3 or images.dtype != np.uint8:
        raise DataError(
            f"{images_path}: expected uint8 images of shape (count, rows, cols), got {images.dtype} {images.shape}"
        )
    if labels.ndim != 1 or labels.dtype != np.uint8:
        raise DataError(f"{labels_path}: expected uint8 labels of shape (count,), got {labels.dtype} {labels.shape}")
    if len(images) != len(labels):
        raise DataError(f"{images_path} has {len(images)} images but {labels_path} has {len(labels)} labels")
    if labels.size and labels.max() > 9:
        raise DataError(
            f"{labels_path}: label {labels.max()} at index {int(np.argmax(labels > 9))}; expected digits 0-9"
        )
    return images, labels


def load_mnist(data_dir) -> DatasetBundle:
    """MNIST from ``data_dir``: ``train-images-idx3-ubyte``/``train-labels-idx1-ubyte`` (required) and
    ``t10k-*`` (appended when present), raw or ``.gz``. Pixels stay 0..255 as float32, flattened to 784
    features with ``image_shape=(28, 28)`` (whatever rows x cols the files declare)."""
    if data_dir is None:
        raise DataError("mnist is not shipped: pass data_dir (--data-dir) with the MNIST IDX files")
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataError(f"{data_dir}: not a directory; expected a folder with the MNIST IDX files")
    parts = []
    for split in ("train", "t10k"):
        images_path, labels_path = _find(data_dir, split, "images"), _find(data_dir, split, "labels")
        if images_path is None and labels_path is None and split == "t10k":
            continue
        if images_path is None or labels_path is None:
            missing = f"{split}-images-idx3-ubyte" if images_path is None else f"{split}-labels-idx1-ubyte"
            raise DataError(
                f"{data_dir}: missing {missing}[.gz]; expected MNIST's train-images-idx3-ubyte, "
                "train-labels-idx1-ubyte (and optionally t10k-*) files"
            )
        parts.append(_read_pair(images_path, labels_path))
    if len(parts) == 2 and parts[0][0].shape[1:] != parts[1][0].shape[1:]:
        raise DataError(
            f"{data_dir}: train images are {parts[0][0].shape[1:]} but t10k images are {parts[1][0].shape[1:]}"
        )
    return image_classes("mnist", parts, [str(d) for d in range(10)], parts[0][0].shape[1:])
