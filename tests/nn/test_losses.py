import numpy as np
import pytest
from nn_testing import leaf, torch_leaf
from scipy.special import expit, softmax

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck, gradgradcheck
from neuronlab.nn import functional as F

REDUCTIONS = ["mean", "sum", "none"]


def run_both(torch, ours, theirs, x_np, t_np, target_grad=False, t_dtype=None):
    """Evaluate our loss and PyTorch's on the same float64 data; return (values, input grads, target grads)."""
    x = leaf(x_np)
    t = leaf(t_np) if target_grad else np.asarray(t_np, dtype=t_dtype)
    xt = torch_leaf(torch, x_np)
    tt = torch_leaf(torch, t_np) if target_grad else torch.from_numpy(np.asarray(t_np, dtype=t_dtype))
    loss, loss_t = ours(x, t), theirs(xt, tt)
    g = np.random.default_rng(99).normal(size=loss.shape)
    loss.backward(g)
    loss_t.backward(torch.from_numpy(g))
    result = [(loss.data, loss_t.detach().numpy()), (x.grad.data, xt.grad.numpy())]
    if target_grad:
        result.append((t.grad.data, tt.grad.numpy()))
    return result


def assert_pairs_close(pairs, rtol=1e-12, atol=1e-13):
    for ours, theirs in pairs:
        assert ours.shape == theirs.shape
        np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


# ---------------------------------------------------------------------------------------------- regression
@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_mse_and_l1_match_torch(reduction):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(0)
    x_np, t_np = rng.normal(size=(5, 3)), rng.normal(size=(5, 3))
    assert_pairs_close(
        run_both(torch, nn.MSELoss(reduction), torch.nn.MSELoss(reduction=reduction), x_np, t_np, target_grad=True)
    )
    assert_pairs_close(
        run_both(torch, nn.L1Loss(reduction), torch.nn.L1Loss(reduction=reduction), x_np, t_np, target_grad=True)
    )


def test_mse_half_and_batchmean_give_the_notes_regression_layer():
    # notes 000 section 5.1: E = 1/(2N) sum_n (y_n - t_n)^2 with N the batch size, dE/dY = (Y - T)/N.
    rng = np.random.default_rng(1)
    y_np, t_np = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    y = leaf(y_np)
    loss = nn.MSELoss(reduction="batchmean", half=True)(y, t_np)
    loss.backward()
    np.testing.assert_allclose(loss.item(), ((y_np - t_np) ** 2).sum() / (2 * 4))
    np.testing.assert_allclose(y.grad.data, (y_np - t_np) / 4)
    # half=True with the default mean: (1/2) mean((y - t)^2), gradient (y - t) / count
    y = leaf(y_np)
    loss = F.mse_loss(y, t_np, half=True)
    loss.backward()
    np.testing.assert_allclose(loss.item(), 0.5 * ((y_np - t_np) ** 2).mean())
    np.testing.assert_allclose(y.grad.data, (y_np - t_np) / 12)


@pytest.mark.parametrize("reduction", [*REDUCTIONS, "batchmean"])
@pytest.mark.parametrize("half", [False, True])
def test_mse_gradcheck(reduction, half):
    rng = np.random.default_rng(2)
    x, t = leaf(rng.normal(size=(4, 3))), leaf(rng.normal(size=(4, 3)))
    assert gradcheck(lambda x, t: F.mse_loss(x, t, reduction, half), [x, t])
    assert gradgradcheck(lambda x, t: F.mse_loss(x, t, reduction, half), [x, t])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_l1_gradcheck(reduction):
    rng = np.random.default_rng(3)
    x, t = leaf(rng.normal(size=(4, 3))), leaf(rng.normal(size=(4, 3)))
    assert gradcheck(lambda x, t: F.l1_loss(x, t, reduction), [x, t])


