"""LIF neurons: rates against the notes' closed-form tuning curve, exact trajectories, refractoriness, errors.

Expected values come from the notes' formulas: v(t) = v_in (1 - exp(-t / tau_m)) from v(0) = 0, and the
steady-state rate G(v_in) = 1 / (tau_ref - tau_m ln(1 - 1 / v_in)), written out here independently.
"""

import math

import numpy as np
import pytest

from neuronlab.neurons import LIF, lif_rate, tuning_curve

TAU_M, TAU_REF = 0.02, 0.002
INPUTS = np.array([1.05, 1.5, 2.0, 4.0, 10.0])
BACKENDS = ["numba", "numpy"]


def G(v_in, tau_ref=TAU_REF, tau_m=TAU_M):
    return np.array([1.0 / (tau_ref - tau_m * math.log(1.0 - 1.0 / v)) if v > 1 else 0.0 for v in np.atleast_1d(v_in)])


def isi(v_in, tau_ref=TAU_REF, tau_m=TAU_M):
    """Interval between spikes: refractory period plus the time v_in (1 - e^(-t/tau_m)) takes to reach 1."""
    return tau_ref + tau_m * math.log(v_in / (v_in - 1.0))


def test_lif_rate_closed_form():
    v = np.array([-1.0, 0.0, 0.5, 1.0, 1.0 + 1e-9, 1.05, 1.5, 2.0, 4.0, 10.0, 1e6])
    np.testing.assert_allclose(lif_rate(v), G(v), rtol=1e-9)
    assert isinstance(lif_rate(2.0), float)
    assert lif_rate(1.0) == 0.0 and lif_rate(0.3) == 0.0
    # near threshold the rate goes to 0 continuously; for huge input it saturates at 1 / tau_ref
    assert 0.0 < lif_rate(1.0 + 1e-12) < 2.0
    assert lif_rate(1e12) == pytest.approx(1.0 / TAU_REF, rel=1e-6)
    np.testing.assert_allclose(lif_rate(v, tau_ref=0.005, tau_m=0.05), G(v, 0.005, 0.05), rtol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dt, tolerance", [(1e-4, 0.005), (1e-3, 0.02)])
def test_rate_matches_tuning_curve(backend, dt, tolerance):
    # spike counts over 25 s: counting error below 1 / (G T) = 0.25% for the slowest neuron (G ~ 16 Hz)
    model = LIF(len(INPUTS), tau_m=TAU_M, tau_ref=TAU_REF, backend=backend)
    result = model.simulate(INPUTS, duration=25.0, dt=dt, record=False)
    np.testing.assert_allclose(result.rates, G(INPUTS), rtol=tolerance)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("dt", [1e-4, 1e-3])
def test_interspike_intervals_are_exact_at_any_dt(backend, dt):
    result = LIF(len(INPUTS), backend=backend).simulate(INPUTS, duration=1.0, dt=dt, record=False)
    for v_in, times in zip(INPUTS, result.spike_times):
        # first spike: v_in (1 - e^(-t/tau_m)) = 1 from v = 0; then one interval after another
        first = TAU_M * math.log(v_in / (v_in - 1.0))
        expected = first + isi(v_in) * np.arange(len(times))
        assert len(times) == int((1.0 - first) // isi(v_in)) + 1
        np.testing.assert_allclose(times, expected, rtol=0, atol=1e-12)
    np.testing.assert_allclose(result.isi_rates(), G(INPUTS), rtol=1e-9)


@pytest.mark.parametrize("backend", BACKENDS)
def test_spike_times_from_a_nonzero_start(backend):
    # from v0 the first spike comes when v_in + (v0 - v_in) e^(-t/tau_m) = 1, then one every interval
    rng = np.random.default_rng(5)
    v_in, v0 = rng.uniform(1.1, 6.0, 40), rng.uniform(-0.5, 0.99, 40)
    result = LIF(40, backend=backend).simulate(v_in, duration=0.5, dt=1e-3, v0=v0, record=False)
    for j, start, times in zip(v_in, v0, result.spike_times):
        first = TAU_M * math.log((j - start) / (j - 1.0))
        np.testing.assert_allclose(times, first + isi(j) * np.arange(len(times)), rtol=0, atol=1e-12)
        assert len(times) == int((0.5 - first) // isi(j)) + 1


@pytest.mark.parametrize("backend", BACKENDS)
def test_no_spikes_at_or_below_threshold(backend):
    v_in = np.array([-0.5, 0.0, 0.5, 0.99, 1.0])
    result = LIF(len(v_in), backend=backend).simulate(v_in, duration=2.0, dt=1e-3)
    assert result.spike_counts.sum() == 0 and not result.spikes.any()
    np.testing.assert_allclose(result.v[-1], v_in * (1 - math.exp(-2.0 / TAU_M)), rtol=1e-12, atol=1e-15)
    assert np.all(result.v < 1.0)


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("v_in", [0.8, 1.5])
def test_subthreshold_trajectory_is_the_exponential_solution(backend, v_in):
    result = LIF(1, backend=backend).simulate(v_in, duration=0.2, dt=1e-3)
    before = result.t < (result.spike_times[0][0] if result.spike_counts[0] else np.inf)
    expected = v_in * (1.0 - np.exp(-result.t[before] / TAU_M))
    np.testing.assert_allclose(result.v[before, 0], expected, rtol=1e-12, atol=1e-15)


@pytest.mark.parametrize("backend", BACKENDS)
def test_refractory_period_respected_exactly(backend):
    # tau_ref = 2.5 ms is not a multiple of dt = 1 ms: the refractory time must straddle steps exactly
    tau_ref, v_in = 0.0025, 2.0
    result = LIF(1, tau_ref=tau_ref, backend=backend).simulate(v_in, duration=0.3, dt=1e-3)
    times = result.spike_times[0]
    np.testing.assert_allclose(np.diff(times), isi(v_in, tau_ref), rtol=0, atol=1e-12)
    t, v = result.t, result.v[:, 0]
    last = np.searchsorted(times, t, side="right") - 1  # index of the latest spike at or before t
    after = last >= 0
    since = t[after] - times[last[after]]
    refracting = since <= tau_ref
    assert refracting.any() and np.all(v[after][refracting] == 0.0)
    # after the refractory period v restarts from 0: v_in (1 - e^(-(t - t_spike - tau_ref) / tau_m))
    rising = ~refracting
    np.testing.assert_allclose(
        v[after][rising], v_in * (1 - np.exp(-(since[rising] - tau_ref) / TAU_M)), rtol=1e-10, atol=1e-13
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_several_spikes_within_one_step(backend):
    # tau_ref = 0 and v_in = 50: interval 0.02 ln(50/49) = 0.40 ms, so 2-3 spikes fall in each 1 ms step
    result = LIF(1, tau_ref=0.0, backend=backend).simulate(50.0, duration=0.05, dt=1e-3)
    interval = isi(50.0, 0.0)
    assert result.spike_counts[0] == int(0.05 // interval)
    np.testing.assert_allclose(np.diff(result.spike_times[0]), interval, rtol=1e-9)
    assert np.bincount(result.spike_step).max() >= 2


@pytest.mark.parametrize("backend", BACKENDS)
def test_input_switched_on_mid_run(backend):
    # v_in = 0.5 for 0.1 s, then 2.0: from v(0.1) = 0.5 (1 - e^-5), v = 2 + (v(0.1) - 2) e^(-(t - 0.1)/tau_m)
    dt, t_switch = 1e-3, 0.1
    steps = int(round(0.2 / dt))
    v_in = np.where(np.arange(steps) * dt < t_switch - dt / 2, 0.5, 2.0)
    result = LIF(1, backend=backend).simulate(v_in, duration=0.2, dt=dt)
    v_switch = 0.5 * (1 - math.exp(-t_switch / TAU_M))
    expected_first = t_switch + TAU_M * math.log((2.0 - v_switch) / (2.0 - 1.0))
    assert result.spike_times[0][0] == pytest.approx(expected_first, abs=1e-12)


@pytest.mark.parametrize("backend", BACKENDS)
def test_gain_and_bias(backend):
    x = np.array([1.0, 2.0, 3.0])
    gain, bias = np.array([2.0, 0.5, 1.0]), np.array([0.0, 0.6, -1.5])
    result = LIF(3, gain=gain, bias=bias, backend=backend).simulate(x, duration=1.0, dt=1e-3, record=False)
    np.testing.assert_allclose(result.isi_rates(), G(gain * x + bias), rtol=1e-9)


def test_backends_agree_on_a_varied_population():
    rng = np.random.default_rng(0)
    n, t_end, dt = 300, 0.4, 5e-4
    steps = int(round(t_end / dt))
    v_in = rng.uniform(0.0, 3.0, (steps, n))  # fluctuating input, different for every neuron and step
    gain, bias, v0 = rng.uniform(0.5, 2.0, n), rng.uniform(-0.5, 0.5, n), rng.uniform(0.0, 0.99, n)
    results = [
        LIF(n, tau_ref=0.0013, gain=gain, bias=bias, backend=b).simulate(v_in, t_end, dt, v0=v0, record=[0, 7, 299])
        for b in BACKENDS
    ]
    fast, slow = results
    assert fast.spike_time.size > 1000
    np.testing.assert_array_equal(fast.spike_neuron, slow.spike_neuron)
    np.testing.assert_array_equal(fast.spike_step, slow.spike_step)
    np.testing.assert_allclose(fast.spike_time, slow.spike_time, rtol=0, atol=1e-12)
    np.testing.assert_allclose(fast.v, slow.v, rtol=0, atol=1e-12)


def test_thread_count_does_not_change_results():
    # blocks of 256 neurons run in parallel; 1, 2 and all threads must give identical spikes, order and voltages
    numba = pytest.importorskip("numba")
    rng = np.random.default_rng(1)
    n, t_end, dt = 1500, 0.2, 1e-3
    v_in = rng.uniform(0.0, 4.0, (int(round(t_end / dt)), n))
    runs = [
        LIF(n, tau_ref=0.0017, threads=threads, backend="numba").simulate(v_in, t_end, dt, record=[0, 700, 1499])
        for threads in sorted({1, min(2, numba.config.NUMBA_NUM_THREADS), numba.config.NUMBA_NUM_THREADS})
    ]
    for other in runs[1:]:
        for field in ("spike_neuron", "spike_step", "spike_time", "v"):
            np.testing.assert_array_equal(getattr(other, field), getattr(runs[0], field))
    assert np.all(np.diff(runs[0].spike_neuron) >= 0) and runs[0].spike_time.size > 10_000


def test_result_layout():
    result = LIF(2).simulate([1.5, 3.0], duration=0.1, dt=1e-3, record=[1])
    assert result.t.shape == (101,) and result.t[-1] == pytest.approx(0.1)
    assert result.v.shape == (101, 1) and result.recorded.tolist() == [1]
    assert result.spikes.shape == (101, 2) and result.spikes.dtype == bool
    assert result.spikes.sum(axis=0).tolist() == result.spike_counts.tolist()
    for neuron, times in enumerate(result.spike_times):
        rows = np.flatnonzero(result.spikes[:, neuron])
        # row k + 1 marks a spike during step k, between t[k] and t[k + 1]
        assert np.all(result.t[rows - 1] <= times + 1e-15) and np.all(times <= result.t[rows] + 1e-15)
    np.testing.assert_allclose(result.rates, result.spike_counts / 0.1)


def test_tuning_curve_simulated_matches_analytic():
    curve = tuning_curve(np.linspace(0, 5, 26), tau_ref=0.004, tau_m=0.03, duration=1.0, dt=1e-3)
    np.testing.assert_allclose(curve.analytic, G(curve.v_in, 0.004, 0.03), rtol=1e-9)
    np.testing.assert_allclose(curve.simulated, curve.analytic, rtol=1e-9)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(dt=-1e-3), "dt must be > 0"),
        (dict(dt=0.05), "larger than tau_m"),
        (dict(v_in=[1.0, np.nan, 2.0]), "NaN"),
        (dict(v_in=[1.0, 2.0]), "shape"),
        (dict(v_in=np.ones((5, 3))), "shape"),
        (dict(v0=1.0), "below the threshold"),
        (dict(duration=-1.0), "duration must be > 0"),
    ],
)
def test_bad_input_is_rejected(kwargs, match):
    args = dict(v_in=[1.5, 2.0, 3.0], duration=0.1, dt=1e-3) | kwargs
    with pytest.raises(ValueError, match=match):
        LIF(3).simulate(**args)


def test_bad_construction_is_rejected():
    with pytest.raises(ValueError, match="tau_m must be > 0"):
        LIF(tau_m=0.0)
    with pytest.raises(ValueError, match="gain must be a scalar or have shape"):
        LIF(3, gain=[1.0, 2.0])
    with pytest.raises(ValueError, match="backend"):
        LIF(backend="cuda")
    for threads in (0, 2.5, True, 10**6):
        with pytest.raises(ValueError, match="threads must be"):
            LIF(threads=threads, backend="numba")
    with pytest.raises(ValueError, match="ambiguous|equals both"):
        LIF(10).simulate(np.ones(10), duration=0.01, dt=1e-3)
