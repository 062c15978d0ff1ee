"""Running a simulation's steps in chunks: a progress bar on long runs, and the chunks' spikes merged.

A model's ``advance(k_start, k_end)`` simulates steps [k_start, k_end) from the state the previous call left,
so any split of the run gives the same result as one call. :func:`run_steps` times a first chunk and, when the
rest would take longer than :data:`PROGRESS_AFTER` seconds, runs it in chunks of about a second under a
``tqdm`` bar (on stderr; tqdm is imported only then).
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable

import numpy as np

PROGRESS_AFTER = 5.0
"""Seconds a run is expected to take beyond its first chunk before it shows a progress bar."""

_PROBE_WORK = 20_000_000  # neuron-steps in the timed first chunk
_CHUNK_SECONDS = 1.0  # the length of a chunk under a progress bar


def run_steps(
    advance: Callable[[int, int], None], n_steps: int, n_neurons: int, progress: bool | None, desc: str
) -> None:
    """Call ``advance`` over all ``n_steps`` steps. progress: None shows a bar when the run is long, True always,
    False never. The first step runs untimed (it may compile a kernel), the next ones are timed to forecast."""
    if progress is False:
        advance(0, n_steps)
        return
    advance(0, 1)
    probe = max(1, n_steps // 100) if progress is True else max(1, _PROBE_WORK // max(n_neurons, 1))
    done = min(1 + probe, n_steps)
    start = time.perf_counter()
    advance(1, done)
    elapsed = max(time.perf_counter() - start, 1e-6)
    if done == n_steps:
        return
    per_step = elapsed / (done - 1)
    if progress is False or (progress is None and per_step * (n_steps - done) < PROGRESS_AFTER):
        advance(done, n_steps)
        return
    from tqdm import tqdm

    chunk = max(1, int(math.ceil(_CHUNK_SECONDS / per_step)))
    with tqdm(
        total=n_steps, initial=done, unit="step", unit_scale=True, desc=desc, file=sys.stderr, leave=False
    ) as bar:
        for k in range(done, n_steps, chunk):
            end = min(k + chunk, n_steps)
            advance(k, end)
            bar.update(end - k)


def merge_spikes(chunks: list[tuple[np.ndarray, np.ndarray, np.ndarray]], n_neurons: int):
    """Spikes of consecutive chunks, each sorted by neuron then time, as one set sorted the same way: a counting
    merge, O(spikes + chunks x neurons). A neuron's spikes go to its slots in chunk order (so in time order),
    each chunk's after those of the chunks before it."""
    if len(chunks) == 1:
        return chunks[0]
    total = sum((np.bincount(neuron, minlength=n_neurons) for neuron, _, _ in chunks), np.zeros(n_neurons, np.int64))
    next_slot = np.cumsum(total) - total  # where each neuron's next spike goes
    size = int(total.sum())
    out = np.empty(size, dtype=np.int64), np.empty(size, dtype=np.int64), np.empty(size)
    for neuron, step, time_ in chunks:
        if not neuron.size:
            continue
        counts = np.bincount(neuron, minlength=n_neurons)
        first_in_chunk = np.cumsum(counts) - counts
        slot = next_slot[neuron] + (np.arange(neuron.size) - first_in_chunk[neuron])
        for target, values in zip(out, (neuron, step, time_)):
            target[slot] = values
        next_slot += counts
    return out
