"""Hyperparameter sweeps (notes 004's recipe is a search over learning rates, widths, regularization and
initializations compared on validation data): many ordinary training runs, run in parallel on Dask.

A sweep file (TOML) holds the base settings and what to vary::

    [train]                 # any `neuronlab train` setting (the base of every trial)
    dataset = "digits"
    epochs = 30
    [grid]                  # every combination of these lists
    lr = [0.001, 0.01]
    hidden = ["64", "128,64"]
    [random]                # optional: random draws, `trials` of them for every grid combination
    trials = 8
    seed = 0
    weight_decay = { loguniform = [1e-5, 1e-2] }
    dropout = { uniform = [0.0, 0.5] }
    activation = { choice = ["relu", "tanh"] }

Each trial is a :func:`~neuronlab.train.run.train_run` into its own run folder ``trial-<index>-<hash>``
under the sweep folder (the hash is of the trial's settings, so a changed sweep file never reuses a folder
of other settings). ``sweep.csv`` (one row per trial: parameters, validation and test metrics, wall time,
status, error) is rewritten atomically as each trial finishes. Rerunning the sweep resumes it: recorded
trials (status ``ok`` or ``failed``) are skipped, trials ``lost`` with their worker are rerun, a trial
whose run finished (``metrics.json``) is read back, an interrupted one continues from its
``last.safetensors``. A trial that fails (a bad value, a diverging run) is recorded with its error and the
others go on. At the end ``sweep.png`` plots the validation metric against every swept parameter
and marks the best trial.

Execution: ``dask.distributed`` (the extra ``pip install 'neuronlab[distributed]'``): a ``LocalCluster`` of
single-threaded worker processes, one per core by default, or an existing cluster by its scheduler address
(its workers must import neuronlab and see the sweep folder, e.g. on a shared file system). Without Dask
the trials run in local processes (``concurrent.futures``). Every trial pins BLAS to one thread, so trials
do not compete for cores and their numbers do not depend on where they ran.
"""

from __future__ import annotations

import csv
import hashlib
import io
import itertools
import json
import math
import os
import sys
import time
from dataclasses import dataclass, field, fields
from pathlib import Path

import numpy as np

from neuronlab.io import atomic
from neuronlab.train.run import ConfigError, RunConfig, train_run
from neuronlab.train.run_folder import RunFolder

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10: the same parser, packaged as tomli
    import tomli as tomllib

DISTRIBUTIONS = ("uniform", "loguniform", "choice")
CSV_NAME, FIGURE_NAME = "sweep.csv", "sweep.png"
INSTALL_HINT = "pip install 'neuronlab[distributed]'"


class SweepError(ValueError):
    """A sweep file that cannot be expanded into trials; the message names the file and the entry."""


# ---------------------------------------------------------------------------------------- the sweep file
@dataclass
class Sweep:
    """A parsed sweep file: ``base`` settings, ``grid`` lists, ``random`` distributions ({name: {kind: args}}),
    ``trials`` random draws per grid combination with the generator seeded by ``seed``."""

    base: dict
    grid: dict = field(default_factory=dict)
    random: dict = field(default_factory=dict)
    trials: int = 0
    seed: int = 0

    @property
    def parameters(self) -> list[str]:
        """The swept settings, grid first, in file order."""
        return [*self.grid, *self.random]

    def expand(self) -> list[dict]:
        """Every trial's full settings (base updated with its parameters): the grid's combinations in order,
        each with ``trials`` draws from the random distributions (one generator for the whole sweep)."""
        combinations = [dict(zip(self.grid, values)) for values in itertools.product(*self.grid.values())]
        if not self.random:
            return [{**self.base, **combo} for combo in combinations]
        rng = np.random.default_rng(self.seed)
        return [
            {**self.base, **combo, **{name: _draw(rng, spec) for name, spec in self.random.items()}}
            for combo in combinations
            for _ in range(self.trials)
        ]