def test_shape_mismatch_is_an_error_not_a_silent_broadcast():
    with pytest.raises(ValueError, match=r"target shape \(4,\) must equal input shape \(4, 1\)"):
        nn.MSELoss()(leaf(np.zeros((4, 1))), np.zeros(4))
    with pytest.raises(ValueError, match="reduction"):
        nn.MSELoss("average")


# ---------------------------------------------------------------------------------------------- two classes
@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
def test_bce_matches_torch(reduction, weighted):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(4)
    y_np, t_np = rng.uniform(0.05, 0.95, size=(6, 2)), rng.uniform(size=(6, 2))
    w = rng.uniform(0.5, 2.0, size=(6, 2)) if weighted else None
    theirs = torch.nn.BCELoss(weight=None if w is None else torch.from_numpy(w), reduction=reduction)
    assert_pairs_close(run_both(torch, nn.BCELoss(w, reduction), theirs, y_np, t_np, target_grad=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("pos_weighted", [False, True])
def test_bce_with_logits_matches_torch(reduction, weighted, pos_weighted):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(5)
    x_np, t_np = rng.normal(scale=3.0, size=(6, 3)), rng.uniform(size=(6, 3))
    w = rng.uniform(0.5, 2.0, size=(6, 3)) if weighted else None
    pw = rng.uniform(0.5, 3.0, size=3) if pos_weighted else None
    theirs = torch.nn.BCEWithLogitsLoss(
        weight=None if w is None else torch.from_numpy(w),
        reduction=reduction,
        pos_weight=None if pw is None else torch.from_numpy(pw),
    )
    assert_pairs_close(run_both(torch, nn.BCEWithLogitsLoss(w, reduction, pw), theirs, x_np, t_np, target_grad=True))


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_binary_losses_gradcheck(reduction):
    rng = np.random.default_rng(6)
    y, x, t = leaf(rng.uniform(0.1, 0.9, size=(5, 2))), leaf(rng.normal(size=(5, 2))), leaf(rng.uniform(size=(5, 2)))
    pw = rng.uniform(0.5, 2.0, size=2)
    assert gradcheck(lambda y, t: F.binary_cross_entropy(y, t, reduction=reduction), [y, t])
    assert gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction), [x, t])
    assert gradcheck(lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=pw), [x, t])
    assert gradgradcheck(
        lambda x, t: F.binary_cross_entropy_with_logits(x, t, reduction=reduction, pos_weight=pw), [x, t]
    )
    assert gradgradcheck(lambda y, t: F.binary_cross_entropy(y, t, reduction=reduction), [y, t])


def test_bce_with_logits_is_stable_at_large_logits_with_the_notes_gradient():
    # gradient (sigmoid(x) - t)/N, finite even for |x| = 1000 (where log(sigmoid(x)) would be log 0)
    x_np = np.array([-1000.0, -30.0, 0.0, 30.0, 1000.0], dtype=np.float32)
    t_np = np.array([1.0, 0.0, 1.0, 1.0, 0.0], dtype=np.float32)
    x = neuronlab.tensor(x_np, requires_grad=True)
    loss = nn.BCEWithLogitsLoss()(x, t_np)
    loss.backward()
    expected = np.array([1000.0, np.log1p(np.exp(-30.0)), np.log(2.0), np.log1p(np.exp(-30.0)), 1000.0]).mean()
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, (expit(x_np.astype(np.float64)) - t_np) / 5, rtol=1e-6, atol=1e-12)
    assert loss.dtype == x.grad.dtype == np.float32


def test_bce_rejects_values_outside_0_1():
    with pytest.raises(ValueError, match="probability"):
        nn.BCELoss()(leaf([0.5, 1.5]), np.array([0.0, 1.0]))


