"""Sweeps: expansion of a sweep file into trials, and real executions: a Dask LocalCluster, a scheduler and
two workers started as separate processes on 127.0.0.1, and local processes without Dask; resuming a partial
sweep; a failing trial recorded while the others go on."""

import csv
import os
import queue
import shutil
import subprocess
import sys
import threading
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab.cli.main import cli
from neuronlab.train.sweep import SweepError, load_sweep, parse_sweep, run_config, run_sweep, run_trial

SRC = str(Path(neuronlab.__file__).resolve().parents[1])  # where the workers import neuronlab from
BASE = {"dataset": "iris", "epochs": 2, "hidden": "4", "early_stopping": 0}
GRID_FILE = """
[train]
dataset = "iris"
epochs = 2
hidden = "4"
early_stopping = 0
[grid]
lr = [0.05, -1.0]
[random]
trials = 2
seed = 3
weight_decay = { loguniform = [1e-5, 1e-2] }
"""


# ---------------------------------------------------------------------------------------- expansion
def test_grid_is_every_combination_in_order():
    sweep = parse_sweep(
        {"train": {"epochs": 5}, "grid": {"lr": [0.1, 0.01], "hidden": ["64", "128,64"], "batch-size": [16, 32, 64]}}
    )
    trials = sweep.expand()
    assert len(trials) == 12 and sweep.parameters == ["lr", "hidden", "batch_size"]
    assert trials[0] == {"epochs": 5, "lr": 0.1, "hidden": "64", "batch_size": 16}
    assert trials[1]["batch_size"] == 32 and trials[3]["hidden"] == "128,64" and trials[6]["lr"] == 0.01
    assert len({tuple(t.values()) for t in trials}) == 12


def test_random_draws_per_grid_combination_are_seeded():
    spec = {
        "grid": {"lr": [0.1, 0.01]},
        "random": {
            "trials": 500,
            "seed": 7,
            "weight_decay": {"loguniform": [1e-5, 1e-1]},
            "dropout": {"uniform": [0.1, 0.5]},
            "activation": {"choice": ["relu", "tanh", "elu"]},
        },
    }
    trials = parse_sweep(spec).expand()
    assert len(trials) == 1000 and [t["lr"] for t in trials[::500]] == [0.1, 0.01]
    assert trials == parse_sweep(spec).expand()  # reproducible
    assert trials != parse_sweep({**spec, "random": {**spec["random"], "seed": 8}}).expand()
    decay = np.log10([t["weight_decay"] for t in trials])
    dropout = np.array([t["dropout"] for t in trials])
    assert decay.min() >= -5 and decay.max() <= -1 and abs(decay.mean() + 3) < 0.15  # uniform in log10: mean -3
    assert dropout.min() >= 0.1 and dropout.max() <= 0.5 and abs(dropout.mean() - 0.3) < 0.02
    counts = {name: sum(t["activation"] == name for t in trials) for name in ("relu", "tanh", "elu")}
    assert all(abs(c - 1000 / 3) < 60 for c in counts.values())


def test_random_only():
    trials = parse_sweep({"random": {"trials": 3, "lr": {"uniform": [0.01, 0.1]}}}).expand()
    assert len(trials) == 3 and all(0.01 <= t["lr"] <= 0.1 for t in trials)


@pytest.mark.parametrize(
    "spec, message",
    [
        ({"grid": {"lr": [0.1]}, "sweep": {}}, "unknown table(s) ['sweep']"),
        ({"grid": {"learning_rate": [0.1]}}, "[grid] learning_rate: not a training setting"),
        ({"train": {"epoch": 3}, "grid": {"lr": [0.1]}}, "[train] epoch: not a training setting"),
        ({"grid": {"lr": []}}, "expected a non-empty list"),
        ({"grid": {"lr": 0.1}}, "expected a non-empty list"),
        ({"train": {"epochs": 3}}, "nothing to vary"),
        ({"random": {"lr": {"uniform": [0.1, 0.2]}}}, "needs trials = N"),
        ({"random": {"trials": 0, "lr": {"uniform": [0.1, 0.2]}}}, "needs trials = N"),
        ({"random": {"trials": 2, "lr": {"normal": [0, 1]}}}, "expected one of"),
        ({"random": {"trials": 2, "lr": {"loguniform": [0, 1]}}}, "0 < low < high"),
        ({"random": {"trials": 2, "lr": {"uniform": [1, 0.5]}}}, "low < high"),
        ({"random": {"trials": 2, "seed": -1, "lr": {"uniform": [0.1, 0.2]}}}, "seed = -1"),
        (
            {"grid": {"lr": [0.1]}, "random": {"trials": 2, "lr": {"uniform": [0.1, 0.2]}}},
            "in both [grid] and [random]",
        ),
    ],
)
def test_bad_sweep_files_are_refused_by_entry(spec, message):
    with pytest.raises(SweepError) as error:
        parse_sweep(spec, "s.toml")
    assert message in str(error.value) and str(error.value).startswith("s.toml: ")


