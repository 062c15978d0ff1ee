"""Result objects returned by the models' ``simulate``: the time axis, recorded state and the spikes.

Spikes are stored flat and sorted by neuron, then time (``spike_neuron``, ``spike_step``, ``spike_time``),
which stays small for large populations; the per-neuron lists (``spike_times``), the boolean raster
(``spikes``) and the firing rates (``rates``) are derived from them on first use.

Time convention: ``t = dt * arange(n_steps + 1)``; state arrays are sampled on ``t``; a spike during step
``k`` (between ``t[k]`` and ``t[k + 1]``) has ``spike_step == k`` and marks row ``k + 1`` of the raster.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np


def sorted_spikes(neurons: list[np.ndarray], steps: list[np.ndarray], times: list[np.ndarray]):
    """Spikes collected step by step (lists of arrays: neuron, step, time) as flat arrays sorted by neuron, then
    time: a stable sort by neuron keeps each neuron's spikes in the order they were fired."""
    if not neurons:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64), np.zeros(0)
    neuron = np.concatenate(neurons)
    order = np.argsort(neuron, kind="stable")
    return neuron[order], np.concatenate(steps)[order], np.concatenate(times)[order]


@dataclass(frozen=True, eq=False)
class SpikingResult:
    """Spikes of ``n_neurons`` neurons simulated on the time axis ``t``."""

    seconds_per_time_unit = 1.0
    """The time axis's unit in seconds (1e-3 where ``t`` is in ms): rates are always in spikes per second."""

    t: np.ndarray
    n_neurons: int
    spike_neuron: np.ndarray
    spike_step: np.ndarray
    spike_time: np.ndarray

    @property
    def dt(self) -> float:
        return float(self.t[1] - self.t[0])

    @property
    def duration(self) -> float:
        """Simulated time ``t[-1] - t[0]``."""
        return float(self.t[-1] - self.t[0])

    @cached_property
    def spike_counts(self) -> np.ndarray:
        """Number of spikes of each neuron, shape ``(n_neurons,)``."""
        return np.bincount(self.spike_neuron, minlength=self.n_neurons)

    @cached_property
    def rates(self) -> np.ndarray:
        """Firing rate of each neuron over the whole run in Hz: spike count / duration (duration in seconds)."""
        return self.spike_counts / (self.duration * self.seconds_per_time_unit)

    @cached_property
    def spike_times(self) -> list[np.ndarray]:
        """``spike_times[i]``: the spike times of neuron ``i``, increasing."""
        return np.split(self.spike_time, np.cumsum(self.spike_counts)[:-1])

    @cached_property
    def spikes(self) -> np.ndarray:
        """Boolean raster of shape ``(len(t), n_neurons)``: row ``k + 1`` is True where a neuron spiked in
        step ``k``."""
        raster = np.zeros((len(self.t), self.n_neurons), dtype=bool)
        raster[self.spike_step + 1, self.spike_neuron] = True
        return raster

    def isi_rates(self) -> np.ndarray:
        """Steady-state rate of each neuron in Hz, 1 / (mean inter-spike interval); 0 for neurons with < 2 spikes.

        Unlike :attr:`rates` it does not depend on where the run starts and stops relative to the spikes.
        """
        counts = self.spike_counts
        out = np.zeros(self.n_neurons)
        first = np.cumsum(counts) - counts
        many = counts >= 2
        span = self.spike_time[first[many] + counts[many] - 1] - self.spike_time[first[many]]
        out[many] = (counts[many] - 1) / (span * self.seconds_per_time_unit)
        return out


@dataclass(frozen=True, eq=False)
class HodgkinHuxleyResult(SpikingResult):
    """Hodgkin-Huxley run: ``V`` (mV) and the gates ``m``, ``h``, ``n`` of the ``recorded`` neurons, shape
    ``(len(t), len(recorded))``; ``current`` (uA/cm^2) at the start of each step, shape
    ``(1 or n_steps, 1 or n_neurons)``; times in seconds (in ms from the deprecated millisecond form of
    ``simulate``, where ``seconds_per_time_unit`` is 1e-3), ``rates`` in Hz like every model's."""

    V: np.ndarray
    m: np.ndarray
    h: np.ndarray
    n: np.ndarray
    current: np.ndarray
    recorded: np.ndarray
    seconds_per_time_unit: float = 1.0


@dataclass(frozen=True, eq=False)
class LIFResult(SpikingResult):
    """LIF run: normalized voltage ``v`` of the ``recorded`` neurons, shape ``(len(t), len(recorded))``, and the
    input ``v_in`` as given, shape ``(1 or n_steps, 1 or n_neurons)``; times in seconds, ``rates`` in Hz."""

    v: np.ndarray
    v_in: np.ndarray
    recorded: np.ndarray


@dataclass(frozen=True, eq=False)
class NetworkResult(SpikingResult):
    """LIF network run: ``v`` and synaptic current ``s`` of the ``recorded`` neurons, shape
    ``(len(t), len(recorded))``, and the external input ``v_in``; times in seconds, ``rates`` in Hz."""

    v: np.ndarray
    s: np.ndarray
    v_in: np.ndarray
    recorded: np.ndarray

    def filtered_rates(self, tau_s: float = 0.02, n: int = 0) -> np.ndarray:
        """Each neuron's spike train convolved with the unit-area PSC kernel (notes: s(t) = sum_p h(t - t_p)):
        an instantaneous rate estimate in Hz, shape ``(len(t), n_neurons)``."""
        from neuronlab.neurons.synapses import filter_spikes

        _, rate = filter_spikes(self.spike_times, tau_s, n=n, dt=self.dt, t_end=self.duration)
        return rate
