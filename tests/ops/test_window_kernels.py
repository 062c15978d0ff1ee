"""The compiled window and scatter loops equal their NumPy references: the max-pool argmax
(``backend.windows.max_pool_index``) and ``index_add`` (``backend.scatter``, against ``np.add.at``).

The reference pads with -inf, views the windows and takes NumPy's argmax (first maximum, NaN first); the kernel
reads the windows in place. Both must give the same position for every window, including ties, NaNs, -inf
inputs, padding, dilation, ``ceil_mode`` overhang and non-contiguous inputs.
"""

import itertools

import numpy as np
import pytest

from neuronlab import backend
from neuronlab.backend import windows as compiled
from neuronlab.ops.conv import Geometry, col2im_reference, window_counts
from neuronlab.ops.pool import _pool_geometry, max_pool_index_reference

pytestmark = pytest.mark.skipif(not backend.available(), reason="Numba not installed: no compiled kernel")

GRID = list(
    itertools.product(
        [(2, 2), (3, 2), (1, 3)],  # kernel
        [None, (1, 1), (2, 1)],  # stride (None: the kernel)
        [(0, 0), (1, 0), (1, 1)],  # padding (at most half the kernel)
        [(1, 1), (2, 1)],  # dilation
        [False, True],  # ceil_mode
    )
)


def _compiled(x, kernel, geometry):
    index = np.empty(max_pool_index_reference(x, kernel, geometry).shape, dtype=np.int64)
    (top, _), (left, _) = geometry.padding
    compiled.max_pool_index(x, *kernel, *geometry.stride, top, left, *geometry.dilation, index)
    return index


def _inputs(rng, dtype):
    x = rng.standard_normal((2, 3, 7, 6)).astype(dtype)
    ties = rng.integers(0, 3, (2, 3, 7, 6)).astype(dtype)  # many equal maxima in each window
    special = x.copy()
    special.reshape(-1)[rng.choice(special.size, 20, replace=False)] = np.nan
    special[0, 0] = -np.inf  # a plane of -inf: padding and input tie
    transposed = np.ascontiguousarray(x.transpose(0, 1, 3, 2)).transpose(0, 1, 3, 2)  # non-contiguous view
    return {"random": x, "ties": ties, "nan-inf": special, "non-contiguous": transposed}


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_max_pool_index_equals_the_numpy_reference(dtype):
    rng = np.random.default_rng(0)
    inputs = _inputs(rng, dtype)
    assert not inputs["non-contiguous"].flags.c_contiguous
    checked = 0
    for kernel, stride, padding, dilation, ceil_mode in GRID:
        if any(2 * p > k for p, k in zip(padding, kernel)):
            continue
        for name, x in inputs.items():
            kernel2, geometry, _ = _pool_geometry("test", x.shape, kernel, stride, padding, dilation, ceil_mode, 2)
            expected = max_pool_index_reference(x, kernel2, geometry)
            np.testing.assert_array_equal(
                _compiled(x, kernel2, geometry), expected, err_msg=f"{name} {kernel} {stride} {padding} {dilation}"
            )
            checked += 1
    assert checked > 100


def test_the_reference_takes_the_first_maximum_and_nan():
    """The reference itself, on windows whose answer is known: ties -> the first, NaN beats everything."""
    x = np.array([[[[1.0, 3.0, 3.0, 0.0], [2.0, 3.0, np.nan, 5.0]]]])
    kernel, geometry, _ = _pool_geometry("test", x.shape, 2, None, 0, 1, False, 2)
    np.testing.assert_array_equal(max_pool_index_reference(x, kernel, geometry), [[[[1, 6]]]])
    np.testing.assert_array_equal(_compiled(x, kernel, geometry), [[[[1, 6]]]])


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_col2im_equals_the_numpy_reference(dtype):
    rng = np.random.default_rng(1)
    checked = 0
    for (h, w), kernel, stride, padding, dilation in itertools.product(
        [(5, 6), (1, 9)],
        [(1, 1), (2, 3), (3, 3), (1, 3)],
        [(1, 1), (2, 1), (3, 2)],
        [((0, 0), (0, 0)), ((1, 2), (2, 0)), ((0, 0), (3, 3))],
        [(1, 1), (2, 1), (1, 2)],
    ):
        geometry = Geometry(stride, padding, dilation)
        shape = (2, 3, h, w)
        try:
            oh, ow = window_counts(shape, kernel, geometry)
        except ValueError:
            continue
        cols = rng.standard_normal((3,) + kernel + (2, oh, ow)).astype(dtype)
        for layout in (cols, cols.transpose(1, 2, 3, 0, 4, 5).copy().transpose(3, 0, 1, 2, 4, 5)):
            out = np.zeros(shape, dtype=dtype)
            compiled.col2im(layout, *stride, padding[0][0], padding[1][0], *dilation, out)
            expected = col2im_reference(layout, shape, geometry)
            np.testing.assert_allclose(out, expected, rtol=1e-6, atol=1e-6, err_msg=f"{kernel} {stride} {padding}")
            checked += 1
    assert checked > 100


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("shape", [(7,), (5, 3), (4, 2, 3)])
def test_index_add_equals_numpy_add_at(dtype, shape):
    """Repeated and negative indices accumulate in order as np.add.at's do, on rows of any trailing shape;
    broadcast values; a non-contiguous target and an out-of-range index take NumPy's path (its IndexError)."""
    from neuronlab.ops.indexing import index_add

    rng = np.random.default_rng(1)
    index = rng.integers(-shape[0], shape[0], (3, 4))  # 12 indices into shape[0] rows: many repeats
    for values in (rng.standard_normal(index.shape + shape[1:]).astype(dtype), dtype(0.5)):
        expected = rng.standard_normal(shape).astype(dtype)
        out = expected.copy()
        np.add.at(expected, index, values)
        index_add(out, index, values)
        np.testing.assert_array_equal(out, expected)
    strided = np.zeros((2 * shape[0],) + shape[1:], dtype)[::2]
    index_add(strided, index, 1.0)
    np.testing.assert_array_equal(strided.sum(), index.size * np.prod(shape[1:]))
    with pytest.raises(IndexError):
        index_add(np.zeros(shape, dtype), np.array([shape[0]]), 1.0)
