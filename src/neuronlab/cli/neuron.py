"""``neuronlab neuron ...``: simulate the notes' neuron models and write a PNG figure and CSV data.

Every option is checked before any work starts (finite numbers, seeds >= 0, a writable ``--out``); the models
check their own arguments and estimate the memory a run needs before allocating it. Each failure is one line on
stderr: exit code 2 for a bad option, 1 for a run that cannot be done (too large for the machine's memory, a
diverging integration, a folder that cannot be written).
"""

from __future__ import annotations

import io
import math
import os
from contextlib import contextmanager
from pathlib import Path

import click
import numpy as np

from neuronlab.io import atomic
from neuronlab.neurons import _validation as check

SEED = click.IntRange(0, 2**63 - 1)


class Finite(click.ParamType):
    """A finite float (NaN and infinities refused), optionally at least ``low``."""

    name = "number"

    def __init__(self, low: float | None = None) -> None:
        self.low = low

    def convert(self, value, param, ctx):
        try:
            number = float(value)
        except (TypeError, ValueError):
            self.fail(f"{value!r} is not a number", param, ctx)
        if not math.isfinite(number):
            self.fail(f"must be a finite number, got {value!r}", param, ctx)
        if self.low is not None and number < self.low:
            self.fail(f"must be >= {self.low:g}, got {number:g}", param, ctx)
        return number


NUMBER = Finite()


def _writable_folder(ctx, param, out: Path) -> Path:
    """Check that ``--out`` is, or can be created as, a folder we may write into (creating nothing yet)."""
    existing = out
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        raise click.BadParameter(f"{existing} is not a folder, so {out} cannot be created", param_hint="--out")
    if not os.access(existing, os.W_OK | os.X_OK):
        raise click.BadParameter(f"{existing} is not writable", param_hint="--out")
    return out


def _out_option(command: str):
    return click.option(
        "--out",
        type=click.Path(file_okay=False, path_type=Path),
        callback=_writable_folder,
        default=Path("runs") / f"neuron-{command}",
        show_default=True,
        help="Output folder for the PNG and CSV files.",
    )


@contextmanager
def _simulation_errors():
    """The models' refusals as one-line CLI errors: a bad value (exit 2); a run too large for the memory, a
    diverging integration or a file that cannot be written (exit 1)."""
    from neuronlab.neurons.hodgkin_huxley import SimulationDiverged

    try:
        yield
    except (ValueError, TypeError) as error:
        raise click.UsageError(str(error)) from None
    except (MemoryError, SimulationDiverged) as error:
        raise click.ClickException(str(error) or "not enough memory for this simulation") from None
    except OSError as error:
        where = f"{error.filename}: " if error.filename is not None else ""
        raise click.ClickException(f"{where}{error.strerror or error}") from None


