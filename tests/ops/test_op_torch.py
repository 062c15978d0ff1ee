"""Every op in the table against PyTorch: values and gradients in float64, tight tolerance."""

import numpy as np
import pytest
from op_specs import CASE_IDS, CASES, make_arrays

import neuronlab as nl

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

TORCH_CASES = [(c, i) for c, i in zip(CASES, CASE_IDS) if c[0].ref is not None]


@pytest.mark.parametrize("spec, sample", [c for c, _ in TORCH_CASES], ids=[i for _, i in TORCH_CASES])
def test_against_torch(spec, sample):
    arrays = make_arrays(spec, sample)
    ours = [nl.tensor(a, requires_grad=True) for a in arrays]
    theirs = [torch.tensor(a, requires_grad=True) for a in arrays]
    y = spec.op(*ours, **sample.kwargs)
    y_ref = spec.ref(torch, *theirs, **sample.kwargs)

    assert y.shape == tuple(y_ref.shape)
    tol = {"rtol": 1e-6, "atol": 1e-7} if spec.name == "astype" else {"rtol": 1e-12, "atol": 1e-13}
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), **tol)

    v = np.random.default_rng(7).standard_normal(y.shape).astype(y.dtype)
    y.backward(v)
    y_ref.backward(torch.tensor(v))
    for k, (x, x_ref) in enumerate(zip(ours, theirs)):
        assert x.grad is not None, f"input {k} received no gradient"
        assert x.grad.dtype == x.dtype and x.grad.shape == x.shape
        np.testing.assert_allclose(x.grad.data, x_ref.grad.numpy(), **tol, err_msg=f"gradient of input {k}")
