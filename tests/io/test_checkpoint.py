"""Checkpoints: exact round trips of everything saved, and refusal of foreign, truncated and corrupt files."""

import json
import os
import pickle
import struct

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.data import Compose, Standardize, Whiten
from neuronlab.io import Checkpoint, CheckpointError, load, save
from neuronlab.train.trainer import predict


def make_model(seed=0):
    neuronlab.manual_seed(seed)
    return nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.3), nn.Linear(8, 3))


def trained(seed=0, steps=3):
    """A model, an Adam optimizer and a StepLR after a few real updates (so every state is non-trivial)."""
    model = make_model(seed)
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=2, gamma=0.5)
    rng = np.random.default_rng(seed)
    x, t = rng.standard_normal((16, 5)).astype(np.float32), rng.integers(0, 3, 16)
    for _ in range(steps):
        opt.zero_grad()
        nn.CrossEntropyLoss()(model(neuronlab.Tensor(x)), neuronlab.Tensor(t)).backward()
        opt.step()
        sched.step()
    return model, opt, sched, x


@pytest.fixture
def saved(tmp_path):
    model, opt, sched, x = trained()
    path = tmp_path / "model.safetensors"
    save(
        model,
        path,
        optimizer=opt,
        scheduler=sched,
        epoch=3,
        class_names=["a", "b", "c"],
        task="classification",
        feature_names=list("vwxyz"),
        extra={"note": "hello"},
    )
    return path, model, opt, sched, x


def test_round_trip_rebuilds_the_model_without_its_code(saved):
    path, model, _, _, x = saved
    ckpt = load(path)
    assert isinstance(ckpt, Checkpoint)
    assert ckpt.model.config() == model.config()
    original, restored = model.state_dict(), ckpt.model.state_dict()
    assert list(original) == list(restored)
    for key in original:
        assert original[key].dtype == restored[key].dtype
        np.testing.assert_array_equal(original[key], restored[key])
    assert not ckpt.model.training  # loaded for inference
    np.testing.assert_array_equal(predict(model, x), predict(ckpt.model, x))
    assert (ckpt.epoch, ckpt.task, ckpt.class_names, ckpt.feature_names) == (
        3,
        "classification",
        ["a", "b", "c"],
        list("vwxyz"),
    )
    assert ckpt.extra == {"note": "hello"}
    assert ckpt.library_version == neuronlab.__version__


def test_optimizer_and_scheduler_continue_identically(saved):
    path, model, opt, sched, x = saved
    ckpt = load(path)
    opt2 = optim.Adam(ckpt.model.parameters(), lr=0.5)  # hyperparameters come from the checkpoint
    opt2.load_state_dict(ckpt.optimizer_state)
    sched2 = optim.lr_scheduler.StepLR(opt2, step_size=2, gamma=0.5)
    sched2.load_state_dict(ckpt.scheduler_state)
    ckpt.model.train()
    t = np.arange(16) % 3
    for m, o, s in ((model, opt, sched), (ckpt.model, opt2, sched2)):
        neuronlab.manual_seed(7)  # same dropout mask for both
        o.zero_grad()
        nn.CrossEntropyLoss()(m(neuronlab.Tensor(x)), neuronlab.Tensor(t)).backward()
        o.step()
        s.step()
    assert opt2.param_groups[0]["lr"] == opt.param_groups[0]["lr"]
    for a, b in zip(model.parameters(), ckpt.model.parameters()):
        np.testing.assert_array_equal(a.data, b.data)


def test_preprocessing_round_trip(tmp_path):
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 4)) @ rng.standard_normal((4, 4))
    inputs = Compose([Standardize(), Whiten("pca")]).fit(X)
    targets = Standardize().fit(rng.standard_normal((50, 1)) * 30 + 100)
    save(make_model(), tmp_path / "m.safetensors", preprocessing={"inputs": inputs, "targets": targets})
    ckpt = load(tmp_path / "m.safetensors")
    np.testing.assert_array_equal(ckpt.input_transform.transform(X), inputs.transform(X))
    z = rng.standard_normal((5, 1))
    np.testing.assert_array_equal(ckpt.target_transform.inverse_transform(z), targets.inverse_transform(z))
    single = tmp_path / "single.safetensors"
    save(make_model(), single, preprocessing=Standardize().fit(X))
    assert set(load(single).preprocessing) == {"inputs"}


