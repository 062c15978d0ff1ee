"""Argument checks shared by the neuron models: time grids, constants and input arrays.

Every check raises ``ValueError``/``TypeError`` naming the argument, what it was and what was expected.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable

import numpy as np

from neuronlab._validation import number, positive_int

DEFAULT_RECORDED = 10
"""How many neurons' state a simulation records when ``record`` is not given (spread evenly over the
population; all of them in a smaller one). Spikes are always recorded, for every neuron."""


def positive(name: str, value: float, *, allow_zero: bool = False) -> float:
    """``value`` as a float: a finite real number > 0 (or >= 0 with ``allow_zero``)."""
    return number(name, value, low=0, low_open=not allow_zero, finite=True)


def time_grid(
    t_end: float, dt: float, *, max_dt: float | None = None, max_dt_name: str = "", name: str = "t_end"
) -> int:
    """Number of steps ``ceil(t_end / dt)`` after checking ``0 < dt <= max_dt`` and ``t_end > 0``.

    The simulated time axis is ``t = dt * arange(n_steps + 1)``; ``t[-1] >= t_end`` (equal when ``t_end`` is a
    multiple of ``dt``).
    """
    dt = positive("dt", dt)
    t_end = positive(name, t_end)
    if max_dt is not None and dt > max_dt:
        raise ValueError(f"dt = {dt:g} is larger than {max_dt_name} = {max_dt:g}; use dt <= {max_dt_name}")
    if dt > t_end:
        raise ValueError(f"dt = {dt:g} is larger than {name} = {t_end:g}")
    return int(math.ceil(t_end / dt - 1e-9))


def finite_array(name: str, value, *, allow_nan: bool = False) -> np.ndarray:
    """``value`` as a float64 array; NaN or infinity gets a ValueError naming ``name``."""
    try:
        arr = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TypeError(
            f"{name} must be numeric (a number or an array of numbers), got {type(value).__name__}"
        ) from None
    if not allow_nan and not np.all(np.isfinite(arr)):
        bad = "NaN" if np.isnan(arr).any() else "infinite values"
        raise ValueError(f"{name} contains {bad}; expected finite numbers")
    return arr


def per_neuron(name: str, value, n_neurons: int) -> np.ndarray:
    """A scalar or a length-``n_neurons`` array as a contiguous float64 vector of length ``n_neurons``."""
    arr = finite_array(name, value)
    if arr.ndim == 0:
        return np.full(n_neurons, float(arr))
    if arr.shape != (n_neurons,):
        raise ValueError(
            f"{name} must be a scalar or have shape ({n_neurons},) (one per neuron), got shape {arr.shape}"
        )
    return np.ascontiguousarray(arr)


def initial_voltage(v0, n_neurons: int) -> np.ndarray:
    """The normalized LIF start voltage ``v0`` (scalar or per neuron) as a new float64 vector, checked to be below
    the threshold 1 (a neuron starting at or above it would have to spike before t = 0)."""
    v = per_neuron("v0", v0, n_neurons).copy()
    if np.any(v >= 1.0):
        raise ValueError(f"v0 must be below the threshold 1, got max(v0) = {v.max():g}")
    return v


def drive(name: str, value, n_neurons: int, n_steps: int) -> np.ndarray:
    """An input given as a scalar, per neuron, or over time, as a 2-D array of shape ``(T, X)``.

    ``T`` is 1 (constant in time) or ``n_steps`` (one value per integration step); ``X`` is 1 (shared by all
    neurons) or ``n_neurons``. Accepted forms: a scalar; shape ``(n_neurons,)`` (per neuron); shape
    ``(n_steps,)`` (over time, shared); shape ``(n_steps, n_neurons)``, ``(n_steps, 1)`` or ``(1, n_neurons)``.
    A 1-D array whose length equals both ``n_neurons`` and ``n_steps`` is ambiguous and must be given 2-D.
    """
    arr = finite_array(name, value)
    if arr.ndim == 0:
        return arr.reshape(1, 1)
    if arr.ndim == 1:
        length = arr.shape[0]
        if length == n_neurons and length == n_steps and n_neurons > 1:
            raise ValueError(
                f"{name} has length {length}, which equals both n_neurons and the number of steps; "
                f"pass shape (1, {n_neurons}) for per-neuron values or ({n_steps}, 1) for values over time"
            )
        if length == n_neurons:
            return np.ascontiguousarray(arr.reshape(1, n_neurons))
        if length == n_steps:
            return np.ascontiguousarray(arr.reshape(n_steps, 1))
        raise ValueError(
            f"{name} has shape {arr.shape}; expected a scalar, ({n_neurons},) per neuron, "
            f"or ({n_steps},) over time (one value per step of dt)"
        )
    if arr.ndim == 2 and arr.shape[0] in (1, n_steps) and arr.shape[1] in (1, n_neurons):
        return np.ascontiguousarray(arr)
    raise ValueError(
        f"{name} has shape {arr.shape}; expected a scalar, ({n_neurons},), ({n_steps},), "
        f"or 2-D (time, neurons) with time in {{1, {n_steps}}} and neurons in {{1, {n_neurons}}}"
    )


def sample_callable(name: str, func: Callable[[float], object], times: np.ndarray, n_neurons: int) -> np.ndarray:
    """Evaluate ``func(t)`` at each of ``times``: array of shape ``(len(times), 1 or n_neurons)``."""
    first = finite_array(f"{name}({times[0]:g})", func(float(times[0])))
    width = 1 if first.ndim == 0 else first.shape[0]
    if first.ndim > 1 or width not in (1, n_neurons):
        raise ValueError(f"{name}(t) must return a scalar or an array of shape ({n_neurons},), got shape {first.shape}")
    out = np.empty((len(times), width))
    out[0] = first
    for k in range(1, len(times)):
        value = finite_array(f"{name}({times[k]:g})", func(float(times[k])))
        if value.shape != first.shape:
            raise ValueError(
                f"{name}(t) returned shape {value.shape} at t = {times[k]:g}, but {first.shape} at t = {times[0]:g}"
            )
        out[k] = value
    return out


def time_input(name: str, value, n_neurons: int, n_steps: int, dt: float) -> np.ndarray:
    """An input held within each step, as :func:`drive` takes it, or a callable ``value(t)`` (t in seconds)
    evaluated at the start of each step t = k dt: a 2-D array of shape ``(T, X)``."""
    if callable(value):
        return np.ascontiguousarray(sample_callable(name, value, dt * np.arange(n_steps), n_neurons))
    return drive(name, value, n_neurons, n_steps)


def recorded_indices(record, n_neurons: int) -> np.ndarray:
    """Which neurons' state to record: None (a sample of :data:`DEFAULT_RECORDED` neurons spread evenly over the
    population, all of a smaller one), True (all), False (none) or a sequence of neuron indices."""
    if record is None:
        return np.unique(np.linspace(0, n_neurons - 1, min(n_neurons, DEFAULT_RECORDED)).round().astype(np.int64))
    if record is True:
        return np.arange(n_neurons)
    if record is False or record is None:
        return np.zeros(0, dtype=np.int64)
    idx = np.asarray(record)
    if idx.dtype == bool or not np.issubdtype(idx.dtype, np.integer):
        raise TypeError(f"record must be True, False or a sequence of neuron indices, got {record!r}")
    idx = np.atleast_1d(idx).astype(np.int64)
    if idx.ndim != 1 or np.any(idx < 0) or np.any(idx >= n_neurons):
        raise ValueError(f"record indices must be in [0, {n_neurons}), got {record!r}")
    return idx


def neuron_count(n_neurons) -> int:
    """``n_neurons`` checked to be a positive integer."""
    return positive_int("n_neurons", n_neurons)


def renamed(new: str, value, old: str, old_value, unset=None):
    """The value of argument ``new``, or of its deprecated old name ``old`` (with a DeprecationWarning) when only
    that was given; both given is a TypeError."""
    if old_value is unset:
        return value
    if value is not unset:
        raise TypeError(f"got both {new}= and its deprecated old name {old}=; pass only {new}=")
    warnings.warn(f"{old}= is deprecated; use {new}= (same meaning)", DeprecationWarning, stacklevel=3)
    return old_value


def available_memory() -> int | None:
    """Bytes of memory a new allocation can get: the machine's available memory (Linux's MemAvailable), capped
    by the process's address-space limit (``ulimit -v``) and its cgroup's memory limit where those are set;
    None where none of them is known."""
    limits = []
    try:
        with open("/proc/meminfo") as meminfo:
            limits += [int(line.split()[1]) * 1024 for line in meminfo if line.startswith("MemAvailable:")]
    except OSError:
        pass
    try:
        with open("/sys/fs/cgroup/memory.max") as cgroup:
            text = cgroup.read().strip()
        if text.isdigit():
            limits.append(int(text))
    except OSError:
        pass
    try:
        import resource

        soft, _ = resource.getrlimit(resource.RLIMIT_AS)
        if soft != resource.RLIM_INFINITY:
            limits.append(soft)
    except (ImportError, OSError, ValueError):
        pass
    return min(limits) if limits else None


def _size(n_bytes: float) -> str:
    for unit, scale in (("TiB", 2**40), ("GiB", 2**30), ("MiB", 2**20)):
        if n_bytes >= scale:
            return f"{n_bytes / scale:.3g} {unit}"
    return f"{n_bytes / 1024:.3g} KiB"


def memory(what: str, parts: dict[str, float]) -> None:
    """Refuse a simulation whose arrays (``parts``: name -> bytes) cannot fit in the machine's available memory,
    before allocating any of them: MemoryError with the estimate, its largest part and what is available."""
    total = sum(parts.values())
    available = available_memory()
    if available is None or total <= 0.8 * available:
        return
    largest = max(parts, key=parts.__getitem__)
    raise MemoryError(
        f"{what} would need about {_size(total)} of memory ({largest}: {_size(parts[largest])}), "
        f"more than the {_size(available)} available; shorten the run, use a larger dt or "
        f"record fewer neurons (record=)"
    )
