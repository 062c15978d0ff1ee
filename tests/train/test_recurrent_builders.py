"""The command line's recurrent builders: a classifier for a dataset's rows (character runs: tests/cli/test_generate_cli.py)."""

import numpy as np
import pytest

from neuronlab.nn.recurrent_models import SequenceClassifier
from neuronlab.train.recurrent import build_recurrent_classifier


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