def _draw(rng: np.random.Generator, spec: dict):
    ((kind, args),) = spec.items()
    if kind == "uniform":
        return float(rng.uniform(args[0], args[1]))
    if kind == "loguniform":
        return float(math.exp(rng.uniform(math.log(args[0]), math.log(args[1]))))
    return args[int(rng.integers(len(args)))]


def _setting_names() -> set[str]:

    return {f.name for f in fields(RunConfig)}


def parse_sweep(values: dict, where: str = "sweep") -> Sweep:
    """A :class:`Sweep` from the tables of a sweep file (``where`` names it in errors)."""
    unknown = set(values) - {"train", "grid", "random"}
    if unknown:
        raise SweepError(f"{where}: unknown table(s) {sorted(unknown)}; expected [train], [grid], [random]")
    tables = {name: values.get(name, {}) for name in ("train", "grid", "random")}
    for name, table in tables.items():
        if not isinstance(table, dict):
            raise SweepError(f"{where}: {name} must be a table ([{name}]), got {table!r}")
    settings = _setting_names()

    def setting(key: str, table: str) -> str:
        name = key.replace("-", "_")
        if name not in settings:
            raise SweepError(
                f"{where}: [{table}] {key}: not a training setting; expected some of: {', '.join(sorted(settings))}"
            )
        return name

    base = {setting(k, "train"): v for k, v in tables["train"].items()}
    grid = {}
    for key, value in tables["grid"].items():
        if not isinstance(value, list) or not value:
            raise SweepError(f"{where}: [grid] {key} = {value!r}: expected a non-empty list of values")
        grid[setting(key, "grid")] = value
    random = dict(tables["random"])
    trials, seed = random.pop("trials", None), random.pop("seed", 0)
    distributions = {}
    for key, spec in random.items():
        name = setting(key, "random")
        if name in grid:
            raise SweepError(f"{where}: {key} is in both [grid] and [random]; vary it in one of them")
        distributions[name] = _check_distribution(spec, f"{where}: [random] {key}")
    if distributions and (isinstance(trials, bool) or not isinstance(trials, int) or trials < 1):
        raise SweepError(
            f"{where}: [random] needs trials = N (a positive integer, the draws per grid combination), got {trials!r}"
        )
    if isinstance(seed, bool) or not isinstance(seed, int) or seed < 0:
        raise SweepError(f"{where}: [random] seed = {seed!r}: expected a non-negative integer")
    if not grid and not distributions:
        raise SweepError(f"{where}: nothing to vary; give lists in [grid] or distributions in [random]")
    return Sweep(base=base, grid=grid, random=distributions, trials=trials or 0, seed=seed)


def _check_distribution(spec, where: str) -> dict:
    if not isinstance(spec, dict) or len(spec) != 1 or next(iter(spec)) not in DISTRIBUTIONS:
        raise SweepError(
            f"{where} = {spec!r}: expected one of {{ uniform = [low, high] }}, "
            "{ loguniform = [low, high] }, { choice = [values] }"
        )
    ((kind, args),) = spec.items()
    if kind == "choice":
        if not isinstance(args, list) or not args:
            raise SweepError(f"{where}: choice needs a non-empty list of values, got {args!r}")
        return spec
    numbers = (
        isinstance(args, list)
        and len(args) == 2
        and all(isinstance(a, (int, float)) and not isinstance(a, bool) and math.isfinite(a) for a in args)
    )
    if not numbers or not args[0] < args[1] or (kind == "loguniform" and args[0] <= 0):
        lower = "0 < low < high" if kind == "loguniform" else "low < high"
        raise SweepError(f"{where}: {kind} needs [low, high] with {lower}, got {args!r}")
    return spec


