"""Every op in the table: backpropagated gradients (first and second order) against central differences."""

import numpy as np
import pytest
from op_specs import CASE_IDS, CASES, make_arrays

import neuronlab as nl
from neuronlab.autograd import gradcheck, gradgradcheck


def _tensors(spec, sample):
    return [nl.tensor(a, requires_grad=True) for a in make_arrays(spec, sample)]


@pytest.mark.parametrize("spec, sample", CASES, ids=CASE_IDS)
def test_gradcheck(spec, sample):
    inputs = _tensors(spec, sample)
    assert all(x.dtype == np.float64 for x in inputs)
    assert gradcheck(
        lambda *xs: spec.op(*xs, **sample.kwargs), inputs, generator=np.random.default_rng(0), **spec.gradcheck_kwargs
    )


@pytest.mark.parametrize(
    "spec, sample",
    [c for c in CASES if c[0].second_order],
    ids=[i for c, i in zip(CASES, CASE_IDS) if c[0].second_order],
)
def test_gradgradcheck(spec, sample):
    inputs = _tensors(spec, sample)
    assert gradgradcheck(
        lambda *xs: spec.op(*xs, **sample.kwargs), inputs, generator=np.random.default_rng(1), **spec.gradcheck_kwargs
    )


@pytest.mark.parametrize("spec, sample", CASES, ids=CASE_IDS)
def test_output_dtype_and_graph(spec, sample):
    """float64 in, float64 out (astype excepted); the output is a non-leaf that requires grad."""
    inputs = _tensors(spec, sample)
    y = spec.op(*inputs, **sample.kwargs)
    assert y.requires_grad and not y.is_leaf
    assert y.dtype == (np.float32 if spec.name == "astype" else np.float64)
    with nl.no_grad():
        z = spec.op(*inputs, **sample.kwargs)
    assert not z.requires_grad and z.is_leaf
    np.testing.assert_array_equal(z.data, y.data)
