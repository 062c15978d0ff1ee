"""Shared option checks and process settings of the commands: ``--dataset``, writable output folders, BLAS threads."""

from __future__ import annotations

import os
from pathlib import Path

import click

from neuronlab.data import DATASETS


def dataset_option(ctx, param, value):
    """Check ``--dataset``: a registered name (case and ``-``/``_`` insensitive), ``csv:PATH`` of a CSV file or
    ``text:PATH`` of a text file (returned with the path made absolute)."""
    if value is None:
        return None
    for prefix, example, what in (("csv:", "data/table.csv", "a CSV file"), ("text:", "book.txt", "a text file")):
        if value.startswith(prefix):
            path = value[len(prefix) :]
            if not path:
                raise click.BadParameter(f"{prefix} needs a file path, e.g. {prefix}{example}")
            if not Path(path).is_file():
                raise click.BadParameter(f"no such file: {path!r} (from {value!r}); expected {prefix}PATH of {what}")
            return f"{prefix}{os.path.abspath(path)}"
    key = value.strip().lower().replace("-", "_")
    if key not in DATASETS:
        raise click.BadParameter(
            f"unknown dataset {value!r}; expected one of {', '.join(DATASETS)}, csv:PATH or text:PATH"
        )
    return key


def blas_threads(threads: int):
    """Limit the BLAS thread pool: the small matrix products of an MLP run fastest on one thread, and
    several threads that compete with other processes for a few cores can make them several times slower."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(limits=threads, user_api="blas")


def writable_folder(folder: Path, option: str) -> None:
    """A usage error, before any work, when ``folder`` cannot be created or written: a file in its way or
    a folder without write permission."""
    for part in (Path(folder), *Path(folder).parents):
        if part.exists():
            if not part.is_dir():
                raise click.BadParameter(f"{folder}: {part} is a file, not a folder", param_hint=option)
            if not os.access(part, os.W_OK | os.X_OK):
                raise click.BadParameter(f"{folder}: {part} is not writable", param_hint=option)
            return