def load_sweep(path) -> Sweep:
    """Read and check a sweep file; ``csv:PATH`` datasets and ``data_dir`` are relative to its folder."""
    path = Path(path)
    try:
        values = tomllib.loads(path.read_text())
    except OSError as error:
        raise SweepError(f"cannot read {path}: {error.strerror or error}") from None
    except tomllib.TOMLDecodeError as error:
        raise SweepError(f"{path} is not valid TOML: {error}") from None
    sweep = parse_sweep(values, str(path))
    folder = path.absolute().parent
    for table in (sweep.base, sweep.grid):
        for key in ("dataset", "data_dir"):
            if key in table:
                table[key] = (
                    _anchored(key, table[key], folder)
                    if table is sweep.base
                    else [_anchored(key, v, folder) for v in table[key]]
                )
    return sweep


def _anchored(key: str, value, folder: Path):
    if not isinstance(value, str):
        return value
    if key == "dataset" and value.startswith("csv:") and value[4:]:
        return "csv:" + str(folder / value[4:])
    return str(folder / value) if key == "data_dir" else value


# ---------------------------------------------------------------------------------------- one trial
def run_config(settings: dict):
    """A ``RunConfig`` from sweep settings (TOML values: ``hidden`` as ``[128, 64]`` or ``"128,64"``,
    ``task = "auto"``)."""

    values = dict(settings)
    hidden = values.get("hidden")
    if isinstance(hidden, str):
        text = hidden.strip()
        try:
            values["hidden"] = tuple(int(h) for h in text.split(",")) if text.lower() not in ("", "none") else ()
        except ValueError:
            raise ConfigError(
                "hidden", f"expected comma-separated positive integers such as '128,64', got {hidden!r}"
            ) from None
    elif isinstance(hidden, int) and not isinstance(hidden, bool):
        values["hidden"] = (hidden,)
    if values.get("task") == "auto":
        values["task"] = None
    return RunConfig(**values)


def trial_name(index: int, parameters: dict) -> str:
    """``trial-<index>-<hash of the trial's settings>``."""
    digest = hashlib.sha1(json.dumps(parameters, sort_keys=True, default=str).encode()).hexdigest()[:8]
    return f"trial-{index:03d}-{digest}"


def _flat_metrics(metrics: dict) -> dict:
    row = {}
    for part in ("val", "test"):
        for key, value in metrics.get(part, {}).items():
            if isinstance(value, (int, float)):
                row[f"{part}_{key}"] = value
    row["epochs_run"], row["best_epoch"] = metrics["epochs_run"], metrics["best_epoch"]
    return row


def run_trial(settings: dict, run_dir: str, plots: bool = True) -> dict:
    """Train one trial into ``run_dir`` (continuing its interrupted run, or reading its finished one) and
    return ``{"status": "ok", metrics...}`` or ``{"status": "failed", "error": ...}``; never raises for a
    failing run. BLAS is pinned to one thread. This is what a worker executes."""
    from threadpoolctl import threadpool_limits

    start = time.perf_counter()
    folder = RunFolder(run_dir)
    try:
        state = folder.state
        if state == "complete":
            metrics = json.loads((folder / RunFolder.METRICS).read_text())
        else:
            config = run_config(settings)
            with threadpool_limits(limits=1, user_api="blas"):
                metrics = train_run(
                    config,
                    folder.path,
                    resume=state == "resumable",
                    overwrite=True,
                    progress=False,
                    plots=plots,
                    log=None,
                ).metrics
        return {"status": "ok", **_flat_metrics(metrics), "wall_s": time.perf_counter() - start}
    except Exception as error:  # noqa: BLE001  (any failure of a trial is its result; the sweep goes on)
        message = " ".join(str(error).split()) or type(error).__name__
        return {
            "status": "failed",
            "error": f"{type(error).__name__}: {message}",
            "wall_s": time.perf_counter() - start,
        }


