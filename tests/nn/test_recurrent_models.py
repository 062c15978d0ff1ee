"""SequenceClassifier and CharacterModel: shapes, learning a small task, sampling, checkpoints."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import nn, optim
from neuronlab.data.datasets.text import CharacterText
from neuronlab.nn.recurrent_models import CharacterModel, SequenceClassifier, sample


@pytest.mark.parametrize("kind", ["rnn", "gru", "lstm"])
@pytest.mark.parametrize("readout, bidirectional", [("last", False), ("last", True), ("all", True)])
def test_classifier_shapes_and_flat_input(kind, readout, bidirectional):
    model = SequenceClassifier(kind, 2, 5, 3, num_layers=2, bidirectional=bidirectional, readout=readout, seq_len=7)
    x = np.random.default_rng(0).standard_normal((4, 7, 2)).astype(np.float32)
    logits = model(x)
    assert logits.shape == (4, 3)
    np.testing.assert_array_equal(model(x.reshape(4, 14)).data, logits.data)
    rebuilt = nn.build_module(model.config())
    rebuilt.load_state_dict(model.state_dict())
    np.testing.assert_array_equal(rebuilt(x).data, logits.data)


def test_classifier_learns_which_half_is_larger():
    nl.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((256, 10, 1)).astype(np.float32)
    y = (x[:, :5].sum(axis=(1, 2)) > x[:, 5:].sum(axis=(1, 2))).astype(np.int64)
    model = SequenceClassifier("gru", 1, 16, 2)
    opt = optim.Adam(model.parameters(), lr=0.02)
    for _ in range(80):
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()
    accuracy = (model(x).data.argmax(axis=1) == y).mean()
    assert accuracy > 0.9  # chance is 0.5


def test_bad_classifier_arguments():
    with pytest.raises(ValueError, match="seq_len"):
        SequenceClassifier("gru", 1, 4, 2, readout="all")
    with pytest.raises(ValueError, match="unknown recurrent layer"):
        SequenceClassifier("transformer", 1, 4, 2)
    with pytest.raises(ValueError, match="whole number"):
        SequenceClassifier("gru", 3, 4, 2)(np.zeros((2, 10), dtype=np.float32))


def test_character_model_learns_a_cycle_and_samples_it(tmp_path):
    nl.manual_seed(0)
    data = CharacterText("abcd" * 60, seq_len=12, stride=4)
    model = CharacterModel(data.vocab_size, embedding_dim=8, hidden_size=24, kind="lstm")
    opt = optim.Adam(model.parameters(), lr=0.03)
    x, y = data.__getitems__(np.arange(len(data)))
    for _ in range(60):
        logits = model(x)
        loss = nn.functional.cross_entropy(logits.reshape(-1, data.vocab_size), y.reshape(-1))
        opt.zero_grad()
        loss.backward()
        opt.step()
    assert loss.item() < 0.1  # a uniform guess scores ln 4 = 1.39
    text = data.decode(sample(model, data.encode("ab"), 10, temperature=0.2, generator=np.random.default_rng(0)))
    assert text == "cdabcdabcd"
    path = nl.save(model, tmp_path / "chars.safetensors")
    restored = nl.load(path).model
    assert data.decode(sample(restored, data.encode("ab"), 10, 0.2, np.random.default_rng(0))) == text
    with pytest.raises(ValueError, match="temperature"):
        sample(model, [0], 3, temperature=0)
