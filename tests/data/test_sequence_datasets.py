"""The adding problem, the copy task and the character-level text dataset."""

import numpy as np
import pytest

from neuronlab.data import DataLoader
from neuronlab.data.datasets.sequences import make_adding_problem, make_copy_task
from neuronlab.data.datasets.text import CharacterText
from neuronlab.data.errors import DataError


def test_adding_problem_structure_and_baseline():
    X, y = make_adding_problem(4000, length=30, seed=1)
    assert X.shape == (4000, 30, 2) and X.dtype == np.float32 and y.shape == (4000,) and y.dtype == np.float32
    markers = X[:, :, 1]
    assert np.all(markers.sum(axis=1) == 2)
    assert np.all(markers[:, :15].sum(axis=1) == 1) and np.all(markers[:, 15:].sum(axis=1) == 1)
    np.testing.assert_allclose(y, (X[:, :, 0] * markers).sum(axis=1), rtol=1e-6)
    assert np.mean((y - 1.0) ** 2) == pytest.approx(1 / 6, abs=0.01)  # Var(U1 + U2) = 2/12
    np.testing.assert_array_equal(make_adding_problem(5, 8, seed=3)[0], make_adding_problem(5, 8, seed=3)[0])


def test_copy_task_structure():
    X, y = make_copy_task(50, length=4, delay=6, num_symbols=5, seed=0)
    T = 6 + 2 * 4
    assert X.shape == (50, T, 7) and y.shape == (50, T) and y.dtype == np.int64
    tokens = X.argmax(axis=2)
    np.testing.assert_array_equal(y[:, -4:], tokens[:, :4])
    assert np.all(y[:, :-4] == 0) and np.all(tokens[:, :4] >= 1) and np.all(tokens[:, :4] <= 5)
    assert np.all(tokens[:, 4 + 6 - 1] == 6) and np.all(tokens[:, 4 : 4 + 5] == 0) and np.all(tokens[:, -4:] == 0)
    with pytest.raises(ValueError, match="delay"):
        make_copy_task(5, delay=0)


def test_character_text_windows(tmp_path):
    path = tmp_path / "text.txt"
    path.write_text("hello world, hello there")
    data = CharacterText.from_file(path, seq_len=5, stride=3)
    assert data.vocab == sorted(set("hello world, hello there")) and data.vocab_size == len(data.vocab)
    assert len(data) == (24 - 5 - 1) // 3 + 1
    x, y = data[1]
    assert data.decode(x) == "lo wo" and data.decode(y) == "o wor"
    xb, yb = next(iter(DataLoader(data, batch_size=4)))
    assert xb.shape == (4, 5) and data.decode(xb[1]) == "lo wo" and data.decode(yb[3]) == data.decode(data[3][1])
    assert data.decode(data.encode("there")) == "there"
    with pytest.raises(ValueError, match="vocabulary"):
        data.encode("xyz")


def test_character_text_errors(tmp_path):
    with pytest.raises(DataError, match="not found"):
        CharacterText.from_file(tmp_path / "missing.txt")
    with pytest.raises(DataError, match="needs at least"):
        CharacterText("abc", seq_len=5)
    (tmp_path / "bin.txt").write_bytes(b"\xff\xfe\x00abc")
    with pytest.raises(DataError, match="utf-8"):
        CharacterText.from_file(tmp_path / "bin.txt", seq_len=2)
