"""The experiments' progress bar: drawn on a terminal, absent otherwise, and never changes the items."""

import io
import sys

from neuronlab.experiments._progress import runs


class Terminal(io.StringIO):
    def isatty(self):
        return True


def test_a_bar_on_a_terminal_and_nothing_elsewhere(monkeypatch):
    items = [0.0, 0.2, 0.4]
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    assert runs(items, "dropout: rates") is items
    terminal = Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert list(runs(items, "dropout: rates")) == items
    assert "dropout: rates:   0%|" in terminal.getvalue() and "0/3" in terminal.getvalue()
