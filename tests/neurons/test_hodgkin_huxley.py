"""Hodgkin-Huxley: against SciPy's solve_ivp on an independent transcription of the published equations,
resting state, rheobase bracket, spike shape, f-I monotonicity, backends, errors."""

import numpy as np
import pytest
from scipy.integrate import solve_ivp
from scipy.optimize import brentq

from neuronlab.neurons import HodgkinHuxley, gate_rates, steady_state, time_constants
from neuronlab.neurons.hodgkin_huxley import step_current

# These tests run the deprecated millisecond form (times in ms, as the equations and the papers write them);
# test_conventions.py checks the seconds form equal to it.
pytestmark = pytest.mark.filterwarnings("ignore:HodgkinHuxley.simulate in milliseconds:DeprecationWarning")

BACKENDS = ["numba", "numpy"]


# The classic squid-axon model (Hodgkin & Huxley 1952, rest shifted to -65 mV), written out independently.
def reference_rates(V):
    return (
        0.1 * (V + 40) / (1 - np.exp(-(V + 40) / 10)),
        4 * np.exp(-(V + 65) / 18),
        0.07 * np.exp(-(V + 65) / 20),
        1 / (1 + np.exp(-(V + 35) / 10)),
        0.01 * (V + 55) / (1 - np.exp(-(V + 55) / 10)),
        0.125 * np.exp(-(V + 65) / 80),
    )


def reference_rhs(t, y, current):
    V, m, h, n = y
    a_m, b_m, a_h, b_h, a_n, b_n = reference_rates(V)
    J = current(t)
    dV = J - 0.3 * (V + 54.387) - 120 * m**3 * h * (V - 50) - 36 * n**4 * (V + 77)
    return [dV, a_m * (1 - m) - b_m * m, a_h * (1 - h) - b_h * h, a_n * (1 - n) - b_n * n]


def reference_rest():
    def steady_current(V):
        a_m, b_m, a_h, b_h, a_n, b_n = reference_rates(V)
        m, h, n = a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)
        return 0.3 * (V + 54.387) + 120 * m**3 * h * (V - 50) + 36 * n**4 * (V + 77)

    V = brentq(steady_current, -90, -50, xtol=1e-13)
    a_m, b_m, a_h, b_h, a_n, b_n = reference_rates(V)
    return np.array([V, a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)])


def reference_solution(current, t_end, dt):
    t = dt * np.arange(int(round(t_end / dt)) + 1)
    sol = solve_ivp(
        reference_rhs, (0, t_end), reference_rest(), method="DOP853", rtol=1e-11, atol=1e-11, t_eval=t, args=(current,)
    )
    return sol.y


