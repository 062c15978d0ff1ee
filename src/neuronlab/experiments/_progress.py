"""A progress bar over an experiment's runs (the rates, depths or cures it trains), shown on a terminal only."""

from __future__ import annotations

import sys


def runs(iterable, description: str):
    """``iterable`` with a tqdm bar on stderr while it is consumed; the bare iterable when stderr is not a
    terminal (tests, logs, pipes), so the printed summary stays the only output there."""
    if not sys.stderr.isatty():
        return iterable
    from tqdm.auto import tqdm

    return tqdm(iterable, desc=description, unit="run", leave=False, file=sys.stderr)
