"""The network layer (populations, projections, sources, monitors): closed forms, SciPy's ODE solver, exact
delays, source statistics, builders, bad parameters, and the compiled kernel equal to its NumPy reference."""

import math

import numpy as np
import pytest
from scipy.integrate import solve_ivp

from neuronlab.neurons import lif_rate
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
from neuronlab.neurons.simulation import Network, StateMonitor
from neuronlab.neurons.vogels_abbott import coba, cuba, isi_cv

TAU_M, R = 0.02, 1e8


def _psp_run(synapse, weight, duration=0.05, dt=1e-4, spike_time=0.0, delay=0, v_rest=-0.07, backend="numpy"):
    """One neuron (threshold out of reach) receiving one spike at ``spike_time``; returns (t, v)."""
    cell = Population(1, "cell", tau_m=TAU_M, v_rest=v_rest, v_threshold=10.0, v_reset=-1.0, resistance=R)
    source = SpikeSource(1, [spike_time], [0])
    net = Network([cell], [Projection(source, cell, [[weight]], synapse, delay=delay)], [StateMonitor(cell, "v")])
    run = net.run(duration, dt, backend=backend)
    return run.t, run.traces[("cell", "v")][:, 0]


def test_exponential_current_psp_matches_closed_form():
    tau_s, w, dt = 0.005, 1e-10, 1e-4
    t, v = _psp_run(ExponentialCurrent(tau_s), w, dt=dt)
    u = np.maximum(t - dt, 0.0)  # the spike of step 0 arrives at the end of step 0
    expected = -0.07 + R * w * tau_s / (tau_s - TAU_M) * (np.exp(-u / tau_s) - np.exp(-u / TAU_M))
    np.testing.assert_allclose(v, expected, rtol=0, atol=1e-14)


def test_alpha_current_psp_matches_solve_ivp():
    tau_s, w, dt = 0.003, 1e-10, 1e-4
    t, v = _psp_run(AlphaCurrent(tau_s), w, dt=dt)

    def rhs(time, v):  # PSC w (u / tau) e^(1 - u / tau) from u = 0 at t = dt
        return [(-0.07 - v[0] + R * w * (time / tau_s) * math.exp(1 - time / tau_s)) / TAU_M]

    ode = solve_ivp(rhs, (0, t[-1] - dt), [-0.07], t_eval=t[1:] - dt, rtol=1e-12, atol=1e-15, method="DOP853")
    np.testing.assert_allclose(v[1:], ode.y[0], rtol=0, atol=1e-11)


def test_conductance_psp_matches_solve_ivp_to_second_order():
    tau_s, w, e_rev = 0.005, 5e-9, 0.0
    for dt, tol in ((1e-4, 2e-6), (2e-5, 1e-7)):
        t, v = _psp_run(ExponentialConductance(tau_s, e_rev), w, dt=dt)

        def rhs(time, v):
            g = w * math.exp(-time / tau_s)
            return [(-0.07 - v[0] + R * g * (e_rev - v[0])) / TAU_M]

        ode = solve_ivp(rhs, (0, t[-1] - dt), [-0.07], t_eval=t[1:] - dt, rtol=1e-12, atol=1e-15, method="DOP853")
        assert np.max(np.abs(v[1:] - ode.y[0])) < tol


def test_conductance_steady_state_matches_closed_form():
    g0, e_rev, v_rest, v0 = 20e-9, -0.08, -0.06, -0.055
    cell = Population(1, "cell", tau_m=TAU_M, v_rest=v_rest, v_threshold=0.0, v_reset=-0.1, resistance=R, v0=v0)
    held = ExponentialConductance(tau=1e6, e_rev=e_rev)  # g constant over the run (decays by 1e-7)
    net = Network([cell], [Projection(cell, cell, [[0.0]], held, s0=g0)], [StateMonitor(cell, "v")])
    run = net.run(0.1, 1e-4)
    v_inf = (v_rest + R * g0 * e_rev) / (1 + R * g0)
    expected = v_inf + (v0 - v_inf) * np.exp(-run.t * (1 + R * g0) / TAU_M)
    np.testing.assert_allclose(run.traces[("cell", "v")][:, 0], expected, rtol=0, atol=1e-9)


