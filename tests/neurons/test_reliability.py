"""Runs that used to go silently wrong, hang or exhaust memory: HH divergence, the LIF refractory table, memory
estimates before allocating, runs in chunks (with a progress bar) equal to one call, sparse random weights in
O(synapses)."""

import math
import time
import tracemalloc

import numpy as np
import pytest

from neuronlab.neurons import LIF, HodgkinHuxley, LIFNetwork, _running, _validation, random_weights
from neuronlab.neurons.hodgkin_huxley import SimulationDiverged

BACKENDS = ["numba", "numpy"]


# --- Hodgkin-Huxley divergence (issue 17, item 7) ---------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("current", [-100.0, -30.0, 1e308])
def test_hh_divergence_stops_with_when_and_where(backend, current):
    # at dt = 0.01 ms, a hyperpolarizing current drives V below -150 mV, where beta_m = 4 exp(-(V + 65) / 18)
    # exceeds 2.8 / dt (RK4's stability bound): the old code returned inf/NaN traces and counted a spike
    with pytest.raises(SimulationDiverged, match=r"diverged at t = [0-9.e-]+ s .* in neuron 0"):
        HodgkinHuxley(1, backend=backend).simulate(current, duration=0.05, dt=1e-5)


def test_hh_divergence_is_reported_at_the_same_time_by_both_backends():
    messages = []
    for backend in BACKENDS:
        with pytest.raises(SimulationDiverged) as caught:
            HodgkinHuxley(1, backend=backend).simulate(-100.0, duration=0.05, dt=1e-5)
        messages.append(str(caught.value))
    assert messages[0] == messages[1]


@pytest.mark.parametrize("backend", BACKENDS)
def test_hh_old_millisecond_call_of_the_issue_raises_instead_of_nan_rates(backend):
    with pytest.warns(DeprecationWarning), pytest.raises(SimulationDiverged, match="diverged at t = "):
        HodgkinHuxley(1, backend=backend).simulate(-100.0, t_end=50.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_hh_stable_hyperpolarization_still_runs(backend):
    # -10 uA/cm^2 settles near -88 mV, where RK4 at 0.01 ms is stable: no false alarm
    result = HodgkinHuxley(1, backend=backend).simulate(-10.0, duration=0.03, dt=2e-5)
    assert np.all(np.isfinite(result.V)) and result.spike_counts[0] == 0 and result.V[-1, 0] < -80


# --- LIF refractory table bounded by the run (item 13) ------------------------------------------------------


@pytest.mark.parametrize("backend", BACKENDS)
@pytest.mark.parametrize("tau_ref", [1e5, 1e15])
def test_lif_huge_refractory_period_is_fast_and_small(backend, tau_ref):
    LIF(1, tau_ref=tau_ref, backend=backend).simulate(1.5, 0.01, 1e-4)  # compile outside the measurement
    tracemalloc.start()
    start = time.perf_counter()
    result = LIF(1, tau_ref=tau_ref, backend=backend).simulate(1.5, 0.2, 1e-4)
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    # one spike at tau_m ln 3 (v = 1.5 (1 - e^(-t / 0.02)) reaches 1), then refractory to the end
    np.testing.assert_allclose(result.spike_times[0], [0.02 * math.log(3.0)], rtol=1e-12)
    assert elapsed < 2.0 and peak < 5_000_000  # the old numba table: 8 GB (1e5) or a hang (1e15)


# --- memory estimates before allocating (item 12) -----------------------------------------------------------


@pytest.mark.parametrize(
    "make",
    [
        lambda: LIF(1000).simulate(1.5, 10.0, 1e-4, record=True),
        lambda: HodgkinHuxley(10).simulate(10.0, 5.0, 1e-5, record=True),
        lambda: LIFNetwork(np.zeros((100, 100))).simulate(1.5, 10.0, 1e-4, record=True),
    ],
)
def test_runs_too_large_for_memory_are_refused_with_the_estimate(monkeypatch, make):
    monkeypatch.setattr(_validation, "available_memory", lambda: 50 * 2**20)
    tracemalloc.start()
    with pytest.raises(MemoryError, match=r"would need about [0-9.]+ [MGT]iB .* more than the 50 MiB available"):
        make()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert peak < 10 * 2**20  # refused before allocating


def test_default_recording_keeps_spikes_of_all_and_traces_of_a_sample():
    # 100,000 neurons for 1,000 steps: all voltages would be 800 MB; the default keeps ten of them
    n = 100_000
    result = LIF(n).simulate(np.linspace(0.5, 4.0, n), 0.1, 1e-4)
    assert result.v.shape == (1001, 10) and result.recorded[0] == 0 and result.recorded[-1] == n - 1
    assert result.spike_counts.sum() > 100_000 and result.spike_counts[-1] > 0
    np.testing.assert_array_equal(LIF(3).simulate(1.5, 0.1).recorded, [0, 1, 2])  # a small population: all


# --- chunks and progress (item 12) ---------------------------------------------------------------------------


def chunked(monkeypatch):
    """Run every simulation in chunks of one step under a progress bar."""
    monkeypatch.setattr(_running, "_CHUNK_SECONDS", 0.0)


@pytest.mark.parametrize("backend", BACKENDS)
def test_lif_in_chunks_equals_one_call(monkeypatch, backend, capsys):
    rng = np.random.default_rng(3)
    v_in = rng.uniform(0.0, 4.0, (100, 600))  # varying input, several blocks of neurons
    model = LIF(600, tau_ref=0.0013, backend=backend)
    whole = model.simulate(v_in, 0.1, 1e-3, record=[0, 599], progress=False)
    chunked(monkeypatch)
    parts = model.simulate(v_in, 0.1, 1e-3, record=[0, 599], progress=True)
    assert "LIF" in capsys.readouterr().err  # the bar
    for name in ("spike_neuron", "spike_step", "spike_time", "v"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))
    constant = LIF(50, backend=backend).simulate(np.linspace(1.1, 5.0, 50), 0.1, 1e-3, progress=True)
    np.testing.assert_array_equal(
        constant.spike_time, LIF(50, backend=backend).simulate(np.linspace(1.1, 5.0, 50), 0.1, 1e-3).spike_time
    )


