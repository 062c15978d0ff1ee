"""The Vogels-Abbott networks of Brette et al. (2007), CUBA and COBA: neuronlab against Brian2 2.9.

Both simulators run the same network definition (``neuronlab.neurons.vogels_abbott``: 4,000 LIF neurons, 3,200
excitatory / 800 inhibitory, p = 0.02, tau 5 / 10 ms, refractory 5 ms, Brian2's example weights, thresholds and
initial state) for 1 s at dt = 0.1 ms, over several seeds (each simulator draws its own connections from its own
generator, so rates are compared as medians over seeds). Brian2 uses ``method="exact"`` for CUBA and
``"euler"`` for COBA (its example's choices) with its cython target, timed around ``run(1 * second)`` after a
one-step run that compiles everything; neuronlab is timed around ``Network.run`` (the compiled kernel, one
thread, loaded from Numba's cache after a warm-up). Both count CPU time of the process (the steady measure on
a shared machine) and wall time.

Brian2 2.9 lives in its own environment, ``$BRIAN2_PYTHON`` (default ``/tmp/brian2-venv/bin/python``; see
``bench_neurons.py`` for its setup); without it the Brian2 rows are skipped. Writes results/network.json.

    .venv/bin/python benchmarks/bench_network.py [--seeds 3] [--duration 1.0]
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time

import numpy as np
from common import print_table, write_results

from neuronlab.neurons.vogels_abbott import coba, cuba, isi_cv

BRIAN2_PYTHON = os.environ.get("BRIAN2_PYTHON", "/tmp/brian2-venv/bin/python")

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
trains = M.spike_trains()
cvs = [np.std(np.diff(t)) / np.mean(np.diff(t)) for t in trains.values() if len(t) >= 3]
rates = np.bincount(np.asarray(M.i), minlength=4000) / (duration + float(defaultclock.dt))
print(json.dumps({"wall": wall, "cpu": cpu, "mean_rate": (M.num_spikes - before) / 4000 / duration,
                  "isi_cv": float(np.mean(cvs)), "rates": rates.tolist()}))
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


def neuronlab(bench: str, seed: int, duration: float) -> dict:
    net = (cuba if bench == "cuba" else coba)(seed=seed)
    net.run(0.001)  # loads the kernel from Numba's cache (compiles it the first time)
    wall, cpu = time.perf_counter(), time.process_time()
    result = net.run(duration, dt=1e-4, backend="numba")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    spikes = result.spikes["neurons"]
    return {
        "wall": wall,
        "cpu": cpu,
        "mean_rate": float(spikes.rates.mean()),
        "isi_cv": isi_cv(spikes.spike_times),
        "rates": spikes.rates.tolist(),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--duration", type=float, default=1.0)
    args = parser.parse_args()
    results, rows = {}, []
    for bench in ("cuba", "coba"):
        for name, run in (("neuronlab", neuronlab), ("brian2 cython", brian2)):
            runs = [run(bench, seed, args.duration) for seed in range(args.seeds)]
            if runs[0] is None:
                continue
            results[f"{bench} {name}"] = runs
            med = {key: float(np.median([r[key] for r in runs])) for key in ("mean_rate", "isi_cv", "cpu", "wall")}
            rows.append([bench, name, med["mean_rate"], med["isi_cv"], med["cpu"], med["wall"]])
    print_table(
        f"Vogels-Abbott networks, {args.duration:g} s at dt 0.1 ms, medians over {args.seeds} seeds",
        ["network", "simulator", "mean rate (Hz)", "ISI CV", "cpu (s)", "wall (s)"],
        rows,
    )
    summary = {}
    for bench in ("cuba", "coba"):
        ours, theirs = results.get(f"{bench} neuronlab"), results.get(f"{bench} brian2 cython")
        if ours and theirs:
            median = lambda runs, key: float(np.median([r[key] for r in runs]))  # noqa: E731
            summary[bench] = {
                "rate_ratio": median(ours, "mean_rate") / median(theirs, "mean_rate"),
                "cpu_speedup": median(theirs, "cpu") / median(ours, "cpu"),
                "wall_speedup": median(theirs, "wall") / median(ours, "wall"),
            }
            print(
                f"{bench}: rate ratio neuronlab / brian2 {summary[bench]['rate_ratio']:.3f}, "
                f"speed-up cpu {summary[bench]['cpu_speedup']:.2f}x, wall {summary[bench]['wall_speedup']:.2f}x"
            )
    for runs in results.values():  # per-neuron rates summarized as a histogram (0 to 100 Hz, 2 Hz bins)
        for r in runs:
            r["rate_histogram"] = np.histogram(r.pop("rates"), bins=np.arange(0, 102, 2))[0].tolist()
    path = write_results(
        "network", {"duration": args.duration, "seeds": args.seeds, "summary": summary, "runs": results}
    )
    print(f"wrote {path}")


if __name__ == "__main__":
    main()