def test_pade_propagator_error_is_bounded():
    from neuronlab.backend.propagator import PADE_MAX, exp_pade

    z = np.linspace(0.0, PADE_MAX, 2001)
    p, q, d = exp_pade(z)
    exact = np.array([math.exp(-t) for t in z])
    relative = np.abs(q / p / exact - 1.0)
    assert PADE_MAX == 0.5 and relative.max() < 8e-11 and relative[z <= 0.15].max() < 2e-15
    np.testing.assert_allclose(d[1:] / p[1:], -np.expm1(-z[1:]), rtol=2e-10)  # 1 - e^(-z) without cancellation


@pytest.mark.parametrize("backend", ["numpy", "numba"])
def test_long_conductance_steps_use_the_exact_exponential(backend):
    if backend == "numba":
        pytest.importorskip("numba", reason="the compiled backend needs Numba")
    g0, e_rev, v_rest, v0 = 1.5e-6, -0.08, -0.06, -0.055  # R g = 150: z = dt (1 + R g) / tau_m = 0.755 > 0.5
    cell = Population(1, "cell", tau_m=TAU_M, v_rest=v_rest, v_threshold=0.0, v_reset=-0.1, resistance=R, v0=v0)
    held = ExponentialConductance(tau=1e6, e_rev=e_rev)
    net = Network([cell], [Projection(cell, cell, [[0.0]], held, s0=g0)], [StateMonitor(cell, "v")])
    run = net.run(0.002, 1e-4, backend=backend)
    v_inf = (v_rest + R * g0 * e_rev) / (1 + R * g0)
    expected = v_inf + (v0 - v_inf) * np.exp(-run.t * (1 + R * g0) / TAU_M)
    np.testing.assert_allclose(run.traces[("cell", "v")][:, 0], expected, rtol=0, atol=1e-12)


def _post_ode(synapse, w, arrivals, t_end, t_eval, v_rest=-0.07):
    """solve_ivp of the postsynaptic membrane driven by spikes of weight w arriving at ``arrivals`` (piecewise
    between arrivals, where the exponential synapses jump)."""
    tau = synapse.tau

    def drive(time):
        u = time - arrivals[arrivals <= time]
        if isinstance(synapse, AlphaCurrent):
            return w * np.sum((u / tau) * np.exp(1 - u / tau))
        return w * np.sum(np.exp(-u / tau))

    def rhs(time, v):
        s = drive(time)
        if isinstance(synapse, ExponentialConductance):
            return [(v_rest - v[0] + R * s * (synapse.e_rev - v[0])) / TAU_M]
        return [(v_rest - v[0] + R * s) / TAU_M]

    edges = np.concatenate(([0.0], arrivals[arrivals < t_end], [t_end]))
    v, out = v_rest, np.full(t_eval.size, np.nan)
    for a, b in zip(edges[:-1], edges[1:]):
        inside = (t_eval >= a) & (t_eval <= b)
        sol = solve_ivp(
            rhs, (a, b), [v], t_eval=t_eval[inside], rtol=1e-12, atol=1e-15, method="DOP853", max_step=(b - a) / 4
        )
        out[inside] = sol.y[0]
        v = solve_ivp(rhs, (a, b), [v], rtol=1e-12, atol=1e-15, method="DOP853").y[0, -1]
    return out