# ---------------------------------------------------------------------------------------------- K classes
CE_OPTIONS = [
    {},
    {"reduction": "sum"},
    {"reduction": "none"},
    {"weight": np.array([0.5, 2.0, 1.0, 3.0])},
    {"weight": np.array([0.5, 2.0, 1.0, 3.0]), "reduction": "none"},
    {"ignore_index": 2},
    {"label_smoothing": 0.2},
    {"label_smoothing": 0.1, "weight": np.array([0.5, 2.0, 1.0, 3.0]), "ignore_index": 1},
    {"label_smoothing": 0.3, "reduction": "sum", "ignore_index": 0},
]


def torch_kwargs(torch, options):
    return {k: torch.from_numpy(v) if isinstance(v, np.ndarray) else v for k, v in options.items()}


@pytest.mark.parametrize("options", CE_OPTIONS, ids=[str(sorted(o)) for o in CE_OPTIONS])
@pytest.mark.parametrize("shape", [(7, 4), (4,), (3, 4, 5)])
def test_cross_entropy_with_class_indices_matches_torch(options, shape):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(7)
    x_np = rng.normal(scale=2.0, size=shape)
    target_shape = () if len(shape) == 1 else shape[:1] + shape[2:]
    t_np = rng.integers(0, 4, size=target_shape)
    if len(shape) > 1:
        t_np.reshape(-1)[:4] = [0, 1, 2, 3]  # every class present, so ignore_index always drops something
    pairs = run_both(
        torch,
        nn.CrossEntropyLoss(**options),
        torch.nn.CrossEntropyLoss(**torch_kwargs(torch, options)),
        x_np,
        t_np,
        t_dtype=np.int64,
    )
    assert_pairs_close(pairs)


@pytest.mark.parametrize(
    "options",
    [
        {},
        {"reduction": "sum"},
        {"reduction": "none"},
        {"label_smoothing": 0.25},
        {"weight": np.array([0.5, 2.0, 1.0]), "label_smoothing": 0.1},
    ],
    ids=["mean", "sum", "none", "smoothing", "weight_smoothing"],
)
@pytest.mark.parametrize("shape", [(5, 3), (2, 3, 4)])
def test_cross_entropy_with_probability_targets_matches_torch(options, shape):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(8)
    x_np = rng.normal(size=shape)
    t_np = softmax(rng.normal(size=shape), axis=1)
    pairs = run_both(
        torch,
        nn.CrossEntropyLoss(**options),
        torch.nn.CrossEntropyLoss(**torch_kwargs(torch, options)),
        x_np,
        t_np,
        target_grad=True,
    )
    assert_pairs_close(pairs)


@pytest.mark.parametrize(
    "options",
    [{}, {"reduction": "none"}, {"weight": np.array([0.5, 2.0, 1.0])}, {"label_smoothing": 0.2, "ignore_index": 1}],
    ids=["mean", "none", "weight", "smoothing_ignore"],
)
def test_cross_entropy_gradcheck(options):
    rng = np.random.default_rng(9)
    x = leaf(rng.normal(size=(5, 3)))
    labels = np.array([0, 1, 2, 1, 0])
    assert gradcheck(lambda x: F.cross_entropy(x, labels, **options), [x])
    assert gradgradcheck(lambda x: F.cross_entropy(x, labels, **options), [x])
    probabilities = leaf(softmax(rng.normal(size=(5, 3)), axis=1))
    options = {k: v for k, v in options.items() if k != "ignore_index"}
    assert gradcheck(lambda x, t: F.cross_entropy(x, t, **options), [x, probabilities])
    assert gradgradcheck(lambda x, t: F.cross_entropy(x, t, **options), [x, probabilities])


