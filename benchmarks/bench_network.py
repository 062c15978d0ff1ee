"""The Vogels-Abbott networks of Brette et al. (2007), CUBA and COBA: neuronlab against Brian2 2.9, and a
100,000-neuron network for scale.

Both simulators run the same network definition (``neuronlab.neurons.vogels_abbott``: 4,000 LIF neurons, 3,200
excitatory / 800 inhibitory, p = 0.02, tau 5 / 10 ms, refractory 5 ms, Brian2's example weights, thresholds and
initial state) for 1 s at dt = 0.1 ms, over several seeds (each simulator draws its own connections from its own
generator, so rates are compared as medians over seeds). Brian2 uses ``method="exact"`` for CUBA and
``"euler"`` for COBA (its example's choices) with its cython target (single-threaded), timed around
``run(1 * second)`` after a one-step run that compiles everything, once per seed. neuronlab is timed around
``Network.run`` (the compiled kernel, loaded from Numba's cache after a warm-up) on 1 thread, the best of
``--repeat`` runs, and once on 2 threads. Both count CPU time of the process (the steady measure on a shared machine;
with 2 threads it adds up both threads) and wall time.

Brian2's runs are slow, so their results are cached in results/network_brian2.json; ``--reuse-brian2`` takes
them from there (when it holds the seeds and duration asked for) instead of running Brian2 again. Brian2 2.9
lives in its own environment, ``$BRIAN2_PYTHON`` (default ``/tmp/brian2-venv/bin/python``; see
``bench_neurons.py`` for its setup); without it and without a cache the Brian2 rows are skipped.

Writes results/network.json and the figure docs/figures/networks/spike_statistics.png (per-neuron firing rates
and ISI CVs of both simulators, all seeds pooled). ``--scale`` instead runs a 100,000-neuron CUBA-type network
with a fixed in-degree of 100 (80 excitatory, 20 inhibitory synapses per neuron) for ``--duration`` seconds:
build and run times and the peak resident memory, written to results/network_scale.json.

    .venv/bin/python benchmarks/bench_network.py [--seeds 3] [--duration 1.0] [--reuse-brian2]
    .venv/bin/python benchmarks/bench_network.py --scale [--duration 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import time
from pathlib import Path

import numpy as np
from common import RESULTS, print_table, write_results

from neuronlab.neurons.vogels_abbott import coba, cuba, isi_cv

BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON", "/tmp/brian2-venv/bin/python")
BRIAN2_CACHE = RESULTS / "network_brian2.json"
FIGURE = Path(__file__).resolve().parents[1] / "docs" / "figures" / "networks" / "spike_statistics.png"
THREADS = (1, 2)

BRIAN2_SCRIPT = r"""
import json, sys, time
from brian2 import (NeuronGroup, Synapses, SpikeMonitor, Network, defaultclock, prefs, seed, ms, mV, second,
                    start_scope)
import numpy as np
bench, target, s, duration = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
prefs.codegen.target = target
start_scope()
seed(s)
defaultclock.dt = 0.1 * ms
taum, taue, taui, Vt, Vr = 20 * ms, 5 * ms, 10 * ms, -50 * mV, -60 * mV
if bench == "cuba":
    El = -49 * mV
    eqs = '''dv/dt = (ge + gi - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : volt
             dgi/dt = -gi / taui : volt'''
    P = NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="exact")
    P.v = "Vr + rand() * (Vt - Vr)"
    we, wi = 1.62 * mV, -9 * mV
else:
    El, Ee, Ei = -60 * mV, 0 * mV, -80 * mV
    eqs = '''dv/dt = (ge * (Ee - v) + gi * (Ei - v) - (v - El)) / taum : volt (unless refractory)
             dge/dt = -ge / taue : 1
             dgi/dt = -gi / taui : 1'''
    P = NeuronGroup(4000, eqs, threshold="v > Vt", reset="v = Vr", refractory=5 * ms, method="euler")
    P.v = "Vr + rand() * (Vt - Vr)"
    P.ge = "randn() * 1.5 + 4"      # conductances in units of the leak's 10 nS
    P.gi = "randn() * 12 + 20"
    we, wi = 0.6, 6.7
Ce = Synapses(P, P, on_pre="ge += we")
Ci = Synapses(P, P, on_pre="gi += wi")
Ce.connect("i < 3200", p=0.02)
Ci.connect("i >= 3200", p=0.02)
M = SpikeMonitor(P)
net = Network(P, Ce, Ci, M)
net.run(defaultclock.dt)  # compiles every code object
before = M.num_spikes
wall, cpu = time.perf_counter(), time.process_time()
net.run(duration * second)
wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
trains = [np.asarray(t) for t in M.spike_trains().values()]
cvs = [float(np.std(np.diff(t)) / np.mean(np.diff(t))) for t in trains if len(t) >= 3]
rates = np.bincount(np.asarray(M.i), minlength=4000) / (duration + float(defaultclock.dt))
print(json.dumps({"wall": wall, "cpu": cpu, "mean_rate": (M.num_spikes - before) / 4000 / duration,
                  "isi_cv": float(np.mean(cvs)), "rates": rates.tolist(), "cvs": cvs}))