def test_the_sweep_file_and_the_run_settings(tmp_path):
    (tmp_path / "data.csv").write_text("a,b\n1,0\n")
    (tmp_path / "s.toml").write_text('[train]\ndataset = "csv:data.csv"\n[grid]\nhidden = ["8", "16,8", [4, 2], 3]\n')
    sweep = load_sweep(tmp_path / "s.toml")
    assert sweep.base["dataset"] == f"csv:{tmp_path / 'data.csv'}"  # relative to the file's folder
    assert [run_config(t).hidden for t in sweep.expand()] == [(8,), (16, 8), (4, 2), (3,)]
    assert run_config({"task": "auto"}).task is None


def test_a_failing_trial_is_its_result(tmp_path):
    result = run_trial({**BASE, "lr": -1.0}, str(tmp_path / "t"), plots=False)
    assert result["status"] == "failed" and result["error"] == "ConfigError: lr: got -1.0; expected a number > 0"
    result = run_trial({**BASE, "dataset": "no_such_data"}, str(tmp_path / "t"), plots=False)
    assert result["status"] == "failed" and "no_such_data" in result["error"]


# ---------------------------------------------------------------------------------------- execution
def read_table(folder):
    with open(folder / "sweep.csv", newline="") as handle:
        return list(csv.DictReader(handle))


def metrics_of(rows):
    return [{k: v for k, v in row.items() if k != "wall_s"} for row in rows]


@pytest.fixture(scope="module")
def local_cluster_sweep(tmp_path_factory):
    pytest.importorskip("dask.distributed", reason="sweeps on Dask need pip install 'neuronlab[distributed]'")
    folder = tmp_path_factory.mktemp("sweep") / "local"
    messages = []
    result = run_sweep(parse_sweep(_toml(GRID_FILE)), folder, workers=2, progress=False, log=messages.append)
    return folder, result, messages


def _toml(text):
    import tomllib

    return tomllib.loads(text)


def test_local_cluster_runs_every_trial_and_records_the_failures(local_cluster_sweep):
    folder, result, messages = local_cluster_sweep
    rows = read_table(folder)
    assert [r["trial"] for r in rows] == ["0", "1", "2", "3"]
    assert [r["status"] for r in rows] == ["ok", "ok", "failed", "failed"]
    assert [float(r["lr"]) for r in rows] == [0.05, 0.05, -1.0, -1.0]
    assert rows[2]["error"] == "ConfigError: lr: got -1.0; expected a number > 0"
    assert rows[0]["weight_decay"] != rows[1]["weight_decay"]
    for row in rows[:2]:
        run = folder / row["run_dir"]
        assert (run / "metrics.json").is_file() and (run / "model.safetensors").is_file()
        assert 0 <= float(row["val_accuracy"]) <= 1 and row["epochs_run"] == "2" and row["error"] == ""
    assert result.metric == "val_accuracy" and result.best["status"] == "ok"
    assert float(result.best["val_accuracy"]) == max(float(r["val_accuracy"]) for r in rows[:2])
    assert (folder / "sweep.png").is_file()
    assert messages[0] == f"sweep: 4 trials (0 already recorded), 4 to run; folder {folder}"
    assert sorted(m.split()[0][:9] for m in messages[1:]) == [f"trial-00{i}" for i in range(4)]
    assert any(m.endswith("failed (ConfigError: lr: got -1.0; expected a number > 0)") for m in messages)


