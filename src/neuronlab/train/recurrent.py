"""Builders for the command line's recurrent models: ``neuronlab train --model gru`` and ``neuronlab generate``.

``build_recurrent_classifier`` is the recurrent counterpart of ``build_mlp`` (a dataset row of n features is a
sequence of n / input_size steps); a ``text:PATH`` dataset trains a ``CharacterModel``
(:mod:`neuronlab.train.character_run`), and ``generate`` samples text from that run.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab.nn.recurrent_models import LAYERS, CharacterModel, SequenceClassifier, sample
from neuronlab.train.run_folder import RunFolder, RunFolderError

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


def load_character_model(path) -> tuple[CharacterModel, str]:
    """The model and the vocabulary (its characters in index order) of a finished character run: its run
    folder or the folder's ``model.safetensors``. Refuses an unfinished run and any other model."""
    import neuronlab

    path = Path(path)
    if path.is_dir():
        folder = RunFolder(path)
        if folder.state in ("new", "not_a_run"):
            raise RunFolderError(
                f"{path} holds no neuronlab run (no {folder.CONFIG}); expected the folder of a "
                "neuronlab train --dataset text:PATH run"
            )
        path = folder.checkpoint
    RunFolder(path.parent).check_complete(path)
    checkpoint = neuronlab.load(path)
    vocab = (checkpoint.extra or {}).get("vocab")
    if not isinstance(checkpoint.model, CharacterModel) or not isinstance(vocab, str):
        trained = (checkpoint.extra or {}).get("run", {}).get("dataset")
        raise ValueError(
            f"{path} is not a character model"
            + (f" (it was trained on {trained!r})" if trained else "")
            + "; train one with neuronlab train --dataset text:PATH --model lstm"
        )
    return checkpoint.model, vocab


def generate(path, prompt: str = "", length: int = 200, temperature: float = 1.0, seed: int | None = None) -> str:
    """``length`` characters sampled after ``prompt`` from the character run in ``path`` (a run folder or its
    model.safetensors), at ``temperature`` (lower: likelier characters); ``seed`` makes the draw repeatable.
    Without a prompt the text starts after a newline (or, in a text without one, after a character drawn from
    the vocabulary, which is then the first character returned)."""
    if not temperature > 0:
        raise ValueError(f"generate: temperature must be positive, got {temperature!r}")
    model, vocab = load_character_model(path)
    index = {ch: i for i, ch in enumerate(vocab)}
    unknown = sorted(set(prompt) - set(index))
    if unknown:
        raise ValueError(
            f"generate: the prompt holds characters the model never saw: {''.join(unknown)!r} "
            f"(its vocabulary: {vocab!r})"
        )
    rng = np.random.default_rng(seed)
    start = ""
    if not prompt:
        prompt = "\n" if "\n" in index else vocab[int(rng.integers(len(vocab)))]
        start = "" if prompt == "\n" else prompt
    drawn = sample(model, [index[ch] for ch in prompt], length, temperature, rng)
    return start + "".join(vocab[i] for i in drawn)


__all__ = ["MODELS", "build_recurrent_classifier", "generate", "load_character_model"]
