"""Figures of the neuron models. Matplotlib is imported inside each function and figures are built with
``matplotlib.figure.Figure`` (no pyplot, no display needed); save them with ``fig.savefig(path)``."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from neuronlab.neurons.lif import TuningCurve
from neuronlab.neurons.results import HodgkinHuxleyResult, LIFResult, NetworkResult


def _figure(rows: int, height: float, width: float = 8.0, sharex: bool = True, ratios=None):
    from matplotlib.figure import Figure

    fig = Figure(figsize=(width, height), layout="constrained")
    axes = fig.subplots(rows, 1, sharex=sharex, squeeze=False, gridspec_kw={"height_ratios": ratios})[:, 0]
    return fig, axes


def _column(result, neuron: int) -> int:
    where = np.flatnonzero(result.recorded == neuron)
    if not where.size:
        raise ValueError(f"neuron {neuron} was not recorded; recorded neurons: {result.recorded.tolist()}")
    return int(where[0])


def plot_hodgkin_huxley(result: HodgkinHuxleyResult, neuron: int = 0):
    """Input current, membrane potential V(t) with the detected spikes, and the gates m, h, n of one neuron."""
    col = _column(result, neuron)
    fig, (ax_i, ax_v, ax_g) = _figure(3, 6.5, ratios=[1, 2.2, 1.6])
    current = result.current[:, 0 if result.current.shape[1] == 1 else neuron]
    ax_i.step(result.t[:-1], np.broadcast_to(current, result.t[:-1].shape), where="post", color="k", lw=1)
    ax_i.set_ylabel("J_in (uA/cm²)")
    ax_v.plot(result.t, result.V[:, col], lw=0.8, color="C0")
    spikes = result.spike_times[neuron]
    ax_v.plot(
        spikes,
        np.full(spikes.shape, result.V[:, col].max() + 5.0),
        "v",
        color="C3",
        ms=4,
        label=f"{len(spikes)} spikes",
    )
    ax_v.set_ylabel("V (mV)")
    ax_v.legend(loc="lower right", fontsize=8)
    for gate, name in zip((result.m, result.h, result.n), ("m", "h", "n")):
        ax_g.plot(result.t, gate[:, col], lw=0.8, label=name)
    ax_g.set_ylabel("gate")
    ax_g.set_xlabel("t (ms)")
    ax_g.legend(loc="upper right", fontsize=8, ncol=3)
    fig.suptitle("Hodgkin-Huxley neuron")
    return fig


def plot_lif(result: LIFResult, neuron: int = 0):
    """Normalized membrane potential v(t) of one LIF neuron, the threshold and the spike times."""
    col = _column(result, neuron)
    fig, (ax,) = _figure(1, 3.2)
    spikes = result.spike_times[neuron]
    # the sampled trace plus the exact threshold crossings: v reaches 1 at each spike time, then resets to 0
    t = np.concatenate([result.t, spikes, spikes])
    v = np.concatenate([result.v[:, col], np.ones_like(spikes), np.zeros_like(spikes)])
    order = np.lexsort((np.r_[np.zeros(len(result.t)), np.ones_like(spikes), 2 * np.ones_like(spikes)], t))
    ax.plot(t[order], v[order], lw=1.0, color="C0", label="v(t)")
    ax.axhline(1.0, color="k", ls="--", lw=0.8, label="threshold")
    ax.plot(spikes, np.full(spikes.shape, 1.08), "v", color="C3", ms=5, label=f"spikes ({result.rates[neuron]:.1f} Hz)")
    ax.set_xlabel("t (s)")
    ax.set_ylabel("v")
    ax.set_ylim(-0.05, 1.2)
    ax.legend(loc="lower right", fontsize=8)
    fig.suptitle("Leaky integrate-and-fire neuron")
    return fig


def plot_tuning_curves(curves: Sequence[TuningCurve]):
    """Analytic tuning curves G(v_in) (lines) and simulated steady-state rates (markers)."""
    fig, (ax,) = _figure(1, 4.0, width=7.0)
    for index, curve in enumerate(curves):
        color = f"C{index % 10}"
        ax.plot(
            curve.v_in,
            curve.analytic,
            color=color,
            lw=1.2,
            label=f"tau_ref={curve.tau_ref * 1e3:g} ms, tau_m={curve.tau_m * 1e3:g} ms",
        )
        ax.plot(curve.v_in, curve.simulated, "o", color=color, ms=3, mfc="none")
    ax.set_xlabel("v_in")
    ax.set_ylabel("firing rate (Hz)")
    ax.set_title("LIF tuning curves: lines G(v_in), circles simulated", fontsize=10)
    ax.legend(fontsize=8)
    return fig


def plot_synapses(
    t_kernel, kernels: dict[int, np.ndarray], t, spike_times, filtered: dict[int, np.ndarray], tau_s: float
):
    """PSC kernels h(t) for several n, and a spike train filtered by them."""
    fig, (ax_h, ax_s) = _figure(2, 5.5, sharex=False)
    for n, h in kernels.items():
        ax_h.plot(t_kernel * 1e3, h, lw=1.2, label=f"n = {n}")
    ax_h.set_xlabel("t (ms)")
    ax_h.set_ylabel("h(t) (1/s)")
    ax_h.set_title(f"PSC kernels h(t) = k tⁿ exp(-t/τs), τs = {tau_s * 1e3:g} ms, unit area", fontsize=10)
    ax_h.legend(fontsize=8)
    for n, s in filtered.items():
        ax_s.plot(t, s, lw=1.0, label=f"n = {n}")
    ax_s.plot(spike_times, np.zeros_like(spike_times), "|", color="k", ms=10, label="spikes")
    ax_s.set_xlabel("t (s)")
    ax_s.set_ylabel("s(t) (1/s)")
    ax_s.set_title("filtered spike train s(t) = Σ_p h(t - t_p)", fontsize=10)
    ax_s.legend(fontsize=8, ncol=4)
    return fig


def plot_network(result: NetworkResult, population_rate: np.ndarray, tau_s: float, n_excitatory: int | None = None):
    """Spike raster, population rate (spikes filtered by an exponential synapse) and the rate histogram."""
    fig, (ax_r, ax_p, ax_h) = _figure(3, 7.0, sharex=False, ratios=[2.5, 1, 1.2])
    exc = result.spike_neuron < (result.n_neurons if n_excitatory is None else n_excitatory)
    ax_r.plot(result.spike_time[exc], result.spike_neuron[exc], ".", color="C0", ms=2, label="excitatory")
    if n_excitatory is not None:
        ax_r.plot(result.spike_time[~exc], result.spike_neuron[~exc], ".", color="C3", ms=2, label="inhibitory")
        ax_r.legend(loc="upper right", fontsize=8, markerscale=4)
    ax_r.set_ylabel("neuron")
    ax_r.set_xlim(result.t[0], result.t[-1])
    ax_r.set_title("LIF network raster", fontsize=10)
    ax_p.plot(result.t, population_rate, color="k", lw=1.0)
    ax_p.set_xlim(result.t[0], result.t[-1])
    ax_p.set_xlabel("t (s)")
    ax_p.set_ylabel("rate (Hz)")
    ax_p.set_title(f"population rate (spikes filtered with τs = {tau_s * 1e3:g} ms)", fontsize=10)
    ax_h.hist(result.rates, bins=30, color="C2")
    ax_h.set_xlabel("firing rate (Hz)")
    ax_h.set_ylabel("neurons")
    return fig
