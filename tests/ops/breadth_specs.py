"""Op-table rows for the ops of issue 10's "breadth" list (math, activations, scans, sorting, gather/scatter,
rearrangement, contractions). ``op_specs.py`` appends ``BREADTH_SPECS`` to its table, so the same gradcheck,
gradgradcheck and PyTorch tests run over them.

Functions that return (values, indices) or several tensors are checked through the differentiable piece the
row's lambda picks; their indices are compared with PyTorch in ``test_breadth_ops.py``.
Import ``op_specs`` (which imports this module at its end), not this module first.
"""

from __future__ import annotations

import numpy as np
from op_specs import UNARY_SHAPES, OpSpec, Sample

import neuronlab as nl
import neuronlab.nn.functional as F

SHIFT = 1.25  # 'positive' draws from (0.5, 2); minus SHIFT they lie in (-0.75, 0.75), inside every unit domain


def _unit(name):
    """A function of (-1, 1) (asin, acos, atanh) or near 0 (tan), evaluated at x - SHIFT."""
    return OpSpec(
        name,
        lambda x: getattr(nl, name)(x - SHIFT),
        lambda t, x: getattr(t, name)(x - SHIFT),
        UNARY_SHAPES,
        domain="positive",
    )


def _unary(name, domain="real", torch_name=None, shapes=UNARY_SHAPES):
    return OpSpec(name, getattr(nl, name), lambda t, x: getattr(t, torch_name or name)(x), shapes, domain=domain)


def _activation(name, samples=UNARY_SHAPES, scale=1.0, domain="real"):
    return OpSpec(
        name,
        lambda x, **kw: getattr(F, name)(x * scale, **kw),
        lambda t, x, **kw: getattr(t.nn.functional, name)(x * scale, **kw),
        samples,
        domain=domain,
    )


def _dim_samples(extra=None, shapes=((5,), (3, 4), (2, 3, 4))):
    extra = extra or {}
    out = []
    for shape in shapes:
        for dim in sorted({0, len(shape) - 1, -1}):
            out.append(
                Sample(
                    (shape,),
                    {"dim": dim, **extra},
                    id=f"{'x'.join(map(str, shape))}-dim{dim}" + "".join(f"-{k}{v}" for k, v in extra.items()),
                )
            )
    return tuple(out)


BINARY_REAL = (
    Sample(((3, 4), (3, 4)), id="same"),
    Sample(((3, 4), (4,)), id="row-broadcast"),
    Sample(((2, 1, 4), (3, 1)), id="3d-broadcast"),
    Sample(((), (3,)), id="scalar-left"),
)

INDEX_34 = np.array([[0, 2, 2, 1], [1, 1, 0, 0], [2, 0, 1, 2]])  # into a (3, 4) along dim 0, with repeats
INDEX_ROWS = np.array([[3, 3, 0], [1, 0, 1], [2, 2, 2]])  # into a (3, 4) along dim 1, with repeats
INDEX_SMALL = np.array([[1], [0]])  # smaller than the input except along dim
SCATTER_PERMUTATION = np.array([[2, 0, 1, 3], [1, 3, 0, 2]])  # distinct per row (a well-defined scatter)
MASK_ROWS = np.array([True, False, True, True])


