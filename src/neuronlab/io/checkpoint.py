"""Checkpoints: ``neuronlab.save(model, path, ...)`` and ``neuronlab.load(path)``, never pickle.

One safetensors file. Its tensors are the arrays: the model's ``state_dict`` under ``model/``, and every
array inside the optimizer state, the preprocessing and ``extra`` under their own prefixes. Its header
metadata holds a format marker and one JSON document with everything else: the architecture
(``model.config()``, rebuilt by ``nn.build_module``), task, class and feature names, preprocessing
configs, optimizer and scheduler state, epoch, RNG states, the library version, and a SHA-256 checksum
of all tensors, so that a corrupted file is refused, not silently loaded.

Writes are atomic: the bytes go to a temporary file in the target's folder, are flushed to disk, and
the temporary file is renamed over the target (``os.replace``), so a crash mid-write leaves the previous
checkpoint intact.
"""

from __future__ import annotations

import hashlib
import json
import struct
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from safetensors import SafetensorError
from safetensors.numpy import load as from_bytes
from safetensors.numpy import save as to_bytes

from neuronlab._version import __version__
from neuronlab.io import atomic
from neuronlab.random import get_rng_state, set_rng_state

FORMAT = "neuronlab.checkpoint"
FORMAT_VERSION = 1
_MARKER_KEY = "format"
_METADATA_KEY = "neuronlab"
_TENSOR = "__tensor__"


class CheckpointError(ValueError):
    """A file is not a readable neuronlab checkpoint (missing, truncated, corrupt, or from elsewhere)."""


# ---------------------------------------------------------------------------------------- arrays <-> JSON
def _contiguous(array: np.ndarray) -> np.ndarray:
    """C-contiguous, keeping the shape (``np.ascontiguousarray`` would turn a 0-d array into shape (1,))."""
    return np.require(array, requirements="C")


def _extract(obj, name: str, tensors: dict):
    """A JSON-able copy of ``obj`` with every ndarray moved into ``tensors`` under a path-like name."""
    if isinstance(obj, np.ndarray):
        if obj.dtype.kind not in "biuf":
            raise TypeError(f"save: {name!r} is an array of dtype {obj.dtype}; checkpoints store numeric arrays only")
        tensors[name] = _contiguous(obj)
        return {_TENSOR: name}
    if isinstance(getattr(obj, "data", None), np.ndarray) and hasattr(obj, "requires_grad"):  # a Tensor
        return _extract(obj.data, name, tensors)
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, dict):
        return {str(k): _extract(v, f"{name}/{k}", tensors) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_extract(v, f"{name}/{i}", tensors) for i, v in enumerate(obj)]
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise TypeError(
        f"save: cannot store {type(obj).__name__} at {name!r}; checkpoints hold numbers, strings, "
        "lists, dicts and numeric arrays (never pickled objects)"
    )


def _insert(obj, tensors: dict):
    """The inverse of :func:`_extract`: put the arrays back where their placeholders are."""
    if isinstance(obj, dict):
        if set(obj) == {_TENSOR}:
            if obj[_TENSOR] not in tensors:
                raise CheckpointError(
                    f"the metadata refers to a tensor {obj[_TENSOR]!r} that the file does not contain"
                )
            return tensors[obj[_TENSOR]]
        return {k: _insert(v, tensors) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_insert(v, tensors) for v in obj]
    return obj


def _checksum(tensors: dict) -> str:
    """SHA-256 over every tensor's name, dtype, shape and bytes, in name order."""
    digest = hashlib.sha256()
    for name in sorted(tensors):
        array = _contiguous(tensors[name])
        digest.update(f"{name}|{array.dtype.str}|{array.shape}|".encode())
        digest.update(array.tobytes())
    return digest.hexdigest()


# ---------------------------------------------------------------------------------------- saving
def _preprocessing_entries(preprocessing) -> dict:
    if preprocessing is None:
        return {}
    entries = preprocessing if isinstance(preprocessing, dict) else {"inputs": preprocessing}
    for key, transform in entries.items():
        if not (hasattr(transform, "config") and hasattr(transform, "state_dict")):
            raise TypeError(
                f"save: preprocessing {key!r} is a {type(transform).__name__}; expected a fitted "
                "neuronlab.data transform (with config() and state_dict())"
            )
    return entries


