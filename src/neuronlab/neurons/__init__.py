"""Neuron models from notes 003 §1: Hodgkin-Huxley, leaky integrate-and-fire, synapses and LIF networks.

    >>> from neuronlab.neurons import LIF, lif_rate
    >>> result = LIF(n_neurons=3).simulate([0.5, 1.5, 3.0], duration=1.0, dt=1e-3)
    >>> result.rates                      # spikes per second, close to lif_rate([0.5, 1.5, 3.0])

Plots live in :mod:`neuronlab.neurons.plotting` (imports matplotlib on use).
"""

from neuronlab.neurons.hodgkin_huxley import (
    HodgkinHuxley,
    SimulationDiverged,
    derivatives,
    gate_rates,
    steady_state,
    step_current,
    time_constants,
)
from neuronlab.neurons.lif import LIF, TuningCurve, lif_rate, tuning_curve
from neuronlab.neurons.network import LIFNetwork, SpikingNetwork, random_weights

# --- spiking: the network layer (populations, projections, sources, monitors) and Brette et al. 2007 ---
from neuronlab.neurons.population import PoissonSource, Population, SpikeSource
from neuronlab.neurons.projection import (
    AlphaCurrent,
    ExponentialConductance,
    ExponentialCurrent,
    Projection,
    all_to_all,
    fixed_indegree,
    fixed_probability,
    one_to_one,
)
from neuronlab.neurons.results import HodgkinHuxleyResult, LIFResult, NetworkResult, SpikingResult
from neuronlab.neurons.simulation import Network, NetworkRun, StateMonitor
from neuronlab.neurons.synapses import AlphaSynapse, ExponentialSynapse, filter_spikes, psc_kernel
from neuronlab.neurons.vogels_abbott import coba, cuba

# --- end spiking ---

__all__ = [
    "HodgkinHuxley",
    "SimulationDiverged",
    "gate_rates",
    "steady_state",
    "time_constants",
    "derivatives",
    "step_current",
    "LIF",
    "lif_rate",
    "tuning_curve",
    "TuningCurve",
    "LIFNetwork",
    "SpikingNetwork",
    "random_weights",
    "psc_kernel",
    "filter_spikes",
    "ExponentialSynapse",
    "AlphaSynapse",
    "SpikingResult",
    "HodgkinHuxleyResult",
    "LIFResult",
    "NetworkResult",
    # --- spiking ---
    "Population",
    "PoissonSource",
    "SpikeSource",
    "Projection",
    "ExponentialCurrent",
    "AlphaCurrent",
    "ExponentialConductance",
    "fixed_probability",
    "fixed_indegree",
    "one_to_one",
    "all_to_all",
    "Network",
    "NetworkRun",
    "StateMonitor",
    "cuba",
    "coba",
    # --- end spiking ---
]