# ---------------------------------------------------------------------------------------- executors
class _LocalProcesses:
    """``concurrent.futures`` processes (spawned, so no state is shared with the parent) when Dask is absent."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.pool = ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn"))

    def submit(self, fn, *args, priority: float = 0):
        return self.pool.submit(fn, *args)

    def as_completed(self, futures):
        from concurrent.futures import as_completed

        return as_completed(futures)

    def close(self, cancel: bool = False) -> None:
        self.pool.shutdown(wait=not cancel, cancel_futures=cancel)


def trial_modules() -> list[str]:
    """What a trial imports on its first use: the training stack, threadpoolctl, SciPy's graph solver (the
    stratified split) and Numba (the compiled kernels, when installed)."""
    from neuronlab import backend

    names = ["neuronlab.train.sweep", "neuronlab.train.run", "threadpoolctl", "scipy.sparse.csgraph"]
    return names + ["numba"] if backend.available() else names


def warm_up() -> None:
    """Import :func:`trial_modules`. Run on every worker when a sweep starts, so that a worker's first trial
    costs about what its others do and the start-up shows as start-up; it adds no work (a trial would import
    the same). On a LocalCluster the workers are forked with these modules already imported, so it only
    checks that every worker answers."""
    import importlib

    for name in trial_modules():
        importlib.import_module(name)


#: The environment a sweep's LocalCluster workers start with (Dask's ``distributed.nanny.pre-spawn-environ``
#: defaults: one BLAS and OpenMP thread, glibc's trim threshold, a fixed hash seed), values already set in
#: ``os.environ`` taking precedence as in Dask. It must be set when the fork server starts (BLAS reads it
#: when NumPy is imported, Python its hash seed at start-up), before Dask is imported to read it.
WORKER_ENVIRON = {
    "MALLOC_TRIM_THRESHOLD_": "65536",
    "OMP_NUM_THREADS": "1",
    "MKL_NUM_THREADS": "1",
    "OPENBLAS_NUM_THREADS": "1",
    "PYTHONHASHSEED": "6640",
}

#: Dask settings of a sweep's LocalCluster: workers forked from a fork server (below) with
#: :data:`WORKER_ENVIRON`; no statistical profiler (it samples the running trial every 10 ms); the
#: event-loop health check (every 20 ms), the system monitor (every 0.5 s) and the nanny's memory check
#: (every 0.1 s) once a second or two. Each of these wakes a worker's event loop, which then takes the GIL
#: from the trial: together they cost an idle worker 1.5% of a core and the scheduler's process 3.5%, and
#: 0.3% and 0.7% so.
LOCAL_CLUSTER_CONFIG = {
    "distributed.worker.multiprocessing-method": "forkserver",
    "distributed.nanny.pre-spawn-environ": WORKER_ENVIRON,
    "distributed.worker.profile.enabled": False,
    "distributed.admin.tick.interval": "1s",
    "distributed.admin.system-monitor.interval": "2s",
    "distributed.worker.memory.monitor-interval": "1s",
}


def fork_server_modules() -> list[str]:
    """What the fork server imports for the workers forked from it: Dask's worker and :func:`trial_modules`."""
    return ["distributed", *trial_modules()]


def start_fork_server() -> None:
    """Start the ``multiprocessing`` fork server that a sweep's LocalCluster forks its workers from, with
    :data:`WORKER_ENVIRON` (set in this process's environment, as Dask's nanny does before it starts a
    worker) and :func:`fork_server_modules` to import, and return at once: its imports run while this
    process imports Dask and starts the scheduler. Nothing happens when it already runs."""
    import multiprocessing
    from multiprocessing import forkserver

    os.environ.update({name: os.environ.get(name, value) for name, value in WORKER_ENVIRON.items()})
    multiprocessing.get_context("forkserver").set_forkserver_preload(fork_server_modules())
    forkserver.ensure_running()