def test_gate_functions_match_the_published_formulas():
    V = np.array([-90.0, -70.0, -54.0, -39.0, 0.0, 30.0])
    np.testing.assert_allclose(gate_rates(V), reference_rates(V), rtol=1e-12)
    # the removable singularities: alpha_m(-40) = 0.1 * 10, alpha_n(-55) = 0.01 * 10 (the limits)
    a_m, _, _, _, a_n, _ = gate_rates(np.array([-40.0, -55.0]))
    assert a_m[0] == pytest.approx(1.0, rel=1e-12) and a_n[1] == pytest.approx(0.1, rel=1e-12)
    assert np.isclose(gate_rates(-40.0 + 1e-9)[0], 1.0, rtol=1e-8)
    rates = reference_rates(V)
    for (a, b), inf, tau in zip(
        ((rates[0], rates[1]), (rates[2], rates[3]), (rates[4], rates[5])), steady_state(V), time_constants(V)
    ):
        np.testing.assert_allclose(inf, a / (a + b), rtol=1e-12)
        np.testing.assert_allclose(tau, 1 / (a + b), rtol=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_trajectory_matches_solve_ivp_constant_current(backend):
    expected = reference_solution(lambda t: 10.0, 25.0, 0.01)
    result = HodgkinHuxley(backend=backend).simulate(10.0, t_end=25.0, dt=0.01)
    assert result.spike_counts[0] == 2  # the comparison covers two action potentials
    for got, want, tol in zip((result.V, result.m, result.h, result.n), expected, (1e-3, 1e-6, 1e-6, 1e-6)):
        np.testing.assert_allclose(got[:, 0], want, rtol=0, atol=tol)


def test_trajectory_matches_solve_ivp_time_varying_current():
    current = lambda t: 8.0 + 6.0 * np.sin(2 * np.pi * t / 25.0)  # noqa: E731
    expected = reference_solution(current, 50.0, 0.01)
    result = HodgkinHuxley().simulate(current, t_end=50.0, dt=0.01)
    np.testing.assert_allclose(result.V[:, 0], expected[0], rtol=0, atol=1e-3)


def test_rk4_converges_at_fourth_order():
    expected = reference_solution(lambda t: 10.0, 20.0, 0.01)[0]
    errors = [
        np.abs(HodgkinHuxley().simulate(10.0, 20.0, dt).V[:: int(round(0.01 / dt)), 0] - expected).max()
        for dt in (0.01, 0.005)
    ]
    assert 12 < errors[0] / errors[1] < 20  # 2^4 = 16


def test_euler_is_first_order_and_close_for_small_steps():
    expected = reference_solution(lambda t: 10.0, 10.0, 0.01)[0]
    errors = [
        np.abs(HodgkinHuxley().simulate(10.0, 10.0, dt, method="euler").V[:: int(round(0.01 / dt)), 0] - expected).max()
        for dt in (0.002, 0.001)
    ]
    assert errors[1] < 1.0 and 1.7 < errors[0] / errors[1] < 2.3


def test_resting_state_is_stable():
    rest = reference_rest()
    model = HodgkinHuxley()
    assert model.resting_potential() == pytest.approx(rest[0], abs=1e-9)
    result = model.simulate(0.0, t_end=100.0, dt=0.01)
    assert result.spike_counts[0] == 0
    for trace, value in zip((result.V, result.m, result.h, result.n), rest):
        np.testing.assert_allclose(trace[:, 0], value, atol=1e-8)
    # a small perturbation decays back to rest
    kicked = model.simulate(0.0, t_end=100.0, dt=0.01, v0=rest[0] + 3.0)
    assert kicked.spike_counts[0] == 0 and abs(kicked.V[-1, 0] - rest[0]) < 0.05


def test_rheobase_bracket():
    # Repetitive firing of these parameters starts between 6.2 and 6.3 uA/cm^2 (the saddle-node of periodic
    # orbits; Rinzel & Miller 1980 report I ~ 6.26); test well away from it on both sides.
    result = HodgkinHuxley(2).simulate(np.array([5.5, 7.0]), t_end=300.0, dt=0.01)
    below, above = result.spike_times
    assert len(below) <= 2 and np.all(below < 100.0)  # at most an onset transient, then silence
    intervals = np.diff(above[above > 50.0])
    assert above.max() > 280.0 and len(intervals) >= 10
    assert intervals.std() / intervals.mean() < 0.01  # regular firing


def test_spike_peaks_are_physiological():
    currents = np.array([7.0, 10.0, 15.0, 20.0])
    result = HodgkinHuxley(len(currents)).simulate(currents, t_end=100.0, dt=0.01)
    for neuron in range(len(currents)):
        V = result.V[:, neuron]
        peaks = np.flatnonzero((V[1:-1] > V[:-2]) & (V[1:-1] >= V[2:]) & (V[1:-1] > 0.0)) + 1
        assert len(peaks) == result.spike_counts[neuron] > 0
        assert np.all((V[peaks] > 20.0) & (V[peaks] < 50.0)), V[peaks]  # overshoot below E_Na = 50 mV
        assert V.min() > -80.0  # after-hyperpolarization stays above E_K = -77 mV minus a margin


def test_firing_rate_increases_with_current():
    currents = np.array([7.0, 10.0, 20.0, 40.0, 60.0])
    result = HodgkinHuxley(len(currents)).simulate(currents, t_end=200.0, dt=0.01, record=False)
    rates = result.isi_rates()  # Hz
    assert np.all(np.diff(rates) > 0), rates
    assert 50 < rates[0] < 70 and rates[-1] > 110  # the classic HH f-I range, about 55-125 Hz
    assert result.V.shape == (len(result.t), 0)


def test_population_equals_separate_neurons():
    currents = np.array([-5.0, 8.0, 25.0])
    together = HodgkinHuxley(3).simulate(currents, t_end=30.0, dt=0.01)
    for neuron, current in enumerate(currents):
        alone = HodgkinHuxley(1).simulate(current, t_end=30.0, dt=0.01)
        np.testing.assert_allclose(together.V[:, neuron], alone.V[:, 0], rtol=0, atol=1e-12)
        np.testing.assert_allclose(together.spike_times[neuron], alone.spike_times[0], atol=1e-12)


def test_backends_agree():
    rng = np.random.default_rng(1)
    steps = 2000
    current = rng.uniform(-5, 30, (steps, 6))
    fast, slow = (HodgkinHuxley(6, backend=b).simulate(current, t_end=20.0, dt=0.01, record=[0, 5]) for b in BACKENDS)
    np.testing.assert_allclose(fast.V, slow.V, rtol=0, atol=1e-9)
    np.testing.assert_allclose(fast.n, slow.n, rtol=0, atol=1e-12)
    np.testing.assert_array_equal(fast.spike_neuron, slow.spike_neuron)
    np.testing.assert_allclose(fast.spike_time, slow.spike_time, atol=1e-9)


def test_spike_detection_and_dead_time():
    result = HodgkinHuxley().simulate(10.0, t_end=100.0, dt=0.01)
    V, t, times = result.V[:, 0], result.t, result.spike_times[0]
    # each spike time lies on an upward zero crossing of V, linearly interpolated
    for spike in times:
        k = int(spike // 0.01)
        assert V[k] < 0.0 <= V[k + 1]
        assert spike == pytest.approx(t[k] - V[k] * 0.01 / (V[k + 1] - V[k]), abs=1e-12)
    assert np.all(np.diff(times) >= 2.0)
    # a dead time longer than the interval keeps every other spike
    sparse = HodgkinHuxley().simulate(10.0, t_end=100.0, dt=0.01, dead_time=np.diff(times).max() * 1.5)
    np.testing.assert_allclose(sparse.spike_times[0], times[::2], atol=1e-12)


def test_step_current_sweep():
    levels = [-10.0, 0.0, 20.0]
    drive = step_current(levels, t_end=60.0, dt=0.01)
    assert drive.shape == (6000,) and np.all(drive[:2000] == -10) and np.all(drive[4000:] == 20)
    result = HodgkinHuxley().simulate(drive, t_end=60.0, dt=0.01)
    assert result.V[1999, 0] < -70.0  # hyperpolarized by the negative current, and no spikes there
    times = result.spike_times[0]
    assert np.all(times > 20.0) and np.sum(times > 40.0) >= 2
    np.testing.assert_array_equal(result.current[:, 0], drive)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dt=-0.01), "dt must be > 0"),
        (dict(dt=0.1), "larger than HodgkinHuxley.max_dt"),
        (dict(current=np.array([1.0, np.nan])), "NaN"),
        (dict(current=np.ones(3)), "shape"),
        (dict(method="rk45"), "method"),
        (dict(current=lambda t: np.ones(5)), "must return a scalar or an array of shape"),
        (dict(current=lambda t: np.nan), "NaN"),
    ],
)
def test_bad_input_is_rejected(kwargs, match):
    args = dict(current=np.array([5.0, 10.0]), t_end=1.0, dt=0.01) | kwargs
    with pytest.raises(ValueError, match=match):
        HodgkinHuxley(2).simulate(**args)


