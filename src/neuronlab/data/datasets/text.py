"""A character-level text dataset from a text file the user gives: next-character prediction."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab.data.dataset import Dataset
from neuronlab.data.errors import DataError


class CharacterText(Dataset):
    """Windows of ``seq_len + 1`` characters of a text: sample k is (x, y) = (chars[s:s + T], chars[s + 1:s + T + 1])
    as int64 indices into ``vocab`` (the sorted distinct characters), s = k * stride.

    ``encode(text)`` / ``decode(indices)`` convert between strings and indices; feed x to an ``nn.Embedding``
    (or one-hot it) and train with cross-entropy on every step.
    """

    def __init__(self, text: str, seq_len: int = 100, stride: int | None = None) -> None:
        if isinstance(seq_len, bool) or not isinstance(seq_len, (int, np.integer)) or seq_len < 1:
            raise ValueError(f"CharacterText: seq_len must be a positive integer, got {seq_len!r}")
        stride = seq_len if stride is None else stride
        if isinstance(stride, bool) or not isinstance(stride, (int, np.integer)) or stride < 1:
            raise ValueError(f"CharacterText: stride must be a positive integer, got {stride!r}")
        if len(text) < seq_len + 1:
            raise DataError(
                f"CharacterText: the text has {len(text)} characters; seq_len={seq_len} needs at least {seq_len + 1}"
            )
        self.vocab = sorted(set(text))
        self._index = {ch: i for i, ch in enumerate(self.vocab)}
        self.data = self.encode(text)
        self.seq_len, self.stride = int(seq_len), int(stride)

    @classmethod
    def from_file(cls, path, seq_len: int = 100, stride: int | None = None, encoding: str = "utf-8") -> CharacterText:
        """Read a text file (``text:PATH``)."""
        path = Path(path)
        try:
            text = path.read_text(encoding=encoding)
        except FileNotFoundError:
            raise DataError(f"text file not found: {path}") from None
        except UnicodeDecodeError as error:
            raise DataError(f"{path} is not {encoding} text ({error.reason} at byte {error.start})") from None
        return cls(text, seq_len, stride)

    @property
    def vocab_size(self) -> int:
        return len(self.vocab)

    def encode(self, text: str) -> np.ndarray:
        try:
            return np.array([self._index[ch] for ch in text], dtype=np.int64)
        except KeyError as error:
            raise ValueError(f"CharacterText.encode: character {error.args[0]!r} is not in the vocabulary") from None

    def decode(self, indices) -> str:
        return "".join(self.vocab[int(i)] for i in np.asarray(indices).reshape(-1))

    def __len__(self) -> int:
        return (len(self.data) - self.seq_len - 1) // self.stride + 1

    def __getitem__(self, index):
        if not -len(self) <= index < len(self):
            raise IndexError(f"CharacterText: index {index} out of range for {len(self)} windows")
        start = (index % len(self)) * self.stride
        window = self.data[start : start + self.seq_len + 1]
        return window[:-1], window[1:]

    def __getitems__(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        starts = np.asarray(indices) * self.stride
        windows = self.data[starts[:, None] + np.arange(self.seq_len + 1)]
        return windows[:, :-1], windows[:, 1:]


__all__ = ["CharacterText"]
