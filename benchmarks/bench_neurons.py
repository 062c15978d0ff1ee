"""Neuron models: 100,000 uncoupled LIF neurons for 1 s (dt = 1 ms and 0.1 ms), and Hodgkin-Huxley wall times.

LIF contenders, all on the same inputs v_in ~ U[0.5, 4] (seeded), tau_m = 20 ms, tau_ref = 2 ms, recording
every spike (neuron, time) unless noted:

- ``neuronlab numba``: ``LIF(..., backend="numba").simulate(v_in, 1.0, dt, record=False)`` (exact integration,
  threshold crossings interpolated, compiled loop over blocks of neurons run in parallel on all of Numba's
  threads); ``neuronlab numba 1 thread``: the same with ``threads=1``;
- ``neuronlab numpy``: the same with ``backend="numpy"`` (vectorized over neurons, Python loop over steps);
- ``NumPy Euler``: the plain discretization v += dt / tau_m (v_in - v), vectorized, with a refractory counter
  (the naive peer);
- ``Numba Euler (count only)``: the same Euler scheme as a compiled loop that only counts spikes: the floor of
  a compiled time-stepping loop; ``Numba Euler + spike times`` also stores each spike's neuron and time;
- ``Brian2 numpy`` / ``Brian2 cython``: ``NeuronGroup`` with ``method="exact"``, threshold v > 1, reset v = 0,
  refractory 2 ms and a ``SpikeMonitor``, timed around ``run(1 * second)`` after a warm-up run (which compiles).

Brian2 2.9 needs numpy < 2.3, so it lives in its own environment, found through ``$BRIAN2_PYTHON`` (default
``/tmp/brian2-venv/bin/python``); without it the Brian2 rows are skipped. To set it up:

    python3 -m venv /tmp/brian2-venv
    /tmp/brian2-venv/bin/pip install "brian2==2.9.*" "numpy<2.3"      # Cython comes with it; needs a C++ compiler

Mean rates are compared with the analytic mean of G(v_in) and with the exact expected spike count in 1 s
(first spike at tau_m ln(v_in / (v_in - 1)) from rest, then one every 1 / G(v_in)).

Hodgkin-Huxley: 1 neuron and 1,000 neurons (currents spread over 0..40 uA/cm^2) for 100 ms at dt = 0.01 ms
(``simulate(current, 0.1, 1e-5)``: seconds), RK4,
both backends, plus SciPy's ``solve_ivp`` (LSODA, rtol 1e-8) for the single neuron.

Each time is the best of several interleaved repeats (the least disturbed by other processes), both wall clock
and CPU time of the process. Every contender but ``neuronlab numba`` is single-threaded (Brian2's cython target
included); for those, on a shared machine, CPU time is the steadier measure, so the "cpu" ratios compare them
with ``neuronlab numba 1 thread``; the "wall" ratios compare wall clock with the multi-threaded ``neuronlab numba``.
Prints tables and writes benchmarks/results/neurons.json.

    .venv/bin/python benchmarks/bench_neurons.py
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import time
from pathlib import Path

import numba
import numpy as np
from common import print_table, write_results
from numba import njit
from scipy.integrate import solve_ivp

from neuronlab.neurons import LIF, HodgkinHuxley, derivatives, lif_rate, steady_state

N, T_END, TAU_M, TAU_REF = 100_000, 1.0, 0.02, 0.002
DTS = (1e-3, 1e-4)
BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON", "/tmp/brian2-venv/bin/python")

BRIAN2_SCRIPT = r"""
import json, sys, time
import numpy as np
from brian2 import NeuronGroup, SpikeMonitor, Network, defaultclock, prefs, ms, second, start_scope
target, dt, repeats = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
prefs.codegen.target = target
v_in = np.random.default_rng(0).uniform(0.5, 4.0, %(n)d)
def run():
    start_scope()
    defaultclock.dt = dt * second
    group = NeuronGroup(%(n)d, "dv/dt = (v_in - v) / (%(tau_m)g * second) : 1 (unless refractory)\nv_in : 1",
                        threshold="v > 1", reset="v = 0", refractory=%(tau_ref)g * second, method="exact")
    group.v_in = v_in
    monitor = SpikeMonitor(group)
    net = Network(group, monitor)
    wall, cpu = time.perf_counter(), time.process_time()
    net.run(%(t_end)g * second)
    return time.perf_counter() - wall, time.process_time() - cpu, monitor.num_spikes / %(n)d / %(t_end)g
run()  # compiles (cython) and warms caches
walls, cpus, rate = [], [], None
for _ in range(repeats):
    wall, cpu, rate = run()
    walls.append(wall)
    cpus.append(cpu)