"""


def brian2(bench: str, seed: int, duration: float) -> dict | None:
    if not os.path.exists(BRIAN2_PYTHON):
        return None
    out = subprocess.run(
        [BRIAN2_PYTHON, "-c", BRIAN2_SCRIPT, bench, "cython", str(seed), str(duration)],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def brian2_runs(seeds: int, duration: float, reuse: bool) -> dict:
    """{bench: [one result per seed]} from the cache (``reuse``, when it covers the request) or from Brian2."""
    if reuse and BRIAN2_CACHE.exists():
        cached = json.loads(BRIAN2_CACHE.read_text())
        if cached["duration"] == duration and all(len(cached["runs"][b]) >= seeds for b in ("cuba", "coba")):
            print(f"Brian2: reusing {BRIAN2_CACHE.name} (ran {cached['when']})")
            return {b: cached["runs"][b][:seeds] for b in ("cuba", "coba")}
    runs = {b: [brian2(b, seed, duration) for seed in range(seeds)] for b in ("cuba", "coba")}
    if any(r is None for rs in runs.values() for r in rs):
        return {}
    write_results(
        "network_brian2",
        {"duration": duration, "when": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()), "runs": runs},
    )
    return runs


def neuronlab(bench: str, seed: int, duration: float, repeat: int) -> dict:
    """Spike statistics (the same on any number of threads) and the best cpu / wall time on 1 and 2 threads."""
    net = (cuba if bench == "cuba" else coba)(seed=seed)
    for threads in THREADS:
        net.run(0.001, threads=threads)  # loads the kernels from Numba's cache (compiles them the first time)
    out: dict = {}
    for threads in THREADS:
        cpus, walls = [], []
        for _ in range(repeat if threads == 1 else 1):  # 2 threads: one run (slow where cores are shared)
            wall, cpu = time.perf_counter(), time.process_time()
            result = net.run(duration, dt=1e-4, backend="numba", threads=threads)
            walls.append(time.perf_counter() - wall)
            cpus.append(time.process_time() - cpu)
        out[f"cpu {threads}t"], out[f"wall {threads}t"] = min(cpus), min(walls)
    spikes = result.spikes["neurons"]
    cvs = [float(np.std(np.diff(t)) / np.mean(np.diff(t))) for t in spikes.spike_times if len(t) >= 3]
    return {
        **out,
        "cpu": out["cpu 1t"],
        "wall": out["wall 1t"],
        "mean_rate": float(spikes.rates.mean()),
        "isi_cv": isi_cv(spikes.spike_times),
        "rates": spikes.rates.tolist(),
        "cvs": cvs,
    }


def figure(results: dict, path: Path) -> None:
    """Per-neuron firing rates and ISI CVs, neuronlab against Brian2, CUBA and COBA (all seeds pooled)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(2, 2, figsize=(9, 6))
    for row, bench in enumerate(("cuba", "coba")):
        # rates are spike counts over 1 s (Brian2's over 1.0001 s): bins centred on whole numbers of Hz
        rate_bins = np.arange(-0.5, 40, 1.0) if bench == "cuba" else np.arange(-0.5, 100, 3.0)
        for col, (key, label, bins) in enumerate(
            (("rates", "firing rate (Hz)", rate_bins), ("cvs", "ISI CV", np.linspace(0, 3, 41)))
        ):
            ax = axes[row, col]
            for name, style in (("neuronlab", dict(color="C0")), ("brian2 cython", dict(color="C1"))):
                runs = results.get(f"{bench} {name}")
                if runs:
                    values = np.concatenate([r[key] for r in runs])
                    ax.hist(values, bins=bins, density=True, histtype="step", lw=1.5, label=name, **style)
            ax.set_xlabel(label)
            ax.set_ylabel("density")
            ax.set_title(f"{bench.upper()}: {label.split(' (')[0]} per neuron")
            ax.legend(frameon=False)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def compare(args) -> None:
    theirs = brian2_runs(args.seeds, args.duration, args.reuse_brian2)
    results, rows = {}, []
    for bench in ("cuba", "coba"):
        results[f"{bench} neuronlab"] = [neuronlab(bench, s, args.duration, args.repeat) for s in range(args.seeds)]
        if theirs:
            results[f"{bench} brian2 cython"] = theirs[bench]
    median = lambda runs, key: float(np.median([r[key] for r in runs]))  # noqa: E731
    for bench in ("cuba", "coba"):
        ours = results[f"{bench} neuronlab"]
        for threads in THREADS:
            rows.append(
                [bench, f"neuronlab {threads} thread{'s' * (threads > 1)}", median(ours, "mean_rate")]
                + [median(ours, "isi_cv"), median(ours, f"cpu {threads}t"), median(ours, f"wall {threads}t")]
            )
        if theirs:
            other = results[f"{bench} brian2 cython"]
            rows.append(
                ["", "brian2 cython (1 thread)"] + [median(other, k) for k in ("mean_rate", "isi_cv", "cpu", "wall")]
            )
    print_table(
        f"Vogels-Abbott networks, {args.duration:g} s at dt 0.1 ms, medians over {args.seeds} seeds",
        ["network", "simulator", "mean rate (Hz)", "ISI CV", "cpu (s)", "wall (s)"],
        rows,
    )
    summary = {}
    for bench in ("cuba", "coba"):
        ours, other = results[f"{bench} neuronlab"], results.get(f"{bench} brian2 cython")
        if other:
            summary[bench] = {"rate_ratio": median(ours, "mean_rate") / median(other, "mean_rate")}
            for threads in THREADS:
                summary[bench][f"cpu_speedup {threads}t"] = median(other, "cpu") / median(ours, f"cpu {threads}t")
                summary[bench][f"wall_speedup {threads}t"] = median(other, "wall") / median(ours, f"wall {threads}t")
            print(bench + ": " + ", ".join(f"{k} {v:.3f}" for k, v in summary[bench].items()))
    figure(results, FIGURE)
    print(f"wrote {FIGURE}")
    for runs in results.values():  # per-neuron values summarized as histograms (rates: 2 Hz bins; CVs: 0.1)
        for r in runs:
            r["rate_histogram"] = np.histogram(r.pop("rates"), bins=np.arange(0, 102, 2))[0].tolist()
            r["isi_cv_histogram"] = np.histogram(r.pop("cvs"), bins=np.arange(0, 3.05, 0.1))[0].tolist()
    payload = {"duration": args.duration, "seeds": args.seeds, "summary": summary, "runs": results}
    print(f"wrote {write_results('network', payload)}")