def save(
    model,
    path,
    *,
    optimizer=None,
    scheduler=None,
    epoch: int | None = None,
    preprocessing=None,
    class_names=None,
    task: str | None = None,
    feature_names=None,
    generator: np.random.Generator | None = None,
    extra: dict | None = None,
) -> Path:
    """Write ``model`` (architecture and weights) and what goes with it to ``path`` atomically; returns the path.

    ``preprocessing``: a fitted transform (stored as the ``"inputs"`` transform) or a dict of them, e.g.
    ``{"inputs": Standardize, "targets": Standardize}``. ``generator``: a loader's shuffling generator whose
    state is saved with the library's (``neuronlab.random``). ``extra``: any JSON-able dict, ndarrays allowed.
    """
    try:
        architecture = model.config()
    except NotImplementedError as error:
        raise TypeError(f"save: the model's architecture cannot be stored: {error}") from None
    tensors: dict[str, np.ndarray] = {}
    for key, value in model.state_dict().items():
        tensors[f"model/{key}"] = _contiguous(value)
    meta = {
        "format_version": FORMAT_VERSION,
        "library_version": __version__,
        "architecture": architecture,
        "task": task,
        "class_names": None if class_names is None else [str(c) for c in class_names],
        "feature_names": None if feature_names is None else [str(f) for f in feature_names],
        "epoch": None if epoch is None else int(epoch),
        "preprocessing": {
            key: {"config": t.config(), "state": _extract(t.state_dict(), f"preprocessing/{key}", tensors)}
            for key, t in _preprocessing_entries(preprocessing).items()
        },
        "optimizer": None
        if optimizer is None
        else {"type": type(optimizer).__name__, "state_dict": _extract(optimizer.state_dict(), "optimizer", tensors)},
        "scheduler": None
        if scheduler is None
        else {"type": type(scheduler).__name__, "state_dict": _extract(scheduler.state_dict(), "scheduler", tensors)},
        "rng_state": get_rng_state(),
        "generator_state": None if generator is None else generator.bit_generator.state,
        "extra": _extract(dict(extra or {}), "extra", tensors),
    }
    meta["checksum"] = _checksum(tensors)
    blob = to_bytes(tensors, metadata={_MARKER_KEY: FORMAT, _METADATA_KEY: json.dumps(meta)})
    return atomic.write_bytes(path, blob)


# ---------------------------------------------------------------------------------------- loading
@dataclass
class Checkpoint:
    """A loaded checkpoint: the rebuilt ``model`` (weights loaded, in eval mode) and everything saved with it.

    ``preprocessing`` maps names (``"inputs"``, ``"targets"``) to fitted transforms; ``optimizer_state`` and
    ``scheduler_state`` are ready for ``load_state_dict``; ``metadata`` is the raw JSON document.
    """

    model: object
    metadata: dict
    path: Path
    preprocessing: dict = field(default_factory=dict)
    optimizer_state: dict | None = None
    scheduler_state: dict | None = None
    extra: dict = field(default_factory=dict)

    @property
    def epoch(self) -> int | None:
        return self.metadata.get("epoch")

    @property
    def task(self) -> str | None:
        return self.metadata.get("task")

    @property
    def class_names(self) -> list[str] | None:
        return self.metadata.get("class_names")

    @property
    def feature_names(self) -> list[str] | None:
        return self.metadata.get("feature_names")

    @property
    def library_version(self) -> str:
        return self.metadata["library_version"]

    @property
    def input_transform(self):
        return self.preprocessing.get("inputs")

    @property
    def target_transform(self):
        return self.preprocessing.get("targets")

    def restore_rng(self, generator: np.random.Generator | None = None) -> None:
        """Put the library's RNG (and ``generator``, e.g. the training loader's) back in their saved states."""
        set_rng_state(self.metadata["rng_state"])
        if generator is not None:
            state = self.metadata.get("generator_state")
            if state is None:
                raise ValueError(
                    "restore_rng: the checkpoint holds no generator state (save(..., generator=) was not given)"
                )
            generator.bit_generator.state = state


def _describe_foreign(head: bytes) -> str | None:
    if head.startswith(b"PK\x03\x04"):
        return "a zip archive (PyTorch .pt/.pth and NumPy .npz files are zip archives)"
    if head[:1] == b"\x80" and head[1:2] in (b"\x02", b"\x03", b"\x04", b"\x05"):
        return "a Python pickle (neuronlab never unpickles files)"
    if head.startswith(b"\x89HDF"):
        return "an HDF5 file"
    if head.startswith(b"\x93NUMPY"):
        return "a NumPy .npy file"
    return None


def _read_header(path: Path, blob: bytes) -> dict:
    expected = "expected a neuronlab checkpoint written by neuronlab.save"
    if blob[8:9] != b"{":  # not a safetensors layout: an 8-byte header length, then a JSON object
        foreign = _describe_foreign(blob[:8])
        if foreign:
            raise CheckpointError(f"{path}: this is {foreign}, not a neuronlab checkpoint; {expected}")
        if len(blob) < 9:
            raise CheckpointError(f"{path}: {len(blob)} bytes is too short to be a checkpoint; {expected}")
        raise CheckpointError(f"{path}: not a safetensors file; {expected}")
    (size,) = struct.unpack("<Q", blob[:8])
    if size > len(blob) - 8:
        raise CheckpointError(
            f"{path}: the file is truncated ({len(blob)} bytes, its header alone declares {size + 8}); {expected}"
        )
    try:
        header = json.loads(blob[8 : 8 + size])
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise CheckpointError(f"{path}: the header is not valid JSON (corrupt file); {expected}") from None
    metadata = header.get("__metadata__") if isinstance(header, dict) else None
    if not isinstance(metadata, dict) or metadata.get(_MARKER_KEY) != FORMAT or _METADATA_KEY not in metadata:
        raise CheckpointError(
            f"{path}: a safetensors file without neuronlab's format marker (weights saved by "
            f"another library?); {expected}"
        )
    try:
        meta = json.loads(metadata[_METADATA_KEY])
    except json.JSONDecodeError:
        raise CheckpointError(f"{path}: the neuronlab metadata is not valid JSON (corrupt file)") from None
    version = meta.get("format_version") if isinstance(meta, dict) else None
    if not isinstance(version, int):
        raise CheckpointError(f"{path}: the neuronlab metadata has no format version (corrupt file)")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: checkpoint format {version} was written by a newer neuronlab "
            f"({meta.get('library_version')}); this one reads format <= {FORMAT_VERSION}"
        )
    _check_fields(path, meta)
    return meta


