"""Sweep speed-up (issue 16's target): 8 digits trials on a 2-worker Dask LocalCluster vs the same trials
run one after another in this process; the parallel time includes starting the cluster. Target: >= 1.7x.
Both give the same metrics (every trial pins BLAS to one thread), which this script checks.

    .venv/bin/python benchmarks/bench_sweep.py [--epochs 10] [--workers 2]
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from common import print_table, write_results

from neuronlab.train.sweep import parse_sweep, run_sweep, run_trial, trial_name

SPEC = {
    "train": {"dataset": "digits", "early_stopping": 0},
    "grid": {"lr": [0.001, 0.003], "hidden": ["64", "128,64"]},
    "random": {"trials": 2, "seed": 0, "weight_decay": {"loguniform": [1e-5, 1e-2]}},
}

if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=10)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args()
    sweep = parse_sweep({**SPEC, "train": {**SPEC["train"], "epochs": args.epochs}})
    trials = sweep.expand()
    with tempfile.TemporaryDirectory() as folder:
        start = time.perf_counter()
        one_by_one = [
            run_trial(t, str(Path(folder) / "serial" / trial_name(i, t)), plots=False) for i, t in enumerate(trials)
        ]
        serial = time.perf_counter() - start
        start = time.perf_counter()
        result = run_sweep(
            sweep, Path(folder) / "parallel", workers=args.workers, plots=False, progress=False, log=None
        )
        parallel = time.perf_counter() - start
    same = all(repr(r["val_loss"]) == row["val_loss"] for r, row in zip(one_by_one, result.rows))
    rows = [[len(trials), args.epochs, args.workers, serial, parallel, serial / parallel, same]]
    print_table(
        "sweep: 8 digits trials",
        ["trials", "epochs", "workers", "serial s", "parallel s", "speed-up", "same metrics"],
        rows,
    )
    write_results(
        "sweep",
        {
            "trials": len(trials),
            "epochs": args.epochs,
            "workers": args.workers,
            "serial_s": serial,
            "parallel_s": parallel,
            "speedup": serial / parallel,
            "same_metrics": same,
        },
    )