def rss_mb() -> float:
    """The process's resident memory now (MB), from /proc."""
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 1e6


def scale(args) -> None:
    """A CUBA-type network of 100,000 neurons, each receiving 80 excitatory and 20 inhibitory synapses."""
    import scipy.sparse as sparse

    from neuronlab.neurons import ExponentialCurrent, Network, Population, Projection, fixed_indegree
    from neuronlab.neurons.vogels_abbott import RESISTANCE, TAU_E, TAU_I, TAU_M, TAU_REF, V_RESET, V_THRESHOLD

    n, n_exc, k_exc, k_inh = 100_000, 80_000, 80, 20
    cuba(400).run(0.001)  # the kernel from Numba's cache, outside the measured memory and time
    base = rss_mb()
    start = time.perf_counter()
    cells = Population(
        n,
        "neurons",
        tau_m=TAU_M,
        tau_ref=TAU_REF,
        v_rest=-0.049,
        v_threshold=V_THRESHOLD,
        v_reset=V_RESET,
        resistance=RESISTANCE,
        v0="uniform",
    )
    w_exc = fixed_indegree(n_exc, n, k_exc, 1.62e-3 / RESISTANCE, seed=1)
    w_inh = fixed_indegree(n - n_exc, n, k_inh, -9e-3 / RESISTANCE, seed=2)
    exc = Projection(cells, cells, sparse.hstack([w_exc, sparse.csr_matrix((n, n - n_exc))]), ExponentialCurrent(TAU_E))
    inh = Projection(cells, cells, sparse.hstack([sparse.csr_matrix((n, n_exc)), w_inh]), ExponentialCurrent(TAU_I))
    del w_exc, w_inh
    net = Network([cells], [exc, inh], seed=0)
    build = time.perf_counter() - start
    built = rss_mb()
    wall, cpu = time.perf_counter(), time.process_time()
    run = net.run(args.duration, dt=1e-4)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    spikes = run.spikes["neurons"]
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e3
    payload = {
        "neurons": n,
        "synapses": int(exc.weights.nnz + inh.weights.nnz),
        "duration": args.duration,
        "build_s": build,
        "run_wall_s": wall,
        "run_cpu_s": cpu,
        "spikes": int(spikes.spike_neuron.size),
        "mean_rate": float(spikes.rates.mean()),
        "rss_before_build_mb": base,
        "rss_after_build_mb": built,
        "peak_rss_mb": peak,
    }
    for key, value in payload.items():
        print(f"{key:20s} {value:,.3f}" if isinstance(value, float) else f"{key:20s} {value:,}")
    print(f"wrote {write_results('network_scale', payload)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=3, help="neuronlab runs per seed and thread count (best)")
    parser.add_argument("--reuse-brian2", action="store_true", help="take Brian2's results from its cache")
    parser.add_argument("--scale", action="store_true", help="the 100,000-neuron network instead")
    args = parser.parse_args()
    (scale if args.scale else compare)(args)


if __name__ == "__main__":
    main()
