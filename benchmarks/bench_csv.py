"""CSV reading: neuronlab's ``load_csv`` against ``np.loadtxt`` (NumPy's C parser, the floor), time and peak memory.

Generates a CSV of random numbers in a temporary folder (20 feature columns and a target, about 176 bytes a
row) and a copy whose target is a text label, then reads them, each read in a fresh process so that its peak
resident memory is its own, the readers interleaved over the repeats:

- ``np.loadtxt``: every column of the numeric file as float32 (one pass of the C parser, no checks: the floor);
- ``load_csv``: neuronlab's reader on the numeric file (a regression target);
- ``load_csv, text target``: the file with text class labels;
- ``reference reader``: ``CsvTable.read_reference``, Python's ``csv`` module row by row, which neuronlab uses
  only when the fast parser refuses a file (to find the first bad cell, or to read a file only it accepts).

Time is the median wall clock and CPU time of the read (every reader is single-threaded, so on a shared
machine CPU time is the steadier measure); memory is the growth of the peak resident set size during the read
(Linux: the peak is reset through /proc/self/clear_refs before the read, so the imports are not counted). Both are reported as
ratios to ``np.loadtxt`` measured in the same run. Prints a table and writes benchmarks/results/csv.json.

    .venv/bin/python benchmarks/bench_csv.py                    # 100,000 rows, about 18 MB
    .venv/bin/python benchmarks/bench_csv.py --rows 1150000     # about 200 MB, the size of issue 17
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from common import print_table, write_results

SRC = Path(__file__).resolve().parents[1] / "src"
FEATURES = 20
LABELS = np.array(["setosa", "versicolor", "virginica"])

CHILD = r"""
import json, sys, time
import numpy as np
from neuronlab.data import load_csv
from neuronlab.data.datasets.csv_table import CsvTable

def status_kb(field):
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))

reader, path = sys.argv[1], sys.argv[2]
with open("/proc/self/clear_refs", "w") as f:
    f.write("5")                                   # reset the peak (VmHWM) to the current resident size
before_kb = status_kb("VmRSS")
start, cpu_start = time.perf_counter(), time.process_time()
if reader == "loadtxt":
    np.loadtxt(path, delimiter=",", skiprows=1, dtype=np.float32)
elif reader == "reference":
    table = CsvTable(path)
    table.read_reference(list(range(len(table.header) - 1)), len(table.header) - 1)
else:
    load_csv(path)
seconds, cpu_seconds = time.perf_counter() - start, time.process_time() - cpu_start
peak_kb = status_kb("VmHWM")
print(json.dumps({"seconds": seconds, "cpu_seconds": cpu_seconds, "peak_mb": peak_kb / 1024, "growth_mb": (peak_kb - before_kb) / 1024}))
"""

READERS = {  # name: (reader argument, which file)
    "np.loadtxt": ("loadtxt", "numeric"),
    "load_csv": ("load_csv", "numeric"),
    "load_csv, text target": ("load_csv", "text"),
    "reference reader": ("reference", "numeric"),
}


def write_files(folder: Path, rows: int, seed: int = 0) -> dict[str, Path]:
    """The numeric file (features ~ 100 N(0, 1), target 0.3 x0 + N(0, 1)) and the same with text labels."""
    rng = np.random.default_rng(seed)
    paths = {"numeric": folder / "numeric.csv", "text": folder / "text.csv"}
    header = ",".join([f"x{i}" for i in range(FEATURES)] + ["y"]) + "\n"
    with open(paths["numeric"], "w") as numeric, open(paths["text"], "w") as text:
        numeric.write(header)
        text.write(header)
        for start in range(0, rows, 50_000):
            n = min(50_000, rows - start)
            X = rng.normal(size=(n, FEATURES)) * 100
            y = 0.3 * X[:, 0] + rng.normal(size=n)
            np.savetxt(numeric, np.column_stack([X, y]), fmt="%.6g", delimiter=",")
            lines = [",".join(f"{v:.6g}" for v in row) for row in X]
            text.write("".join(f"{line},{label}\n" for line, label in zip(lines, LABELS[rng.integers(3, size=n)])))
    return paths


def measure(reader: str, path: Path) -> dict:
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(SRC), os.environ.get("PYTHONPATH")]))}
    done = subprocess.run([sys.executable, "-c", CHILD, reader, str(path)], env=env, capture_output=True, text=True)
    if done.returncode != 0:
        raise RuntimeError(f"{reader} failed:\n{done.stderr}")
    return json.loads(done.stdout)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=100_000, help="data rows (1,150,000 make about 200 MB)")
    parser.add_argument("--repeat", type=int, default=3, help="reads of each file by each reader")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        paths = write_files(Path(folder), args.rows)
        size_mb = paths["numeric"].stat().st_size / 2**20
        print(f"{args.rows} rows x {FEATURES + 1} columns, {size_mb:.0f} MB")
        samples = {name: [] for name in READERS}
        for _ in range(args.repeat):
            for name, (reader, file) in READERS.items():
                samples[name].append(measure(reader, paths[file]))
    results = {
        name: {
            key: statistics.median(s[key] for s in runs) for key in ("seconds", "cpu_seconds", "peak_mb", "growth_mb")
        }
        for name, runs in samples.items()
    }
    floor = results["np.loadtxt"]
    for result in results.values():
        result["time_ratio"] = result["seconds"] / floor["seconds"]
        result["cpu_ratio"] = result["cpu_seconds"] / floor["cpu_seconds"]
        result["memory_ratio"] = result["growth_mb"] / floor["growth_mb"]
    print_table(
        f"reading a {size_mb:.0f} MB CSV (median of {args.repeat}; ratios to np.loadtxt)",
        ["reader", "seconds", "x loadtxt", "CPU s", "x loadtxt", "peak MB", "growth MB", "x loadtxt"],
        [
            [
                name,
                r["seconds"],
                r["time_ratio"],
                r["cpu_seconds"],
                r["cpu_ratio"],
                r["peak_mb"],
                r["growth_mb"],
                r["memory_ratio"],
            ]
            for name, r in results.items()
        ],
    )
    path = write_results("csv", {"rows": args.rows, "file_mb": size_mb, "repeat": args.repeat, "readers": results})
    print("\nwrote", path)


if __name__ == "__main__":
    main()