def _is_names(value) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


_FIELDS = {  # top-level metadata field -> (check, what it must be); None is allowed where save() writes None
    "library_version": (lambda v: isinstance(v, str), "a string"),
    "architecture": (lambda v: isinstance(v, dict), "an object"),
    "task": (lambda v: v is None or isinstance(v, str), "a string or null"),
    "class_names": (lambda v: v is None or _is_names(v), "a list of strings or null"),
    "feature_names": (lambda v: v is None or _is_names(v), "a list of strings or null"),
    "epoch": (lambda v: v is None or (isinstance(v, int) and not isinstance(v, bool)), "an integer or null"),
    "preprocessing": (
        lambda v: (
            isinstance(v, dict)
            and all(isinstance(e, dict) and isinstance(e.get("config"), dict) and "state" in e for e in v.values())
        ),
        "an object of {config, state} objects",
    ),
    "optimizer": (
        lambda v: v is None or (isinstance(v, dict) and isinstance(v.get("state_dict"), dict)),
        "an object with a state_dict, or null",
    ),
    "scheduler": (
        lambda v: v is None or (isinstance(v, dict) and isinstance(v.get("state_dict"), dict)),
        "an object with a state_dict, or null",
    ),
    "rng_state": (lambda v: isinstance(v, dict), "an object"),
    "generator_state": (lambda v: v is None or isinstance(v, dict), "an object or null"),
    "extra": (lambda v: isinstance(v, dict), "an object"),
    "checksum": (lambda v: isinstance(v, str), "a string"),
}


def _check_fields(path: Path, meta: dict) -> None:
    """Every top-level field present and of the type :func:`save` writes (a tampered file fails here, by name)."""
    for name, (ok, what) in _FIELDS.items():
        if name not in meta:
            raise CheckpointError(f"{path}: the neuronlab metadata has no {name!r} field (corrupt file)")
        if not ok(meta[name]):
            raise CheckpointError(
                f"{path}: the neuronlab metadata field {name!r} is a {type(meta[name]).__name__}; "
                f"expected {what} (corrupt file)"
            )


def load(path) -> Checkpoint:
    """Read a checkpoint written by :func:`save` and rebuild its model (no training script needed).

    Raises :class:`CheckpointError` (a ValueError) for a missing, truncated, corrupt or foreign file.
    """
    path = Path(path)
    try:
        blob = path.read_bytes()
    except FileNotFoundError:
        raise CheckpointError(f"{path}: no such file; expected a checkpoint written by neuronlab.save") from None
    except OSError as error:
        raise CheckpointError(f"{path}: cannot read ({error.strerror or error})") from None
    meta = _read_header(path, blob)
    try:
        tensors = from_bytes(blob)
    except SafetensorError as error:
        raise CheckpointError(f"{path}: corrupt or truncated checkpoint ({error})") from None
    if _checksum(tensors) != meta["checksum"]:
        raise CheckpointError(f"{path}: the weights do not match the checksum stored at save time (corrupt file)")
    # nn (SciPy, for GELU's erf) and data (the CSV reader) on first load, so that import neuronlab stays fast
    from neuronlab.data.transforms import transform_from_config
    from neuronlab.nn import build_module

    try:
        model = build_module(meta["architecture"])
    except (KeyError, TypeError, ValueError) as error:
        raise CheckpointError(f"{path}: the architecture cannot be rebuilt ({error})") from None
    weights = {name[len("model/") :]: array for name, array in tensors.items() if name.startswith("model/")}
    try:
        model.load_state_dict(weights)
    except ValueError as error:
        raise CheckpointError(f"{path}: the weights do not fit the architecture ({error})") from None
    model.eval()
    preprocessing = {}
    if meta["preprocessing"]:
        for key, entry in meta["preprocessing"].items():
            try:
                preprocessing[key] = transform_from_config(entry["config"], _insert(entry["state"], tensors))
            except (KeyError, TypeError, ValueError) as error:
                raise CheckpointError(f"{path}: preprocessing {key!r} cannot be rebuilt ({error})") from None
    optimizer, scheduler = meta["optimizer"], meta["scheduler"]
    return Checkpoint(
        model=model,
        metadata=meta,
        path=path,
        preprocessing=preprocessing,
        optimizer_state=None if optimizer is None else _insert(optimizer["state_dict"], tensors),
        scheduler_state=None if scheduler is None else _insert(scheduler["state_dict"], tensors),
        extra=_insert(meta["extra"], tensors),
    )
