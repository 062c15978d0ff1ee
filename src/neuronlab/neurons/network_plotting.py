"""Figures of a network run (``neurons.simulation.NetworkRun``): spike raster, population rate, rate histogram.
Matplotlib is imported on use; each function returns a ``matplotlib.figure.Figure``."""

from __future__ import annotations

import numpy as np


def _figure(width: float = 8.0, height: float = 3.2):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    return fig, fig.subplots()


def plot_raster(run, name: str, n_excitatory: int | None = None, max_neurons: int = 500):
    """Spikes of at most ``max_neurons`` neurons of population ``name``, every k-th one (excitatory in blue,
    inhibitory in red)."""
    spikes = run.spikes[name]
    fig, ax = _figure()
    every = -(-spikes.n_neurons // max_neurons)
    shown = spikes.spike_neuron % every == 0
    neuron, time = spikes.spike_neuron[shown], spikes.spike_time[shown]
    exc = neuron < (n_excitatory if n_excitatory is not None else spikes.n_neurons)
    ax.plot(time[exc], neuron[exc], ",", color="C0")
    ax.plot(time[~exc], neuron[~exc], ",", color="C3")
    ax.set(
        xlabel="t (s)",
        ylabel="neuron",
        xlim=(0, run.t[-1]),
        title=f"{name}: spikes of every {every}th neuron" if every > 1 else f"{name}: spikes",
    )
    return fig


def plot_population_rate(run, name: str, bin: float = 0.001):
    """The population's rate in bins of ``bin`` seconds."""
    rate = run.population_rate(name, bin=bin)
    fig, ax = _figure()
    ax.plot((np.arange(rate.size) + 0.5) * bin, rate, lw=0.8, color="k")
    ax.set(xlabel="t (s)", ylabel="rate (Hz)", title=f"{name}: population rate ({bin * 1e3:g} ms bins)")
    return fig


def plot_rate_histogram(rates: dict, bins: int = 40):
    """Histograms of the neurons' firing rates (Hz), one per labelled array of ``rates``."""
    fig, ax = _figure(6.0, 3.6)
    top = max((float(r.max()) for r in rates.values() if r.size), default=1.0)
    for label, r in rates.items():
        ax.hist(r, bins=np.linspace(0, top, bins + 1), histtype="step", label=label)
    ax.set(xlabel="firing rate (Hz)", ylabel="neurons", title="distribution of firing rates")
    ax.legend(fontsize=8)
    return fig
