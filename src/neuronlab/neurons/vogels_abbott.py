"""The Vogels-Abbott networks of Brette et al. (2007): benchmark 2 (CUBA) and benchmark 1 (COBA).

4,000 LIF neurons, the first 3,200 excitatory and the last 800 inhibitory, every ordered pair connected with
probability 0.02 (autapses included), tau_m = 20 ms, refractory 5 ms, v_threshold = -50 mV, v_reset = -60 mV,
excitatory synapses with tau 5 ms and inhibitory ones with 10 ms, initial voltages uniform between reset and
threshold; the parameters of Brian2's examples, with R = 100 MOhm (a leak conductance of 10 nS):

- CUBA: v_rest = -49 mV (neurons fire without input), exponential current synapses whose jumps move R I by
  1.62 mV (excitatory, 16.2 pA) and -9 mV (inhibitory, -90 pA);
- COBA: v_rest = -60 mV, exponential conductances of 6 nS (reversal 0 mV) and 67 nS (reversal -80 mV); the
  activity is started by initial conductances g_e ~ N(40, 15) nS and g_i ~ N(200, 120) nS.

The population is called "neurons" and its projections "exc" and "inh".
"""

from __future__ import annotations

import numpy as np

from neuronlab.neurons import _validation as check
from neuronlab.neurons.population import Population
from neuronlab.neurons.projection import ExponentialConductance, ExponentialCurrent, Projection, fixed_probability
from neuronlab.neurons.simulation import Network

TAU_M, TAU_REF, TAU_E, TAU_I = 0.020, 0.005, 0.005, 0.010
V_THRESHOLD, V_RESET, RESISTANCE = -0.050, -0.060, 1e8
EXCITATORY_FRACTION = 0.8


class BenchmarkNetwork(Network):
    """A Vogels-Abbott network: the first ``n_excitatory`` neurons of its population are excitatory."""

    n_excitatory: int


def _halves(n_neurons: int, p: float, w_e: float, w_i: float, rng: np.random.Generator):
    """Excitatory and inhibitory weight matrices (n, n): columns of the first 80% / the last 20% of neurons."""
    import scipy.sparse as sparse

    n = check.neuron_count(n_neurons)
    n_exc = int(round(EXCITATORY_FRACTION * n))
    exc = fixed_probability(n_exc, n, p, w_e, seed=rng)
    inh = fixed_probability(n - n_exc, n, p, w_i, seed=rng)
    return (
        sparse.hstack([exc, sparse.csr_matrix((n, n - n_exc))], format="csr"),
        sparse.hstack([sparse.csr_matrix((n, n_exc)), inh], format="csr"),
        n_exc,
    )


def _population(n_neurons: int, v_rest: float) -> Population:
    """The benchmarks' LIF neurons, one population called "neurons", starting uniformly between reset and threshold."""
    return Population(
        n_neurons,
        "neurons",
        tau_m=TAU_M,
        tau_ref=TAU_REF,
        v_rest=v_rest,
        v_threshold=V_THRESHOLD,
        v_reset=V_RESET,
        resistance=RESISTANCE,
        v0="uniform",
    )


def _network(
    neurons: Population, projections: list, monitors, n_exc: int, rng: np.random.Generator
) -> BenchmarkNetwork:
    """The network of ``neurons`` and their projections; the last draw of ``rng`` seeds its initial state."""
    monitors = [m(neurons) if callable(m) else m for m in monitors]
    net = BenchmarkNetwork([neurons], projections, monitors, seed=int(rng.integers(2**63)))
    net.n_excitatory = n_exc
    return net


def cuba(n_neurons: int = 4000, p: float = 0.02, seed: int = 0, monitors=()) -> BenchmarkNetwork:
    """Benchmark 2 (current-based); ``seed`` draws the connections and the initial voltages."""
    rng = np.random.default_rng(seed)
    neurons = _population(n_neurons, v_rest=-0.049)
    w_exc, w_inh, n_exc = _halves(n_neurons, p, 1.62e-3 / RESISTANCE, -9e-3 / RESISTANCE, rng)
    projections = [
        Projection(neurons, neurons, w_exc, ExponentialCurrent(TAU_E), name="exc"),
        Projection(neurons, neurons, w_inh, ExponentialCurrent(TAU_I), name="inh"),
    ]
    return _network(neurons, projections, monitors, n_exc, rng)


def coba(n_neurons: int = 4000, p: float = 0.02, seed: int = 0, monitors=()) -> BenchmarkNetwork:
    """Benchmark 1 (conductance-based); ``seed`` draws the connections and the initial state."""
    rng = np.random.default_rng(seed)
    neurons = _population(n_neurons, v_rest=-0.060)
    w_exc, w_inh, n_exc = _halves(n_neurons, p, 6e-9, 67e-9, rng)
    g_e = (rng.standard_normal(n_neurons) * 1.5 + 4.0) * 10e-9
    g_i = (rng.standard_normal(n_neurons) * 12.0 + 20.0) * 10e-9
    projections = [
        Projection(neurons, neurons, w_exc, ExponentialConductance(TAU_E, 0.0), s0=g_e, name="exc"),
        Projection(neurons, neurons, w_inh, ExponentialConductance(TAU_I, -0.080), s0=g_i, name="inh"),
    ]
    return _network(neurons, projections, monitors, n_exc, rng)


def isi_cv(spike_times: list[np.ndarray]) -> float:
    """Mean over neurons with at least 3 spikes of the coefficient of variation of their inter-spike intervals
    (NaN when none has)."""
    cvs = [np.std(d) / np.mean(d) for d in (np.diff(t) for t in spike_times if len(t) >= 3)]
    return float(np.mean(cvs)) if cvs else float("nan")