@pytest.mark.parametrize(
    "synapse, w, tol",
    [
        (ExponentialCurrent(0.005), 2e-11, 1e-11),
        (AlphaCurrent(0.003), 2e-11, 1e-11),
        (ExponentialConductance(0.005, 0.0), 1e-9, 2e-6),  # the scheme is second order with conductances
    ],
)
def test_two_neuron_network_matches_solve_ivp(synapse, w, tol):
    dt, duration = 1e-4, 0.06
    pre = Population(1, "pre", current=[1.8])  # normalized LIF: regular spikes every few ms
    post = Population(1, "post", tau_m=TAU_M, v_rest=-0.07, v_threshold=10.0, v_reset=-1.0, resistance=R)
    net = Network([pre, post], [Projection(pre, post, [[w]], synapse)], [StateMonitor(post, "v")])
    run = net.run(duration, dt)
    steps = run.spikes["pre"].spike_step
    assert steps.size >= 3
    arrivals = (steps + 1) * dt  # a spike of step k reaches its target at the end of step k
    expected = _post_ode(synapse, w, arrivals, run.t[-1], run.t)
    v = run.traces[("post", "v")][:, 0]
    assert np.max(np.abs(v - expected)) < tol


def test_threads_give_the_same_result():
    pytest.importorskip("numba", reason="the compiled backend needs Numba")
    from neuronlab.backend import max_threads

    if max_threads() < 2:
        pytest.skip("Numba's thread pool has one thread")
    net = _mixed_network(5)
    one, two = net.run(0.03, 1e-4, threads=1), net.run(0.03, 1e-4, threads=2)
    for name in ("current", "conductance", "mixed"):
        np.testing.assert_array_equal(one.spikes[name].spike_neuron, two.spikes[name].spike_neuron)
        np.testing.assert_array_equal(one.spikes[name].spike_time, two.spikes[name].spike_time)
    for key in one.traces:
        np.testing.assert_array_equal(one.traces[key], two.traces[key])


def test_lif_neuron_rate_matches_tuning_curve():
    cells = Population(3, "cells", current=[1.5, 2.0, 3.0])  # normalized form: threshold 1, reset 0, R = 1
    run = Network([cells], seed=0).run(1.0, 1e-4)
    np.testing.assert_allclose(run.spikes["cells"].isi_rates(), lif_rate(np.array([1.5, 2.0, 3.0])), rtol=2e-3)


@pytest.mark.parametrize("delay", [0, 1, 7])
def test_delays_are_exact_to_the_step(delay):
    dt = 1e-4
    t, v = _psp_run(ExponentialCurrent(0.005), 1e-10, duration=0.003, dt=dt, spike_time=3.5 * dt, delay=delay)
    # a spike in step 3 with delay d reaches its target at the end of step 3 + d, t[4 + d]
    assert np.all(v[: 5 + delay] == -0.07) and v[5 + delay] > -0.07


def test_spike_propagates_between_neurons_after_its_delay():
    dt, delay = 1e-4, 4
    pre = Population(1, "pre", current=[2.0])  # normalized: first spike at tau_m ln 2
    post = Population(1, "post", v_threshold=5.0)
    net = Network(
        [pre, post], [Projection(pre, post, [[0.5]], ExponentialCurrent(0.005), delay=delay)], [StateMonitor(post, "v")]
    )
    run = net.run(0.02, dt)
    first = run.spikes["pre"].spike_step[0]
    v = run.traces[("post", "v")][:, 0]
    assert first == int(0.02 * math.log(2) / dt)
    assert np.all(v[: first + delay + 2] == 0.0) and v[first + delay + 2] > 0.0


def test_poisson_source_rates_and_fano_factor():
    rng = np.random.default_rng(0)
    n, dt, n_steps, rate = 4000, 1e-4, 10_000, 20.0
    steps, index = PoissonSource(n, rate).draw(n_steps, dt, rng)
    counts = np.bincount(index, minlength=n)
    assert np.all(np.diff(steps) >= 0)
    assert abs(counts.mean() - rate) < 5 * math.sqrt(rate / n)
    assert abs(counts.var() / counts.mean() - (1 - rate * dt)) < 0.1  # Bernoulli steps: Fano 1 - p
    ramp = np.linspace(0.0, 40.0, 1000)  # a rate per step
    steps, _ = PoissonSource(n, ramp).draw(1000, 1e-3, rng)
    per_step = np.bincount(steps, minlength=1000) / (n * 1e-3)
    assert abs(per_step[:500].mean() - ramp[:500].mean()) < 1.0 and abs(per_step[500:].mean() - ramp[500:].mean()) < 1.0