def test_cross_entropy_gradient_is_the_notes_y_minus_t_over_n():
    rng = np.random.default_rng(10)
    x_np = rng.normal(size=(6, 4)).astype(np.float32)
    labels = np.array([3, 0, 1, 2, 2, 1])
    x = neuronlab.tensor(x_np, requires_grad=True)
    loss = nn.CrossEntropyLoss()(x, labels)
    loss.backward()
    y, t = softmax(x_np.astype(np.float64), axis=1), np.eye(4)[labels]
    np.testing.assert_allclose(loss.item(), -np.log(y[np.arange(6), labels]).mean(), rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, (y - t) / 6, rtol=1e-5, atol=1e-8)
    # one-hot probability targets give the same loss and gradient
    x2 = neuronlab.tensor(x_np, requires_grad=True)
    loss2 = nn.CrossEntropyLoss()(x2, t.astype(np.float32))
    loss2.backward()
    np.testing.assert_allclose(loss2.item(), loss.item(), rtol=1e-6)
    np.testing.assert_allclose(x2.grad.data, x.grad.data, rtol=1e-6, atol=1e-8)


def test_cross_entropy_is_stable_for_huge_logits():
    x = neuronlab.tensor(
        np.array([[1000.0, 0.0, -1000.0], [-1000.0, 1000.0, 0.0]], dtype=np.float32), requires_grad=True
    )
    loss = F.cross_entropy(x, np.array([0, 2]))
    loss.backward()
    np.testing.assert_allclose(loss.item(), (0.0 + 1000.0) / 2, rtol=1e-6)
    np.testing.assert_allclose(x.grad.data, [[0.0, 0.0, 0.0], [0.0, 0.5, -0.5]], atol=1e-7)


def test_cross_entropy_target_errors():
    x = leaf(np.zeros((3, 4)))
    with pytest.raises(ValueError, match=r"target 4 is out of bounds.*\[0, 4\)"):
        F.cross_entropy(x, np.array([0, 4, 1]))
    with pytest.raises(ValueError, match=r"must have shape \(3,\)"):
        F.cross_entropy(x, np.array([[0], [1], [2]]))
    with pytest.raises(ValueError, match="probability targets"):
        F.cross_entropy(x, np.zeros(3))
    with pytest.raises(ValueError, match="weight"):
        F.cross_entropy(x, np.array([0, 1, 2]), weight=np.ones(3))
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, np.array([0, 1, 2]), label_smoothing=1.5)
    assert F.cross_entropy(x, np.array([-100, -100, 1]), reduction="sum").shape == ()


@pytest.mark.parametrize(
    "options",
    [{}, {"reduction": "sum"}, {"reduction": "none"}, {"weight": np.array([0.5, 2.0, 1.0, 3.0]), "ignore_index": 2}],
    ids=["mean", "sum", "none", "weight_ignore"],
)
@pytest.mark.parametrize("shape", [(7, 4), (3, 4, 2)])
def test_nll_loss_matches_torch_and_composes_to_cross_entropy(options, shape):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    rng = np.random.default_rng(11)
    x_np = rng.normal(size=shape)
    t_np = rng.integers(0, 4, size=shape[:1] + shape[2:])
    t_np.reshape(-1)[:4] = [0, 1, 2, 3]
    assert_pairs_close(
        run_both(
            torch, nn.NLLLoss(**options), torch.nn.NLLLoss(**torch_kwargs(torch, options)), x_np, t_np, t_dtype=np.int64
        )
    )
    x = leaf(x_np)
    assert gradcheck(lambda x: F.nll_loss(x, t_np, **options), [x])
    composed = F.nll_loss(nn.LogSoftmax(dim=1)(x), t_np, **options).data
    np.testing.assert_allclose(composed, F.cross_entropy(x, t_np, **options).data, rtol=1e-13, atol=1e-14)


def test_loss_modules_round_trip_their_config():
    import json

    for loss in (
        nn.MSELoss("sum", half=True),
        nn.L1Loss("none"),
        nn.BCELoss(weight=[1.0, 2.0]),
        nn.BCEWithLogitsLoss(pos_weight=[3.0]),
        nn.CrossEntropyLoss(ignore_index=0, label_smoothing=0.1),
        nn.NLLLoss(weight=[1.0, 2.0]),
    ):
        config = json.loads(json.dumps(loss.config()))
        assert nn.build_module(config).config() == config