def test_trials_give_the_numbers_of_a_run_in_this_process(local_cluster_sweep, tmp_path):
    folder, _, _ = local_cluster_sweep
    row = read_table(folder)[1]
    settings = {**BASE, "lr": 0.05, "weight_decay": float(row["weight_decay"])}
    here = run_trial(settings, str(tmp_path / "here"), plots=False)
    assert repr(here["val_loss"]) == row["val_loss"] and repr(here["test_accuracy"]) == row["test_accuracy"]


def _worker_process():
    import os

    return os.getppid(), os.environ["OPENBLAS_NUM_THREADS"]


def test_local_cluster_workers_are_forked_from_one_single_threaded_fork_server():
    """The fork server starts before Dask is imported, with the workers' environment; Dask does not start a
    second one, and a second cluster of the same process forks from the same server."""
    pytest.importorskip("dask.distributed", reason="sweeps on Dask need pip install 'neuronlab[distributed]'")
    import psutil

    from neuronlab.train.sweep import WORKER_ENVIRON, start_local_cluster

    servers = []
    for _ in range(2):
        client = start_local_cluster(1)
        try:
            ((parent, blas_threads),) = client.run(_worker_process).values()
            (server,) = [p for p in psutil.Process().children() if "forkserver" in " ".join(p.cmdline())]
            assert parent == server.pid and blas_threads == "1"
            assert server.num_threads() == 1
            environ = server.environ()
            for name, value in WORKER_ENVIRON.items():
                assert environ[name] == os.environ.get(name, value) == os.environ[name]
            servers.append(server.pid)
        finally:
            cluster = client.cluster
            client.close()
            cluster.close()
    assert servers[0] == servers[1]


def _read_lines(stream, lines: queue.Queue):
    for line in iter(stream.readline, ""):
        lines.put(line)