def test_spike_source_bins_times_to_steps():
    steps, index = SpikeSource(3, [0.00025, 0.0001, 0.5], [2, 0, 1]).draw(10, 1e-4, None)
    np.testing.assert_array_equal(steps, [1, 2])
    np.testing.assert_array_equal(index, [0, 2])


def test_monitors_record_only_what_was_asked():
    exc, inh = Population(50, "exc", v0="uniform", current=1.1), Population(20, "inh", current=1.05)
    proj = Projection(exc, inh, fixed_probability(50, 20, 0.2, 0.01, seed=0), name="e->i")
    net = Network([exc, inh], [proj], [StateMonitor(inh, "e->i", [3, 7]), StateMonitor(exc, "v", [0])], seed=0)
    run = net.run(0.05, 1e-4)
    assert set(run.traces) == {("inh", "e->i"), ("exc", "v")}
    assert run.traces[("inh", "e->i")].shape == (501, 2) and run.traces[("exc", "v")].shape == (501, 1)
    assert set(run.spikes) == {"exc", "inh"} and run.spikes["exc"].n_neurons == 50
    binned = run.population_rate("exc", bin=0.01)
    assert binned.shape == (5,)
    np.testing.assert_allclose(binned.mean(), run.spikes["exc"].spike_counts.sum() / 50 / 0.05)
    filtered = run.population_rate("exc", tau=0.005)
    assert filtered.shape == (501,)


def test_connectivity_builders_statistics():
    m = fixed_probability(300, 200, 0.1, 2.0, seed=1)
    assert m.shape == (200, 300) and abs(m.nnz - 6000) < 5 * math.sqrt(6000 * 0.9) and np.all(m.data == 2.0)
    assert fixed_probability(50, 50, 0.5, seed=0, autapses=False).diagonal().sum() == 0
    m = fixed_indegree(100, 30, 7, 1.0, seed=2)
    assert np.all(np.diff(m.indptr) == 7) and m.nnz == 210
    m = fixed_indegree(10, 3000, 4, seed=3)  # distinct sources per neuron, each source equally likely
    assert all(np.unique(m.indices[a:b]).size == 4 for a, b in zip(m.indptr[:-1], m.indptr[1:]))
    counts = np.bincount(m.indices, minlength=10)  # expected 1200 each, sd about 31
    assert np.all(np.abs(counts - 1200) < 5 * math.sqrt(1200 * 0.9))
    assert np.all(np.diff(fixed_indegree(10, 50, 8, seed=4).indptr) == 8)  # above n_pre / 2: permutations
    np.testing.assert_array_equal(one_to_one(5, 3.0).toarray(), 3.0 * np.eye(5))
    assert all_to_all(4, 6).nnz == 24 and all_to_all(5, 5, autapses=False).nnz == 20


def test_bad_parameters_give_clear_errors():
    with pytest.raises(ValueError, match="tau_m"):
        Population(3, tau_m=-0.01)
    with pytest.raises(ValueError, match="v_threshold must be above v_reset"):
        Population(3, v_threshold=-0.07, v_reset=-0.06)
    with pytest.raises(ValueError, match="tau must be > 0"):
        ExponentialCurrent(-0.005)
    with pytest.raises(ValueError, match="tau must be > 0"):
        ExponentialConductance(0.0, 0.0)
    with pytest.raises(ValueError, match="probability"):
        fixed_probability(3, 3, 1.5)
    with pytest.raises(ValueError, match="probability"):
        fixed_probability(3, 3, -0.1)
    with pytest.raises(ValueError, match="threads"):
        Network([Population(2)]).run(0.01, 1e-4, threads=0)
    a, b = Population(2, "a"), Population(2, "b")
    with pytest.raises(ValueError, match="'b' is not in the network"):
        Network([a], [Projection(a, b, np.eye(2))])
    with pytest.raises(ValueError, match="shape"):
        Projection(a, b, np.eye(3))
    with pytest.raises(ValueError, match="tau_ref must be at least dt"):
        Network([Population(2, tau_ref=0.0)]).run(0.01, 1e-4)


