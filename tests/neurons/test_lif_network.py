"""LIF networks (notes 003 §1.7): uncoupled rates equal G(v_in), spikes travel along an excitatory chain with
the delay the ODEs predict, inhibition silences, sparse and dense weights agree."""

import math

import numpy as np
import pytest
import scipy.sparse as sparse
from scipy.integrate import solve_ivp

from neuronlab.neurons import LIFNetwork, SpikingNetwork, lif_rate
from neuronlab.neurons.network import random_weights

TAU_M, TAU_REF, TAU_S = 0.02, 0.002, 0.005


def G(v):
    return 1.0 / (TAU_REF - TAU_M * math.log(1.0 - 1.0 / v))


@pytest.mark.parametrize("dt", [1e-4, 1e-3])
def test_uncoupled_population_rates_match_the_tuning_curve(dt):
    v_in = np.array([0.7, 1.05, 1.5, 2.0, 4.0, 10.0])
    result = LIFNetwork(np.zeros((6, 6))).simulate(v_in, duration=1.0, dt=dt, record=False)
    expected = np.array([0.0] + [G(v) for v in v_in[1:]])
    np.testing.assert_allclose(result.isi_rates(), expected, rtol=1e-9)
    np.testing.assert_allclose(result.isi_rates(), lif_rate(v_in), rtol=1e-9)
    # spike counts in 1 s: first spike at tau_m ln(v / (v - 1)) from rest, then one every 1 / G
    first = np.array([TAU_M * math.log(v / (v - 1)) for v in v_in[1:]])
    np.testing.assert_array_equal(result.spike_counts[1:], np.floor((1.0 - first) * expected[1:]) + 1)


def test_excitatory_chain_delay():
    # neuron 0 (v_in = 1.1) drives neuron 1 (no input) through w = 0.05. After a spike of neuron 0 at t_p, neuron 1
    # obeys tau_m v' = s - v, tau_s s' = -s, s(t_p) = w / tau_s; the delay is when v first reaches 1.
    w, dt = 0.05, 1e-5
    weights = np.array([[0.0, 0.0], [w, 0.0]])
    hit = lambda t, y: y[0] - 1.0  # noqa: E731
    hit.terminal, hit.direction = True, 1
    ode = solve_ivp(
        lambda t, y: [(y[1] - y[0]) / TAU_M, -y[1] / TAU_S],
        (0, 0.05),
        [0.0, w / TAU_S],
        events=hit,
        rtol=1e-12,
        atol=1e-12,
    )
    delay = ode.t_events[0][0]
    result = LIFNetwork(weights, tau_s=TAU_S).simulate(np.array([1.1, 0.0]), duration=0.26, dt=dt)
    pre, post = result.spike_times
    assert len(pre) == len(post) == 5  # G(1.1) = 20 Hz; one postsynaptic spike per presynaptic spike
    # the first spike starts from rest (v = 0, s = 0); delivery at the end of the step adds at most one step
    assert delay - 1e-9 <= post[0] - pre[0] <= delay + dt + 1e-9
    # later ones find v slightly above 0, left over from the previous PSC, so they come a little sooner
    assert np.all(post[1:] - pre[1:] < post[0] - pre[0])


@pytest.mark.parametrize("tau_s", [TAU_M * (1 - 1e-12), 0.1 * 0.2, TAU_M, TAU_M * (1 + 1e-12), TAU_M * (1 + 1e-6)])
def test_synaptic_kernel_is_continuous_as_tau_s_reaches_tau_m(tau_s):
    """At tau_s = tau_m the PSC's effect on v is K(u) = (u / tau_m) e^(-u/tau_m), slope (1 - u/tau_m) e^(-u/tau_m)
    / tau_m; tau_s within 1e-12 (or 1e-6) of tau_m must give the same to about that relative difference."""
    u = np.array([1e-6, 1e-4, 0.003, 0.02])
    value, slope = LIFNetwork(np.zeros((1, 1)), tau_m=TAU_M, tau_s=tau_s).membrane(u, 0.0, 0.0, 1.0)
    tolerance = max(10 * abs(tau_s / TAU_M - 1), 1e-14)
    np.testing.assert_allclose(value, u / TAU_M * np.exp(-u / TAU_M), rtol=tolerance)
    np.testing.assert_allclose(
        slope, (1 - u / TAU_M) * np.exp(-u / TAU_M) / TAU_M, rtol=tolerance, atol=tolerance / TAU_M
    )  # the slope is 0 at u = tau_m


