"""Synapses: PSC kernels have unit area; filtering a spike train is the sum of shifted kernels (notes 003 §1.6)."""

import math

import numpy as np
import pytest
from scipy.integrate import quad

from neuronlab.neurons import AlphaSynapse, ExponentialSynapse, filter_spikes, psc_kernel


def kernel(t, tau_s, n):
    """h(t) = t^n e^(-t/tau_s) / (n! tau_s^(n+1)), t >= 0, written out from the notes."""
    t = np.asarray(t, dtype=float)
    return np.where(t >= 0, np.maximum(t, 0) ** n * np.exp(-np.maximum(t, 0) / tau_s), 0.0) / (
        math.factorial(n) * tau_s ** (n + 1)
    )


@pytest.mark.parametrize("n", [0, 1, 2, 3])
@pytest.mark.parametrize("tau_s", [0.002, 0.01, 0.3])
def test_kernels_have_unit_area(n, tau_s):
    area, error = quad(lambda t: psc_kernel(t, tau_s, n), 0, 200 * tau_s, points=[n * tau_s], limit=200)
    assert area == pytest.approx(1.0, abs=1e-9)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_kernel_shape(n):
    tau_s = 0.01
    t = np.linspace(-0.01, 0.1, 1101)
    np.testing.assert_allclose(psc_kernel(t, tau_s, n), kernel(t, tau_s, n), rtol=1e-13)
    assert np.all(psc_kernel(t[t < 0], tau_s, n) == 0)
    # the peak of t^n e^(-t/tau_s) is at t = n tau_s
    assert t[np.argmax(psc_kernel(t, tau_s, n))] == pytest.approx(n * tau_s, abs=1e-4)
    assert psc_kernel(0.0, tau_s, 0) == pytest.approx(1 / tau_s)


@pytest.mark.parametrize("n", [0, 1, 2, 3])
def test_filtering_spike_times_is_the_sum_of_shifted_kernels(n):
    rng = np.random.default_rng(n)
    tau_s, dt = 0.01, 1e-4
    trains = [np.sort(rng.uniform(0, 0.5, 15)), np.array([0.0, 0.1, 0.10005, 0.3 + 1e-7]), np.array([])]
    t, s = filter_spikes(trains, tau_s, n, dt=dt, t_end=0.6)
    assert t.shape == (6001,) and s.shape == (6001, 3)
    for column, train in enumerate(trains):
        expected = sum((kernel(t - tp, tau_s, n) for tp in train), np.zeros_like(t))
        np.testing.assert_allclose(s[:, column], expected, rtol=1e-9, atol=1e-9 * expected.max(initial=1.0))
    single_t, single = filter_spikes(trains[0], tau_s, n, dt=dt, t_end=0.6)
    np.testing.assert_allclose(single, s[:, 0], rtol=1e-12)


@pytest.mark.parametrize("n", [0, 1, 2])
def test_filtering_a_raster_is_the_sum_of_shifted_kernels(n):
    rng = np.random.default_rng(10 + n)
    tau_s, dt = 0.005, 1e-4
    raster = rng.random((3000, 4)) < 0.003
    t, s = filter_spikes(raster, tau_s, n, dt=dt)
    assert s.shape == raster.shape
    for column in range(4):
        expected = sum((kernel(t - t[k], tau_s, n) for k in np.flatnonzero(raster[:, column])), np.zeros_like(t))
        np.testing.assert_allclose(s[:, column], expected, rtol=1e-9, atol=1e-9 * expected.max(initial=1.0))


def test_filtered_regular_train_averages_to_its_rate():
    # a 50 Hz train on the grid: the samples of s average to 50 * dt * sum_j h(j dt), and by unit area
    # that sum approaches 1 / dt; closed forms of sum_j j^n r^j give it exactly
    tau_s, dt = 0.01, 1e-4
    r = math.exp(-dt / tau_s)
    sums = {
        0: dt / tau_s / (1 - r),
        1: (dt / tau_s) ** 2 * r / (1 - r) ** 2,
        2: (dt / tau_s) ** 3 * r * (1 + r) / (2 * (1 - r) ** 3),
    }
    spikes = np.arange(0.0, 10.0, 0.02)
    for n, total in sums.items():
        t, s = filter_spikes(spikes, tau_s, n, dt=dt, t_end=10.0)
        window = (t > 1.0) & (t <= 9.0)
        assert s[window].mean() == pytest.approx(50.0 * total, rel=1e-9)
        assert total == pytest.approx(1.0, rel=0.01)


