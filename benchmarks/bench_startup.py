"""Start-up time: from typing a command to its first useful output (issue 18's targets).

Measured in fresh subprocesses, each command run once untimed first (so Python's bytecode and Numba's
on-disk caches are warm, as on a user's second run; bytecode writing is switched on for the subprocesses even if
the calling shell sets PYTHONDONTWRITEBYTECODE), then the median of ``--repeat`` runs:

- ``import neuronlab``                       target < 0.2 s
- ``neuronlab --help``                       target < 0.3 s
- ``neuronlab train``: time until the line of its first epoch is printed   target < 1.0 s

The peer is the Python interpreter itself (``python -c pass``), measured in the same run: the ratios say how
much neuronlab adds to the cost of starting Python on this machine.

    .venv/bin/python benchmarks/bench_startup.py [--repeat 7]

``results/startup.json`` records the medians, the minima, the CPU seconds (user + system: steadier than the wall
time on a busy machine), the load average and the command that reproduced them.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from common import print_table, write_results

BIN = Path(sys.executable).parent
# Python writes and reuses its bytecode caches, as on a user's machine (pip also compiles them at install); a
# PYTHONDONTWRITEBYTECODE=1 in this shell would make every run recompile neuronlab (about 60 ms of `compile`).
ENV = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
TARGETS = {"python -c pass": None, "import neuronlab": 0.2, "neuronlab --help": 0.3, "train: first epoch": 1.0}


def children_cpu() -> float:
    """CPU seconds (user + system) used so far by this process's finished children."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def run_to_completion(argv: list[str]) -> tuple[float, float]:
    """Wall and CPU seconds of running ``argv`` to its end."""
    cpu, start = children_cpu(), time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=ENV)
    return time.perf_counter() - start, children_cpu() - cpu


def time_to_first_epoch(out_dir: str) -> tuple[float, float]:
    """Seconds from starting ``neuronlab train`` until its first epoch line appears on stdout (then stop it), and
    the CPU seconds the process used until it was stopped (a little more than until the line)."""
    out_dir = tempfile.mkdtemp(dir=out_dir)  # a fresh, empty run folder each time
    argv = [str(BIN / "neuronlab"), "train", "--epochs", "2", "--out", out_dir]
    cpu, start = children_cpu(), time.perf_counter()
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env={**ENV, "COLUMNS": "120"}
    ) as process:
        for line in process.stdout:
            if line.lstrip().startswith("epoch"):
                elapsed = time.perf_counter() - start
                break
        else:
            raise RuntimeError(f"neuronlab train printed no epoch line: {process.stderr.read()[-500:]}")
        process.kill()
    return elapsed, children_cpu() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        commands = {
            "python -c pass": lambda: run_to_completion([sys.executable, "-c", "pass"]),
            "import neuronlab": lambda: run_to_completion([sys.executable, "-c", "import neuronlab"]),
            "neuronlab --help": lambda: run_to_completion([str(BIN / "neuronlab"), "--help"]),
            "train: first epoch": lambda: time_to_first_epoch(tmp),
        }
        samples = {name: [] for name in commands}
        for command in commands.values():
            command()  # warm the caches
        for _ in range(args.repeat):
            for name, command in commands.items():
                samples[name].append(command())
    medians = {name: statistics.median(wall for wall, _ in times) for name, times in samples.items()}
    cpu = {name: statistics.median(used for _, used in times) for name, times in samples.items()}
    python = medians["python -c pass"]
    rows = [
        [
            name,
            seconds,
            cpu[name],
            seconds / python,
            TARGETS[name] or "-",
            "-" if TARGETS[name] is None else ("met" if seconds < TARGETS[name] else "missed"),
        ]
        for name, seconds in medians.items()
    ]
    print_table(
        "Start-up (median seconds over fresh processes, warm caches; CPU: the process's user + system time)",
        ["command", "seconds", "CPU seconds", "x python start", "target", ""],
        rows,
    )
    write_results(
        "startup",
        {
            "command": f".venv/bin/python benchmarks/bench_startup.py --repeat {args.repeat}",
            "load_average": os.getloadavg(),
            "repeat": args.repeat,
            "seconds": medians,
            "min_seconds": {name: min(wall for wall, _ in times) for name, times in samples.items()},
            "cpu_seconds": cpu,
            "ratio_to_python_start": {k: v / python for k, v in medians.items()},
            "targets": {k: v for k, v in TARGETS.items() if v},
            "targets_met": {k: medians[k] < v for k, v in TARGETS.items() if v},
        },
    )


if __name__ == "__main__":
    main()
