"""Atomic writes: the target holds either its previous content or the complete new one, never a mixture,
and no temporary file is left behind."""

import os

import pytest

from neuronlab.io import atomic


def test_write_text_replaces_the_file(tmp_path):
    path = tmp_path / "sub" / "notes.txt"
    atomic.write_text(path, "first\n")
    assert atomic.write_text(path, "second\n") == path
    assert path.read_text() == "second\n"
    assert os.listdir(path.parent) == ["notes.txt"]


@pytest.mark.parametrize("failing", ["fsync", "replace"])
def test_a_failed_write_keeps_the_previous_file(tmp_path, monkeypatch, failing):
    path = tmp_path / "metrics.json"
    atomic.write_text(path, '{"epoch": 1}')

    def fail(*args):
        raise OSError("disk full")

    monkeypatch.setattr(os, failing, fail)
    with pytest.raises(OSError, match="disk full"):
        atomic.write_text(path, '{"epoch": 2}')
    monkeypatch.undo()
    assert path.read_text() == '{"epoch": 1}'
    assert os.listdir(tmp_path) == ["metrics.json"]


def test_save_figure_writes_a_complete_image(tmp_path):
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    figure = Figure()
    figure.add_subplot().plot([0, 1], [1, 0])
    png, svg = atomic.save_figure(figure, tmp_path / "a.png", dpi=50), atomic.save_figure(figure, tmp_path / "a.svg")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    assert b"<svg" in svg.read_bytes()[:500]
    assert sorted(os.listdir(tmp_path)) == ["a.png", "a.svg"]