def _mixed_network(seed):
    """Every synapse model, a Poisson and a spike source, delays, two populations (pop_mode 0, 1 and 2)."""
    current = Population(300, "current", v0="uniform", current=0.9)
    conductance = Population(
        60, "conductance", tau_m=0.02, v_rest=-0.06, v_threshold=-0.05, v_reset=-0.06, resistance=R, v0="uniform"
    )
    mixed = Population(40, "mixed", v0="uniform", current=[1.2] * 40)
    noise = PoissonSource(100, 300.0)
    kick = SpikeSource(5, [0.001, 0.002, 0.01], [0, 4, 2])
    projs = [
        Projection(
            current, current, fixed_probability(300, 300, 0.05, 0.02, seed=seed), ExponentialCurrent(0.005), delay=2
        ),
        Projection(noise, current, fixed_probability(100, 300, 0.1, 0.05, seed=seed + 1), AlphaCurrent(0.003)),
        Projection(
            current,
            conductance,
            fixed_probability(300, 60, 0.1, 2e-9, seed=seed + 2),
            ExponentialConductance(0.01, -0.08),
            s0=10e-9,
        ),
        Projection(
            noise, conductance, fixed_probability(100, 60, 0.2, 1e-9, seed=seed + 3), ExponentialConductance(0.005, 0.0)
        ),
        Projection(kick, mixed, fixed_indegree(5, 40, 2, 0.3, seed=seed), ExponentialCurrent(0.004)),
        Projection(
            current,
            mixed,
            fixed_probability(300, 40, 0.1, 0.05, seed=seed + 4),
            ExponentialConductance(0.005, 2.0),
            delay=1,
        ),
    ]
    monitors = [StateMonitor(current, "v", [0, 5]), StateMonitor(conductance, projs[2].name, [1])]
    return Network([current, conductance, mixed], projs, monitors, seed=seed)


def test_compiled_kernel_equals_numpy_reference():
    pytest.importorskip("numba", reason="the compiled backend needs Numba")
    net = _mixed_network(3)
    ref, fast = net.run(0.1, 1e-4, backend="numpy"), net.run(0.1, 1e-4, backend="numba")
    for name in ("current", "conductance", "mixed"):
        a, b = ref.spikes[name], fast.spikes[name]
        assert a.spike_neuron.size > 20
        np.testing.assert_array_equal(a.spike_neuron, b.spike_neuron)
        np.testing.assert_array_equal(a.spike_step, b.spike_step)
        np.testing.assert_allclose(a.spike_time, b.spike_time, rtol=0, atol=1e-12)
    for key in ref.traces:
        np.testing.assert_allclose(ref.traces[key], fast.traces[key], rtol=1e-12, atol=1e-15)


def test_vogels_abbott_networks_have_the_papers_structure():
    net = cuba()
    exc, inh = net.projections
    assert net.populations[0].n == 4000 and exc.weights.shape == (4000, 4000)
    assert exc.weights[:, 3200:].nnz == 0 and inh.weights[:, :3200].nnz == 0
    assert abs(exc.weights.nnz - 0.02 * 3200 * 4000) < 5 * math.sqrt(0.02 * 3200 * 4000)
    assert np.allclose(exc.weights.data * 1e8, 1.62e-3) and np.allclose(inh.weights.data * 1e8, -9e-3)
    assert (exc.synapse.tau, inh.synapse.tau) == (0.005, 0.01)
    c = coba(400, p=0.02)
    assert c.projections[1].synapse.e_rev == -0.08 and np.allclose(c.projections[1].weights.data, 67e-9)


def test_small_cuba_fires_irregularly():
    pytest.importorskip("numba", reason="the compiled backend needs Numba")
    run = cuba(1000, p=0.08, seed=1).run(0.2, 1e-4)
    spikes = run.spikes["neurons"]
    assert 1.0 < spikes.rates.mean() < 40.0
    assert 0.2 < isi_cv(spikes.spike_times) < 2.0