def test_stateful_exponential_synapse_matches_the_filter():
    rng = np.random.default_rng(3)
    raster = rng.random((2000, 5)) < 0.01
    synapse = ExponentialSynapse(0.005, size=5)
    stepped = np.array([synapse.step(row.astype(float), 1e-4) for row in raster])
    np.testing.assert_allclose(stepped, filter_spikes(raster, 0.005, 0, dt=1e-4)[1], rtol=1e-10, atol=1e-10)
    # the notes' rule: a spike of weight w adds w / tau_s, which then decays as e^(-t/tau_s)
    synapse.reset()
    synapse.step(np.full(5, 0.3), 1e-4)
    np.testing.assert_allclose(synapse.step(0.0, 1e-3), 0.3 / 0.005 * math.exp(-1e-3 / 0.005))


def test_stateful_alpha_synapse_matches_the_filter():
    rng = np.random.default_rng(4)
    raster = rng.random((2000, 3)) < 0.01
    synapse = AlphaSynapse(0.008, size=3)
    stepped = np.array([synapse.step(row.astype(float), 1e-4) for row in raster])
    np.testing.assert_allclose(stepped, filter_spikes(raster, 0.008, 1, dt=1e-4)[1], rtol=1e-10, atol=1e-10)
    synapse.reset()
    synapse.step(1.0, 1e-4)
    response = [synapse.step(0.0, 1e-4)[0] for _ in range(100)]
    np.testing.assert_allclose(response, kernel(1e-4 * np.arange(1, 101), 0.008, 1), rtol=1e-10)


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: psc_kernel(0.1, -0.01), "tau_s must be > 0"),
        (lambda: psc_kernel(0.1, 0.01, n=-1), "non-negative integer"),
        (lambda: psc_kernel(np.array([0.1, np.nan]), 0.01), "NaN"),
        (lambda: filter_spikes(np.array([0.1]), 0.01, dt=0.02), "larger than tau_s"),
        (lambda: filter_spikes(np.array([0.1]), 0.01, dt=-1e-3), "dt must be > 0"),
        (lambda: filter_spikes(np.array([0.1, np.nan]), 0.01), "NaN"),
        (lambda: filter_spikes(np.array([-0.1]), 0.01), ">= 0"),
        (lambda: ExponentialSynapse(0.01, 3).step(np.ones(2), 1e-4), "shape"),
        (lambda: AlphaSynapse(0.01).step(1.0, 0.1), "larger than tau_s"),
    ],
)
def test_bad_input_is_rejected(call, match):
    with pytest.raises(ValueError, match=match):
        call()


@pytest.mark.parametrize("n", [0, 1])
def test_a_plain_list_of_spike_times_is_one_train(n):
    tau_s, dt = 0.01, 1e-4
    t, s = filter_spikes([0.1, 0.2], tau_s, n, dt=dt, t_end=0.4)
    expected = kernel(t - 0.1, tau_s, n) + kernel(t - 0.2, tau_s, n)
    assert s.shape == t.shape == (4001,)
    np.testing.assert_allclose(s, expected, rtol=1e-9, atol=1e-9 * expected.max())
    # a list of such lists is several trains
    _, several = filter_spikes([[0.1, 0.2], [0.15]], tau_s, n, dt=dt, t_end=0.4)
    np.testing.assert_allclose(several[:, 1], kernel(t - 0.15, tau_s, n), rtol=1e-9, atol=1e-9 * expected.max())


@pytest.mark.parametrize(
    "raster",
    [
        np.array([0, 1, 0, 0, 1]),  # int 0/1: would be spikes at 0 s and 1 s
        np.array([0.0, 1.0, 0.0, 0.0, 1.0]),  # float 0/1 with repeats
        [0, 0, 1],
        np.array([[0, 1], [1, 0], [0, 0]], dtype=float),  # 2-D numbers
    ],
)
def test_a_numeric_raster_is_rejected_with_a_hint(raster):
    with pytest.raises(ValueError, match=r"astype\(bool\)"):
        filter_spikes(raster, 0.01, dt=1e-3)
    as_bool = np.asarray(raster).astype(bool)
    t, s = filter_spikes(as_bool, 0.01, dt=1e-3)  # the boolean raster: row k is a spike at k dt
    first = np.flatnonzero(as_bool.reshape(len(as_bool), -1)[:, 0])
    expected = sum((kernel(t - t[k], 0.01, 0) for k in first), np.zeros_like(t))
    np.testing.assert_allclose(s.reshape(len(t), -1)[:, 0], expected, rtol=1e-12)


def test_distinct_spike_times_at_zero_and_one_second_are_times():
    t, s = filter_spikes(np.array([0.0, 1.0]), 0.01, dt=1e-3)
    assert t[-1] == pytest.approx(1.05) and s[1000] == pytest.approx(1 / 0.01 + kernel(1.0, 0.01, 0), rel=1e-9)