def start_local_cluster(workers: int):
    """A ``dask.distributed.Client`` of a new LocalCluster (``client.cluster``): ``workers`` worker processes
    with one thread each, no dashboard, quiet logs, every worker warmed up (:func:`warm_up`), and Dask's
    periodic checks slowed down (:data:`LOCAL_CLUSTER_CONFIG`).

    The worker processes are forked from a ``multiprocessing`` fork server that has imported
    :func:`fork_server_modules` once (instead of each worker starting a new interpreter that imports them),
    started first (:func:`start_fork_server`) so that its imports overlap this process's own start-up. The
    fork server is a fresh single-threaded interpreter (BLAS limited to one thread by
    :data:`WORKER_ENVIRON`, Numba imported but no kernel run), so forking it is safe. It lives as long as
    this process, so later clusters of the same process start faster still."""
    start_fork_server()
    import logging

    import dask
    from dask.distributed import Client, LocalCluster
    from distributed.utils import get_mp_context

    with dask.config.set(LOCAL_CLUSTER_CONFIG):
        # Dask sets its own preload list on its first call (the running server keeps its imports); keep ours
        # for a server that has to be started again
        get_mp_context().set_forkserver_preload(fork_server_modules())
        cluster = LocalCluster(
            n_workers=workers,
            threads_per_worker=1,
            processes=True,
            dashboard_address=None,
            silence_logs=logging.ERROR,
        )
        client = Client(cluster)
    client.run(warm_up)
    return client


def trial_cost(settings: dict) -> float:
    """A trial's estimated relative cost, to start the longest trials first: ``epochs`` times the weights
    of its hidden layers, ``h1 + h1 h2 + ... + hL`` (the input and output widths are the sweep's, so the
    same for every trial and left out)."""
    try:
        config = run_config(settings)
    except Exception:  # noqa: BLE001  (a bad trial fails when it runs; its order does not matter)
        return 0.0
    widths = config.hidden
    weights = sum(a * b for a, b in zip(widths, widths[1:])) + (widths[0] + widths[-1] if widths else 1)
    return float(config.epochs * weights)


class _Dask:
    """A ``dask.distributed`` client: of a new LocalCluster, of the cluster at ``scheduler``, or given."""

    def __init__(self, workers: int | None = None, scheduler: str | None = None, client=None) -> None:
        if client is not None:
            self.client, self.owned = client, False
            return
        if scheduler is not None:
            from dask.distributed import Client

            self.client = Client(scheduler, timeout="30s")
            self.client.run(warm_up)
        else:
            self.client = start_local_cluster(workers or os.cpu_count() or 1)
        self.owned = True

    def submit(self, fn, *args, priority: float = 0):
        return self.client.submit(fn, *args, pure=False, priority=priority)

    def as_completed(self, futures):
        from dask.distributed import as_completed

        return as_completed(futures)

    def close(self, cancel: bool = False) -> None:
        if not self.owned:
            return
        cluster = self.client.cluster
        self.client.close()
        if cluster is not None:
            cluster.close()


def dask_available() -> bool:
    """Whether ``dask.distributed`` is installed (found, not imported: a LocalCluster starts its fork server
    before importing Dask)."""
    import importlib.util

    return all(importlib.util.find_spec(name) is not None for name in ("dask", "distributed"))


def _executor(workers, scheduler, client, say):
    if client is not None or scheduler is not None or dask_available():
        if not dask_available():
            raise ImportError(f"--scheduler needs dask.distributed: {INSTALL_HINT}")
        return _Dask(workers, scheduler, client)
    say(
        f"dask.distributed is not installed: running the trials in {workers} local processes "
        f"({INSTALL_HINT} to run them on a Dask cluster)"
    )
    return _LocalProcesses(workers)


# ---------------------------------------------------------------------------------------- the table
def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, (list, tuple)):
        return ",".join(str(v) for v in value)
    return str(value)


def _read_table(path: Path) -> dict[str, dict]:
    """The rows of an earlier ``sweep.csv`` by run folder name (empty when there is none)."""
    if not path.is_file():
        return {}
    with path.open(newline="") as handle:
        return {row["run_dir"]: row for row in csv.DictReader(handle) if row.get("run_dir")}