BREADTH_SPECS = (
    # ------------------------------------------------------------------ elementwise math
    _unit("tan"),
    _unit("asin"),
    _unit("acos"),
    _unit("atanh"),
    _unary("atan"),
    _unary("sinh"),
    _unary("cosh"),
    _unary("asinh"),
    OpSpec("acosh", lambda x: nl.acosh(x + 1), lambda t, x: t.acosh(x + 1), UNARY_SHAPES, domain="positive"),
    _unary("exp2"),
    _unary("expm1"),
    _unary("erf"),
    _unary("log2", "positive"),
    _unary("log10", "positive"),
    _unary("log1p", "positive"),
    _unary("rsqrt", "positive"),
    _unary("sign", "nonzero"),
    _unary("floor"),
    _unary("ceil"),
    _unary("trunc"),
    OpSpec(
        "round",
        lambda x, decimals=0: nl.round(x, decimals=decimals),
        lambda t, x, decimals=0: t.round(x, decimals=decimals),
        (Sample(((3, 4),)), Sample(((3, 4),), {"decimals": 2}, id="decimals2")),
    ),
    OpSpec("atan2", nl.atan2, lambda t, a, b: t.atan2(a, b), BINARY_REAL, domain="nonzero"),
    OpSpec("fmod", nl.fmod, lambda t, a, b: t.fmod(a, b), BINARY_REAL, domain="nonzero"),
    OpSpec("remainder", lambda a, b: a % b, lambda t, a, b: t.remainder(a, b), BINARY_REAL, domain="nonzero"),
    OpSpec("remainder-scalar", lambda a: nl.remainder(a, 0.7), lambda t, a: t.remainder(a, 0.7), UNARY_SHAPES),
    OpSpec("logaddexp", nl.logaddexp, lambda t, a, b: t.logaddexp(a, b), BINARY_REAL),
    OpSpec(
        "lerp",
        nl.lerp,
        lambda t, a, b, w: t.lerp(a, b, w),
        (Sample(((3, 4), (3, 4), (3, 4)), id="tensor-weight"), Sample(((3, 4), (4,), (3, 1)), id="broadcast")),
    ),
    OpSpec(
        "lerp-scalar", lambda a, b: nl.lerp(a, b, 0.3), lambda t, a, b: t.lerp(a, b, 0.3), (Sample(((3, 4), (3, 4))),)
    ),
    # ------------------------------------------------------------------ activations
    _activation("softplus", UNARY_SHAPES + (Sample(((3, 4),), {"beta": 2.0, "threshold": 1.0}, id="beta2-thr1"),)),
    _activation("logsigmoid"),
    _activation("silu"),
    _activation("mish"),
    _activation("selu"),
    _activation("celu", UNARY_SHAPES + (Sample(((3, 4),), {"alpha": 0.5}, id="alpha0.5"),)),
    _activation("relu6", scale=4.0, domain="nonzero"),
    _activation(
        "hardtanh",
        (Sample(((3, 4),)), Sample(((3, 4),), {"min_val": -0.5, "max_val": 2.0}, id="bounds")),
        scale=2.0,
        domain="nonzero",
    ),
    # PyTorch's hardsigmoid backward multiplies by the float32 constant 1.0f / 6.0f (a 3e-8 relative error in
    # float64), so the reference is the formula relu6(x + 3) / 6 evaluated by PyTorch's clamp
    OpSpec("hardsigmoid", lambda x: F.hardsigmoid(4 * x), lambda t, x: t.clamp(4 * x + 3, 0, 6) / 6, UNARY_SHAPES),
    _activation("hardswish", scale=4.0),
    _activation("softsign"),
    _activation("softmin", (Sample(((3, 4),), {"dim": -1}, id="rows"), Sample(((2, 3, 4),), {"dim": 1}, id="3d"))),
    _activation(
        "normalize",
        (
            Sample(((3, 4),), id="rows"),
            Sample(((2, 3, 4),), {"dim": -1}, id="last"),
            Sample(((3, 4),), {"p": 1.0, "dim": 0}, id="p1"),
            Sample(((3, 4),), {"p": 3.0}, id="p3"),
        ),
    ),
    # ------------------------------------------------------------------ products and scans
    OpSpec(
        "prod",
        lambda x, dim=None, keepdim=False: nl.prod(x, dim, keepdim),
        lambda t, x, dim=None, keepdim=False: t.prod(x) if dim is None else t.prod(x, dim, keepdim),
        (
            Sample(((5,),), id="all"),
            Sample(((3, 4),), {"dim": 1}, id="dim1"),
            Sample(((2, 3, 4),), {"dim": 0, "keepdim": True}, id="dim0-keep"),
            Sample(((),), id="scalar"),
        ),
        domain="nonzero",
    ),
    OpSpec("cumsum", lambda x, dim: nl.cumsum(x, dim), lambda t, x, dim: t.cumsum(x, dim), _dim_samples()),
    OpSpec(
        "cumprod", lambda x, dim: x.cumprod(dim), lambda t, x, dim: t.cumprod(x, dim), _dim_samples(), domain="nonzero"
    ),
    OpSpec(
        "logcumsumexp", lambda x, dim: nl.logcumsumexp(x, dim), lambda t, x, dim: t.logcumsumexp(x, dim), _dim_samples()
    ),
    OpSpec(
        "cummax", lambda x, dim: nl.cummax(x, dim).values, lambda t, x, dim: t.cummax(x, dim).values, _dim_samples()
    ),
    OpSpec("cummin", lambda x, dim: x.cummin(dim).values, lambda t, x, dim: t.cummin(x, dim).values, _dim_samples()),
    # ------------------------------------------------------------------ sorting and statistics
    OpSpec(
        "sort",
        lambda x, dim, descending=False: nl.sort(x, dim, descending).values,
        lambda t, x, dim, descending=False: t.sort(x, dim, descending).values,
        _dim_samples() + _dim_samples({"descending": True}, shapes=((3, 4),)),
    ),
    OpSpec(
        "topk",
        lambda x, k, dim=-1, largest=True: nl.topk(x, k, dim, largest).values,
        lambda t, x, k, dim=-1, largest=True: t.topk(x, k, dim, largest).values,
        (
            Sample(((6,),), {"k": 3}, id="vector"),
            Sample(((3, 5),), {"k": 2, "dim": 0}, id="dim0"),
            Sample(((3, 5),), {"k": 2, "largest": False}, id="smallest"),
        ),
    ),
    OpSpec(
        "median",
        lambda x: nl.median(x),
        lambda t, x: t.median(x),
        (Sample(((5,),), id="odd"), Sample(((3, 4),), id="even")),
    ),
    OpSpec(
        "median-dim",
        lambda x, dim, keepdim=False: nl.median(x, dim, keepdim).values,
        lambda t, x, dim, keepdim=False: t.median(x, dim, keepdim).values,
        _dim_samples() + (Sample(((3, 4),), {"dim": 1, "keepdim": True}, id="keepdim"),),
    ),
    OpSpec(
        "var_mean-var",
        lambda x, dim, ddof=0: nl.var_mean(x, dim=dim, ddof=ddof)[0],
        lambda t, x, dim, ddof=0: t.var_mean(x, dim, correction=ddof)[0],
        (Sample(((3, 4),), {"dim": 1}), Sample(((3, 4),), {"dim": 0, "ddof": 1}, id="ddof1")),
    ),
    OpSpec(
        "var_mean-mean",
        lambda x, dim: nl.var_mean(x, dim=dim)[1],
        lambda t, x, dim: t.var_mean(x, dim)[1],
        (Sample(((3, 4),), {"dim": 1}),),
    ),
    OpSpec(
        "std_mean-std",
        lambda x, dim, ddof=0: nl.std_mean(x, dim=dim, ddof=ddof)[0],
        lambda t, x, dim, ddof=0: t.std_mean(x, dim, correction=ddof)[0],
        (Sample(((3, 4),), {"dim": 1}), Sample(((3, 4),), {"dim": 0, "ddof": 1}, id="ddof1")),
    ),
    OpSpec(
        "std_mean-mean",
        lambda x, dim: x.std_mean(dim=dim)[1],
        lambda t, x, dim: t.std_mean(x, dim)[1],
        (Sample(((3, 4),), {"dim": 0}),),
    ),
    # ------------------------------------------------------------------ gather and scatter
    OpSpec(
        "gather",
        lambda x, dim, index: nl.gather(x, dim, index),
        lambda t, x, dim, index: t.gather(x, dim, t.as_tensor(index)),
        (
            Sample(((3, 4),), {"dim": 0, "index": INDEX_34}, id="dim0-repeated"),
            Sample(((3, 4),), {"dim": 1, "index": INDEX_ROWS}, id="dim1-repeated"),
            Sample(((3, 4),), {"dim": -1, "index": INDEX_SMALL}, id="smaller-index"),
        ),
    ),
    OpSpec(
        "scatter",
        lambda x, src, dim, index: nl.scatter(x, dim, index, src),
        lambda t, x, src, dim, index: t.scatter(x, dim, t.as_tensor(index), src),
        (Sample(((2, 4), (2, 4)), {"dim": 1, "index": SCATTER_PERMUTATION}, id="permutation"),),
    ),
    # a src larger than index: PyTorch's own backward returns a gradient of index's shape and fails, so these
    # rows have no PyTorch reference (their values are compared with PyTorch in test_breadth_ops.py)
    OpSpec(
        "scatter-larger-src",
        lambda x, src, dim, index: nl.scatter(x, dim, index, src),
        None,
        (Sample(((3, 4), (2, 5)), {"dim": 1, "index": SCATTER_PERMUTATION[:, :2]}),),
    ),
    OpSpec(
        "scatter_add-larger-src",
        lambda x, src, dim, index: nl.scatter_add(x, dim, index, src),
        None,
        (Sample(((3, 4), (3, 5)), {"dim": 1, "index": INDEX_SMALL}),),
    ),
    OpSpec(
        "scatter-value",
        lambda x, dim, index: x.scatter(dim, index, 2.5),
        lambda t, x, dim, index: t.scatter(x, dim, t.as_tensor(index), 2.5),
        (Sample(((3, 4),), {"dim": 0, "index": INDEX_34}, id="repeated"),),
    ),
    OpSpec(
        "scatter_add",
        lambda x, src, dim, index: nl.scatter_add(x, dim, index, src),
        lambda t, x, src, dim, index: t.scatter_add(x, dim, t.as_tensor(index), src),
        (
            Sample(((3, 4), (3, 4)), {"dim": 0, "index": INDEX_34}, id="dim0-repeated"),
            Sample(((3, 4), (3, 3)), {"dim": 1, "index": INDEX_ROWS}, id="dim1-repeated"),
        ),
    ),
    OpSpec(
        "index_select",
        lambda x, dim, index: nl.index_select(x, dim, index),
        lambda t, x, dim, index: t.index_select(x, dim, t.as_tensor(index)),
        (
            Sample(((4, 3),), {"dim": 0, "index": np.array([3, 0, 3, 1])}, id="dim0-repeated"),
            Sample(((2, 3, 4),), {"dim": -1, "index": np.array([2, 2])}, id="last-repeated"),
        ),
    ),
    OpSpec(
        "masked_fill",
        lambda x, mask, value: nl.masked_fill(x, mask, value),
        lambda t, x, mask, value: t.masked_fill(x, t.as_tensor(mask), value),
        (
            Sample(((3, 4),), {"mask": MASK_ROWS, "value": -1.5}, id="broadcast-mask"),
            Sample(((3, 4),), {"mask": MASK_ROWS[:3, None], "value": 0.0}, id="column-mask"),
        ),
    ),
    OpSpec(
        "masked_fill-tensor",
        lambda x, v: nl.masked_fill(x, MASK_ROWS, v),
        lambda t, x, v: t.masked_fill(x, t.as_tensor(MASK_ROWS), v),
        (Sample(((3, 4), ())),),
    ),
    OpSpec(
        "masked_select",
        lambda x, mask: nl.masked_select(x, mask),
        lambda t, x, mask: t.masked_select(x, t.as_tensor(mask)),
        (
            Sample(((3, 4),), {"mask": MASK_ROWS}, id="broadcast-mask"),
            Sample(((4,),), {"mask": np.array([[True, False, True, True], [False] * 4])}, id="broadcast-input"),
        ),
    ),
    # ------------------------------------------------------------------ rearrangement
    OpSpec(
        "flip",
        lambda x, dims: nl.flip(x, dims),
        lambda t, x, dims: t.flip(x, dims),
        (Sample(((3, 4),), {"dims": (0,)}, id="dim0"), Sample(((2, 3, 4),), {"dims": (0, -1)}, id="two-dims")),
    ),
    OpSpec(
        "roll",
        lambda x, shifts, dims=None: nl.roll(x, shifts, dims),
        lambda t, x, shifts, dims=None: t.roll(x, shifts, dims),
        (
            Sample(((3, 4),), {"shifts": 2}, id="flat"),
            Sample(((3, 4),), {"shifts": -1, "dims": 1}, id="dim1"),
            Sample(((2, 3, 4),), {"shifts": (1, 5), "dims": (0, 2)}, id="two-dims"),
        ),
    ),
    OpSpec(
        "repeat",
        lambda x, sizes: x.repeat(*sizes),
        lambda t, x, sizes: x.repeat(*sizes),
        (Sample(((3, 4),), {"sizes": (2, 1)}, id="rows"), Sample(((3, 4),), {"sizes": (2, 1, 3)}, id="new-dim")),
    ),
    OpSpec(
        "tile",
        lambda x, dims: nl.tile(x, dims),
        lambda t, x, dims: t.tile(x, dims),
        (Sample(((3, 4),), {"dims": (2,)}, id="short"), Sample(((3,),), {"dims": (2, 2)}, id="new-dim")),
    ),
    OpSpec(
        "repeat_interleave",
        lambda x, repeats, dim=None: nl.repeat_interleave(x, repeats, dim),
        lambda t, x, repeats, dim=None: t.repeat_interleave(x, t.as_tensor(repeats), dim),
        (
            Sample(((3, 4),), {"repeats": 2}, id="flat"),
            Sample(((3, 4),), {"repeats": np.array([1, 0, 3]), "dim": 0}, id="counts"),
        ),
    ),
    OpSpec(
        "tril",
        lambda x, diagonal=0: nl.tril(x, diagonal),
        lambda t, x, diagonal=0: t.tril(x, diagonal),
        (Sample(((4, 4),)), Sample(((2, 3, 4),), {"diagonal": 1}, id="batch-offset")),
    ),
    OpSpec(
        "triu",
        lambda x, diagonal=0: x.triu(diagonal),
        lambda t, x, diagonal=0: t.triu(x, diagonal),
        (Sample(((4, 4),)), Sample(((3, 5),), {"diagonal": -1}, id="offset")),
    ),
    OpSpec(
        "diag",
        lambda x, diagonal=0: nl.diag(x, diagonal),
        lambda t, x, diagonal=0: t.diag(x, diagonal),
        (
            Sample(((4,),), id="vector"),
            Sample(((3,),), {"diagonal": -2}, id="vector-offset"),
            Sample(((3, 4),), {"diagonal": 1}, id="matrix-offset"),
        ),
    ),
    OpSpec(
        "diagonal",
        lambda x, offset=0, dim1=0, dim2=1: nl.diagonal(x, offset, dim1, dim2),
        lambda t, x, offset=0, dim1=0, dim2=1: t.diagonal(x, offset, dim1, dim2),
        (Sample(((3, 4),)), Sample(((2, 3, 4),), {"offset": -1, "dim1": 2, "dim2": 1}, id="3d")),
    ),
    OpSpec(
        "split",
        lambda x, size, dim=0, k=0: nl.split(x, size, dim)[k],
        lambda t, x, size, dim=0, k=0: t.split(x, size, dim)[k],
        (
            Sample(((5, 3),), {"size": 2, "k": 2}, id="last-short"),
            Sample(((3, 6),), {"size": [1, 3, 2], "dim": 1, "k": 1}, id="sections"),
        ),
    ),
    OpSpec(
        "chunk",
        lambda x, chunks, dim=0: nl.chunk(x, chunks, dim)[1],
        lambda t, x, chunks, dim=0: t.chunk(x, chunks, dim)[1],
        (Sample(((5, 3),), {"chunks": 3}), Sample(((3, 7),), {"chunks": 2, "dim": -1}, id="dim-last")),
    ),
    OpSpec(
        "unbind",
        lambda x, dim=0: nl.unbind(x, dim)[-1],
        lambda t, x, dim=0: t.unbind(x, dim)[-1],
        (Sample(((3, 4),)), Sample(((2, 3, 4),), {"dim": 1}, id="dim1")),
    ),
    OpSpec(
        "unflatten",
        lambda x, dim, sizes: nl.unflatten(x, dim, sizes),
        lambda t, x, dim, sizes: t.unflatten(x, dim, sizes),
        (Sample(((3, 6),), {"dim": 1, "sizes": (2, -1)}),),
    ),
    OpSpec(
        "movedim",
        lambda x, source, destination: nl.movedim(x, source, destination),
        lambda t, x, source, destination: t.movedim(x, source, destination),
        (
            Sample(((2, 3, 4),), {"source": 0, "destination": -1}, id="one"),
            Sample(((2, 3, 4, 5),), {"source": (0, 1), "destination": (3, 0)}, id="two"),
        ),
    ),
    OpSpec(
        "meshgrid",
        lambda a, b, indexing="ij": (
            nl.meshgrid(a, b, indexing=indexing)[0] * 2 + nl.meshgrid(a, b, indexing=indexing)[1]
        ),
        lambda t, a, b, indexing="ij": (
            t.meshgrid(a, b, indexing=indexing)[0] * 2 + t.meshgrid(a, b, indexing=indexing)[1]
        ),
        (Sample(((3,), (4,))), Sample(((3,), (4,)), {"indexing": "xy"}, id="xy")),
    ),
    OpSpec(
        "F.pad",
        lambda x, pad, mode="constant", value=None: F.pad(x, pad, mode, value),
        lambda t, x, pad, mode="constant", value=None: t.nn.functional.pad(x, pad, mode=mode, value=value),
        (
            Sample(((3, 4),), {"pad": (1, 2)}, id="constant"),
            Sample(((2, 3, 4),), {"pad": (1, -2, -1, 2), "value": 0.5}, id="constant-crop"),
            Sample(((3, 4),), {"pad": (3, 2), "mode": "reflect"}, id="reflect"),
            Sample(((2, 3, 4),), {"pad": (2, 1, 2, 0), "mode": "replicate"}, id="replicate"),
            Sample(((2, 3, 4),), {"pad": (4, 1, 1, 3), "mode": "circular"}, id="circular"),
            Sample(((2, 3, 4),), {"pad": (-1, 2), "mode": "replicate"}, id="replicate-crop"),
        ),
    ),
    # ------------------------------------------------------------------ contractions
    OpSpec(
        "einsum",
        lambda *xs, equation: nl.einsum(equation, *xs),
        lambda t, *xs, equation: t.einsum(equation, *xs),
        (
            Sample(((3, 4), (4, 5)), {"equation": "ij,jk->ik"}, id="matmul"),
            Sample(((2, 3, 4), (2, 4, 5)), {"equation": "bij,bjk->bik"}, id="batched"),
            Sample(((3,), (4,)), {"equation": "i,j"}, id="implicit-outer"),
            Sample(((3, 4),), {"equation": "ij->"}, id="sum"),
            Sample(((3, 4),), {"equation": "ij->j"}, id="column-sums"),
            Sample(((4, 4),), {"equation": "ii->"}, id="trace"),
            Sample(((4, 4),), {"equation": "ii->i"}, id="diagonal"),
            Sample(((3, 4),), {"equation": "ij"}, id="implicit-identity"),
            Sample(((3, 4),), {"equation": "ji"}, id="implicit-transpose"),
            Sample(((2, 3, 4), (4, 5)), {"equation": "...ij,jk->...ik"}, id="ellipsis"),
            Sample(((2, 3), (3, 4), (4,)), {"equation": "ij,jk,k->i"}, id="three"),
        ),
    ),
    OpSpec("outer", nl.outer, lambda t, a, b: t.outer(a, b), (Sample(((3,), (4,))),)),
    OpSpec("bmm", nl.bmm, lambda t, a, b: t.bmm(a, b), (Sample(((2, 3, 4), (2, 4, 5))),)),
)