print(json.dumps({"wall": min(walls), "cpu": min(cpus), "mean_rate": rate}))
""" % dict(n=N, tau_m=TAU_M, tau_ref=TAU_REF, t_end=T_END)


def inputs() -> np.ndarray:
    return np.random.default_rng(0).uniform(0.5, 4.0, N)


def expected_mean_rate(v_in: np.ndarray) -> float:
    """Exact spikes per second over [0, T_END] from v = 0: first spike at tau_m ln(v/(v-1)), then every 1/G."""
    firing = v_in > 1.0
    first = TAU_M * np.log(v_in[firing] / (v_in[firing] - 1.0))
    counts = np.floor((T_END - first) * lif_rate(v_in[firing], TAU_REF, TAU_M)) + 1
    return float(counts.sum() / N / T_END)


def numpy_euler(v_in: np.ndarray, dt: float) -> float:
    """Plain vectorized forward Euler with a refractory counter; returns the mean rate (records spikes)."""
    v = np.zeros_like(v_in)
    refractory = np.zeros_like(v_in)
    spikes = []
    for k in range(int(round(T_END / dt))):
        v += dt / TAU_M * (v_in - v)
        v[refractory > 0] = 0.0
        refractory -= dt
        fired = np.flatnonzero(v >= 1.0)
        v[fired] = 0.0
        refractory[fired] = TAU_REF
        spikes.append((fired, np.full(fired.size, k * dt)))
    return sum(len(f) for f, _ in spikes) / len(v_in) / T_END


@njit(cache=True)
def _numba_euler_counts(v_in, dt, n_steps, tau_m, tau_ref):
    counts = np.zeros(v_in.shape[0], np.int64)
    a = dt / tau_m
    for i in range(v_in.shape[0]):
        v, ref, j = 0.0, 0.0, v_in[i]
        for _ in range(n_steps):
            if ref > 0.0:
                ref -= dt
                continue
            v += a * (j - v)
            if v >= 1.0:
                v = 0.0
                ref = tau_ref
                counts[i] += 1
    return counts


@njit(cache=True)
def _numba_euler_record(v_in, dt, n_steps, tau_m, tau_ref, capacity):
    neuron = np.empty(capacity, np.int64)
    times = np.empty(capacity)
    a = dt / tau_m
    out = 0
    for i in range(v_in.shape[0]):
        v, ref, j = 0.0, 0.0, v_in[i]
        for k in range(n_steps):
            if ref > 0.0:
                ref -= dt
                continue
            v += a * (j - v)
            if v >= 1.0:
                v = 0.0
                ref = tau_ref
                neuron[out] = i
                times[out] = (k + 1) * dt
                out += 1
    return neuron[:out], times[:out]


def lif_contenders(v_in: np.ndarray, dt: float) -> dict:
    n_steps = int(round(T_END / dt))
    capacity = int(N * T_END / TAU_REF) + N
    return {
        "neuronlab numba": lambda: (
            LIF(N, TAU_M, TAU_REF, backend="numba").simulate(v_in, T_END, dt, record=False).rates.mean()
        ),
        "neuronlab numba 1 thread": lambda: (
            LIF(N, TAU_M, TAU_REF, backend="numba", threads=1).simulate(v_in, T_END, dt, record=False).rates.mean()
        ),
        "neuronlab numpy": lambda: (
            LIF(N, TAU_M, TAU_REF, backend="numpy").simulate(v_in, T_END, dt, record=False).rates.mean()
        ),
        "NumPy Euler": lambda: numpy_euler(v_in, dt),
        "Numba Euler (count only)": lambda: _numba_euler_counts(v_in, dt, n_steps, TAU_M, TAU_REF).mean() / T_END,
        "Numba Euler + spike times": lambda: (
            len(_numba_euler_record(v_in, dt, n_steps, TAU_M, TAU_REF, capacity)[0]) / N / T_END
        ),
    }


def best_of(contenders: dict, repeats: int) -> tuple[dict, dict, dict]:
    """Best wall and CPU (process) time of ``repeats`` interleaved runs, after one warm-up run each, and each
    one's result."""
    results = {name: fn() for name, fn in contenders.items()}
    wall = dict.fromkeys(contenders, math.inf)
    cpu = dict.fromkeys(contenders, math.inf)
    for _ in range(repeats):
        for name, fn in contenders.items():
            start, start_cpu = time.perf_counter(), time.process_time()
            fn()
            wall[name] = min(wall[name], time.perf_counter() - start)
            cpu[name] = min(cpu[name], time.process_time() - start_cpu)
    return wall, cpu, results


def brian2(target: str, dt: float, repeats: int) -> dict | None:
    if not Path(BRIAN2_PYTHON).exists():
        return None
    done = subprocess.run(
        [BRIAN2_PYTHON, "-c", BRIAN2_SCRIPT, target, repr(dt), str(repeats)],
        capture_output=True,
        text=True,
        timeout=1800,
    )
    if done.returncode != 0:
        print(f"Brian2 {target} failed:\n{done.stderr[-2000:]}")
        return None
    return json.loads(done.stdout.strip().splitlines()[-1])


