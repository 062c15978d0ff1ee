"""``neuronlab sweep SWEEP.toml``: run a hyperparameter sweep on Dask (see ``neuronlab.train.sweep``)."""

from __future__ import annotations

from pathlib import Path

import click

from neuronlab.cli.errors import user_errors


@click.command("sweep")
@click.argument("sweep_file", metavar="SWEEP.toml", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Sweep folder [default: sweeps/<name of SWEEP.toml>]; rerun with the same folder to resume.",
)
@click.option(
    "--workers",
    type=click.IntRange(1),
    default=None,
    help="Worker processes of the local cluster, one single-threaded trial each [default: one per core].",
)
@click.option(
    "--scheduler",
    metavar="ADDRESS",
    help="Run on the existing Dask cluster whose scheduler is at ADDRESS (tcp://HOST:PORT); its workers "
    "must see the sweep folder.",
)
@click.option(
    "--plots/--no-plots",
    default=True,
    show_default=True,
    help="Write each trial's curves and the sweep figure sweep.png.",
)
@click.pass_context
def sweep(ctx, sweep_file, out, workers, scheduler, plots):
    """Train one run per trial of SWEEP.toml ([train] base settings, [grid] lists, [random] distributions
    with trials and seed), each in its own run folder under the sweep folder, on a Dask LocalCluster (or
    local processes without `pip install 'neuronlab[distributed]'`). sweep.csv is rewritten after every
    trial; Ctrl-C stops, and the same command resumes where it stopped."""
    from neuronlab.train.sweep import SweepError, load_sweep, run_sweep

    if workers is not None and scheduler is not None:
        raise click.UsageError(
            "--workers sizes a local cluster; with --scheduler the cluster's own workers run the trials"
        )
    try:
        spec = load_sweep(sweep_file)
    except SweepError as error:
        raise click.BadParameter(str(error), param_hint="SWEEP.toml") from None
    out = out if out is not None else Path("sweeps") / sweep_file.stem
    with user_errors():
        try:
            result = run_sweep(
                spec,
                out,
                workers=workers,
                scheduler=scheduler,
                plots=plots,
                log=click.echo,
                source_text=sweep_file.read_text(),
            )
        except KeyboardInterrupt:
            click.echo(
                f"\ninterrupted: the finished trials are in {out / 'sweep.csv'}; rerun the same command to continue",
                err=True,
            )
            ctx.exit(130)
        except ImportError as error:
            raise click.UsageError(str(error)) from None
        except OSError as error:
            if error.filename is not None:
                raise
            raise click.BadParameter(f"cannot reach the scheduler: {error}", param_hint="--scheduler") from None
    failed = sum(row["status"] != "ok" for row in result.rows)
    click.echo(f"{len(result.rows)} trials, {failed} failed; table: {out / 'sweep.csv'}")
    if result.best is not None:
        best = result.best
        settings = ", ".join(f"{p}={best[p]}" for p in spec.parameters)
        tests = ", ".join(f"{k} {float(v):.4f}" for k, v in best.items() if k.startswith("test_") and v != "")
        click.echo(
            f"best: {best['run_dir']} ({result.metric} {float(best[result.metric]):.4f}): {settings}"
            + (f"; {tests}" if tests else "")
        )
    if plots and result.best is not None:
        click.echo(f"figure: {out / 'sweep.png'}")
