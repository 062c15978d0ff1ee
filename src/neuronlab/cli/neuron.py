"""``neuronlab neuron ...``: simulate the notes' neuron models and write a PNG figure and CSV data."""
from __future__ import annotations

import io
from pathlib import Path

import click
import numpy as np

from neuronlab.io import atomic


def _out_option(command: str):
    return click.option("--out", type=click.Path(file_okay=False, path_type=Path),
                        default=Path("runs") / f"neuron-{command}", show_default=True,
                        help="Output folder for the PNG and CSV files.")


def _floats(text: str, name: str) -> list[float]:
    try:
        values = [float(item) for item in text.split(",") if item.strip()]
    except ValueError:
        raise click.BadParameter(f"expected comma-separated numbers, got {text!r}", param_hint=name) from None
    if not values:
        raise click.BadParameter("expected at least one number", param_hint=name)
    return values


def _save(fig, out: Path, name: str) -> Path:
    return atomic.save_figure(fig, out / f"{name}.png", dpi=110)


def _csv(out: Path, name: str, columns: dict[str, np.ndarray], fmt: str = "%.10g") -> Path:
    text = io.StringIO()
    np.savetxt(text, np.column_stack([np.asarray(c, dtype=float) for c in columns.values()]), delimiter=",",
               header=",".join(columns), comments="", fmt=fmt)
    return atomic.write_text(out / f"{name}.csv", text.getvalue())


def _mean_rate(rates: np.ndarray) -> str:
    """A population's mean rate (Hz) for the summary line; "none" for an empty population."""
    return f"{rates.mean():.1f}" if rates.size else "none"


def _report(paths: list[Path]) -> None:
    click.echo("wrote " + ", ".join(str(p) for p in paths))


@click.group("neuron")
def neuron() -> None:
    """Neuron models (notes 003 §1): Hodgkin-Huxley, LIF, tuning curves, synapses, LIF networks."""


@neuron.command("hh")
@click.option("--current", type=float, default=10.0, show_default=True, help="Constant input current (uA/cm²).")
@click.option("--sweep", type=str, default=None,
              help="Step-current schedule: comma-separated levels (uA/cm²), each held for an equal share of "
                   "--t-end, e.g. --sweep=-10,0,3,6.5,10,20,40 (overrides --current).")
@click.option("--t-end", type=float, default=100.0, show_default=True, help="Simulated time (ms).")
@click.option("--dt", type=float, default=0.01, show_default=True, help="RK4 step (ms).")
@_out_option("hh")
def hh(current, sweep, t_end, dt, out):
    """Hodgkin-Huxley neuron: V(t) with spikes and the gates m, h, n."""
    from neuronlab.neurons import HodgkinHuxley
    from neuronlab.neurons.hodgkin_huxley import step_current
    from neuronlab.neurons.plotting import plot_hodgkin_huxley

    try:
        drive = current if sweep is None else step_current(_floats(sweep, "--sweep"), t_end, dt)
        result = HodgkinHuxley().simulate(drive, t_end, dt)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    paths = [_save(plot_hodgkin_huxley(result), out, "hh")]
    held = np.broadcast_to(result.current[:, 0], result.t[:-1].shape)
    paths.append(_csv(out, "hh", {"t_ms": result.t, "current_uA_cm2": np.append(held, held[-1]),
                                  "V_mV": result.V[:, 0], "m": result.m[:, 0], "h": result.h[:, 0],
                                  "n": result.n[:, 0], "spike": result.spikes[:, 0]}))
    click.echo(f"Hodgkin-Huxley: {result.spike_counts[0]} spikes in {result.duration:g} ms "
               f"({result.rates[0]:.1f} Hz), V in [{result.V.min():.1f}, {result.V.max():.1f}] mV")
    _report(paths)