@pytest.mark.parametrize("tau_s", [0.005, TAU_M * (1 + 1e-9), 0.08])
def test_membrane_matches_solve_ivp(tau_s):
    # tau_m v' = J + s - v, tau_s s' = -s from v(0) = 0.3, s(0) = 2, J = 0.7
    u = np.array([0.001, 0.004, 0.0125])
    ode = solve_ivp(
        lambda t, y: [(0.7 + y[1] - y[0]) / TAU_M, -y[1] / tau_s],
        (0, u[-1]),
        [0.3, 2.0],
        t_eval=u,
        rtol=1e-12,
        atol=1e-12,
    )
    value, slope = LIFNetwork(np.zeros((1, 1)), tau_s=tau_s).membrane(u, 0.3, 0.7, 2.0)
    np.testing.assert_allclose(value, ode.y[0], rtol=1e-9)
    np.testing.assert_allclose(slope, (0.7 + ode.y[1] - ode.y[0]) / TAU_M, rtol=1e-8)


def test_chain_fires_when_tau_s_is_tau_m_up_to_rounding():
    """tau_s = 0.1 * 0.2 = 0.020000000000000004: the old form c (e^(-u/tau_s) - e^(-u/tau_m)) cancelled to 0 and
    neuron 1 never fired. One PSC peaks at w / e < 1, so neuron 1 fires once several have summed: its first spike
    must come when solve_ivp, with s jumping by w / tau_s at each of neuron 0's spikes, has v reach 1 (at most
    a step later: a spike reaches its targets at the end of its step)."""
    w, dt = 0.05, 1e-4
    weights = np.array([[0.0, 0.0], [w, 0.0]])
    near = LIFNetwork(weights, tau_s=0.1 * 0.2).simulate(np.array([1.5, 0.0]), duration=0.2, dt=dt, record=False)
    equal = LIFNetwork(weights, tau_s=TAU_M).simulate(np.array([1.5, 0.0]), duration=0.2, dt=dt, record=False)
    # neuron 0 alone: first spike at tau_m ln 3 from rest, then one every 1 / G(1.5): 8 in 0.2 s
    assert near.spike_counts[0] == math.floor((0.2 - TAU_M * math.log(3)) * G(1.5)) + 1 == 8
    assert near.spike_counts[1] > 0
    np.testing.assert_array_equal(near.spike_counts, equal.spike_counts)
    np.testing.assert_allclose(near.spike_time, equal.spike_time, rtol=1e-12)
    pre, post = near.spike_times
    hit = lambda t, y: y[0] - 1.0  # noqa: E731
    hit.terminal, hit.direction = True, 1
    state, first = [0.0, 0.0], None
    for start, stop in zip(pre, [*pre[1:], 0.2]):
        state[1] += w / TAU_M
        ode = solve_ivp(
            lambda t, y: [(y[1] - y[0]) / TAU_M, -y[1] / TAU_M],
            (start, stop),
            state,
            events=hit,
            rtol=1e-12,
            atol=1e-12,
        )
        if ode.t_events[0].size:
            first = ode.t_events[0][0]
            break
        state = list(ode.y[:, -1])
    assert first is not None and first - 1e-9 <= post[0] <= first + dt


def test_inhibition_suppresses_firing():
    v_in = np.array([3.0, 1.5])
    alone = LIFNetwork(np.zeros((2, 2))).simulate(v_in, duration=1.0, dt=1e-4, record=False)
    assert alone.isi_rates()[1] == pytest.approx(G(1.5), rel=1e-9)
    # mean inhibitory current w * rate_0 = -0.02 * 92 Hz = -1.8 pushes neuron 1's drive below threshold
    inhibited = LIFNetwork(np.array([[0.0, 0.0], [-0.02, 0.0]])).simulate(v_in, duration=1.0, dt=1e-4, record=[1])
    assert inhibited.spike_counts[1] == 0 and inhibited.spike_counts[0] == alone.spike_counts[0]
    assert inhibited.s[:, 0].min() < -1.0 and np.all(inhibited.s[:, 0] <= 0.0)


