"""``neuronlab neuron ...`` under hostile input: a table of invocations that must each fail cleanly.

Each row runs the real console entry point in a fresh process with a 4 GiB address-space limit (so a command
that tried to allocate what it should have refused fails the row, and the models' memory estimates compare with
that limit whatever the machine) and checks: the exit code (2 for a bad option, 1 for a run that cannot be
done), exactly one line on stderr, starting ``Error:`` and naming the problem, no traceback, nothing written
into the output folder (and a file standing where a folder was asked for left unchanged), and that it returned
within a bounded time.
"""

import os
import resource
import subprocess
import sys
import time
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src"
LIMIT_BYTES = 4 * 2**30
SECONDS = 60

ROWS = [
    # (arguments, exit code, a fragment of the message)
    (["synapse", "--rate", "nan"], 2, "--rate"),
    (["synapse", "--rate", "-5"], 2, "--rate"),
    (["synapse", "--seed", "-1"], 2, "--seed"),
    (["network", "--seed", "-1"], 2, "--seed"),
    (["network", "--input-range", "nan", "1"], 2, "--input-range"),
    (["network", "--input-range", "2", "1"], 2, "LOW <= HIGH"),
    (["network", "--p", "nan"], 2, "probability"),
    (["network", "--neurons", "0"], 2, "--neurons"),
    (["tuning", "--points", "-3"], 2, "--points"),
    (["tuning", "--tau-ref", "0.002,nan"], 2, "finite"),
    (["lif", "--dt", "nan"], 2, "--dt"),
    (["lif", "--input", "inf"], 2, "--input"),
    (["hh", "--dt", "0.2"], 2, "max_dt"),
    (["hh", "--current", "1e308"], 1, "diverged at t ="),
    (["hh", "--current", "-100", "--t-end", "50"], 1, "diverged at t ="),
    (["hh", "--t-end", "1e9"], 1, "memory"),
    (["hh", "--dt", "1e-9", "--t-end", "1"], 1, "memory"),
    (["lif", "--t-end", "1e7"], 1, "memory"),
    (["synapse", "--rate", "1e9"], 1, "memory"),
    (["synapse", "--t-end", "1e9"], 1, "memory"),
    (["network", "--neurons", "1000000000"], 1, "memory"),
    (["hh", "--out", "{afile}/sub"], 2, "not a folder"),
    (["lif", "--out", "{afile}/sub"], 2, "not a folder"),
    (["network", "--out", "{afile}/sub"], 2, "not a folder"),
]


def _limit_memory():
    resource.setrlimit(resource.RLIMIT_AS, (LIMIT_BYTES, LIMIT_BYTES))


@pytest.mark.parametrize("args, code, message", ROWS, ids=[" ".join(row[0]) for row in ROWS])
def test_hostile_invocation_fails_cleanly(tmp_path, args, code, message):
    afile = tmp_path / "afile"
    afile.write_text("keep me\n")
    out = tmp_path / "out"
    args = [arg.format(afile=afile) for arg in args]
    if "--out" not in args:
        args += ["--out", str(out)]
    env = dict(os.environ, PYTHONPATH=f"{SRC}{os.pathsep}{os.environ.get('PYTHONPATH', '')}", NUMBA_NUM_THREADS="1")
    start = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", "from neuronlab.cli.main import cli; cli()", "neuron", *args],
        capture_output=True,
        text=True,
        timeout=SECONDS,
        env=env,
        cwd=tmp_path,
        preexec_fn=_limit_memory,
    )
    elapsed = time.perf_counter() - start
    lines = done.stderr.splitlines()
    assert done.returncode == code, done.stderr
    assert len(lines) == 1 and lines[0].startswith("Error: ") and message in lines[0], done.stderr
    assert "Traceback" not in done.stderr + done.stdout
    assert not out.exists() and sorted(p.name for p in tmp_path.iterdir()) == ["afile"]
    assert afile.read_text() == "keep me\n"
    assert elapsed < SECONDS / 2
