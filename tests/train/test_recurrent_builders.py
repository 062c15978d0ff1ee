"""The command line's recurrent builders: a classifier for a dataset's rows, character-model training and generation."""

import numpy as np
import pytest

from neuronlab.nn.recurrent_models import SequenceClassifier
from neuronlab.train.recurrent import build_recurrent_classifier, generate, train_character_model


def test_classifier_reads_rows_as_sequences():
    model = build_recurrent_classifier("gru", 40, 10, [6], bidirectional=True, readout="all")
    assert isinstance(model, SequenceClassifier) and model.seq_len == 40 and model.rnn.bidirectional
    assert model(np.zeros((3, 40), dtype=np.float32)).shape == (3, 10)
    stacked = build_recurrent_classifier("lstm", 12, 3, [8, 8], input_size=2)
    assert stacked.rnn.num_layers == 2 and stacked(np.zeros((2, 12), dtype=np.float32)).shape == (2, 3)
    with pytest.raises(ValueError, match="one positive hidden size"):
        build_recurrent_classifier("gru", 40, 10, [8, 4])
    with pytest.raises(ValueError, match="whole number"):
        build_recurrent_classifier("gru", 40, 10, [8], input_size=3)


def test_train_then_generate(tmp_path):
    text = tmp_path / "text.txt"
    text.write_text("abcde" * 100)
    checkpoint = tmp_path / "chars.safetensors"
    losses = train_character_model(
        text, checkpoint, kind="gru", seq_len=10, embedding_dim=8, hidden_size=24, epochs=6, batch_size=16, lr=0.02
    )
    assert losses[-1] < 0.2 * losses[0]
    assert generate(checkpoint, "ab", 8, temperature=0.1, seed=0) == "cdeabcde"
    with pytest.raises(ValueError, match="not in it: 'z'"):
        generate(checkpoint, "az", 5)
