"""Two small recurrent models built from the layers: a sequence classifier and a character-level language
model (with sampling). Both are registered, so checkpoints rebuild them and ``neuronlab train`` can build them.
"""

from __future__ import annotations

from typing import cast

import numpy as np

from neuronlab.autograd import grad_mode
from neuronlab.nn.embedding import Embedding
from neuronlab.nn.linear import Linear
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.rnn import GRU, LSTM, RNN
from neuronlab.ops._util import to_tensor
from neuronlab.ops.shape import concatenate
from neuronlab.ops.softmax import softmax
from neuronlab.random import default_generator

LAYERS = {"rnn": RNN, "gru": GRU, "lstm": LSTM}


def _layer(kind: str, input_size: int, hidden_size: int, num_layers: int, bidirectional: bool):
    if kind not in LAYERS:
        raise ValueError(f"unknown recurrent layer {kind!r}; expected one of {', '.join(LAYERS)}")
    return LAYERS[kind](input_size, hidden_size, num_layers=num_layers, batch_first=True, bidirectional=bidirectional)


@register_buildable
class SequenceClassifier(Module):
    """A recurrent layer (batch first) and a Linear readout to class logits.

    Input (N, T, input_size), or (N, T * input_size) as a flat feature table (the rows of a dataset, e.g.
    MNIST-1D's 40 values: ``input_size=1``). ``readout="last"``: the final state of each direction (h_n of the
    last layer); ``readout="all"``: every output, flattened (needs ``seq_len``; the MNIST-1D paper's GRU).
    """

    def __init__(
        self,
        kind: str,
        input_size: int,
        hidden_size: int,
        num_classes: int,
        num_layers: int = 1,
        bidirectional: bool = False,
        readout: str = "last",
        seq_len: int | None = None,
    ) -> None:
        super().__init__()
        if readout not in ("last", "all"):
            raise ValueError(f"SequenceClassifier: readout must be 'last' or 'all', got {readout!r}")
        if readout == "all" and not (isinstance(seq_len, int) and seq_len > 0):
            raise ValueError("SequenceClassifier: readout='all' needs seq_len (the number of time steps)")
        self.kind, self.readout, self.seq_len = kind, readout, seq_len
        self.rnn = _layer(kind, input_size, hidden_size, num_layers, bidirectional)
        directions = 2 if bidirectional else 1
        features = directions * hidden_size * (cast(int, seq_len) if readout == "all" else 1)
        self.head = Linear(features, num_classes)

    def forward(self, x):
        x = to_tensor(x)
        size = self.rnn.input_size
        if x.ndim == 2:
            if x.shape[1] % size:
                raise ValueError(
                    f"SequenceClassifier: {x.shape[1]} features are not a whole number of time steps "
                    f"of input_size={size}"
                )
            x = x.reshape(x.shape[0], x.shape[1] // size, size)
        output, state = self.rnn(x)
        if self.readout == "all":
            if output.shape[1] != self.seq_len:
                raise ValueError(f"SequenceClassifier: built for seq_len={self.seq_len}, got {output.shape[1]} steps")
            return self.head(output.reshape(output.shape[0], -1))
        h_n = state[0] if self.kind == "lstm" else state
        last = h_n[-2:] if self.rnn.bidirectional else h_n[-1:]
        return self.head(concatenate([last[k] for k in range(last.shape[0])], axis=1))

    def get_config(self) -> dict:
        return {
            "kind": self.kind,
            "input_size": self.rnn.input_size,
            "hidden_size": self.rnn.hidden_size,
            "num_classes": self.head.out_features,
            "num_layers": self.rnn.num_layers,
            "bidirectional": self.rnn.bidirectional,
            "readout": self.readout,
            "seq_len": self.seq_len,
        }


@register_buildable
class CharacterModel(Module):
    """Embedding -> recurrent layers -> Linear to next-character logits: ``forward(indices (N, T))`` returns
    the logits (N, T, vocab_size) (what a Trainer's loss takes); ``logits_and_state(indices, hx=None)`` also
    returns the final state and starts from ``hx``, so text can be continued step by step (:func:`sample`)."""

    def __init__(
        self, vocab_size: int, embedding_dim: int = 32, hidden_size: int = 128, kind: str = "lstm", num_layers: int = 1
    ) -> None:
        super().__init__()
        self.kind = kind
        self.embedding = Embedding(vocab_size, embedding_dim)
        self.rnn = _layer(kind, embedding_dim, hidden_size, num_layers, False)
        self.head = Linear(hidden_size, vocab_size)

    def forward(self, indices):
        return self.logits_and_state(indices)[0]

    def logits_and_state(self, indices, hx=None):
        output, state = self.rnn(self.embedding(indices), hx)
        return self.head(output), state

    def get_config(self) -> dict:
        return {
            "vocab_size": self.embedding.num_embeddings,
            "embedding_dim": self.embedding.embedding_dim,
            "hidden_size": self.rnn.hidden_size,
            "kind": self.kind,
            "num_layers": self.rnn.num_layers,
        }


def sample(
    model: CharacterModel, prime, length: int, temperature: float = 1.0, generator: np.random.Generator | None = None
) -> np.ndarray:
    """``length`` indices drawn one at a time from softmax(logits / temperature), starting after the ``prime``
    indices (at least one); temperature -> 0 approaches the most likely character, 1 samples the model.

    With a ``CharacterText`` dataset: ``data.decode(sample(model, data.encode("The "), 200, 0.8))``.
    """
    if not temperature > 0:
        raise ValueError(f"sample: temperature must be positive, got {temperature!r}")
    prime = np.asarray(prime, dtype=np.int64).reshape(1, -1)
    if prime.size == 0:
        raise ValueError("sample: prime must hold at least one index")
    rng = default_generator() if generator is None else generator
    drawn = []
    with grad_mode.no_grad():
        logits, state = model.logits_and_state(prime)
        for _ in range(int(length)):
            p = softmax(logits[0, -1] / temperature, axis=-1).data.astype(np.float64)
            index = int(rng.choice(len(p), p=p / p.sum()))
            drawn.append(index)
            logits, state = model.logits_and_state(np.array([[index]]), state)
    return np.array(drawn, dtype=np.int64)


__all__ = ["SequenceClassifier", "CharacterModel", "sample"]
