"""Shared helpers for the benchmark scripts: timing peers side by side and writing results.

Every script measures neuronlab and its peers in the same process, on the same data, interleaving the
repetitions so that a busy machine penalises all of them alike, and reports ratios rather than raw times.
"""

from __future__ import annotations

import gc
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "results"


def interleaved_times(candidates: dict, repeat: int = 7, number: int = 1, warmup: int = 1, settle: float = 0.2) -> dict:
    """Median seconds per call of each zero-argument callable, measured round-robin.

    Each sample runs ``warmup`` untimed calls after a pause of ``settle`` seconds: the pause lets the previous
    peer's idle worker threads stop spinning (PyTorch's OpenMP pool and OpenBLAS's busy-wait for a while after
    each call and would otherwise steal the cores from the next peer on a small machine), the warm-up brings this
    peer's own threads and caches back.
    """
    samples = {name: [] for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            time.sleep(settle)
            for _ in range(warmup):
                fn()
            start = time.perf_counter()
            for _ in range(number):
                fn()
            samples[name].append((time.perf_counter() - start) / number)
    return {name: statistics.median(times) for name, times in samples.items()}


def torch_or_none():
    """PyTorch when installed (benchmarks then include it as a peer), else None.

    Importing PyTorch adds about 140,000 objects to the ones Python's garbage collector tracks (neuronlab and
    NumPy bring 36,000). A graph of Python objects, like neuronlab's, makes the collector run its full passes,
    and each pass would then traverse PyTorch's modules too, a cost a process without PyTorch does not pay (it
    tripled neuronlab's time per op in the 10,000-op chain in some repeats). So the objects that exist after
    the import are frozen (``gc.freeze``: kept, but no longer traversed), as if PyTorch ran in another process.
    """
    try:
        import torch
    except ImportError:
        print("PyTorch not installed: its column is skipped (pip install torch==2.13.0)")
        return None
    gc.freeze()
    return torch


def machine() -> dict:
    return {"python": platform.python_version(), "machine": platform.machine(), "cpus": os.cpu_count()}


def write_results(name: str, payload: dict) -> Path:
    """Write ``results/<name>.json`` atomically and return its path."""
    RESULTS.mkdir(exist_ok=True)
    path = RESULTS / f"{name}.json"
    payload = {"benchmark": name, "machine": machine(), **payload}
    with tempfile.NamedTemporaryFile("w", dir=RESULTS, delete=False, suffix=".tmp") as handle:
        json.dump(payload, handle, indent=2)
    os.chmod(handle.name, 0o644)
    os.replace(handle.name, path)
    return path


def print_table(title: str, header: list[str], rows: list[list]) -> None:
    widths = [max(len(str(h)), *(len(_fmt(r[i])) for r in rows)) for i, h in enumerate(header)]
    print(f"\n{title}")
    print("  ".join(str(h).ljust(w) for h, w in zip(header, widths)))
    for row in rows:
        print("  ".join(_fmt(v).ljust(w) for v, w in zip(row, widths)))


def _fmt(value) -> str:
    return f"{value:.3g}" if isinstance(value, float) else str(value)