@neuron.command("lif")
@click.option("--input", "v_in", type=float, default=1.5, show_default=True, help="Constant input v_in.")
@click.option("--t-end", type=float, default=0.2, show_default=True, help="Simulated time (s).")
@click.option("--dt", type=float, default=1e-4, show_default=True, help="Step (s).")
@click.option("--tau-m", type=float, default=0.02, show_default=True, help="Membrane time constant (s).")
@click.option("--tau-ref", type=float, default=0.002, show_default=True, help="Refractory period (s).")
@_out_option("lif")
def lif(v_in, t_end, dt, tau_m, tau_ref, out):
    """Leaky integrate-and-fire neuron: v(t) with spike markers; rate vs the analytic G(v_in)."""
    from neuronlab.neurons import LIF, lif_rate
    from neuronlab.neurons.plotting import plot_lif

    try:
        result = LIF(1, tau_m=tau_m, tau_ref=tau_ref).simulate(v_in, t_end, dt)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    paths = [_save(plot_lif(result), out, "lif")]
    paths.append(_csv(out, "lif", {"t_s": result.t, "v": result.v[:, 0], "spike": result.spikes[:, 0]}))
    paths.append(_csv(out, "lif_spikes", {"spike_time_s": result.spike_times[0]}))
    click.echo(f"LIF v_in={v_in:g}: {result.spike_counts[0]} spikes in {result.duration:g} s; steady-state rate "
               f"{result.isi_rates()[0]:.3f} Hz, analytic G(v_in) = {lif_rate(v_in, tau_ref, tau_m):.3f} Hz")
    _report(paths)


@neuron.command("tuning")
@click.option("--tau-ref", type=str, default="0.002,0.005", show_default=True,
              help="Refractory periods (s), comma-separated.")
@click.option("--tau-m", type=str, default="0.02,0.05", show_default=True,
              help="Membrane time constants (s), comma-separated.")
@click.option("--v-max", type=float, default=5.0, show_default=True, help="Largest input v_in.")
@click.option("--points", type=int, default=41, show_default=True, help="Number of inputs in [0, v-max].")
@click.option("--t-end", type=float, default=1.0, show_default=True, help="Simulated time per neuron (s).")
@click.option("--dt", type=float, default=1e-3, show_default=True, help="Step (s).")
@_out_option("tuning")
def tuning(tau_ref, tau_m, v_max, points, t_end, dt, out):
    """LIF tuning curves: simulated rates vs the analytic G(v_in) for each tau_ref, tau_m pair."""
    from neuronlab.neurons import tuning_curve
    from neuronlab.neurons.plotting import plot_tuning_curves

    v_in = np.linspace(0.0, v_max, points)
    try:
        curves = [tuning_curve(v_in, tau_ref=r, tau_m=m, t_end=t_end, dt=dt)
                  for r in _floats(tau_ref, "--tau-ref") for m in _floats(tau_m, "--tau-m")]
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    paths = [_save(plot_tuning_curves(curves), out, "tuning")]
    rows = {"tau_ref_s": [], "tau_m_s": [], "v_in": [], "simulated_hz": [], "analytic_hz": []}
    for curve in curves:
        rows["tau_ref_s"].append(np.full(curve.v_in.shape, curve.tau_ref))
        rows["tau_m_s"].append(np.full(curve.v_in.shape, curve.tau_m))
        rows["v_in"].append(curve.v_in)
        rows["simulated_hz"].append(curve.simulated)
        rows["analytic_hz"].append(curve.analytic)
    paths.append(_csv(out, "tuning", {key: np.concatenate(value) for key, value in rows.items()}))
    worst = max(float(np.max(np.abs(c.simulated - c.analytic) / np.maximum(c.analytic, 1.0))) for c in curves)
    click.echo(f"{len(curves)} tuning curves at dt={dt:g} s: largest relative deviation from G(v_in) {worst:.2e}")
    _report(paths)


