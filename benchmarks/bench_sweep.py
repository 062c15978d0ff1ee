"""Sweep speed-up (issue 16's target: >= 1.7x): 8 digits trials (the issue's example sweep, 30 epochs) run one
after another in one process vs on a 2-worker Dask LocalCluster, timed in the same run, interleaved.

* serial: a fresh Python process that has imported neuronlab.train.sweep imports what a trial imports
  (``warm_up``, timed apart) and runs the trials one after another (its clock starts after the first import,
  as the parallel one starts with it done; the first trial pays the kernel loads, as each worker's does).
* parallel: a fresh Python process that has imported neuronlab.train.sweep runs start_local_cluster(2) (the
  fork server's imports, the worker processes, their warm-up), run_sweep on it, then closes it; reported in
  total and per phase.

The machine may be shared, so wall times are noisy: the script prints the load average around each run and
CPU-time figures: "cpu speed-up", serial CPU time / (the parent's CPU time + the fork server's (the imports
every worker inherits) + the busiest worker's CPU time since it started), what the wall-clock ratio would
be on two otherwise idle cores if nothing overlapped (so a conservative estimate); "overlap", the same with
the fork server's imports overlapping the parent's start-up (its import of Dask, the scheduler) as they
do on two idle cores: serial CPU / (max(fork server, parent until the cluster is up) + the parent's CPU
after that + the busiest worker's). "warm": the trials phase alone, i.e. a sweep on a cluster that is
already running (``--scheduler``), whose workers have done the imports, against the serial run without its
imports: (serial wall - its imports) / trials wall, and the same in CPU time against the busiest worker's
CPU time after its warm-up. Both modes give the same metrics (every trial pins BLAS to one
thread), which the script checks.

    .venv/bin/python benchmarks/bench_sweep.py [--epochs 30] [--workers 2] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import print_table, write_results

from neuronlab.train.sweep import parse_sweep, run_sweep, start_local_cluster

SPEC = {
    "train": {"dataset": "digits", "early_stopping": 0},
    "grid": {"lr": [0.001, 0.003], "hidden": ["64", "128,64"]},
    "random": {"trials": 2, "seed": 0, "weight_decay": {"loguniform": [1e-5, 1e-2]}},
}

SERIAL = """
import json, sys, time
from neuronlab.train.sweep import parse_sweep, run_trial, trial_name, warm_up
spec, folder = json.loads(sys.argv[1]), sys.argv[2]
wall, cpu = time.perf_counter(), time.process_time()
warm_up()
imports_wall, imports_cpu = time.perf_counter() - wall, time.process_time() - cpu
rows = [run_trial(t, f"{folder}/{trial_name(i, t)}", plots=False) for i, t in enumerate(parse_sweep(spec).expand())]
print(json.dumps({"wall_s": time.perf_counter() - wall, "cpu_s": time.process_time() - cpu, "rows": rows,
                  "imports_wall_s": imports_wall, "imports_cpu_s": imports_cpu}))