@pytest.mark.parametrize("backend", BACKENDS)
def test_hh_in_chunks_equals_one_call(monkeypatch, backend):
    currents = np.array([0.0, 7.0, 10.0, 20.0])
    whole = HodgkinHuxley(4, backend=backend).simulate(currents, 0.012, 2e-5, progress=False)
    chunked(monkeypatch)
    parts = HodgkinHuxley(4, backend=backend).simulate(currents, 0.012, 2e-5, progress=True)
    for name in ("spike_neuron", "spike_time", "V", "m", "h", "n"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))


def test_network_in_chunks_equals_one_call(monkeypatch):
    weights, _ = random_weights(60, 0.2, generator=np.random.default_rng(0))
    v_in = np.random.default_rng(1).uniform(0.9, 1.5, 60)
    whole = LIFNetwork(weights).simulate(v_in, 0.05, 1e-4, record=[0, 59], progress=False)
    chunked(monkeypatch)
    parts = LIFNetwork(weights).simulate(v_in, 0.05, 1e-4, record=[0, 59], progress=True)
    for name in ("spike_neuron", "spike_time", "v", "s"):
        np.testing.assert_array_equal(getattr(parts, name), getattr(whole, name))


# --- random_weights in O(synapses) (item 14) ----------------------------------------------------------------


def test_random_weights_statistics():
    n, p = 400, 0.1
    weights, n_exc = random_weights(n, p, 0.75, 0.002, -0.008, generator=np.random.default_rng(0))
    dense = weights.toarray()
    present = dense != 0
    assert n_exc == 300 and not present.diagonal().any()
    assert np.all(dense[:, :300][present[:, :300]] == 0.002) and np.all(dense[:, 300:][present[:, 300:]] == -0.008)
    # synapses ~ Binomial(n (n - 1), p): mean 15,960, sd 120
    assert abs(present.sum() - p * n * (n - 1)) < 5 * math.sqrt(n * (n - 1) * p * (1 - p))
    # out-degrees ~ Binomial(n - 1, p): mean 39.9, variance 35.9
    out_degree = present.sum(axis=0)
    assert abs(out_degree.mean() - p * (n - 1)) < 1.0 and 25 < out_degree.var() < 48
    same = random_weights(n, p, 0.75, 0.002, -0.008, generator=np.random.default_rng(0))[0]
    assert (same != weights).nnz == 0  # seeded
    assert random_weights(5, 1.0)[0].nnz == 20 and random_weights(5, 0.0)[0].nnz == 0


def test_random_weights_is_linear_in_the_synapses():
    # 100,000 neurons at p = 0.001 (10 million synapses): the old dense draw needed 75 GiB
    tracemalloc.start()
    start = time.perf_counter()
    weights, _ = random_weights(100_000, 0.001, generator=np.random.default_rng(0))
    elapsed = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert abs(weights.nnz - 0.001 * 100_000 * 99_999) < 20_000
    assert peak < 60 * weights.nnz  # bytes per synapse; the matrix itself holds 12
    assert elapsed < 10.0  # about 0.5 s on an idle machine


@pytest.mark.parametrize(
    "kwargs, match",
    [
        (dict(p=float("nan")), "probability"),
        (dict(p=1.5), "probability"),
        (dict(excitatory_fraction=-0.1), "excitatory_fraction"),
        (dict(w_exc=float("nan")), "NaN"),
        (dict(w_exc=-1.0), "Dale"),
    ],
)
def test_random_weights_bad_arguments(kwargs, match):
    with pytest.raises(ValueError, match=match):
        random_weights(10, **({"p": 0.1} | kwargs))