def test_excitation_raises_rates():
    v_in = np.array([3.0, 1.5])
    alone = LIFNetwork(np.zeros((2, 2))).simulate(v_in, duration=1.0, dt=1e-4, record=False)
    excited = LIFNetwork(np.array([[0.0, 0.0], [0.005, 0.0]])).simulate(v_in, duration=1.0, dt=1e-4, record=False)
    # with a mean extra drive w * rate_0 = 0.46 the rate approaches G(1.5 + 0.46) from the fluctuating current
    assert excited.rates[1] > alone.rates[1] * 1.5
    assert excited.rates[1] == pytest.approx(G(1.5 + 0.005 * excited.rates[0]), rel=0.1)


def test_synaptic_current_follows_the_notes_rule():
    # one presynaptic spike of weight w: s jumps by w / tau_s and decays as e^(-t / tau_s)
    w, dt = 0.01, 1e-4
    result = LIFNetwork(np.array([[0.0, 0.0], [w, 0.0]])).simulate(
        np.array([1.5, 0.0]), duration=0.04, dt=dt, record=[1]
    )
    t_p = result.spike_times[0][0]
    assert len(result.spike_times[0]) == 1
    after = result.t > t_p + dt
    np.testing.assert_allclose(result.s[after, 0], w / TAU_S * np.exp(-(result.t[after] - t_p) / TAU_S), rtol=1e-10)


def test_sparse_and_dense_weights_agree():
    weights, n_exc = random_weights(60, p=0.2, w_exc=0.004, w_inh=-0.016, generator=np.random.default_rng(0))
    assert sparse.issparse(weights) and n_exc == 48
    assert np.all(weights.toarray()[:, :48] >= 0) and np.all(weights.toarray()[:, 48:] <= 0)
    assert np.all(weights.diagonal() == 0)
    v_in = np.random.default_rng(1).uniform(0.8, 1.6, 60)
    a = LIFNetwork(weights).simulate(v_in, duration=0.3, dt=1e-4, record=[0, 59])
    b = SpikingNetwork(weights.toarray()).simulate(v_in, duration=0.3, dt=1e-4, record=[0, 59])
    assert a.spike_time.size > 100
    np.testing.assert_array_equal(a.spike_neuron, b.spike_neuron)
    np.testing.assert_allclose(a.spike_time, b.spike_time, atol=1e-12)
    np.testing.assert_allclose(a.v, b.v, atol=1e-12)


def test_filtered_rates_average_to_the_spike_counts():
    result = LIFNetwork(np.zeros((3, 3))).simulate(np.array([1.2, 2.0, 5.0]), duration=1.5, dt=2e-4, record=False)
    tau = 0.02
    filtered = result.filtered_rates(tau_s=tau)
    assert filtered.shape == (len(result.t), 3)
    # each spike's unit-area kernel integrates to 1 - e^(-(T - t_p)/tau) before the run ends at T
    expected = [np.sum(1.0 - np.exp(-(result.duration - times) / tau)) for times in result.spike_times]
    np.testing.assert_allclose(filtered.sum(axis=0) * result.dt, expected, rtol=5e-3)


@pytest.mark.parametrize(
    "weights, match",
    [
        (np.zeros((2, 3)), "square"),
        (np.array([[0.0, np.nan], [0.0, 0.0]]), "NaN"),
        (np.zeros(4), "2-D"),
    ],
)
def test_bad_weights_are_rejected(weights, match):
    with pytest.raises(ValueError, match=match):
        LIFNetwork(weights)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dt=-1e-4), "dt must be > 0"),
        (dict(dt=0.01), r"larger than min\(tau_m, tau_s\)"),
        (dict(v_in=np.array([1.0, np.nan])), "NaN"),
        (dict(v_in=np.ones(3)), "shape"),
    ],
)
def test_bad_simulation_input_is_rejected(kwargs, match):
    args = dict(v_in=np.array([1.5, 2.0]), duration=0.1, dt=1e-4) | kwargs
    with pytest.raises(ValueError, match=match):
        LIFNetwork(np.zeros((2, 2))).simulate(**args)
