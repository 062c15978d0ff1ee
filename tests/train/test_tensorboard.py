"""The TensorBoard callback's event files, read back record by record: the TFRecord framing (lengths and
masked CRC-32C checksums, computed here from the format's definition) and the Event protobuf messages."""

import struct
import sys

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.data import DataLoader, Standardize, TensorDataset, load_dataset
from neuronlab.train.trainer import Trainer

pytest.importorskip("tensorboardX", reason="TensorBoard logs need pip install 'neuronlab[tensorboard]'")
from tensorboardX.proto.event_pb2 import Event  # noqa: E402

from neuronlab.train.tensorboard import TensorBoard  # noqa: E402


def _crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc ^= byte
        for _ in range(8):
            crc = (crc >> 1) ^ (0x82F63B78 if crc & 1 else 0)
    return crc ^ 0xFFFFFFFF


def _masked(data: bytes) -> int:
    crc = _crc32c(data)
    return ((((crc >> 15) | (crc << 17)) & 0xFFFFFFFF) + 0xA282EAD8) & 0xFFFFFFFF


def read_events(folder):
    """Every Event of every event file in ``folder``, in file order."""
    events = []
    for path in sorted(folder.glob("events.out.tfevents.*")):
        blob, offset = path.read_bytes(), 0
        while offset < len(blob):
            header = blob[offset : offset + 8]
            (length,), (header_crc,) = struct.unpack("<Q", header), struct.unpack("<I", blob[offset + 8 : offset + 12])
            data = blob[offset + 12 : offset + 12 + length]
            (data_crc,) = struct.unpack("<I", blob[offset + 12 + length : offset + 16 + length])
            assert header_crc == _masked(header) and data_crc == _masked(data), f"corrupt record in {path}"
            events.append(Event.FromString(data))
            offset += 16 + length
    return events


def scalars(events):
    table = {}
    for event in events:
        for value in event.summary.value:
            if value.HasField("simple_value"):
                table.setdefault(value.tag, []).append((event.step, value.simple_value))
    return table


def train(tmp_path, epochs, histograms=False, trainer=None):
    bundle = load_dataset("iris")
    x = Standardize().fit_transform(bundle.X).astype(np.float32)
    neuronlab.manual_seed(0)
    if trainer is None:
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
        trainer = Trainer(
            model,
            nn.CrossEntropyLoss(),
            optim.SGD(model.parameters(), lr=0.1),
            metrics=["accuracy"],
            callbacks=[TensorBoard(tmp_path, histograms=histograms)],
        )
    loader = DataLoader(TensorDataset(x, bundle.y), batch_size=32, shuffle=True, generator=np.random.default_rng(0))
    history = trainer.fit(loader, DataLoader(TensorDataset(x[:50], bundle.y[:50]), batch_size=50), epochs=epochs)
    return trainer, history


def test_scalars_per_epoch_equal_the_history(tmp_path):
    trainer, history = train(tmp_path, epochs=3)
    table = scalars(read_events(tmp_path))
    assert set(table) == {"loss/train", "loss/val", "accuracy/train", "accuracy/val", "lr"}
    for tag, key in (
        ("loss/train", "train_loss"),
        ("loss/val", "val_loss"),
        ("accuracy/val", "val_accuracy"),
        ("lr", "lr"),
    ):
        steps, values = zip(*table[tag])
        assert steps == (1, 2, 3)
        np.testing.assert_allclose(values, history[key], rtol=1e-6)  # stored as float32
    assert trainer.callbacks[0].writer is None  # closed at the end of training


def test_histograms_of_weights_and_gradients(tmp_path):
    trainer, _ = train(tmp_path, epochs=2, histograms=True)
    histograms = {
        (v.tag, e.step): v.histo for e in read_events(tmp_path) for v in e.summary.value if v.HasField("histo")
    }
    names = [name for name, _ in trainer.model.named_parameters()]
    assert {tag for tag, _ in histograms} == {f"{kind}/{n}" for kind in ("weights", "gradients") for n in names}
    weight = trainer.model[0].weight.data
    final = histograms[("weights/0.weight", 2)]
    assert (
        final.num == weight.size
        and final.min == pytest.approx(weight.min())
        and final.max == pytest.approx(weight.max())
    )
    assert histograms[("gradients/2.bias", 2)].num == 3


def test_a_resumed_run_purges_the_steps_after_its_epoch(tmp_path):
    trainer, _ = train(tmp_path, epochs=2)
    trainer.epoch = 1  # as if resumed from a checkpoint of epoch 1
    trainer.history.records = trainer.history.records[:1]
    train(tmp_path, epochs=2, trainer=trainer)
    events = read_events(tmp_path)
    starts = [e.step for e in events if e.HasField("session_log")]
    assert starts == [2]  # TensorBoard hides the first file's steps >= 2
    assert [s for s, _ in scalars(events)["loss/train"]] == [1, 2, 2]


def test_missing_writer_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "tensorboardX", None)
    with pytest.raises(ImportError, match=r"pip install 'neuronlab\[tensorboard\]'"):
        TensorBoard(tmp_path)
