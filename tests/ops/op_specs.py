"""The op table (after PyTorch's OpInfo): every differentiable op with sample inputs and a PyTorch reference.

Each ``OpSpec`` names the op, calls it the neuronlab way (``op(*tensors, **kwargs)``) and the PyTorch way
(``ref(torch, *torch_tensors, **kwargs)``), and lists ``Sample``s: the shapes of the differentiable
arguments, the keyword arguments, and the domain their values are drawn from (away from kinks and
singularities, so finite differences are valid). The same table drives the gradcheck, gradgradcheck and
PyTorch tests in this directory.
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

import neuronlab as nl
from neuronlab.nn import functional as F
from neuronlab.ops.activation import erf
from neuronlab.ops.indexing import IndexAdd
from neuronlab.ops.shape import identity


@dataclass(frozen=True)
class Sample:
    shapes: tuple  # one shape per differentiable argument
    kwargs: dict = field(default_factory=dict)
    domains: tuple | None = None  # per-argument domain; the spec's domain when None
    id: str = ""


@dataclass(frozen=True)
class OpSpec:
    name: str
    op: Callable  # op(*neuronlab_tensors, **kwargs)
    ref: Callable | None  # ref(torch, *torch_tensors, **kwargs); None: no PyTorch counterpart
    samples: tuple
    domain: str = "real"
    gradcheck_kwargs: dict = field(default_factory=dict)
    second_order: bool = True  # also run gradgradcheck


def draw(domain: str, shape: tuple, rng: np.random.Generator) -> np.ndarray:
    """float64 values for one argument: 'real' N(0, 1), 'positive' U(0.5, 2), 'nonzero' +-U(0.2, 2),
    'probability' U(0.1, 0.9)."""
    if domain == "real":
        return rng.standard_normal(shape)
    if domain == "positive":
        return rng.uniform(0.5, 2.0, shape)
    if domain == "nonzero":
        return rng.choice([-1.0, 1.0], shape) * rng.uniform(0.2, 2.0, shape)
    if domain == "probability":
        return rng.uniform(0.1, 0.9, shape)
    raise ValueError(f"unknown domain {domain!r}")


def make_arrays(spec: OpSpec, sample: Sample) -> list:
    """Deterministic inputs for one case (the seed is derived from the case's id)."""
    rng = np.random.default_rng(zlib.crc32(case_id(spec, sample).encode()))
    domains = sample.domains or (spec.domain,) * len(sample.shapes)
    return [draw(d, s, rng) for d, s in zip(domains, sample.shapes)]


def case_id(spec: OpSpec, sample: Sample) -> str:
    shapes = "_".join("x".join(map(str, shape)) or "scalar" for shape in sample.shapes)
    return f"{spec.name}-{sample.id or shapes}"


# ---------------------------------------------------------------------------------------------- helpers
def _dims(axis, ndim):
    """neuronlab's axis (None: all) as PyTorch's dim tuple."""
    if axis is None:
        return tuple(range(ndim))
    return axis if isinstance(axis, tuple) else (axis,)


def _reduction_samples(extra=None) -> tuple:
    extra = extra or {}
    out = []
    for shape, axis, keepdims in [
        ((5,), None, False),
        ((3, 4), None, False),
        ((3, 4), 0, False),
        ((3, 4), -1, True),
        ((2, 3, 4), (0, 2), False),
        ((2, 3, 4), 1, True),
        ((2, 3, 4), None, True),
        ((), None, False),
    ]:
        out.append(
            Sample(
                (shape,),
                {"axis": axis, "keepdims": keepdims, **extra},
                id=f"{'x'.join(map(str, shape)) or 'scalar'}-axis{axis}-keep{int(keepdims)}",
            )
        )
    return tuple(out)


def _torch_index(torch, index):
    if isinstance(index, np.ndarray):
        return torch.as_tensor(index)
    if isinstance(index, tuple):
        return tuple(_torch_index(torch, i) for i in index)
    return index


def _torch_pad(torch, x, pad_width, value=0.0):
    widths = np.broadcast_to(
        np.asarray(pad_width).reshape(-1, 2) if np.ndim(pad_width) else np.full((1, 2), int(pad_width)), (x.ndim, 2)
    )
    flat = [int(w) for pair in reversed(widths.tolist()) for w in pair]
    return torch.nn.functional.pad(x, flat, value=value)


def _torch_index_add(t, x, index, shape):
    """zeros(shape) with x added at index, by PyTorch's index_put (accumulate) or slice assignment."""
    z = t.zeros(shape, dtype=x.dtype)
    if isinstance(index, tuple) and all(isinstance(i, np.ndarray) for i in index):
        return z.index_put(tuple(t.as_tensor(i) for i in index), x, accumulate=True)
    z[index] = x
    return z


def _torch_mse(t, x, y, reduction="mean", half=False):
    scale = 0.5 if half else 1.0
    if reduction == "batchmean":
        return scale * t.nn.functional.mse_loss(x, y, reduction="sum") / x.shape[0]
    return scale * t.nn.functional.mse_loss(x, y, reduction=reduction)


def _torch_kwargs(t, kwargs):
    """Array keyword arguments (class weights, targets) as PyTorch tensors."""
    return {k: t.as_tensor(v) if isinstance(v, np.ndarray) else v for k, v in kwargs.items()}


def _dropout_mask(shape, p, scale_at_inference, seed=0):
    """Inverted dropout's mask from the uniform draws of default_rng(seed): keep where u >= p, scaled 1/(1-p)."""
    keep = np.random.default_rng(seed).random(shape) >= p
    return keep.astype(np.float64) if scale_at_inference else keep / (1 - p)


def _batch_norm(x, weight=None, bias=None, training=True):
    """F.batch_norm with fresh running statistics each call (a training call updates them in place)."""
    c = x.shape[1]
    return F.batch_norm(x, np.linspace(-0.5, 0.5, c), np.linspace(0.5, 2.0, c), weight, bias, training=training)


def _torch_batch_norm(t, x, weight=None, bias=None, training=True):
    c = x.shape[1]
    return t.nn.functional.batch_norm(
        x,
        t.linspace(-0.5, 0.5, c, dtype=x.dtype),
        t.linspace(0.5, 2.0, c, dtype=x.dtype),
        weight,
        bias,
        training=training,
    )


def _loss_sample(shapes, target=None, domains=None, id="", **kwargs):
    """A loss case: the differentiable inputs' shapes, a constant ``target`` (class indices), other options."""
    if target is not None:
        kwargs["target"] = target
    return Sample(shapes, kwargs, domains=domains, id=id)


def _classification(loss, torch_loss):
    """Ours and PyTorch's call for a loss on (input, target): target from the arguments (probabilities,
    differentiable) or from the keyword ``target`` (class indices, a constant)."""

    def ours(x, *rest, target=None, **kwargs):
        return loss(x, rest[0] if rest else target, **kwargs)

    def theirs(t, x, *rest, target=None, **kwargs):
        return getattr(t.nn.functional, torch_loss)(
            x, rest[0] if rest else t.as_tensor(target), **_torch_kwargs(t, kwargs)
        )

    return ours, theirs


LABELS_4 = np.array([0, 2, 1, 2])
LABELS_IGNORED = np.array([0, -100, 1, 2])
CLASS_WEIGHT = np.array([0.2, 1.0, 2.5])


BINARY_SHAPES = (
    Sample(((3, 4), (3, 4)), id="same"),
    Sample(((3, 4), (4,)), id="row-broadcast"),
    Sample(((3, 1), (1, 4)), id="outer-broadcast"),
    Sample(((2, 1, 4), (3, 1)), id="3d-broadcast"),
    Sample(((), (3,)), id="scalar-left"),
    Sample(((2, 3), ()), id="scalar-right"),
)

UNARY_SHAPES = (Sample(((3, 4),)), Sample(((2, 3, 4),)), Sample(((5,),)), Sample(((),), id="scalar"))

MASK_34 = np.array([[True, False, True, False], [False, False, True, True], [True, True, False, False]])
MASK_3 = np.array([True, False, True])

OP_SPECS = (
    # ------------------------------------------------------------------ arithmetic
    OpSpec("add", lambda a, b: a + b, lambda t, a, b: a + b, BINARY_SHAPES),
    OpSpec("sub", lambda a, b: nl.sub(a, b), lambda t, a, b: a - b, BINARY_SHAPES),
    OpSpec("mul", lambda a, b: a * b, lambda t, a, b: a * b, BINARY_SHAPES),
    OpSpec("div", lambda a, b: a / b, lambda t, a, b: a / b, BINARY_SHAPES, domain="nonzero"),
    OpSpec("neg", lambda x: -x, lambda t, x: -x, (Sample(((3, 4),)), Sample(((),), id="scalar"))),
    OpSpec("pow-tensor", lambda x, p: x**p, lambda t, x, p: x**p, BINARY_SHAPES[:4], domain="positive"),
    OpSpec(
        "pow-scalar",
        lambda x, p: nl.pow(x, p),
        lambda t, x, p: x**p,
        (
            Sample(((3, 4),), {"p": 3}, domains=("real",), id="cube"),
            Sample(((3, 4),), {"p": 2.0}, domains=("real",), id="square"),
            Sample(((3, 4),), {"p": 0.5}, domains=("positive",), id="sqrt"),
            Sample(((3, 4),), {"p": -1.5}, domains=("positive",), id="negative"),
        ),
        domain="positive",
    ),
    OpSpec(
        "rpow",
        lambda x, base: base**x,
        lambda t, x, base: base**x,
        (Sample(((3, 4),), {"base": 2.5}), Sample(((5,),), {"base": 0.5}, id="base-half")),
    ),
    OpSpec(
        "astype",
        lambda x: x.astype(np.float32),
        lambda t, x: x.to(t.float32),
        UNARY_SHAPES,
        gradcheck_kwargs={"eps": 1e-3, "atol": 1e-3, "rtol": 1e-2},
    ),
    # ------------------------------------------------------------------ linear algebra
    OpSpec(
        "matmul",
        lambda a, b: a @ b,
        lambda t, a, b: a @ b,
        (
            Sample(((3, 4), (4, 5)), id="2d"),
            Sample(((2, 3, 4), (2, 4, 5)), id="batched"),
            Sample(((2, 1, 3, 4), (5, 4, 2)), id="broadcast-batch"),
            Sample(((3, 4), (2, 4, 5)), id="matrix-times-batch"),
            Sample(((3, 4), (4,)), id="matrix-vector"),
            Sample(((4,), (4, 5)), id="vector-matrix"),
            Sample(((4,), (4,)), id="inner"),
            Sample(((2, 3, 4), (4,)), id="batch-vector"),
            Sample(((4,), (2, 4, 3)), id="vector-batch"),
        ),
    ),
    # ------------------------------------------------------------------ elementwise
    OpSpec("exp", nl.exp, lambda t, x: t.exp(x), (Sample(((3, 4),)), Sample(((),), id="scalar"))),
    OpSpec("log", nl.log, lambda t, x: t.log(x), UNARY_SHAPES, domain="positive"),
    OpSpec("sqrt", nl.sqrt, lambda t, x: t.sqrt(x), UNARY_SHAPES, domain="positive"),
    OpSpec("abs", nl.abs, lambda t, x: t.abs(x), UNARY_SHAPES, domain="nonzero"),
    OpSpec("sin", nl.sin, lambda t, x: t.sin(x), UNARY_SHAPES),
    OpSpec("cos", nl.cos, lambda t, x: t.cos(x), UNARY_SHAPES),
    OpSpec("tanh", nl.tanh, lambda t, x: t.tanh(x), UNARY_SHAPES),
    OpSpec("sigmoid", nl.sigmoid, lambda t, x: t.sigmoid(x), (Sample(((3, 4),)), Sample(((),), id="scalar"))),
    OpSpec("relu", nl.relu, lambda t, x: t.relu(x), UNARY_SHAPES, domain="nonzero"),
    OpSpec(
        "leaky_relu",
        nl.leaky_relu,
        lambda t, x, negative_slope=0.01: t.nn.functional.leaky_relu(x, negative_slope),
        (Sample(((3, 4),)), Sample(((3, 4),), {"negative_slope": 0.2}, id="slope0.2")),
        domain="nonzero",
    ),
    OpSpec("maximum", nl.maximum, lambda t, a, b: t.maximum(a, b), BINARY_SHAPES[:4]),
    OpSpec("minimum", nl.minimum, lambda t, a, b: t.minimum(a, b), BINARY_SHAPES[:4]),
    OpSpec(
        "clip",
        lambda x, min=None, max=None: nl.clip(x, min, max),
        lambda t, x, min=None, max=None: t.clamp(x, min, max),
        (
            Sample(((4, 5),), {"min": -0.5, "max": 0.5}, id="both"),
            Sample(((4, 5),), {"min": 0.1}, id="min-only"),
            Sample(((4, 5),), {"max": -0.1}, id="max-only"),
        ),
    ),
    OpSpec(
        "where",
        lambda a, b, condition: nl.where(condition, a, b),
        lambda t, a, b, condition: t.where(t.as_tensor(condition), a, b),
        (
            Sample(((3, 4), (3, 4)), {"condition": MASK_34}, id="same"),
            Sample(((3, 4), (4,)), {"condition": MASK_34}, id="broadcast-b"),
            Sample(((3, 1), (4,)), {"condition": MASK_34}, id="broadcast-both"),
        ),
    ),
    # ------------------------------------------------------------------ reductions
    OpSpec(
        "sum",
        lambda x, axis, keepdims: x.sum(axis=axis, keepdims=keepdims),
        lambda t, x, axis, keepdims: x.sum(dim=_dims(axis, x.ndim), keepdim=keepdims),
        _reduction_samples(),
    ),
    OpSpec(
        "mean",
        lambda x, axis, keepdims: nl.mean(x, axis=axis, keepdims=keepdims),
        lambda t, x, axis, keepdims: x.mean(dim=_dims(axis, x.ndim), keepdim=keepdims),
        _reduction_samples(),
    ),
    OpSpec(
        "max",
        lambda x, axis, keepdims: x.max(axis=axis, keepdims=keepdims),
        lambda t, x, axis, keepdims: t.amax(x, dim=_dims(axis, x.ndim), keepdim=keepdims),
        _reduction_samples(),
    ),
    OpSpec(
        "min",
        lambda x, axis, keepdims: nl.min(x, axis=axis, keepdims=keepdims),
        lambda t, x, axis, keepdims: t.amin(x, dim=_dims(axis, x.ndim), keepdim=keepdims),
        _reduction_samples(),
    ),
    OpSpec(
        "var",
        lambda x, axis, keepdims, ddof=0: x.var(axis=axis, keepdims=keepdims, ddof=ddof),
        lambda t, x, axis, keepdims, ddof=0: t.var(x, dim=_dims(axis, x.ndim), keepdim=keepdims, correction=ddof),
        _reduction_samples()[:-1] + _reduction_samples({"ddof": 1})[1:5],
    ),
    OpSpec(
        "std",
        lambda x, axis, keepdims, ddof=0: nl.std(x, axis=axis, keepdims=keepdims, ddof=ddof),
        lambda t, x, axis, keepdims, ddof=0: t.std(x, dim=_dims(axis, x.ndim), keepdim=keepdims, correction=ddof),
        _reduction_samples()[:-1] + _reduction_samples({"ddof": 1})[1:5],
    ),
    OpSpec(
        "logsumexp",
        lambda x, axis, keepdims: nl.logsumexp(x, axis=axis, keepdims=keepdims),
        lambda t, x, axis, keepdims: t.logsumexp(x, dim=_dims(axis, x.ndim), keepdim=keepdims),
        _reduction_samples()[:-1],
    ),
    OpSpec(
        "softmax",
        lambda x, axis: nl.softmax(x, axis=axis),
        lambda t, x, axis: t.softmax(x, dim=axis),
        (
            Sample(((5,),), {"axis": -1}, id="vector"),
            Sample(((3, 4),), {"axis": -1}, id="rows"),
            Sample(((3, 4),), {"axis": 0}, id="columns"),
            Sample(((2, 3, 4),), {"axis": 1}, id="3d-middle"),
        ),
    ),
    OpSpec(
        "log_softmax",
        lambda x, axis: x.log_softmax(axis=axis),
        lambda t, x, axis: t.log_softmax(x, dim=axis),
        (
            Sample(((5,),), {"axis": -1}, id="vector"),
            Sample(((3, 4),), {"axis": -1}, id="rows"),
            Sample(((3, 4),), {"axis": 0}, id="columns"),
            Sample(((2, 3, 4),), {"axis": 1}, id="3d-middle"),
        ),
    ),
    # ------------------------------------------------------------------ shape
    OpSpec(
        "reshape",
        lambda x, shape: x.reshape(shape),
        lambda t, x, shape: x.reshape(shape),
        (
            Sample(((3, 4),), {"shape": (2, 6)}, id="2x6"),
            Sample(((3, 4),), {"shape": (-1,)}, id="flat"),
            Sample(((2, 3, 4),), {"shape": (4, 3, 2, 1)}, id="4d"),
        ),
    ),
    OpSpec(
        "transpose",
        lambda x, axes=None: nl.transpose(x, axes) if axes else x.transpose(),
        lambda t, x, axes=None: x.permute(axes or tuple(reversed(range(x.ndim)))),
        (
            Sample(((3, 4),), id="matrix"),
            Sample(((2, 3, 4),), id="reverse-3d"),
            Sample(((2, 3, 4),), {"axes": (1, 0, 2)}, id="axes-102"),
            Sample(((2, 3, 4),), {"axes": (2, 0, 1)}, id="axes-201"),
            Sample(((2, 3, 4),), {"axes": (-1, 0, -2)}, id="negative-axes"),
        ),
    ),
    OpSpec(
        "permute",
        lambda x, dims: x.permute(*dims),
        lambda t, x, dims: x.permute(*dims),
        (
            Sample(((2, 3, 4),), {"dims": (1, 2, 0)}),
            Sample(((3, 4),), {"dims": (1, 0)}),
            Sample(((2, 3, 4, 2),), {"dims": (3, 1, 0, 2)}),
            Sample(((5,),), {"dims": (0,)}),
            Sample(((2, 3, 4),), {"dims": (-1, 0, -2)}, id="negative-dims"),
        ),
    ),
    OpSpec(
        "T",
        lambda x: x.T,
        lambda t, x: x.permute(*reversed(range(x.ndim))),  # NumPy's .T: axes reversed
        (Sample(((3, 4),)), Sample(((2, 3, 4),), id="3d-reversed"), Sample(((5,),), id="vector")),
    ),
    OpSpec("mT", lambda x: x.mT, lambda t, x: x.mT, (Sample(((3, 4),)), Sample(((2, 3, 4),), id="batch"))),
    OpSpec(
        "swapaxes",
        lambda x, a, b: nl.swapaxes(x, a, b),
        lambda t, x, a, b: t.swapaxes(x, a, b),
        (
            Sample(((2, 3, 4),), {"a": 0, "b": 2}),
            Sample(((3, 4),), {"a": 0, "b": 1}),
            Sample(((2, 3, 4, 2),), {"a": 1, "b": -1}),
            Sample(((5,),), {"a": 0, "b": -1}),
            Sample(((2, 3, 4),), {"a": -1, "b": -3}, id="negative-axes"),
        ),
    ),
    OpSpec(
        "squeeze",
        lambda x, axis=None: nl.squeeze(x, axis),
        lambda t, x, axis=None: t.squeeze(x) if axis is None else t.squeeze(x, axis),
        (Sample(((3, 1, 4, 1),), id="all"), Sample(((3, 1, 4, 1),), {"axis": 1}, id="axis1")),
    ),
    OpSpec(
        "unsqueeze",
        lambda x, axis: x.unsqueeze(axis),
        lambda t, x, axis: x.unsqueeze(axis),
        (Sample(((3, 4),), {"axis": 1}), Sample(((3, 4),), {"axis": -1}, id="last")),
    ),
    OpSpec(
        "flatten",
        lambda x, start=0, end=-1: x.flatten(start, end),
        lambda t, x, start=0, end=-1: t.flatten(x, start, end),
        (Sample(((2, 3, 4),)), Sample(((2, 3, 4, 2),), {"start": 1, "end": 2}, id="middle")),
    ),
    OpSpec(
        "broadcast_to",
        lambda x, shape: nl.broadcast_to(x, shape),
        lambda t, x, shape: t.broadcast_to(x, shape),
        (
            Sample(((3,),), {"shape": (2, 3)}, id="new-axis"),
            Sample(((3, 1),), {"shape": (2, 3, 4)}, id="expand"),
            Sample(((),), {"shape": (2, 2)}, id="scalar"),
        ),
    ),
    OpSpec(
        "concatenate",
        lambda *xs, axis=0: nl.concatenate(xs, axis=axis),
        lambda t, *xs, axis=0: t.cat(xs, dim=axis),
        (
            Sample(((2, 4), (3, 4)), id="axis0"),
            Sample(((3, 2), (3, 1), (3, 4)), {"axis": 1}, id="axis1-three"),
            Sample(((2, 3, 1), (2, 3, 2)), {"axis": -1}, id="axis-last"),
        ),
    ),
    OpSpec(
        "stack",
        lambda *xs, axis=0: nl.stack(xs, axis=axis),
        lambda t, *xs, axis=0: t.stack(xs, dim=axis),
        (
            Sample(((3, 4), (3, 4)), id="axis0"),
            Sample(((3, 4), (3, 4), (3, 4)), {"axis": 1}, id="axis1-three"),
            Sample(((3, 4), (3, 4)), {"axis": -1}, id="axis-last"),
        ),
    ),
    OpSpec(
        "pad",
        lambda x, pad_width, value=0.0: nl.pad(x, pad_width, value),
        _torch_pad,
        (
            Sample(((3, 4),), {"pad_width": 1}, id="int"),
            Sample(((3, 4),), {"pad_width": ((0, 2), (1, 0))}, id="per-axis"),
            Sample(((2, 3, 4),), {"pad_width": ((1, 1), (0, 0), (2, 1)), "value": 3.0}, id="3d-value"),
        ),
    ),
    # ------------------------------------------------------------------ activations (ops/activation.py)
    OpSpec("erf", erf, lambda t, x: t.erf(x), UNARY_SHAPES),
    OpSpec(
        "elu",
        lambda x, alpha=1.0: F.elu(x, alpha),
        lambda t, x, alpha=1.0: t.nn.functional.elu(x, alpha),
        (Sample(((3, 4),)), Sample(((2, 3, 4),), {"alpha": 0.5}, id="alpha0.5"), Sample(((),), id="scalar")),
        domain="nonzero",
    ),
    OpSpec(
        "gelu",
        lambda x, approximate="none": F.gelu(x, approximate),
        lambda t, x, approximate="none": t.nn.functional.gelu(x, approximate=approximate),
        (Sample(((3, 4),)), Sample(((3, 4),), {"approximate": "tanh"}, id="tanh"), Sample(((),), id="scalar")),
    ),
    # ------------------------------------------------------------------ layers (ops/linear.py, normalization, dropout)
    OpSpec(
        "linear",
        F.linear,
        lambda t, x, w, b=None: x @ w + (0 if b is None else b),
        (
            Sample(((4, 3), (3, 2), (2,)), id="bias"),
            Sample(((2, 4, 3), (3, 2), (2,)), id="batch-axes"),
            Sample(((4, 3), (3, 2)), id="no-bias"),
        ),
    ),
    OpSpec(
        "batch_norm",
        _batch_norm,
        _torch_batch_norm,
        (
            Sample(((5, 3), (3,), (3,)), {"training": True}, id="train-2d"),
            Sample(((4, 3, 2), (3,), (3,)), {"training": True}, id="train-3d"),
            Sample(((5, 3), (3,), (3,)), {"training": False}, id="eval"),
            Sample(((5, 3),), {"training": True}, id="train-no-affine"),
            Sample(((4, 3, 2),), {"training": False}, id="eval-no-affine-3d"),
        ),
    ),
    OpSpec(
        "dropout",
        lambda x, p, scale_at_inference=False: F.dropout(
            x, p, True, scale_at_inference, generator=np.random.default_rng(0)
        ),
        lambda t, x, p, scale_at_inference=False: x * t.as_tensor(_dropout_mask(tuple(x.shape), p, scale_at_inference)),
        (Sample(((4, 5),), {"p": 0.3}), Sample(((4, 5),), {"p": 0.5, "scale_at_inference": True}, id="notes-000")),
    ),
    OpSpec("identity", identity, lambda t, x: x.view_as(x), (Sample(((3, 4),)), Sample(((),), id="scalar"))),
    # ------------------------------------------------------------------ penalties (ops/penalty.py)
    OpSpec(
        "l2_penalty",
        lambda *ws, alpha, weights_only=True: F.l2_penalty(ws, alpha, weights_only),
        lambda t, *ws, alpha, weights_only=True: alpha * sum((w * w).sum() for w in ws),
        (
            Sample(((3, 2), (2, 2)), {"alpha": 0.3}, id="two-weights"),
            Sample(((3, 2), (2,)), {"alpha": 0.1, "weights_only": False}, id="with-bias"),
        ),
    ),
    OpSpec(
        "l1_penalty",
        lambda *ws, alpha, weights_only=True: F.l1_penalty(ws, alpha, weights_only),
        lambda t, *ws, alpha, weights_only=True: alpha * sum(w.abs().sum() for w in ws),
        (
            Sample(((3, 2), (2, 2)), {"alpha": 0.3}, id="two-weights"),
            Sample(((3, 2), (2,)), {"alpha": 0.1, "weights_only": False}, id="with-bias"),
        ),
        domain="nonzero",
    ),
    # ------------------------------------------------------------------ losses (ops/loss.py)
    OpSpec(
        "mse_loss",
        lambda x, y, reduction="mean", half=False: F.mse_loss(x, y, reduction, half),
        _torch_mse,
        (
            Sample(((4, 3), (4, 3)), id="mean"),
            Sample(((4, 3), (4, 3)), {"reduction": "sum"}, id="sum"),
            Sample(((4, 3), (4, 3)), {"reduction": "none"}, id="none"),
            Sample(((4, 3), (4, 3)), {"reduction": "batchmean", "half": True}, id="notes-batchmean-half"),
            Sample(((), ()), id="scalar"),
        ),
    ),
    OpSpec(
        "l1_loss",
        lambda x, y, reduction="mean": F.l1_loss(x, y, reduction),
        lambda t, x, y, reduction="mean": t.nn.functional.l1_loss(x, y, reduction=reduction),
        (
            Sample(((4, 3), (4, 3)), id="mean"),
            Sample(((4, 3), (4, 3)), {"reduction": "sum"}, id="sum"),
            Sample(((4, 3), (4, 3)), {"reduction": "none"}, id="none"),
        ),
    ),
    OpSpec(
        "binary_cross_entropy",
        *_classification(F.binary_cross_entropy, "binary_cross_entropy"),
        (
            _loss_sample(((4, 3), (4, 3)), id="mean"),
            _loss_sample(((4, 3), (4, 3)), reduction="none", weight=CLASS_WEIGHT, id="none-weight"),
            _loss_sample(((4, 3), (4, 3)), reduction="sum", id="sum"),
        ),
        domain="probability",
    ),
    OpSpec(
        "binary_cross_entropy_with_logits",
        *_classification(F.binary_cross_entropy_with_logits, "binary_cross_entropy_with_logits"),
        (
            _loss_sample(((4, 3), (4, 3)), id="mean"),
            _loss_sample(((4, 3), (4, 3)), reduction="sum", weight=CLASS_WEIGHT, id="sum-weight"),
            _loss_sample(
                ((4, 3), (4, 3)), reduction="none", pos_weight=np.array([0.5, 1.0, 3.0]), id="none-pos_weight"
            ),
        ),
        domain="probability",
    ),
    OpSpec(
        "cross_entropy",
        *_classification(F.cross_entropy, "cross_entropy"),
        (
            _loss_sample(((4, 3),), LABELS_4, id="indices"),
            _loss_sample(((4, 3),), LABELS_4, weight=CLASS_WEIGHT, label_smoothing=0.1, id="weight-smoothing"),
            _loss_sample(((4, 3),), LABELS_IGNORED, weight=CLASS_WEIGHT, id="ignore_index"),
            _loss_sample(((4, 3),), LABELS_4, reduction="none", id="none"),
            _loss_sample(((4, 3),), LABELS_4, reduction="sum", label_smoothing=0.2, id="sum-smoothing"),
            _loss_sample(((2, 3, 4),), np.array([[0, 1, 2, 2], [1, 1, 0, 2]]), id="3d"),
            _loss_sample(((3,),), np.array(1), id="1d"),
            _loss_sample(((4, 3), (4, 3)), domains=("real", "probability"), id="probabilities"),
            _loss_sample(
                ((4, 3), (4, 3)),
                domains=("real", "probability"),
                weight=CLASS_WEIGHT,
                label_smoothing=0.1,
                reduction="none",
                id="probabilities-weight-smoothing",
            ),
        ),
    ),
    OpSpec(
        "nll_loss",
        *_classification(F.nll_loss, "nll_loss"),
        (
            _loss_sample(((4, 3),), LABELS_4, id="mean"),
            _loss_sample(((4, 3),), LABELS_IGNORED, weight=CLASS_WEIGHT, id="weight-ignore_index"),
            _loss_sample(((4, 3),), LABELS_4, reduction="none", id="none"),
            _loss_sample(((2, 3, 4),), np.array([[0, 1, 2, 2], [1, 1, 0, 2]]), reduction="sum", id="3d-sum"),
        ),
    ),
    # ------------------------------------------------------------------ indexing
    OpSpec(
        "index_add",
        lambda x, index, shape: IndexAdd.apply(x, index=index, shape=shape),
        _torch_index_add,
        (
            Sample(((3, 4),), {"index": (np.array([0, 2, 2]),), "shape": (3, 4)}, id="repeated-rows"),
            Sample(((3,),), {"index": (np.array([0, 1, 1]), np.array([1, 2, 2])), "shape": (3, 4)}, id="pairs"),
            Sample(((2, 4),), {"index": (slice(1, 3),), "shape": (3, 4)}, id="slice"),
            # max pooling's gradient: (2, 2) values into 6 slots of a flattened input, slot 2 twice
            Sample(((2, 2),), {"index": (np.array([[0, 2], [2, 5]]),), "shape": (6,)}, id="2d-index-repeated"),
        ),
    ),
    OpSpec(
        "getitem",
        lambda x, index: x[index],
        lambda t, x, index: x[_torch_index(t, index)],
        (
            Sample(((3, 4),), {"index": 1}, id="int"),
            Sample(((3, 4),), {"index": -1}, id="negative-int"),
            Sample(((5, 4),), {"index": slice(1, 4)}, id="slice"),
            Sample(((5, 4),), {"index": (slice(None), slice(None, None, 2))}, id="step-slice"),
            Sample(((2, 3, 4),), {"index": (Ellipsis, 1)}, id="ellipsis"),
            Sample(((3, 4),), {"index": (None, 1)}, id="newaxis"),
            Sample(((4, 3),), {"index": np.array([0, 2])}, id="int-array"),
            Sample(((4, 3),), {"index": np.array([[0, 1], [3, 3]])}, id="int-array-2d"),
            Sample(((4, 3),), {"index": np.array([1, 1, 2, 1])}, id="repeated"),
            Sample(((3, 4),), {"index": (np.array([0, 1, 1]), np.array([1, 2, 2]))}, id="pairs-repeated"),
            Sample(((3, 4),), {"index": (slice(None), np.array([0, 0, 3]))}, id="mixed"),
            Sample(((3, 4),), {"index": MASK_3}, id="bool-rows"),
            Sample(((3, 4),), {"index": MASK_34}, id="bool-elements"),
        ),
    ),
    # ------------------------------------------------------------------ spiking bridge (issue 15)
    # LIFRate on x + 1, x in U(0.5, 2): above the threshold 1, where the tuning curve is differentiable
    OpSpec(
        "lif_rate",
        lambda x, **k: nl.nn.functional.lif_rate(x + 1, **k),
        lambda t, x, tau_ref=0.002, tau_m=0.02, amplitude=1.0: amplitude / (tau_ref + tau_m * t.log1p(1 / x)),
        (
            Sample(((3, 4),), {"amplitude": 0.01}),
            Sample(((2, 3, 4),), {"tau_ref": 0.0, "tau_m": 0.05, "amplitude": 0.1}, id="no-refractory"),
            Sample(((),), {"amplitude": 0.01}, id="scalar"),
        ),
        domain="positive",
    ),
    OpSpec(
        "soft_lif_rate",
        lambda x, **k: nl.nn.functional.soft_lif_rate(x + 1, **k),
        lambda t, x, sigma=0.02, tau_ref=0.002, tau_m=0.02, amplitude=1.0: (
            amplitude / (tau_ref + tau_m * t.log1p(1 / (sigma * t.nn.functional.softplus(x / sigma))))
        ),
        (
            Sample(((3, 4),), {"sigma": 0.5, "amplitude": 0.01}),
            Sample(((2, 3, 4),), {"sigma": 0.2, "tau_m": 0.05, "amplitude": 0.1}, id="narrow"),
            Sample(((),), {"sigma": 1.0, "amplitude": 0.01}, id="scalar"),
        ),
    ),
)

# Breadth ops (issue 10): their rows live in breadth_specs.py (which imports OpSpec and Sample from here)
from breadth_specs import BREADTH_SPECS  # noqa: E402

OP_SPECS += BREADTH_SPECS

# Convolution (issue 12)
from conv_specs import conv_specs  # noqa: E402

OP_SPECS += conv_specs(OpSpec, Sample)
# end Convolution (issue 12)


# ------------------------------------------------------------------ Recurrence (issue 13)
def _lstm_ref(torch, x, h, c, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
    """PyTorch's LSTM step written out (torch.lstm_cell has no projection)."""
    a = x @ w_ih.T + h @ w_hh.T + (0 if b_ih is None else b_ih + b_hh)
    i, f, g, o = a.chunk(4, dim=1)
    c_new = f.sigmoid() * c + i.sigmoid() * g.tanh()
    h_new = o.sigmoid() * c_new.tanh()
    return torch.cat([h_new if w_hr is None else h_new @ w_hr.T, c_new], dim=1)


def _lstm_op(x, h, c, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
    return nl.concatenate(nl.lstm_cell(x, (h, c), w_ih, w_hh, b_ih, b_hh, w_hr), axis=1)


def _cell_samples(gates: int, hidden: int = 3, state=None) -> tuple:
    """(x, h, W_ih, W_hh, b_ih, b_hh) for N=2, input 4; without biases; a batch of one."""
    state = state or ((hidden,),)
    full = ((2, 4), *((2,) + s for s in state), (gates * hidden, 4), (gates * hidden, state[0][0]))
    return (
        Sample(full + ((gates * hidden,), (gates * hidden,)), id="bias"),
        Sample(full, id="no-bias"),
        Sample(
            ((1, 4), *((1,) + s for s in state), *full[-2:], (gates * hidden,), (gates * hidden,)), id="batch-of-one"
        ),
    )


RECURRENT_SPECS = (
    OpSpec("rnn_tanh_cell", nl.rnn_tanh_cell, lambda t, *a: t.rnn_tanh_cell(*a), _cell_samples(1)),
    OpSpec("rnn_relu_cell", nl.rnn_relu_cell, lambda t, *a: t.rnn_relu_cell(*a), _cell_samples(1)),
    OpSpec("gru_cell", nl.gru_cell, lambda t, *a: t.gru_cell(*a), _cell_samples(3)),
    OpSpec("lstm_cell", _lstm_op, _lstm_ref, _cell_samples(4, state=((3,), (3,)))),
    OpSpec(
        "lstm_cell-projection",
        lambda x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr: _lstm_op(x, h, c, w_ih, w_hh, b_ih, b_hh, w_hr),
        _lstm_ref,
        (Sample(((2, 4), (2, 2), (2, 3), (12, 4), (12, 2), (12,), (12,), (2, 3)), id="proj2"),),
    ),
    OpSpec(
        "embedding",
        lambda w, indices: nl.embedding(indices, w),
        lambda t, w, indices: t.nn.functional.embedding(t.as_tensor(indices), w),
        (
            Sample(((5, 3),), {"indices": np.array([[0, 4, 4], [2, 0, 1]])}, id="repeated"),
            Sample(((4, 2),), {"indices": np.array(2)}, id="scalar-index"),
        ),
        second_order=False,
    ),  # the scatter-add backward is once differentiable; padding_idx: tests/nn
)
OP_SPECS += RECURRENT_SPECS
# ------------------------------------------------------------------ end Recurrence (issue 13)

CASES = [(spec, sample) for spec in OP_SPECS for sample in spec.samples]
CASE_IDS = [case_id(spec, sample) for spec, sample in CASES]
