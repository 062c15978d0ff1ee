"""One convention for every neuron model: times in seconds, ``duration=``, ``dt=``, ``v0=``, ``record=``,
callable inputs; the old names and Hodgkin-Huxley's old millisecond form still work, with a DeprecationWarning."""

import warnings

import numpy as np
import pytest

from neuronlab.neurons import LIF, HodgkinHuxley, LIFNetwork, tuning_curve

BACKENDS = ["numba", "numpy"]


@pytest.mark.parametrize("backend", BACKENDS)
def test_hh_takes_seconds_and_agrees_with_the_old_millisecond_form(backend):
    model = HodgkinHuxley(2, backend=backend)
    seconds = model.simulate(np.array([10.0, 20.0]), duration=0.05, dt=1e-5, record=True)
    with pytest.warns(DeprecationWarning, match="milliseconds"):
        millis = model.simulate(np.array([10.0, 20.0]), t_end=50.0, dt=0.01, record=True)
    np.testing.assert_allclose(seconds.t * 1e3, millis.t, rtol=1e-12)
    np.testing.assert_allclose(seconds.V, millis.V, rtol=1e-9, atol=1e-9)
    np.testing.assert_array_equal(seconds.spike_counts, millis.spike_counts)
    np.testing.assert_allclose(seconds.spike_time * 1e3, millis.spike_time, rtol=1e-9)
    np.testing.assert_allclose(seconds.rates, millis.rates, rtol=1e-12)  # Hz either way
    assert seconds.duration == pytest.approx(0.05) and millis.duration == pytest.approx(50.0)


def test_hh_old_positional_millisecond_call_still_works():
    # dt = 0.01 is impossible in seconds (max_dt is 5e-5 s): read as the old ms form, with a warning
    with pytest.warns(DeprecationWarning, match="milliseconds"):
        result = HodgkinHuxley().simulate(10.0, 100.0, 0.01)
    assert result.t[-1] == pytest.approx(100.0) and result.rates[0] == pytest.approx(70.0)


def test_hh_dead_time_and_callable_current_in_seconds():
    stepped = lambda t: 10.0 if t >= 0.01 else 0.0  # noqa: E731  (a step at 10 ms)
    result = HodgkinHuxley().simulate(stepped, 0.06, 1e-5)
    with pytest.warns(DeprecationWarning):
        old = HodgkinHuxley().simulate(lambda t: 10.0 if t >= 10.0 else 0.0, t_end=60.0, dt=0.01)
    np.testing.assert_allclose(result.spike_time * 1e3, old.spike_time, rtol=1e-9)
    assert result.spike_times[0][0] > 0.01
    sparse = HodgkinHuxley().simulate(stepped, 0.06, 1e-5, dead_time=0.03)  # seconds
    assert np.all(np.diff(sparse.spike_times[0]) >= 0.03) and sparse.spike_counts[0] < result.spike_counts[0]


def test_old_names_warn_and_mean_the_same():
    v_in = np.array([1.5, 3.0])
    new = LIF(2).simulate(v_in, duration=0.2, dt=1e-3, v0=0.1, record=[1])
    with pytest.warns(DeprecationWarning, match="t_end= is deprecated"):
        with pytest.warns(DeprecationWarning, match="record_v= is deprecated"):
            old = LIF(2).simulate(v_in, t_end=0.2, dt=1e-3, v0=0.1, record_v=[1])
    np.testing.assert_array_equal(old.spike_time, new.spike_time)
    np.testing.assert_array_equal(old.v, new.v)
    net_new = LIFNetwork(np.zeros((2, 2))).simulate(v_in, duration=0.1, record=False)
    with pytest.warns(DeprecationWarning):
        net_old = LIFNetwork(np.zeros((2, 2))).simulate(v_in, t_end=0.1, record_v=False)
    np.testing.assert_array_equal(net_old.spike_time, net_new.spike_time)
    with pytest.warns(DeprecationWarning, match="V0= is deprecated"):
        kicked = HodgkinHuxley().simulate(0.0, 0.002, V0=-60.0)
    assert kicked.V[0, 0] == -60.0 == HodgkinHuxley().simulate(0.0, 0.002, v0=-60.0).V[0, 0]
    with pytest.warns(DeprecationWarning):
        curve = tuning_curve([2.0], t_end=0.5)
    assert curve.simulated == pytest.approx(tuning_curve([2.0], duration=0.5).simulated)


def test_old_and_new_name_together_is_an_error():
    with pytest.raises(TypeError, match="both"):
        LIF(1).simulate(1.5, duration=0.1, t_end=0.1)
    with pytest.raises(TypeError, match="both"):
        HodgkinHuxley().simulate(10.0, 0.01, v0=-65.0, V0=-65.0)
    with pytest.raises(TypeError, match="duration"):
        LIF(1).simulate(1.5)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lif_callable_input_is_sampled_at_the_start_of_each_step(backend):
    def v_in(t):
        return np.array([1.5, 3.0]) * (1.0 + np.sin(2 * np.pi * 5 * t))

    result = LIF(2, backend=backend).simulate(v_in, 0.3, 1e-3, record=True)
    samples = np.array([v_in(k * 1e-3) for k in range(300)])
    expected = LIF(2, backend=backend).simulate(samples, 0.3, 1e-3, record=True)
    np.testing.assert_array_equal(result.spike_time, expected.spike_time)
    np.testing.assert_array_equal(result.v, expected.v)


def test_network_callable_input():
    def v_in(t):
        return 2.0 if t < 0.05 else 0.0

    result = LIFNetwork(np.zeros((1, 1))).simulate(v_in, 0.1, 1e-4)
    assert result.spike_counts[0] > 0 and result.spike_time.max() < 0.05 + 1e-4


def test_no_warning_from_the_current_forms():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        LIF(2).simulate([1.5, 2.0], 0.05, 1e-3, v0=0.0, record=True)
        HodgkinHuxley().simulate(10.0, 0.005, 1e-5, v0=-65.0, record=[0])
        LIFNetwork(np.zeros((2, 2))).simulate(1.5, 0.01, 1e-4, v0=0.0, record=[1])
        tuning_curve([1.5], duration=0.1)
