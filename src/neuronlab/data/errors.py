"""The error raised for bad data files: one line naming the file and, where known, the row and column."""

from __future__ import annotations

from pathlib import Path


class DataError(ValueError):
    """A data file (CSV, IDX) or a dataset request could not be read as expected.

    Subclasses ``ValueError`` so callers that only know ``ValueError`` still catch it; the CLI
    turns it into exit code 1 with the message as its one line.
    """


def check_regular_file(path: Path, expected: str) -> None:
    """Refuse a directory, a pipe or a device before opening it (opening a pipe waits for a writer, and the
    readers read a file more than once); a missing file is left to ``open`` to report."""
    if path.exists() and not path.is_file():
        kind = "a directory" if path.is_dir() else "not a regular file (a pipe or a device can be read only once)"
        raise DataError(f"{path}: {kind}; expected {expected}")