def _floats(text: str, name: str) -> list[float]:
    try:
        values = [float(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=name) from None
    if not values:
        raise click.BadParameter("expected at least one number", param_hint=name)
    if not all(math.isfinite(value) for value in values):
        raise click.BadParameter(f"expected finite numbers, got {text!r}", param_hint=name)
    return values


def _save(fig, out: Path, name: str) -> Path:
    return atomic.save_figure(fig, out / f"{name}.png", dpi=110)


def _csv(out: Path, name: str, columns: dict[str, np.ndarray], fmt: str = "%.10g") -> Path:
    text = io.StringIO()
    np.savetxt(
        text,
        np.column_stack([np.asarray(c, dtype=float) for c in columns.values()]),
        delimiter=",",
        header=",".join(columns),
        comments="",
        fmt=fmt,
    )
    return atomic.write_text(out / f"{name}.csv", text.getvalue())


def _mean_rate(rates: np.ndarray) -> str:
    """A population's mean rate (Hz) for the summary line; "none" for an empty population."""
    return f"{rates.mean():.1f}" if rates.size else "none"


def _report(paths: list[Path]) -> None:
    click.echo("wrote " + ", ".join(str(p) for p in paths))


class _OneLineErrors(click.Command):
    """A command whose usage errors print as one line, ``Error: ...`` (exit code 2), without the usage text."""

    def parse_args(self, ctx, args):
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as error:
            error.ctx = None
            raise

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except click.UsageError as error:
            error.ctx = None
            raise


class _NeuronGroup(click.Group):
    command_class = _OneLineErrors


@click.group("neuron", cls=_NeuronGroup)
def neuron() -> None:
    """Neuron models (notes 003 §1): Hodgkin-Huxley, LIF, tuning curves, synapses, LIF networks."""


@neuron.command("hh")
@click.option("--current", type=NUMBER, default=10.0, show_default=True, help="Constant input current (uA/cm²).")
@click.option(
    "--sweep",
    type=str,
    default=None,
    help="Step-current schedule: comma-separated levels (uA/cm²), each held for an equal share of "
    "--t-end, e.g. --sweep=-10,0,3,6.5,10,20,40 (overrides --current).",
)
@click.option("--t-end", type=NUMBER, default=100.0, show_default=True, help="Simulated time (ms).")
@click.option("--dt", type=NUMBER, default=0.01, show_default=True, help="RK4 step (ms).")
@_out_option("hh")
def hh(current, sweep, t_end, dt, out):
    """Hodgkin-Huxley neuron: V(t) with spikes and the gates m, h, n."""
    from neuronlab.neurons import HodgkinHuxley
    from neuronlab.neurons.hodgkin_huxley import step_current
    from neuronlab.neurons.plotting import plot_hodgkin_huxley

    levels = None if sweep is None else _floats(sweep, "--sweep")
    if dt > HodgkinHuxley.max_dt * 1e3:
        raise click.BadParameter(
            f"dt = {dt:g} ms is larger than HodgkinHuxley.max_dt = {HodgkinHuxley.max_dt * 1e3:g} ms", param_hint="--dt"
        )
    with _simulation_errors():  # the model takes seconds; this command ms, like the notes' plots
        duration, step = t_end * 1e-3, dt * 1e-3
        drive = current if levels is None else step_current(levels, duration, step)
        result = HodgkinHuxley().simulate(drive, duration, step, record=[0])
        paths = [_save(plot_hodgkin_huxley(result), out, "hh")]
    held = np.broadcast_to(result.current[:, 0], result.t[:-1].shape)
    with _simulation_errors():
        paths.append(
            _csv(
                out,
                "hh",
                {
                    "t_ms": result.t * 1e3,
                    "current_uA_cm2": np.append(held, held[-1]),
                    "V_mV": result.V[:, 0],
                    "m": result.m[:, 0],
                    "h": result.h[:, 0],
                    "n": result.n[:, 0],
                    "spike": result.spikes[:, 0],
                },
            )
        )
    click.echo(
        f"Hodgkin-Huxley: {result.spike_counts[0]} spikes in {result.duration * 1e3:.6g} ms "
        f"({result.rates[0]:.1f} Hz), V in [{result.V.min():.1f}, {result.V.max():.1f}] mV"
    )
    _report(paths)


@neuron.command("lif")
@click.option("--input", "v_in", type=NUMBER, default=1.5, show_default=True, help="Constant input v_in.")
@click.option("--t-end", type=NUMBER, default=0.2, show_default=True, help="Simulated time (s).")
@click.option("--dt", type=NUMBER, default=1e-4, show_default=True, help="Step (s).")
@click.option("--tau-m", type=NUMBER, default=0.02, show_default=True, help="Membrane time constant (s).")
@click.option("--tau-ref", type=NUMBER, default=0.002, show_default=True, help="Refractory period (s).")
@_out_option("lif")
def lif(v_in, t_end, dt, tau_m, tau_ref, out):
    """Leaky integrate-and-fire neuron: v(t) with spike markers; rate vs the analytic G(v_in)."""
    from neuronlab.neurons import LIF, lif_rate
    from neuronlab.neurons.plotting import plot_lif

    with _simulation_errors():
        result = LIF(1, tau_m=tau_m, tau_ref=tau_ref).simulate(v_in, t_end, dt, record=[0])
        paths = [_save(plot_lif(result), out, "lif")]
        paths.append(_csv(out, "lif", {"t_s": result.t, "v": result.v[:, 0], "spike": result.spikes[:, 0]}))
        paths.append(_csv(out, "lif_spikes", {"spike_time_s": result.spike_times[0]}))
    click.echo(
        f"LIF v_in={v_in:g}: {result.spike_counts[0]} spikes in {result.duration:g} s; steady-state rate "
        f"{result.isi_rates()[0]:.3f} Hz, analytic G(v_in) = {lif_rate(v_in, tau_ref, tau_m):.3f} Hz"
    )
    _report(paths)


@neuron.command("tuning")
@click.option(
    "--tau-ref", type=str, default="0.002,0.005", show_default=True, help="Refractory periods (s), comma-separated."
)
@click.option(
    "--tau-m", type=str, default="0.02,0.05", show_default=True, help="Membrane time constants (s), comma-separated."
)
@click.option("--v-max", type=NUMBER, default=5.0, show_default=True, help="Largest input v_in.")
@click.option(
    "--points",
    type=click.IntRange(1, 10_000_000),
    default=41,
    show_default=True,
    help="Number of inputs in [0, v-max].",
)
@click.option("--t-end", type=NUMBER, default=1.0, show_default=True, help="Simulated time per neuron (s).")
@click.option("--dt", type=NUMBER, default=1e-3, show_default=True, help="Step (s).")
@_out_option("tuning")
def tuning(tau_ref, tau_m, v_max, points, t_end, dt, out):
    """LIF tuning curves: simulated rates vs the analytic G(v_in) for each tau_ref, tau_m pair."""
    from neuronlab.neurons import tuning_curve
    from neuronlab.neurons.plotting import plot_tuning_curves

    v_in = np.linspace(0.0, v_max, points)
    pairs = [(r, m) for r in _floats(tau_ref, "--tau-ref") for m in _floats(tau_m, "--tau-m")]
    with _simulation_errors():
        curves = [tuning_curve(v_in, tau_ref=r, tau_m=m, duration=t_end, dt=dt) for r, m in pairs]
        paths = [_save(plot_tuning_curves(curves), out, "tuning")]
    rows = {"tau_ref_s": [], "tau_m_s": [], "v_in": [], "simulated_hz": [], "analytic_hz": []}
    for curve in curves:
        rows["tau_ref_s"].append(np.full(curve.v_in.shape, curve.tau_ref))
        rows["tau_m_s"].append(np.full(curve.v_in.shape, curve.tau_m))
        rows["v_in"].append(curve.v_in)
        rows["simulated_hz"].append(curve.simulated)
        rows["analytic_hz"].append(curve.analytic)
    with _simulation_errors():
        paths.append(_csv(out, "tuning", {key: np.concatenate(value) for key, value in rows.items()}))
    worst = max(float(np.max(np.abs(c.simulated - c.analytic) / np.maximum(c.analytic, 1.0))) for c in curves)
    click.echo(f"{len(curves)} tuning curves at dt={dt:g} s: largest relative deviation from G(v_in) {worst:.2e}")
    _report(paths)


@neuron.command("synapse")
@click.option("--tau-s", type=NUMBER, default=0.01, show_default=True, help="Synaptic time constant (s).")
@click.option("--rate", type=Finite(low=0.0), default=20.0, show_default=True, help="Poisson spike-train rate (Hz).")
@click.option("--t-end", type=NUMBER, default=1.0, show_default=True, help="Length of the spike train (s).")
@click.option("--dt", type=NUMBER, default=1e-4, show_default=True, help="Grid step (s).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed of the spike train.")
@_out_option("synapse")
def synapse(tau_s, rate, t_end, dt, seed, out):
    """PSC kernels for n = 0, 1, 2 and a Poisson spike train filtered by them."""
    import neuronlab
    from neuronlab.neurons import filter_spikes, psc_kernel
    from neuronlab.neurons.plotting import plot_synapses
    from neuronlab.random import default_generator

    orders = (0, 1, 2)
    with _simulation_errors():
        check.positive("--t-end", t_end)
        check.positive("--tau-s", tau_s)
        steps = check.time_grid(t_end, dt) + 1
        expected = rate * t_end
        check.memory(
            f"a {rate:g} Hz spike train over {t_end:g} s filtered on {steps:,} grid points",
            {
                "the spike times": 32.0 * (expected + 10 * math.sqrt(expected)),
                "the filtered traces": 8.0 * 4 * len(orders) * steps,
            },
        )
        neuronlab.manual_seed(seed)
        rng = default_generator()
        spike_times = np.sort(rng.uniform(0.0, t_end, rng.poisson(expected)))
        t_kernel = np.linspace(0.0, 8 * tau_s, 400)
        kernels = {n: psc_kernel(t_kernel, tau_s, n) for n in orders}
        filtered = {n: filter_spikes(spike_times, tau_s, n, dt=dt, t_end=t_end)[1] for n in orders}
        t = dt * np.arange(len(filtered[0]))
        paths = [_save(plot_synapses(t_kernel, kernels, t, spike_times, filtered, tau_s), out, "synapse")]
        paths.append(_csv(out, "kernels", {"t_s": t_kernel, **{f"h{n}": kernels[n] for n in orders}}))
        paths.append(_csv(out, "filtered", {"t_s": t, **{f"s{n}": filtered[n] for n in orders}}))
        paths.append(_csv(out, "spikes", {"spike_time_s": spike_times}))
    click.echo(
        f"{len(spike_times)} spikes at {rate:g} Hz filtered with tau_s={tau_s:g} s; "
        f"mean s(t) = {filtered[0].mean():.2f} Hz (each kernel has unit area)"
    )
    _report(paths)


@neuron.command("network")
@click.option(
    "--neurons", "n_neurons", type=click.IntRange(1), default=200, show_default=True, help="Number of neurons."
)
@click.option("--p", type=click.FloatRange(0.0, 1.0), default=0.1, show_default=True, help="Connection probability.")
@click.option("--w-exc", type=NUMBER, default=0.003, show_default=True, help="Excitatory weight.")
@click.option("--w-inh", type=NUMBER, default=-0.015, show_default=True, help="Inhibitory weight.")
@click.option(
    "--input-range",
    type=(NUMBER, NUMBER),
    default=(0.8, 1.3),
    show_default=True,
    help="External inputs v_in drawn uniformly from this range.",
)
@click.option("--tau-s", type=NUMBER, default=0.005, show_default=True, help="Synaptic time constant (s).")
@click.option("--t-end", type=NUMBER, default=1.0, show_default=True, help="Simulated time (s).")
@click.option("--dt", type=NUMBER, default=1e-4, show_default=True, help="Step (s).")
@click.option("--seed", type=SEED, default=0, show_default=True, help="Random seed (weights and inputs).")
# --- spiking: Brette et al. (2007) benchmarks (cli/network_benchmark.py) ---
@click.option(
    "--benchmark",
    type=click.Choice(["cuba", "coba"]),
    default=None,
    help="Run a Vogels-Abbott benchmark network of Brette et al. 2007 (4,000 neurons; ignores the "
    "network options above but --seed and --dt) and write raster, rates and summary.json.",
)
@click.option("--duration", type=NUMBER, default=None, help="Simulated time (s) of --benchmark (default 1.0).")
# --- end spiking ---
@_out_option("network")
def network(n_neurons, p, w_exc, w_inh, input_range, tau_s, t_end, dt, seed, benchmark, duration, out):
    """A random LIF network (80% excitatory, 20% inhibitory): spike raster, population rate and rates."""
    # --- spiking ---
    if benchmark is not None:
        from neuronlab.cli.network_benchmark import run_benchmark

        return run_benchmark(benchmark, seed, 1.0 if duration is None else duration, dt, out)
    # --- end spiking ---
    import neuronlab
    from neuronlab.neurons import LIFNetwork
    from neuronlab.neurons.network import random_weights
    from neuronlab.neurons.plotting import plot_network
    from neuronlab.random import default_generator

    low, high = input_range
    if low > high:
        raise click.BadParameter(
            f"the range must be LOW HIGH with LOW <= HIGH, got {low:g} {high:g}", param_hint="--input-range"
        )
    neuronlab.manual_seed(seed)
    with _simulation_errors():
        steps = check.time_grid(t_end, dt, max_dt=min(0.02, tau_s), max_dt_name="min(tau_m, tau_s)") + 1
        check.memory(
            f"the population rate of {n_neurons} neurons over {steps:,} steps",
            {"the filtered spike trains": 16.0 * steps * n_neurons},
        )
        weights, n_exc = random_weights(n_neurons, p, 0.8, w_exc, w_inh)
        v_in = default_generator().uniform(low, high, n_neurons)
        result = LIFNetwork(weights, tau_s=tau_s).simulate(v_in, t_end, dt, record=False)
        population = result.filtered_rates(tau_s=0.01).mean(axis=1)
        paths = [_save(plot_network(result, population, 0.01, n_excitatory=n_exc), out, "network")]
        paths.append(_csv(out, "spikes", {"neuron": result.spike_neuron, "time_s": result.spike_time}))
        paths.append(
            _csv(
                out,
                "rates",
                {
                    "neuron": np.arange(n_neurons),
                    "excitatory": np.arange(n_neurons) < n_exc,
                    "v_in": v_in,
                    "rate_hz": result.rates,
                },
            )
        )
    firing = int(np.count_nonzero(result.spike_counts))
    click.echo(
        f"{n_neurons} neurons, {weights.nnz} synapses, {firing} of {n_neurons} fire: mean rate "
        f"{result.rates.mean():.1f} Hz (excitatory {_mean_rate(result.rates[:n_exc])}, "
        f"inhibitory {_mean_rate(result.rates[n_exc:])})"
    )
    _report(paths)
