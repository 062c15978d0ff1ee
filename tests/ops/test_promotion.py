"""Result dtypes follow PyTorch's type promotion (numbers never widen a floating tensor; integers become float32
under division and the floating functions); each expectation is what PyTorch returns for the same expression."""

import numpy as np
import pytest

import neuronlab as nl

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")


def _ours(values, dtype):
    return nl.tensor(np.asarray(values, dtype=dtype))


def _theirs(values, dtype):
    return torch.tensor(np.asarray(values, dtype=dtype))


CASES = {
    "float32 * np.float64": lambda m, T: T([1.0, 2.0], np.float32) * np.float64(3),
    "float32 * np.sqrt(int)": lambda m, T: T([1.0, 2.0], np.float32) / np.sqrt(5),
    "np.float64 * float32": lambda m, T: np.float64(3) * T([1.0, 2.0], np.float32),
    "float32 + python float": lambda m, T: T([1.0, 2.0], np.float32) + 0.1,
    "int / 2": lambda m, T: T([1, 2], np.int64) / 2,
    "int / int": lambda m, T: T([1, 2], np.int64) / T([3, 4], np.int64),
    "int * 0.5": lambda m, T: T([1, 2], np.int64) * 0.5,
    "int * 2": lambda m, T: T([1, 2], np.int64) * 2,
    "int32 * int64 0-d": lambda m, T: T([1, 2], np.int32) * T(3, np.int64),
    "bool + 1": lambda m, T: T([True, False], np.bool_) + 1,
    "exp(int)": lambda m, T: m.exp(T([1, 2], np.int64)),
    "sqrt(int)": lambda m, T: m.sqrt(T([1, 4], np.int64)),
    "int64 + float32": lambda m, T: T([1, 2], np.int64) + T([0.5, 1.5], np.float32),
    "float32 + float64": lambda m, T: T([1, 2], np.float32) + T([0.5, 1.5], np.float64),
    "float32 + 0-d float64": lambda m, T: T([1, 2], np.float32) + T(0.5, np.float64),
    "int64 + 0-d float64": lambda m, T: T([1, 2], np.int64) + T(0.5, np.float64),
    "0-d float32 * 0-d float64": lambda m, T: T(2.0, np.float32) * T(0.5, np.float64),
    "float16 * 0-d float32": lambda m, T: T([1, 2], np.float16) * T(0.5, np.float32),
    "maximum(int, float32)": lambda m, T: m.maximum(T([1, 2], np.int64), T([0.5, 3.0], np.float32)),
    "where(float32, np.float64)": lambda m, T: (
        m.where(T([True, False], np.bool_), T([1.0, 2.0], np.float32), np.float64(0.0))
        if m is nl
        else m.where(T([True, False], np.bool_), T([1.0, 2.0], np.float32), 0.0)
    ),
    "2.0 ** int": lambda m, T: 2.0 ** T([1, 2], np.int64),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_result_dtype_and_value_match_torch(case):
    ours = CASES[case](nl, _ours)
    theirs = CASES[case](torch, _theirs)
    assert ours.dtype == np.dtype(str(theirs.dtype).replace("torch.", ""))
    np.testing.assert_allclose(ours.data.astype(np.float64), theirs.double().numpy(), rtol=1e-3)


def test_a_float32_network_stays_float32_under_numpy_scalars():
    """The issue's case: scaling by np.sqrt(d) silently turned training into float64."""
    q = nl.tensor(np.ones((2, 4), np.float32), requires_grad=True)
    scores = (q @ q.T) / np.sqrt(q.shape[1])
    assert scores.dtype == np.float32
    scores.sum().backward()
    assert q.grad.dtype == np.float32


def test_a_gradient_through_a_promotion_has_the_input_dtype():
    a = nl.tensor([1.0, 2.0], requires_grad=True)  # float32
    b = nl.tensor(np.array(3.0), requires_grad=True)  # 0-d float64: narrowed to float32
    y = a * b
    assert y.dtype == np.float32
    y.sum().backward()
    assert a.grad.dtype == np.float32 and b.grad.dtype == np.float64
    assert b.grad.item() == 3.0
