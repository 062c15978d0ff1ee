"""Encoders (issue 15): rate trains fire at the input's rate and repeat under a seed; latency spikes once, when
the formula says."""

import math

import numpy as np
import pytest

import neuronlab
from neuronlab.snn import encode


def test_rate_encoding_fires_at_the_intensity_per_step():
    x = np.array([0.0, 0.1, 0.5, 0.9, 1.0])
    neuronlab.manual_seed(0)
    spikes = encode.rate(x, steps=20000).data
    assert spikes.shape == (20000, 5) and set(np.unique(spikes)) <= {0.0, 1.0}
    mean = spikes.mean(axis=0)
    # a Bernoulli mean over 20000 steps: within 4.5 standard deviations sqrt(p (1 - p) / n)
    assert np.all(np.abs(mean - x) <= 4.5 * np.sqrt(x * (1 - x) / 20000))
    assert mean[0] == 0 and mean[-1] == 1
    assert encode.rate(x, steps=100, gain=0.5, generator=np.random.default_rng(1)).data[:, -1].mean() < 0.75


def test_rate_encoding_repeats_under_a_seed_and_uses_the_given_generator():
    x = np.random.default_rng(3).random((4, 6))
    neuronlab.manual_seed(7)
    a = encode.rate(x, 10).data
    neuronlab.manual_seed(7)
    b = encode.rate(x, 10).data
    np.testing.assert_array_equal(a, b)
    c = encode.rate(x, 10, generator=np.random.default_rng(7)).data
    d = encode.rate(x, 10, generator=np.random.default_rng(7)).data
    np.testing.assert_array_equal(c, d)
    assert encode.RateEncoder(10)(x).shape == (10, 4, 6)


def test_latency_encoding_spikes_once_at_the_rc_charging_time():
    x = np.array([1.0, 0.5, 0.05, 0.011, 0.0])
    spikes = encode.latency(x, steps=50, tau=5.0, threshold=0.01).data
    assert spikes.shape == (50, 5)
    np.testing.assert_array_equal(spikes.sum(axis=0), [1, 1, 1, 1, 0])
    expected = [min(round(5 * math.log(v / (v - 0.01))), 49) for v in x[:4]]
    np.testing.assert_array_equal(spikes[:, :4].argmax(axis=0), expected)
    linear = encode.latency(x, steps=11, linear=True).data
    np.testing.assert_array_equal(linear[:, :2].argmax(axis=0), [0, 5])


@pytest.mark.parametrize(
    "call, match",
    [
        (lambda: encode.rate(np.array([1.5]), 5), r"intensities in \[0, 1\]"),
        (lambda: encode.rate(np.array([0.5]), 0), "steps must be a positive integer"),
        (lambda: encode.rate(np.array([0.5]), 5, gain=-1.0), "gain"),
        (lambda: encode.latency(np.array([np.nan]), 5), r"intensities in \[0, 1\]"),
    ],
)
def test_bad_inputs_are_refused(call, match):
    with pytest.raises(ValueError, match=match):
        call()
