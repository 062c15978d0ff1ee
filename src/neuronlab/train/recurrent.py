"""Builders for the command line's recurrent models: ``neuronlab train --model gru`` and ``neuronlab generate``.

``build_recurrent_classifier`` is the recurrent counterpart of ``build_mlp`` (a dataset row of n features is a
sequence of n / input_size steps); ``train_character_model`` fits a ``CharacterModel`` to a text file and saves a
checkpoint whose ``extra["vocab"]`` holds the characters; ``generate`` samples text from such a checkpoint.
"""

from __future__ import annotations

import numpy as np

from neuronlab import nn, optim
from neuronlab.data.datasets.text import CharacterText
from neuronlab.nn.recurrent_models import LAYERS, CharacterModel, SequenceClassifier, sample

MODELS = tuple(LAYERS)  # "rnn", "gru", "lstm"


def build_recurrent_classifier(
    kind: str,
    n_features: int,
    num_classes: int,
    hidden: tuple[int, ...] | list[int],
    *,
    input_size: int = 1,
    bidirectional: bool = False,
    readout: str = "last",
) -> SequenceClassifier:
    """A ``SequenceClassifier`` for rows of ``n_features`` values read as n_features / input_size time steps:
    ``len(hidden)`` stacked layers of size ``hidden[0]`` (recurrent layers share one size), a Linear readout."""
    hidden = [int(h) for h in hidden]
    if not hidden or len(set(hidden)) != 1 or hidden[0] < 1:
        raise ValueError(f"a recurrent model needs one positive hidden size repeated per layer, got {hidden}")
    if n_features % input_size:
        raise ValueError(f"{n_features} features are not a whole number of time steps of input_size={input_size}")
    return SequenceClassifier(
        kind,
        input_size,
        hidden[0],
        num_classes,
        num_layers=len(hidden),
        bidirectional=bidirectional,
        readout=readout,
        seq_len=n_features // input_size,
    )


def train_character_model(
    text_path,
    checkpoint_path,
    *,
    kind: str = "lstm",
    seq_len: int = 100,
    embedding_dim: int = 32,
    hidden_size: int = 128,
    num_layers: int = 1,
    epochs: int = 10,
    batch_size: int = 32,
    lr: float = 3e-3,
    clip: float = 1.0,
    seed: int = 0,
    log=None,
) -> list[float]:
    """Fit a ``CharacterModel`` to the next character of a text file (cross-entropy on every step, Adam,
    clipping by norm), save it with its vocabulary to ``checkpoint_path``; returns the mean loss per epoch."""
    import neuronlab
    from neuronlab.data import DataLoader

    data = CharacterText.from_file(text_path, seq_len=seq_len)
    neuronlab.manual_seed(seed)
    model = CharacterModel(data.vocab_size, embedding_dim, hidden_size, kind, num_layers)
    params = list(model.parameters())
    opt = optim.Adam(params, lr=lr)
    loader = DataLoader(data, batch_size=batch_size, shuffle=True, generator=np.random.default_rng(seed))
    losses = []
    for epoch in range(epochs):
        total = 0.0
        for x, target in loader:
            logits, _ = model(x)
            loss = nn.functional.cross_entropy(logits.reshape(-1, data.vocab_size), target.reshape(-1))
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(params, clip)
            opt.step()
            total += loss.item() * len(x)
        losses.append(total / len(data))
        if log is not None:
            log(f"epoch {epoch + 1}: loss {losses[-1]:.4f}")
    neuronlab.save(
        model,
        checkpoint_path,
        optimizer=opt,
        epoch=epochs,
        task="generation",
        extra={"vocab": "".join(data.vocab), "seq_len": seq_len},
    )
    return losses


def generate(checkpoint_path, prime: str, length: int = 200, temperature: float = 1.0, seed: int | None = None) -> str:
    """``length`` characters sampled after ``prime`` from a checkpoint written by :func:`train_character_model`."""
    import neuronlab

    checkpoint = neuronlab.load(checkpoint_path)
    vocab = (checkpoint.extra or {}).get("vocab")
    if not isinstance(checkpoint.model, CharacterModel) or vocab is None:
        raise ValueError(
            f"{checkpoint_path} is not a character model checkpoint (train one with train_character_model)"
        )
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted(set(prime) - set(index))
    if not prime or unknown:
        raise ValueError(
            "generate: the prime must be non-empty text from the model's vocabulary"
            + (f"; not in it: {''.join(unknown)!r}" if unknown else "")
        )
    drawn = sample(
        checkpoint.model,
        [index[ch] for ch in prime],
        length,
        temperature,
        None if seed is None else np.random.default_rng(seed),
    )
    return "".join(vocab[i] for i in drawn)


__all__ = ["MODELS", "build_recurrent_classifier", "train_character_model", "generate"]