@pytest.mark.parametrize("kwargs", [dict(), dict(dt=0.01)])  # seconds, and the deprecated milliseconds
def test_a_run_without_its_duration_is_rejected(kwargs):
    with pytest.raises(TypeError, match="needs the simulated time"):
        HodgkinHuxley().simulate(5.0, **kwargs)


def reference_steady_current(V, E_K=-77.0, E_L=-54.387):
    a_m, b_m, a_h, b_h, a_n, b_n = reference_rates(V)
    m, h, n = a_m / (a_m + b_m), a_h / (a_h + b_h), a_n / (a_n + b_n)
    return 0.3 * (V - E_L) + 120 * m**3 * h * (V - 50) + 36 * n**4 * (V - E_K)


@pytest.mark.parametrize(
    "E_K, E_L, current, bracket",
    [
        (-105.0, -105.0, 0.0, (-110.0, -90.0)),  # rest below the old fixed search range [-100, -40] mV
        (-77.0, -54.387, -10.0, (-100.0, -70.0)),  # a hyperpolarizing current: rest below E_K
        (-77.0, -54.387, 0.0, (-90.0, -50.0)),
    ],
)
def test_resting_potential_outside_the_usual_range(E_K, E_L, current, bracket):
    expected = brentq(lambda V: reference_steady_current(V, E_K, E_L) - current, *bracket, xtol=1e-13)
    model = HodgkinHuxley(E_K=E_K, E_L=E_L)
    assert model.resting_potential(current) == pytest.approx(expected, abs=1e-9)
    if current == 0.0:
        result = model.simulate(0.0, t_end=1.0)
        assert result.V[0, 0] == pytest.approx(expected, abs=1e-9)
        np.testing.assert_allclose(result.V[:, 0], expected, atol=1e-6)  # a fixed point: V stays at rest


def test_rates_are_in_hertz_like_every_model():
    """The time axis is in ms; rates are spikes per second: count / (duration in s), 1000 / mean ISI in ms."""
    result = HodgkinHuxley().simulate(10.0, t_end=100.0, dt=0.01)
    times = result.spike_times[0]
    assert result.rates[0] == pytest.approx(result.spike_counts[0] / 0.1, rel=1e-12)
    assert result.isi_rates()[0] == pytest.approx(1000.0 / np.mean(np.diff(times)), rel=1e-12)
    assert 50 < result.rates[0] < 90  # the classic HH neuron at 10 uA/cm^2 fires at about 70 Hz