def test_extra_keeps_arrays_nested_values_and_special_floats(tmp_path):
    extra = {
        "weights": {"w": np.arange(6, dtype=np.float64).reshape(2, 3)},
        "steps": [1, np.int64(2)],
        "best": float("inf"),
        "ratio": float("nan"),
        "big": 2**100,
        "flag": True,
        "none": None,
    }
    save(make_model(), tmp_path / "m.safetensors", extra=extra)
    got = load(tmp_path / "m.safetensors").extra
    np.testing.assert_array_equal(got["weights"]["w"], extra["weights"]["w"])
    assert got["weights"]["w"].dtype == np.float64
    assert got["steps"] == [1, 2] and got["best"] == float("inf") and np.isnan(got["ratio"])
    assert got["big"] == 2**100 and got["flag"] is True and got["none"] is None


def test_rng_states_are_restored(tmp_path):
    neuronlab.manual_seed(3)
    generator = np.random.default_rng(11)
    generator.random(5)
    save(make_model(), tmp_path / "m.safetensors", generator=generator)
    expected_global = neuronlab.random.default_generator().random(4)
    expected_loader = generator.random(4)
    neuronlab.manual_seed(12345)
    other = np.random.default_rng(0)
    load(tmp_path / "m.safetensors").restore_rng(other)
    np.testing.assert_array_equal(neuronlab.random.default_generator().random(4), expected_global)
    np.testing.assert_array_equal(other.random(4), expected_loader)


def test_file_is_plain_safetensors_with_json_metadata(saved):
    from safetensors import safe_open

    path = saved[0]
    with safe_open(str(path), framework="numpy") as handle:
        metadata = handle.metadata()
        assert metadata["format"] == "neuronlab.checkpoint"
        assert json.loads(metadata["neuronlab"])["architecture"]["type"] == "Sequential"
        assert "model/0.weight" in handle.keys()
    assert b"\x80\x04\x95" not in path.read_bytes()  # no pickle stream anywhere


def test_save_is_atomic_when_interrupted(tmp_path, monkeypatch):
    path = tmp_path / "m.safetensors"
    first = make_model(0)
    save(first, path)

    def crash(fd):
        raise OSError("disk full")

    monkeypatch.setattr(os, "fsync", crash)
    with pytest.raises(OSError, match="disk full"):
        save(make_model(1), path)
    monkeypatch.undo()
    assert os.listdir(tmp_path) == ["m.safetensors"]  # no temporary file left behind
    restored = load(path).model.state_dict()
    for key, value in first.state_dict().items():
        np.testing.assert_array_equal(restored[key], value)