def _write_table(path: Path, rows: list[dict], parameters: list[str]) -> None:
    metrics = sorted(
        {key for row in rows for key in row} - {"trial", "status", "run_dir", "error", "wall_s", *parameters}
    )
    header = ["trial", "status", *parameters, *metrics, "wall_s", "run_dir", "error"]
    text = io.StringIO()
    writer = csv.DictWriter(text, header, lineterminator="\n", extrasaction="ignore")
    writer.writeheader()
    for row in sorted(rows, key=lambda r: int(r["trial"])):
        writer.writerow({key: row[key] if isinstance(row.get(key), str) else _cell(row.get(key)) for key in header})
    atomic.write_text(path, text.getvalue())


# ---------------------------------------------------------------------------------------- the sweep
@dataclass
class SweepResult:
    """The sweep folder, every trial's row (as in ``sweep.csv``), the metric compared, the best row, the
    files written, and where the time went: ``timings`` in seconds, ``start_s`` (the executor: a
    LocalCluster's processes and their warm-up), ``trials_s`` (submitting to the last result), ``close_s``."""

    out: Path
    rows: list[dict]
    metric: str | None
    best: dict | None
    files: list[Path]
    timings: dict = field(default_factory=dict)


def _choose_metric(rows: list[dict]) -> tuple[str | None, bool]:
    """The validation metric (``val_accuracy`` or ``val_r2``, higher is better; else ``val_loss`` or
    ``val_mse``, lower is better) that the finished rows have; the test split's when there is no validation."""
    finished = [row for row in rows if row["status"] == "ok"]
    for name, higher in (
        ("val_accuracy", True),
        ("val_r2", True),
        ("val_loss", False),
        ("val_mse", False),
        ("test_accuracy", True),
        ("test_r2", True),
    ):
        if finished and all(row.get(name) not in (None, "") for row in finished):
            return name, higher
    return None, True


def run_sweep(
    sweep: Sweep,
    out,
    *,
    workers: int | None = None,
    scheduler: str | None = None,
    client=None,
    plots: bool = True,
    progress: bool = True,
    log=print,
    source_text: str | None = None,
) -> SweepResult:
    """Run every trial of ``sweep`` not yet recorded in ``out/sweep.csv`` and return the :class:`SweepResult`.

    ``workers``: processes of the LocalCluster (or of the local fallback without Dask; default: one per
    core); ``scheduler``: the address of an existing Dask scheduler; ``client``: an existing
    ``dask.distributed.Client`` (used, not closed). ``plots``: each trial's curves and the sweep figure.
    ``source_text``: the sweep file's text, kept as ``out/sweep.toml``. ``log`` gets one line per finished
    trial (None: silent). Ctrl-C cancels the running trials and re-raises; the table keeps every finished one.
    """
    say = log or (lambda message: None)
    out = Path(out)
    trials = sweep.expand()
    parameters = sweep.parameters
    names = [trial_name(i, settings) for i, settings in enumerate(trials)]
    earlier = _read_table(out / CSV_NAME)
    rows = {}
    for name in names:
        if name in earlier and earlier[name].get("status") in ("ok", "failed"):
            rows[name] = earlier[name]
    todo = [i for i, name in enumerate(names) if name not in rows]
    if source_text is not None:
        atomic.write_text(out / "sweep.toml", source_text)
    say(f"sweep: {len(trials)} trials ({len(rows)} already recorded), {len(todo)} to run; folder {out}")
    timings = {"start_s": 0.0, "trials_s": 0.0, "close_s": 0.0}
    if todo:
        workers = workers or os.cpu_count() or 1
        clock = time.perf_counter()
        executor = _executor(workers, scheduler, client, say)
        timings["start_s"] = time.perf_counter() - clock
        bar = None
        if progress:
            from tqdm.auto import tqdm

            bar = tqdm(total=len(trials), initial=len(rows), desc="sweep", unit="trial", file=sys.stderr)
        cancel = True
        clock = time.perf_counter()
        try:
            order = sorted(todo, key=lambda i: -trial_cost(trials[i]))  # longest first: the last trial is short
            futures = {
                executor.submit(run_trial, trials[i], str(out / names[i]), plots, priority=trial_cost(trials[i])): i
                for i in order
            }
            for future in executor.as_completed(list(futures)):
                i = futures[future]
                try:
                    result = future.result()
                except Exception as error:  # noqa: BLE001  (the worker died, not the run: rerun on resume)
                    result = {"status": "lost", "error": f"{type(error).__name__}: {error}"}
                rows[names[i]] = {"trial": i, **{p: trials[i][p] for p in parameters}, **result, "run_dir": names[i]}
                _write_table(out / CSV_NAME, list(rows.values()), parameters)
                state = "ok" if result["status"] == "ok" else f"{result['status']} ({result['error']})"
                message = f"{names[i]} " + " ".join(f"{p}={_cell(trials[i][p])}" for p in parameters) + f": {state}"
                if bar is not None:
                    bar.write(message, file=sys.stderr)
                    bar.update(1)
                else:
                    say(message)
            cancel = False
        finally:
            if bar is not None:
                bar.close()
            timings["trials_s"] = time.perf_counter() - clock
            executor.close(cancel=cancel)
            timings["close_s"] = time.perf_counter() - clock - timings["trials_s"]
    table = list(rows.values())
    _write_table(out / CSV_NAME, table, parameters)
    table = list(_read_table(out / CSV_NAME).values())
    metric, higher = _choose_metric(table)
    best = None
    if metric is not None:
        finished = [row for row in table if row["status"] == "ok"]
        best = (max if higher else min)(finished, key=lambda row: float(row[metric]))
    files = [out / CSV_NAME]
    if plots and metric is not None:
        files.append(plot_sweep(table, parameters, metric, best, out / FIGURE_NAME))
    return SweepResult(
        out=out,
        rows=sorted(table, key=lambda r: int(r["trial"])),
        metric=metric,
        best=best,
        files=files,
        timings=timings,
    )


