"""Property tests (Hypothesis) for the breadth ops against NumPy: random shapes, dims, indices and pads."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import neuronlab as nl
import neuronlab.nn.functional as F
from neuronlab.autograd import gradcheck

SETTINGS = settings(max_examples=25, deadline=None)
SHAPES = hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4)


def _values(seed, shape):
    return np.random.default_rng(seed).standard_normal(shape)


@SETTINGS
@given(shape=SHAPES, data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_gather_and_its_gradient_against_numpy(shape, data, seed):
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    rows = data.draw(st.integers(1, 5))
    index_shape = tuple(rows if d == dim % len(shape) else n for d, n in enumerate(shape))
    index = np.random.default_rng(seed).integers(0, shape[dim], index_shape)  # repeats likely
    x0, v = _values(seed, shape), _values(seed + 1, index_shape)
    x = nl.tensor(x0, requires_grad=True)
    y = nl.gather(x, dim, index)
    np.testing.assert_array_equal(y.data, np.take_along_axis(x0, index, dim))
    y.backward(v)
    expected = np.zeros(shape)
    positions = list(np.indices(index_shape))
    positions[dim % len(shape)] = index
    np.add.at(expected, tuple(positions), v)  # sum(v * gather(x)) = sum over positions of v x[index]
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-15, atol=1e-15)
    np.testing.assert_allclose(nl.scatter_add(np.zeros(shape), dim, index, v).data, expected, rtol=1e-15, atol=1e-15)


@SETTINGS
@given(
    shape=hnp.array_shapes(min_dims=1, max_dims=3, min_side=2, max_side=4),
    data=st.data(),
    seed=st.integers(0, 2**32 - 1),
)
def test_pad_against_numpy(shape, data, seed):
    mode = data.draw(st.sampled_from(["constant", "reflect", "replicate", "circular"]))
    padded_dims = data.draw(st.integers(1, len(shape)))
    limit = {"constant": 3, "reflect": 1, "replicate": 3, "circular": 2}[mode]  # reflect needs pad < side
    pad = data.draw(st.lists(st.integers(0, limit), min_size=2 * padded_dims, max_size=2 * padded_dims))
    widths = [(0, 0)] * (len(shape) - padded_dims) + [(pad[i], pad[i + 1]) for i in range(len(pad) - 2, -1, -2)]
    numpy_mode = {"constant": "constant", "reflect": "reflect", "replicate": "edge", "circular": "wrap"}[mode]
    x0 = _values(seed, shape)
    np.testing.assert_array_equal(F.pad(nl.tensor(x0), tuple(pad), mode).data, np.pad(x0, widths, numpy_mode))
    assert gradcheck(lambda x: F.pad(x, tuple(pad), mode), [nl.tensor(x0, requires_grad=True)])


@SETTINGS
@given(shape=SHAPES, data=st.data(), seed=st.integers(0, 2**32 - 1))
def test_rearrangements_against_numpy(shape, data, seed):
    x0 = _values(seed, shape)
    x = nl.tensor(x0)
    dim = data.draw(st.integers(-len(shape), len(shape) - 1))
    shift = data.draw(st.integers(-5, 5))
    np.testing.assert_array_equal(nl.roll(x, shift, dim).data, np.roll(x0, shift, dim))
    np.testing.assert_array_equal(nl.roll(x, shift).data, np.roll(x0, shift))
    np.testing.assert_array_equal(nl.flip(x, dim).data, np.flip(x0, dim))
    counts = data.draw(st.lists(st.integers(0, 3), min_size=shape[dim], max_size=shape[dim]))
    np.testing.assert_array_equal(nl.repeat_interleave(x, np.array(counts), dim).data, np.repeat(x0, counts, dim))
    reps = tuple(data.draw(st.lists(st.integers(1, 3), min_size=1, max_size=4)))
    np.testing.assert_array_equal(nl.tile(x, reps).data, np.tile(x0, reps))
    np.testing.assert_array_equal(nl.sort(x, dim).values.data, np.sort(x0, dim))
    np.testing.assert_allclose(nl.cumsum(x, dim).data, np.cumsum(x0, dim), rtol=1e-14, atol=1e-14)
    np.testing.assert_allclose(nl.cumprod(x, dim).data, np.cumprod(x0, dim), rtol=1e-14, atol=1e-300)


EQUATIONS = {  # equation: the shapes of its operands in letters
    "ij,jk->ik": ("ij", "jk"),
    "bij,bjk->bik": ("bij", "bjk"),
    "ij->ji": ("ij",),
    "ii->i": ("ii",),
    "ij,ij->": ("ij", "ij"),
    "i,j->ij": ("i", "j"),
    "ijk->kj": ("ijk",),
    "ij,jk,kl->il": ("ij", "jk", "kl"),
    "bi,bi->b": ("bi", "bi"),
    "iij->j": ("iij",),
}


@SETTINGS
@given(
    equation=st.sampled_from(sorted(EQUATIONS)),
    sizes=st.lists(st.integers(1, 4), min_size=6, max_size=6),
    seed=st.integers(0, 2**32 - 1),
)
def test_einsum_against_numpy_and_finite_differences(equation, sizes, seed):
    size = dict(zip("ijklb", sizes))
    arrays = [_values(seed + k, tuple(size[c] for c in term)) for k, term in enumerate(EQUATIONS[equation])]
    y = nl.einsum(equation, *[nl.tensor(a) for a in arrays])
    np.testing.assert_allclose(y.data, np.einsum(equation, *arrays), rtol=1e-12, atol=1e-12)
    assert gradcheck(lambda *xs: nl.einsum(equation, *xs), [nl.tensor(a, requires_grad=True) for a in arrays])