def test_unsavable_inputs_are_refused_before_writing(tmp_path):
    class NoConfig(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(TypeError, match="architecture"):
        save(NoConfig(), tmp_path / "a.safetensors")
    with pytest.raises(TypeError, match="cannot store object"):
        save(make_model(), tmp_path / "b.safetensors", extra={"x": object()})
    assert os.listdir(tmp_path) == []


# ------------------------------------------------------------------------------------------ refusals
def _corrupt_byte(data: bytes, offset: int) -> bytes:
    return data[:offset] + bytes([data[offset] ^ 0xFF]) + data[offset + 1 :]


def test_missing_file(tmp_path):
    with pytest.raises(CheckpointError, match="no such file"):
        load(tmp_path / "absent.safetensors")


@pytest.mark.parametrize("cut", [0, 5, 8, 60, -1, -50])
def test_truncated_files_are_refused(saved, tmp_path, cut):
    data = saved[0].read_bytes()
    bad = tmp_path / "cut.safetensors"
    bad.write_bytes(data[:cut] if cut > 0 or cut < 0 else b"")
    with pytest.raises(CheckpointError) as info:
        load(bad)
    assert isinstance(info.value, ValueError)
    assert "cut.safetensors" in str(info.value)


def test_a_flipped_weight_byte_is_detected(saved, tmp_path):
    data = saved[0].read_bytes()
    bad = tmp_path / "flipped.safetensors"
    bad.write_bytes(_corrupt_byte(data, len(data) - 3))
    with pytest.raises(CheckpointError, match="checksum"):
        load(bad)


def test_a_damaged_header_is_detected(saved, tmp_path):
    data = saved[0].read_bytes()
    (size,) = struct.unpack("<Q", data[:8])
    bad = tmp_path / "header.safetensors"
    bad.write_bytes(_corrupt_byte(data, 8 + size // 2))
    with pytest.raises(CheckpointError):
        load(bad)


def test_foreign_safetensors_without_marker(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "other.safetensors"
    save_file({"weight": np.zeros((2, 2), np.float32)}, str(path))
    with pytest.raises(CheckpointError, match="format marker"):
        load(path)


def test_newer_format_version_is_refused(tmp_path):
    from safetensors.numpy import save_file

    path = tmp_path / "future.safetensors"
    save_file(
        {"model/w": np.zeros(2, np.float32)},
        str(path),
        metadata={"format": "neuronlab.checkpoint", "neuronlab": json.dumps({"format_version": 99})},
    )
    with pytest.raises(CheckpointError, match="newer neuronlab"):
        load(path)


@pytest.mark.parametrize(
    "kind, expected",
    [
        ("pickle", "pickle"),
        ("npz", "zip archive"),
        ("npy", "NumPy .npy"),
        ("text", "not a safetensors file"),
    ],
)
def test_other_formats_are_named(tmp_path, kind, expected):
    path = tmp_path / f"file.{kind}"
    if kind == "pickle":
        path.write_bytes(pickle.dumps({"weight": [1.0, 2.0]}, protocol=4))
    elif kind == "npz":
        with path.open("wb") as handle:
            np.savez(handle, w=np.zeros(3))
    elif kind == "npy":
        with path.open("wb") as handle:
            np.save(handle, np.zeros(3))
    else:
        path.write_text("weights: 1 2 3\n" * 10)
    with pytest.raises(CheckpointError, match=expected):
        load(path)


@pytest.mark.parametrize("header_size", [0x480, 0x580, 0x10280])
def test_header_sizes_that_start_like_a_pickle_marker_still_load(tmp_path, header_size):
    """The first byte of such a header length is 0x80 and the second 0x04, 0x05 or 0x02, as in pickle's
    protocol marker; the file is still a valid checkpoint and must load."""
    neuronlab.manual_seed(0)
    model = nn.Linear(2, 1)
    path = tmp_path / "padded.safetensors"

    def header_length(pad):
        save(model, path, extra={"pad": "x" * pad})
        return struct.unpack("<Q", path.read_bytes()[:8])[0]

    # each "x" adds one byte to the header, which safetensors pads to a multiple of 8: start just below the
    # target and find the exact length by trial
    first = max(0, header_size - header_length(0) - 16)
    for pad in range(first, first + 64):
        size = header_length(pad)
        if size >= header_size:
            break
    assert size == header_size and path.read_bytes()[0] == 0x80
    ckpt = load(path)
    assert ckpt.extra["pad"] == "x" * pad
    np.testing.assert_array_equal(ckpt.model.weight.data, model.weight.data)


def _with_metadata(source, target, **changes):
    """A copy of the checkpoint ``source`` whose neuronlab metadata fields are replaced by ``changes``."""
    from safetensors.numpy import load_file, save_file

    with open(source, "rb") as handle:
        (size,) = struct.unpack("<Q", handle.read(8))
        header = json.loads(handle.read(size))
    meta = {**json.loads(header["__metadata__"]["neuronlab"]), **changes}
    save_file(
        load_file(str(source)), str(target), metadata={"format": "neuronlab.checkpoint", "neuronlab": json.dumps(meta)}
    )
    return target


@pytest.mark.parametrize(
    "field, value",
    [
        ("preprocessing", [1]),
        ("extra", [1]),
        ("class_names", "abc"),
        ("epoch", "3"),
        ("optimizer", 5),
        ("architecture", None),
        ("rng_state", [1, 2]),
        ("feature_names", [1, 2]),
    ],
)
def test_tampered_metadata_types_are_refused_by_name(saved, tmp_path, field, value):
    bad = _with_metadata(saved[0], tmp_path / "tampered.safetensors", **{field: value})
    with pytest.raises(CheckpointError, match=f"field '{field}' is a {type(value).__name__}"):
        load(bad)
    assert load(_with_metadata(saved[0], tmp_path / "same.safetensors")).extra == {"note": "hello"}


def test_torch_checkpoint_is_refused(tmp_path):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    path = tmp_path / "model.pt"
    torch.save(torch.nn.Linear(3, 2).state_dict(), path)
    with pytest.raises(CheckpointError, match="PyTorch"):
        load(path)


def test_exported_at_top_level():
    assert neuronlab.save is save and neuronlab.load is load and neuronlab.CheckpointError is CheckpointError