"""


def load() -> float:
    return os.getloadavg()[0]


def serial(spec: dict, folder: Path) -> dict:
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, "-c", SERIAL, json.dumps(spec), str(folder)], env=env, capture_output=True, text=True
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def parallel(spec: dict, folder: Path, workers: int) -> dict:
    """The parallel mode in a fresh Python process (as ``neuronlab sweep`` runs), so that every repeat pays
    the whole start-up: the fork server the workers are forked from lives as long as its process."""
    src = str(Path(__file__).resolve().parents[1] / "src")
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([src, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run(
        [sys.executable, __file__, "--one-parallel", json.dumps(spec), str(folder), str(workers)],
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        raise RuntimeError(done.stderr)
    return json.loads(done.stdout.splitlines()[-1])


def one_parallel(spec: dict, folder: Path, workers: int) -> dict:
    import psutil

    cpu, wall = time.process_time(), time.perf_counter()
    client = start_local_cluster(workers)
    started, start_cpu = time.perf_counter(), time.process_time() - cpu
    warm_cpu = list(client.run(time.process_time).values())  # each worker's start-up and warm-up
    try:
        result = run_sweep(parse_sweep(spec), folder, client=client, plots=False, progress=False, log=None)
        trials_done = time.perf_counter()
        worker_cpu = list(client.run(time.process_time).values())  # each worker's CPU time since it started
        parent_cpu = time.process_time() - cpu
        helpers = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
        forkserver_cpu = sum(sum(p.cpu_times()[:2]) for p in helpers)  # the imports the workers inherit
    finally:
        cluster = client.cluster
        client.close()
        cluster.close()
    end = time.perf_counter()
    return {
        "wall_s": end - wall,
        "start_s": started - wall,
        "trials_s": trials_done - started,
        "close_s": end - trials_done,
        "parent_cpu_s": parent_cpu,
        "parent_start_cpu_s": start_cpu,
        "forkserver_cpu_s": forkserver_cpu,
        "worker_cpu_s": worker_cpu,
        "worker_trials_cpu_s": [end - begin for begin, end in zip(warm_cpu, worker_cpu)],
        "rows": result.rows,
    }


if __name__ == "__main__":
    if sys.argv[1:2] == ["--one-parallel"]:
        print(json.dumps(one_parallel(json.loads(sys.argv[2]), Path(sys.argv[3]), int(sys.argv[4])), default=str))
        sys.exit()
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    spec = {**SPEC, "train": {**SPEC["train"], "epochs": args.epochs}}
    runs = []
    with tempfile.TemporaryDirectory() as folder:
        for rep in range(args.repeats):
            before = load()
            one = serial(spec, Path(folder) / f"serial-{rep}")
            middle = load()
            many = parallel(spec, Path(folder) / f"parallel-{rep}", args.workers)
            runs.append({"serial": one, "parallel": many, "load": [before, middle, load()]})
    same = all(
        repr(a["val_loss"]) == b["val_loss"]
        for run in runs
        for a, b in zip(run["serial"]["rows"], run["parallel"]["rows"])
    )
    rows = []
    for rep, run in enumerate(runs):
        one, many = run["serial"], run["parallel"]
        cpu_parallel = many["parent_cpu_s"] + many["forkserver_cpu_s"] + max(many["worker_cpu_s"])
        run["cpu_speedup"] = one["cpu_s"] / cpu_parallel
        start_cpu, fork_server_cpu = many["parent_start_cpu_s"], many["forkserver_cpu_s"]
        critical = max(fork_server_cpu, start_cpu) + many["parent_cpu_s"] - start_cpu + max(many["worker_cpu_s"])
        run["overlap_cpu_speedup"] = one["cpu_s"] / critical
        # a started cluster's workers have imported what the trials import (warm_up), so the serial side
        # leaves out its own imports of the same modules
        run["warm_speedup"] = (one["wall_s"] - one["imports_wall_s"]) / many["trials_s"]
        run["warm_cpu_speedup"] = (one["cpu_s"] - one["imports_cpu_s"]) / max(many["worker_trials_cpu_s"])
        rows.append(
            [
                rep,
                "/".join(f"{x:.1f}" for x in run["load"]),
                one["wall_s"],
                many["wall_s"],
                many["start_s"],
                many["trials_s"],
                many["close_s"],
                one["wall_s"] / many["wall_s"],
                one["cpu_s"],
                many["parent_cpu_s"] + many["forkserver_cpu_s"],
                max(many["worker_cpu_s"]),
                run["cpu_speedup"],
                run["overlap_cpu_speedup"],
                run["warm_speedup"],
                run["warm_cpu_speedup"],
            ]
        )
    median = {mode: statistics.median(run[mode]["wall_s"] for run in runs) for mode in ("serial", "parallel")}
    speedup = statistics.median(run["serial"]["wall_s"] / run["parallel"]["wall_s"] for run in runs)
    cpu_speedup, overlap_cpu_speedup, warm_speedup, warm_cpu_speedup = (
        statistics.median(run[key] for run in runs)
        for key in ("cpu_speedup", "overlap_cpu_speedup", "warm_speedup", "warm_cpu_speedup")
    )
    print_table(
        f"sweep: 8 digits trials, {args.epochs} epochs, {args.workers} workers (load average 1 min: before/"
        "between/after)",
        [
            "rep",
            "load",
            "serial s",
            "parallel s",
            "start s",
            "trials s",
            "close s",
            "speed-up",
            "serial cpu",
            "parent+fs cpu",
            "worker cpu",
            "cpu speed-up",
            "overlap",
            "warm",
            "warm cpu",
        ],
        rows,
    )
    print(
        f"median speed-up with the cluster's start-up: {speedup:.2f}x (wall), {cpu_speedup:.2f}x (CPU time), "
        f"{overlap_cpu_speedup:.2f}x (CPU time, start-up overlapped); "
        f"on the started cluster (trials phase): {warm_speedup:.2f}x (wall), {warm_cpu_speedup:.2f}x (CPU time); "
        f"same metrics: {same}; {os.cpu_count()} cores"
    )
    write_results(
        "sweep" if args.epochs == 30 else f"sweep_epochs{args.epochs}",
        {
            "trials": 8,
            "epochs": args.epochs,
            "workers": args.workers,
            "cores": os.cpu_count(),
            "median_serial_s": median["serial"],
            "median_parallel_s": median["parallel"],
            "median_speedup": speedup,
            "median_cpu_speedup": cpu_speedup,
            "median_overlap_cpu_speedup": overlap_cpu_speedup,
            "median_warm_speedup": warm_speedup,
            "median_warm_cpu_speedup": warm_cpu_speedup,
            "same_metrics": same,
            "runs": [
                {
                    "load": run["load"],
                    "serial": {k: v for k, v in run["serial"].items() if k != "rows"},
                    "parallel": {k: v for k, v in run["parallel"].items() if k != "rows"},
                    **{
                        key: run[key]
                        for key in ("cpu_speedup", "overlap_cpu_speedup", "warm_speedup", "warm_cpu_speedup")
                    },
                }
                for run in runs
            ],
        },
    )