def _as_number(value: str):
    try:
        return float(value)
    except ValueError:
        return None


def plot_sweep(rows: list[dict], parameters: list[str], metric: str, best: dict | None, path) -> Path:
    """One panel per swept parameter: ``metric`` of every finished trial against the parameter's value
    (a log axis when the values span a factor 10 or more, categories as labels), the best trial marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    finished = [row for row in rows if row["status"] == "ok"]
    fig, axes = plt.subplots(1, len(parameters), figsize=(4 * len(parameters), 3.4), squeeze=False, sharey=True)
    for ax, name in zip(axes[0], parameters):
        values = [row[name] for row in finished]
        numbers = [_as_number(v) for v in values]
        if numbers and all(n is not None for n in numbers):
            xs = numbers
            positive = [n for n in numbers if n > 0]
            if len(positive) == len(numbers) and max(positive) / min(positive) >= 10:
                ax.set_xscale("log")
            distinct = sorted(set(numbers))
            if len(distinct) <= 6:  # grid values: label exactly those
                ax.set_xticks(distinct, [f"{v:g}" for v in distinct])
                ax.minorticks_off()
        else:
            labels = list(dict.fromkeys(values))  # in the sweep's order
            xs = [labels.index(v) for v in values]
            ax.set_xticks(range(len(labels)), labels)
            ax.set_xlim(-0.5, len(labels) - 0.5)
        ys = [float(row[metric]) for row in finished]
        ax.scatter(xs, ys, color="tab:blue", alpha=0.7)
        if best is not None:
            ax.scatter(
                [xs[finished.index(best)]],
                [float(best[metric])],
                color="tab:red",
                marker="*",
                s=160,
                label=f"best: trial {best['trial']}",
            )
        ax.set_xlabel(name)
    axes[0][0].set_ylabel(metric)
    if best is not None:
        axes[0][0].legend(loc="best", fontsize=8)
    fig.suptitle(f"sweep: {metric} of {len(finished)} trials")
    fig.tight_layout()
    try:
        return atomic.save_figure(fig, path, dpi=110)
    finally:
        plt.close(fig)
