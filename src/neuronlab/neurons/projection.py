"""Projections: synapses from a population (or spike source) onto a population, with their synapse model.

Synapse models (one state per target neuron and projection; a spike of weight w arriving at t_a):

- ``ExponentialCurrent(tau)``: tau dI/dt = -I, I jumps by w (A): PSC w e^(-(t - t_a)/tau);
- ``AlphaCurrent(tau)``: tau dx/dt = -x, tau dI/dt = x - I, x jumps by e w: PSC w ((t - t_a)/tau) e^(1 - (t - t_a)/tau),
  peaking at w after tau;
- ``ExponentialConductance(tau, e_rev)``: tau dg/dt = -g, g jumps by w (S), current g (e_rev - v).

Connectivity: ``weights[i, j]`` from presynaptic j to postsynaptic i, a dense array or a SciPy sparse matrix of
shape (n_post, n_pre); the builders below draw sparse ones. Delays: whole steps (scalar or one per synapse,
ordered like the CSR entries of the matrix); a spike in step k with delay d reaches its target at the end of
step k + d.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab._validation import probability
from neuronlab.neurons import _validation as check
from neuronlab.neurons.population import _bernoulli_positions

EXPONENTIAL, ALPHA, CONDUCTANCE = 0, 1, 2


class ExponentialCurrent:
    """Exponential current synapse: PSC w e^(-t/tau) after a spike of weight w (A)."""

    kind = EXPONENTIAL

    def __init__(self, tau: float = 0.005):
        self.tau = check.positive("tau", tau)
        self.e_rev = 0.0

    def __repr__(self) -> str:
        return f"ExponentialCurrent(tau={self.tau:g})"


class AlphaCurrent(ExponentialCurrent):
    """Alpha current synapse: PSC w (t/tau) e^(1 - t/tau), peak w at t = tau."""

    kind = ALPHA

    def __repr__(self) -> str:
        return f"AlphaCurrent(tau={self.tau:g})"


class ExponentialConductance:
    """Exponential conductance synapse: g jumps by w (S) and decays with tau; current g (e_rev - v)."""

    kind = CONDUCTANCE

    def __init__(self, tau: float = 0.005, e_rev: float = 0.0):
        self.tau = check.positive("tau", tau)
        self.e_rev = float(check.finite_array("e_rev", e_rev))

    def __repr__(self) -> str:
        return f"ExponentialConductance(tau={self.tau:g}, e_rev={self.e_rev:g})"


class Projection:
    """Synapses from ``pre`` (a Population or a spike source) onto the Population ``post``.

    weights: (n_post, n_pre) dense or SciPy sparse (zeros are absent synapses in a dense matrix); delay: steps,
    a scalar or one per synapse; s0: the synaptic state (I or g) of each target neuron at t = 0; name: used for
    the synaptic variable in monitors (default "pre->post")."""

    def __init__(self, pre, post, weights, synapse=None, *, delay=0, s0=0.0, name: str | None = None):
        import scipy.sparse as sparse

        self.pre, self.post = pre, post
        self.synapse = ExponentialCurrent() if synapse is None else synapse
        if not hasattr(self.synapse, "kind"):
            raise TypeError(
                f"synapse must be ExponentialCurrent, AlphaCurrent or ExponentialConductance, got {self.synapse!r}"
            )
        shape = (post.n, pre.n)
        if sparse.issparse(weights):
            matrix = sparse.csr_matrix(weights, dtype=np.float64)
        else:
            dense = check.finite_array("weights", weights)
            if dense.shape != shape:
                raise ValueError(f"weights must have shape (n_post, n_pre) = {shape}, got {dense.shape}")
            matrix = sparse.csr_matrix(dense)
        if matrix.shape != shape:
            raise ValueError(f"weights must have shape (n_post, n_pre) = {shape}, got {matrix.shape}")
        matrix.sum_duplicates()
        if not np.all(np.isfinite(matrix.data)):
            raise ValueError("weights contain NaN or infinite values")
        self.weights = matrix
        self.name = name or f"{pre.name}->{post.name}"
        delay = np.asarray(delay)
        if not np.issubdtype(delay.dtype, np.integer) or np.any(delay < 0):
            raise ValueError(f"delay must be whole steps >= 0 (a scalar or one per synapse), got {delay!r}")
        if delay.ndim and delay.shape != (matrix.nnz,):
            raise ValueError(
                f"delay must be a scalar or have one entry per synapse ({matrix.nnz}), got shape {delay.shape}"
            )
        self.delay = delay.astype(np.int64)
        self.s0 = check.per_neuron("s0", s0, post.n)

    def __repr__(self) -> str:
        return f"Projection({self.name!r}, {self.weights.nnz} synapses, {self.synapse!r})"

    def by_presynaptic(self):
        """(indptr, post index, weight, delay) grouped by presynaptic neuron (CSR of the transpose)."""
        delay = np.broadcast_to(self.delay, (self.weights.nnz,))
        coo = self.weights.tocoo()
        order = np.lexsort((coo.row, coo.col))
        indptr = np.concatenate(([0], np.cumsum(np.bincount(coo.col, minlength=self.pre.n))))
        return indptr, coo.row[order].astype(np.int64), coo.data[order], np.asarray(delay)[order]


def _generator(seed):
    from neuronlab.random import default_generator

    if seed is None:
        return default_generator()
    return seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)


def _matrix(rows, cols, n_post, n_pre, weight, rng):
    import scipy.sparse as sparse

    w = weight(rng, rows.size) if callable(weight) else np.full(rows.size, float(check.finite_array("weight", weight)))
    return sparse.csr_matrix((w, (rows, cols)), shape=(n_post, n_pre))


def fixed_probability(n_pre: int, n_post: int, p: float, weight=1.0, seed=None, autapses: bool = True):
    """Each of the n_post x n_pre possible synapses exists with probability ``p``, independently, drawn in
    O(synapses) (geometric gaps between successes). weight: a number or weight(rng, count) -> array.
    autapses=False leaves out i == j (for a population onto itself). Returns SciPy CSR (n_post, n_pre)."""
    n_pre, n_post = check.neuron_count(n_pre), check.neuron_count(n_post)
    p = probability("p", p)
    rng = _generator(seed)
    position = _bernoulli_positions(rng, p, n_pre * n_post)
    rows, cols = np.divmod(position, n_pre)
    if not autapses:
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
    return _matrix(rows, cols, n_post, n_pre, weight, rng)


def fixed_indegree(n_pre: int, n_post: int, indegree: int, weight=1.0, seed=None):
    """Each postsynaptic neuron receives exactly ``indegree`` synapses from distinct presynaptic neurons chosen
    uniformly at random: all rows drawn at once with replacement, then the repeated entries redrawn until none
    is left (the rule treats every presynaptic neuron alike, so each row is a uniform ``indegree``-subset);
    O(n_post indegree log indegree) when indegree <= n_pre / 2, a permutation per row above."""
    n_pre, n_post = check.neuron_count(n_pre), check.neuron_count(n_post)
    if isinstance(indegree, bool) or not isinstance(indegree, (int, np.integer)) or not 0 <= indegree <= n_pre:
        raise ValueError(f"indegree must be an integer in [0, n_pre = {n_pre}], got {indegree!r}")
    rng = _generator(seed)
    if 2 * indegree > n_pre:
        cols = np.array([rng.permutation(n_pre)[:indegree] for _ in range(n_post)], dtype=np.int64)
    else:
        cols = rng.integers(0, n_pre, size=(n_post, indegree))
        while True:
            cols.sort(axis=1)
            repeated = np.zeros(cols.shape, dtype=bool)
            repeated[:, 1:] = cols[:, 1:] == cols[:, :-1]
            if not repeated.any():
                break
            cols[repeated] = rng.integers(0, n_pre, size=int(repeated.sum()))
    rows = np.repeat(np.arange(n_post), indegree)
    return _matrix(rows, cols.ravel(), n_post, n_pre, weight, rng)


def one_to_one(n: int, weight=1.0):
    """Neuron i onto neuron i."""
    n = check.neuron_count(n)
    return _matrix(np.arange(n), np.arange(n), n, n, weight, None)


def all_to_all(n_pre: int, n_post: int, weight=1.0, autapses: bool = True):
    """Every presynaptic neuron onto every postsynaptic one."""
    n_pre, n_post = check.neuron_count(n_pre), check.neuron_count(n_post)
    rows, cols = np.divmod(np.arange(n_pre * n_post), n_pre)
    if not autapses:
        keep = rows != cols
        rows, cols = rows[keep], cols[keep]
    return _matrix(rows, cols, n_post, n_pre, weight, None)


ALPHA_JUMP = math.e
"""An alpha synapse's first stage x jumps by e w, so that its PSC peaks at w."""