def _start(args, env):
    return subprocess.Popen(
        [sys.executable, "-m", *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env
    )


def test_a_scheduler_and_two_workers_in_separate_processes_give_the_same_table(local_cluster_sweep, tmp_path):
    folder, _, _ = local_cluster_sweep
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    processes = []
    try:
        scheduler = _start(
            ["distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard"], env
        )
        processes.append(scheduler)
        lines = queue.Queue()
        threading.Thread(target=_read_lines, args=(scheduler.stdout, lines), daemon=True).start()
        address = None
        while address is None:
            line = lines.get(timeout=60)
            if "Scheduler at:" in line:
                address = line.split("Scheduler at:")[1].strip()
        assert address.startswith("tcp://127.0.0.1:")
        for _ in range(2):  # two workers, each its own process
            worker = _start(
                ["distributed.cli.dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard"], env
            )
            processes.append(worker)
            threading.Thread(target=_read_lines, args=(worker.stdout, queue.Queue()), daemon=True).start()
        from dask.distributed import Client

        with Client(address, timeout="60s") as client:
            client.wait_for_workers(2, timeout=120)
        result = CliRunner().invoke(
            cli,
            [
                "sweep",
                str(_write(tmp_path, GRID_FILE)),
                "--out",
                str(tmp_path / "remote"),
                "--scheduler",
                address,
                "--no-plots",
            ],
        )
        assert result.exit_code == 0, result.output
        assert metrics_of(read_table(tmp_path / "remote")) == metrics_of(read_table(folder))
        assert "best: trial-000-" in result.output or "best: trial-001-" in result.output
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _write(folder, text):
    path = folder / "sweep.toml"
    path.write_text(text)
    return path


def _hide_dask(monkeypatch):
    for name in ("dask", "dask.distributed"):
        monkeypatch.setitem(sys.modules, name, None)


def test_resume_without_dask_reruns_only_the_missing_trials(local_cluster_sweep, tmp_path, monkeypatch):
    folder, _, _ = local_cluster_sweep
    partial = tmp_path / "partial"
    shutil.copytree(folder, partial)
    rows = read_table(partial)
    with open(partial / "sweep.csv", "w", newline="") as handle:  # killed after the first two trials were
        writer = csv.DictWriter(handle, list(rows[0]))  # recorded; trial 1 had finished its run
        writer.writeheader()
        writer.writerows([rows[0], rows[2]])
    kept = (partial / rows[0]["run_dir"] / "model.safetensors").stat().st_mtime_ns
    finished = (partial / rows[1]["run_dir"] / "model.safetensors").stat().st_mtime_ns
    _hide_dask(monkeypatch)
    messages = []
    result = run_sweep(
        parse_sweep(_toml(GRID_FILE)), partial, workers=1, progress=False, plots=False, log=messages.append
    )
    assert messages[0] == f"sweep: 4 trials (2 already recorded), 2 to run; folder {partial}"
    assert "dask.distributed is not installed" in messages[1] and "pip install 'neuronlab[distributed]'" in messages[1]
    assert metrics_of(read_table(partial)) == metrics_of(rows)
    assert (partial / rows[0]["run_dir"] / "model.safetensors").stat().st_mtime_ns == kept
    assert (partial / rows[1]["run_dir"] / "model.safetensors").stat().st_mtime_ns == finished  # read back
    assert len(result.rows) == 4


def test_an_interrupted_trial_continues_from_its_last_epoch(tmp_path, monkeypatch):
    from neuronlab.train.trainer import Trainer

    settings = {**BASE, "epochs": 3, "lr": 0.05}
    fresh = run_trial(settings, str(tmp_path / "fresh"), plots=False)
    train_epoch = Trainer._train_epoch

    def interrupted_in_epoch_3(self, loader):
        if self.epoch == 3:
            raise KeyboardInterrupt
        return train_epoch(self, loader)

    monkeypatch.setattr(Trainer, "_train_epoch", interrupted_in_epoch_3)
    with pytest.raises(KeyboardInterrupt):  # Ctrl-C is not a failed trial: it stops the sweep
        run_trial(settings, str(tmp_path / "stopped"), plots=False)
    monkeypatch.undo()
    assert (tmp_path / "stopped" / "last.safetensors").is_file()
    resumed = run_trial(settings, str(tmp_path / "stopped"), plots=False)
    assert {k: v for k, v in resumed.items() if k != "wall_s"} == {k: v for k, v in fresh.items() if k != "wall_s"}


def test_scheduler_needs_dask(monkeypatch, tmp_path):
    _hide_dask(monkeypatch)
    result = CliRunner().invoke(
        cli,
        ["sweep", str(_write(tmp_path, GRID_FILE)), "--out", str(tmp_path / "o"), "--scheduler", "tcp://127.0.0.1:1"],
    )
    assert result.exit_code == 2 and "pip install 'neuronlab[distributed]'" in result.output
    assert "Traceback" not in result.output


def test_bad_sweep_file_on_the_command_line(tmp_path):
    result = CliRunner().invoke(cli, ["sweep", str(_write(tmp_path, "[grid]\nlr = []\n"))])
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "[grid] lr = []: expected a non-empty list" in errors[0]


class _WorkerDiesOnTrial1:
    """An executor whose worker dies while running trial 1 (``dies=True``); the trials run here."""

    def __init__(self, dies):
        self.dies, self.calls, self.priorities = dies, [], []

    def submit(self, fn, settings, run_dir, plots, priority=0):
        from concurrent.futures import Future

        future = Future()
        self.calls.append(Path(run_dir).name)
        self.priorities.append(priority)
        if self.dies and Path(run_dir).name.startswith("trial-001"):
            future.set_exception(RuntimeError("worker tcp://10.0.0.7:4000 died"))
        else:
            future.set_result(fn(settings, run_dir, plots))
        return future

    def as_completed(self, futures):
        return iter(futures)

    def close(self, cancel=False):
        pass


def test_a_trial_lost_with_its_worker_is_rerun_on_resume(tmp_path, monkeypatch):
    import neuronlab.train.sweep as sweep_module

    executors = []
    monkeypatch.setattr(
        sweep_module,
        "_executor",
        lambda *args: executors.append(_WorkerDiesOnTrial1(dies=not executors)) or executors[-1],
    )
    sweep = parse_sweep({"train": BASE, "grid": {"lr": [0.05, 0.1, -1.0]}})
    run_sweep(sweep, tmp_path, progress=False, plots=False, log=None)
    assert [r["status"] for r in read_table(tmp_path)] == ["ok", "lost", "failed"]
    assert read_table(tmp_path)[1]["error"] == "RuntimeError: worker tcp://10.0.0.7:4000 died"
    result = run_sweep(sweep, tmp_path, progress=False, plots=False, log=None)
    assert [c[:9] for c in executors[1].calls] == ["trial-001"]  # only the lost trial runs again
    assert [r["status"] for r in result.rows] == ["ok", "ok", "failed"] and result.rows[1]["error"] == ""


def test_trials_start_longest_first(tmp_path, monkeypatch):
    """Submitted by estimated cost, epochs x hidden weights, highest first (and with that Dask priority), so
    the last trial to start is a short one and the workers finish together."""
    from neuronlab.train import sweep as module

    assert module.trial_cost({**BASE, "epochs": 3, "hidden": "32,16"}) == 3 * (32 * 16 + 32 + 16)
    assert module.trial_cost({**BASE, "epochs": 2, "hidden": [8]}) == 2 * (8 + 8)
    assert module.trial_cost({**BASE, "epochs": 2, "hidden": "none"}) == 2
    executors = []
    monkeypatch.setattr(
        module, "_executor", lambda *args: executors.append(_WorkerDiesOnTrial1(dies=False)) or executors[-1]
    )
    sweep = parse_sweep({"train": {**BASE, "epochs": 2}, "grid": {"hidden": ["4", "8,8", "16"], "epochs": [1, 2]}})
    result = run_sweep(sweep, tmp_path, progress=False, plots=False, log=None)
    # costs by trial: 4: 8 and 16; 8,8: 80 and 160; 16: 32 and 64
    assert [c[:9] for c in executors[0].calls] == [f"trial-00{i}" for i in (3, 2, 5, 4, 1, 0)]
    assert executors[0].priorities == [160, 80, 64, 32, 16, 8]
    assert [r["trial"] for r in result.rows] == ["0", "1", "2", "3", "4", "5"]  # the table keeps the sweep's order


def test_ctrl_c_stops_the_sweep_and_the_same_command_continues_it(tmp_path):
    """A real interruption: SIGINT to ``neuronlab sweep`` once a trial is recorded, then the same command."""
    pytest.importorskip("dask.distributed", reason="sweeps on Dask need pip install 'neuronlab[distributed]'")
    import signal
    import time

    spec = _write(
        tmp_path,
        '[train]\ndataset = "iris"\nepochs = 400\nhidden = "8"\nearly_stopping = 0\n'
        "[grid]\nlr = [0.01, 0.02, 0.03, 0.04]\n",
    )
    out = tmp_path / "out"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    command = [sys.executable, "-m", "neuronlab", "sweep", str(spec), "--out", str(out), "--workers", "1", "--no-plots"]
    process = subprocess.Popen(
        command, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    try:
        deadline = time.monotonic() + 180
        while not ((out / "sweep.csv").is_file() and len(read_table(out)) >= 1) and process.poll() is None:
            assert time.monotonic() < deadline, "no trial finished in 180 s"
            time.sleep(0.2)
        process.send_signal(signal.SIGINT)
        output, _ = process.communicate(timeout=60)
    finally:
        if process.poll() is None:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
    if process.returncode == 0 or "4 trials, 0 failed" in output:
        pytest.skip("the sweep finished before the interruption arrived")
    assert process.returncode == 130 and "rerun the same command to continue" in output, output
    before = {row["run_dir"]: row for row in read_table(out)}
    if len(before) == 4:
        pytest.skip("every trial was recorded before the interruption arrived")
    assert len(before) >= 1
    result = CliRunner().invoke(cli, command[3:])
    assert result.exit_code == 0, result.output
    assert f"sweep: 4 trials ({len(before)} already recorded), {4 - len(before)} to run" in result.output
    after = read_table(out)
    assert [row["status"] for row in after] == ["ok"] * 4
    for row in after:
        if row["run_dir"] in before:
            assert row == before[row["run_dir"]]  # kept as recorded, not run again
    settings = {"dataset": "iris", "epochs": 400, "hidden": "8", "early_stopping": 0, "lr": float(after[3]["lr"])}
    assert repr(run_trial(settings, str(tmp_path / "here"), plots=False)["val_loss"]) == after[3]["val_loss"]


def test_workers_and_scheduler_exclude_each_other(tmp_path):
    result = CliRunner().invoke(
        cli, ["sweep", str(_write(tmp_path, GRID_FILE)), "--workers", "2", "--scheduler", "tcp://127.0.0.1:8786"]
    )
    assert result.exit_code == 2 and "with --scheduler the cluster's own workers run the trials" in result.output