@neuron.command("synapse")
@click.option("--tau-s", type=float, default=0.01, show_default=True, help="Synaptic time constant (s).")
@click.option("--rate", type=float, default=20.0, show_default=True, help="Poisson spike-train rate (Hz).")
@click.option("--t-end", type=float, default=1.0, show_default=True, help="Length of the spike train (s).")
@click.option("--dt", type=float, default=1e-4, show_default=True, help="Grid step (s).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed of the spike train.")
@_out_option("synapse")
def synapse(tau_s, rate, t_end, dt, seed, out):
    """PSC kernels for n = 0, 1, 2 and a Poisson spike train filtered by them."""
    import neuronlab
    from neuronlab.neurons import filter_spikes, psc_kernel
    from neuronlab.neurons.plotting import plot_synapses
    from neuronlab.random import default_generator

    if rate < 0 or t_end <= 0:
        raise click.UsageError(f"need --rate >= 0 and --t-end > 0, got {rate:g} and {t_end:g}")
    neuronlab.manual_seed(seed)
    rng = default_generator()
    spike_times = np.sort(rng.uniform(0.0, t_end, rng.poisson(rate * t_end)))
    orders = (0, 1, 2)
    try:
        t_kernel = np.linspace(0.0, 8 * tau_s, 400)
        kernels = {n: psc_kernel(t_kernel, tau_s, n) for n in orders}
        filtered = {n: filter_spikes(spike_times, tau_s, n, dt=dt, t_end=t_end)[1] for n in orders}
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    t = dt * np.arange(len(filtered[0]))
    paths = [_save(plot_synapses(t_kernel, kernels, t, spike_times, filtered, tau_s), out, "synapse")]
    paths.append(_csv(out, "kernels", {"t_s": t_kernel, **{f"h{n}": kernels[n] for n in orders}}))
    paths.append(_csv(out, "filtered", {"t_s": t, **{f"s{n}": filtered[n] for n in orders}}))
    paths.append(_csv(out, "spikes", {"spike_time_s": spike_times}))
    click.echo(f"{len(spike_times)} spikes at {rate:g} Hz filtered with tau_s={tau_s:g} s; "
               f"mean s(t) = {filtered[0].mean():.2f} Hz (each kernel has unit area)")
    _report(paths)


@neuron.command("network")
@click.option("--neurons", "n_neurons", type=int, default=200, show_default=True, help="Number of neurons.")
@click.option("--p", type=float, default=0.1, show_default=True, help="Connection probability.")
@click.option("--w-exc", type=float, default=0.003, show_default=True, help="Excitatory weight.")
@click.option("--w-inh", type=float, default=-0.015, show_default=True, help="Inhibitory weight.")
@click.option("--input-range", type=(float, float), default=(0.8, 1.3), show_default=True,
              help="External inputs v_in drawn uniformly from this range.")
@click.option("--tau-s", type=float, default=0.005, show_default=True, help="Synaptic time constant (s).")
@click.option("--t-end", type=float, default=1.0, show_default=True, help="Simulated time (s).")
@click.option("--dt", type=float, default=1e-4, show_default=True, help="Step (s).")
@click.option("--seed", type=int, default=0, show_default=True, help="Random seed (weights and inputs).")
@_out_option("network")
def network(n_neurons, p, w_exc, w_inh, input_range, tau_s, t_end, dt, seed, out):
    """A random LIF network (80% excitatory, 20% inhibitory): spike raster, population rate and rates."""
    import neuronlab
    from neuronlab.neurons import LIFNetwork
    from neuronlab.neurons.network import random_weights
    from neuronlab.neurons.plotting import plot_network
    from neuronlab.random import default_generator

    neuronlab.manual_seed(seed)
    try:
        weights, n_exc = random_weights(n_neurons, p, 0.8, w_exc, w_inh)
        v_in = default_generator().uniform(*input_range, n_neurons)
        result = LIFNetwork(weights, tau_s=tau_s).simulate(v_in, t_end, dt, record_v=False)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    population = result.filtered_rates(tau_s=0.01).mean(axis=1)
    paths = [_save(plot_network(result, population, 0.01, n_excitatory=n_exc), out, "network")]
    paths.append(_csv(out, "spikes", {"neuron": result.spike_neuron, "time_s": result.spike_time}))
    paths.append(_csv(out, "rates", {"neuron": np.arange(n_neurons), "excitatory": np.arange(n_neurons) < n_exc,
                                     "v_in": v_in, "rate_hz": result.rates}))
    firing = int(np.count_nonzero(result.spike_counts))
    click.echo(f"{n_neurons} neurons, {weights.nnz} synapses, {firing} of {n_neurons} fire: mean rate "
               f"{result.rates.mean():.1f} Hz (excitatory {_mean_rate(result.rates[:n_exc])}, "
               f"inhibitory {_mean_rate(result.rates[n_exc:])})")
    _report(paths)
