"""The error raised for bad data files: one line naming the file and, where known, the row and column."""
from __future__ import annotations


class DataError(ValueError):
    """A data file (CSV, IDX) or a dataset request could not be read as expected.

    Subclasses ``ValueError`` so callers that only know ``ValueError`` still catch it; the CLI
    turns it into exit code 1 with the message as its one line.
    """