def brian2_version() -> str | None:
    if not Path(BRIAN2_PYTHON).exists():
        return None
    done = subprocess.run(
        [BRIAN2_PYTHON, "-c", "import brian2, numpy; print(brian2.__version__, numpy.__version__)"],
        capture_output=True,
        text=True,
    )
    return done.stdout.strip() or None


def hh_solve_ivp(current: float, t_end: float) -> int:
    model = HodgkinHuxley()
    V0 = model.resting_potential()
    y0 = [V0, *(float(g) for g in steady_state(V0))]
    sol = solve_ivp(
        lambda t, y: derivatives(*y, current, *model.params),
        (0, t_end),
        y0,
        method="LSODA",
        rtol=1e-8,
        atol=1e-10,
        max_step=0.05,
    )
    return sol.t.size


def main() -> None:
    v_in = inputs()
    analytic = float(lif_rate(v_in, TAU_REF, TAU_M).mean())
    exact = expected_mean_rate(v_in)
    if not Path(BRIAN2_PYTHON).exists():
        print(f"Brian2 environment not found at {BRIAN2_PYTHON}: its rows are skipped (see this script's docstring)")
    lif_rows, lif_json = [], {}
    for dt in DTS:
        repeats = 5 if dt >= 1e-3 else 3
        wall, cpu, rates = best_of(lif_contenders(v_in, dt), repeats)
        for target in ("numpy", "cython"):
            measured = brian2(target, dt, repeats)
            if measured is not None:
                wall[f"Brian2 {target}"] = measured["wall"]
                cpu[f"Brian2 {target}"] = measured["cpu"]
                rates[f"Brian2 {target}"] = measured["mean_rate"]
        entry = {}
        for name in wall:
            ratio = cpu[name] / cpu["neuronlab numba 1 thread"]
            wall_ratio = wall[name] / wall["neuronlab numba"]
            entry[name] = {
                "wall_s": wall[name],
                "cpu_s": cpu[name],
                "cpu_vs_neuronlab_numba_1_thread": ratio,
                "wall_vs_neuronlab_numba": wall_ratio,
                "mean_rate_hz": float(rates[name]),
            }
            lif_rows.append(
                [
                    f"{dt * 1e3:g} ms",
                    name,
                    wall[name],
                    cpu[name],
                    ratio,
                    wall_ratio,
                    float(rates[name]),
                    float(rates[name]) - exact,
                ]
            )
        lif_json[f"dt={dt:g}"] = entry
    print_table(
        f"LIF: {N:,} uncoupled neurons, 1 s; analytic mean G(v_in) = {analytic:.3f} Hz, exact expected "
        f"mean rate over 1 s = {exact:.3f} Hz",
        [
            "dt",
            "contender",
            "wall s",
            "cpu s",
            "cpu x numba 1 thread",
            "wall x numba",
            "mean rate (Hz)",
            "minus exact (Hz)",
        ],
        lif_rows,
    )

    hh_rows, hh_json = [], {}
    for n_neurons in (1, 1000):
        current = 10.0 if n_neurons == 1 else np.linspace(0.0, 40.0, n_neurons)
        contenders = {
            f"neuronlab {backend}": (
                lambda b=backend, n_neurons=n_neurons, current=current: (
                    HodgkinHuxley(n_neurons, backend=b)
                    .simulate(current, 0.1, 1e-5, record=n_neurons == 1)
                    .spike_counts.sum()
                )
            )
            for backend in ("numba", "numpy")
        }
        if n_neurons == 1:
            contenders["SciPy solve_ivp LSODA"] = lambda: hh_solve_ivp(10.0, 100.0)
        wall, cpu, _ = best_of(contenders, 3)
        hh_json[f"{n_neurons} neurons"] = {name: {"wall_s": wall[name], "cpu_s": cpu[name]} for name in wall}
        hh_rows += [[n_neurons, name, wall[name], cpu[name]] for name in wall]
    print_table(
        "Hodgkin-Huxley: 100 ms at dt = 0.01 ms (10,000 RK4 steps)",
        ["neurons", "contender", "wall s", "cpu s"],
        hh_rows,
    )

    path = write_results(
        "neurons",
        {
            "lif": {
                "n_neurons": N,
                "neuronlab_numba_threads": numba.config.NUMBA_NUM_THREADS,
                "t_end_s": T_END,
                "tau_m_s": TAU_M,
                "tau_ref_s": TAU_REF,
                "analytic_mean_rate_hz": analytic,
                "exact_expected_mean_rate_hz": exact,
                "results": lif_json,
            },
            "hodgkin_huxley": {"t_end_ms": 100.0, "dt_ms": 0.01, "seconds": hh_json},
            "brian2": brian2_version(),
            "timing": "best of interleaved repeats; wall clock and CPU (process) time; cpu ratios against neuronlab "
            "numba on 1 thread, wall ratios against neuronlab numba on all threads; Brian2 cython is "
            "single-threaded",
            "load_average_1min": os.getloadavg()[0],
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
