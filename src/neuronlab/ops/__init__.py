"""Differentiable operations, one module per family; each op's forward and backward sit side by side."""
from neuronlab.ops.arithmetic import add, astype, div, mul, neg, pow, sub
from neuronlab.ops.elementwise import (abs, clip, cos, exp, leaky_relu, log, maximum, minimum, relu, sigmoid,
                                       sin, sqrt, tanh, where)
from neuronlab.ops.indexing import getitem
from neuronlab.ops.linalg import matmul
from neuronlab.ops.methods import attach
from neuronlab.ops.reduction import argmax, argmin, max, mean, min, std, sum, var
from neuronlab.ops.shape import (broadcast_to, concatenate, expand_dims, flatten, pad, permute, reshape, squeeze,
                                 stack, swapaxes, transpose, unsqueeze)
from neuronlab.ops.softmax import log_softmax, logsumexp, softmax

# Breadth ops (issue 10)
from neuronlab.ops.activation_extra import (celu, hardsigmoid, hardswish, hardtanh, logsigmoid, mish, relu6, selu,
                                            silu, softmin, softplus, softsign)
from neuronlab.ops.comparison import allclose, isclose, isfinite, isinf, isnan
from neuronlab.ops.contraction import bmm, einsum, ger, outer
from neuronlab.ops.factory import (arange, empty, empty_like, eye, full, full_like, linspace, ones, ones_like, rand,
                                   randint, randn, zeros, zeros_like)
from neuronlab.ops.gather_scatter import (gather, index_select, masked_fill, masked_select, nonzero, scatter,
                                         scatter_add)
from neuronlab.ops.logical import all, any
from neuronlab.ops.math import (acos, acosh, arccos, arccosh, arcsin, arcsinh, arctan, arctan2, arctanh, asin, asinh,
                                atan, atan2, atanh, ceil, cosh, erf, exp2, expm1, fix, floor, floor_divide, fmod,
                                lerp, log1p, log2, log10, logaddexp, remainder, round, rsqrt, sign, sinh, tan, trunc)
from neuronlab.ops.moments import std_mean, var_mean
from neuronlab.ops.rearrange import (chunk, diag, diagonal, flip, meshgrid, movedim, repeat_interleave, roll, split,
                                     tile, tril, triu, unbind, unflatten)
from neuronlab.ops.scan import cummax, cummin, cumprod, cumsum, logcumsumexp, prod
from neuronlab.ops.sorting import argsort, median, sort, topk

# End of breadth ops (issue 10)

attach()

clamp = clip
cat = concatenate
subtract, multiply, divide, negative = sub, mul, div, neg

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "astype", "matmul", "exp", "log", "sqrt", "abs", "sin", "cos",
    "tanh", "sigmoid", "relu", "leaky_relu", "maximum", "minimum", "clip", "clamp", "where", "sum", "mean",
    "max", "min", "var", "std", "argmax", "argmin", "reshape", "transpose", "permute", "swapaxes", "squeeze",
    "unsqueeze", "expand_dims", "flatten", "broadcast_to", "concatenate", "cat", "stack", "pad", "getitem",
    "logsumexp", "softmax", "log_softmax", "subtract", "multiply", "divide", "negative",
]

# Breadth ops (issue 10)
__all__ += [
    "celu", "hardsigmoid", "hardswish", "hardtanh", "logsigmoid", "mish", "relu6", "selu", "silu", "softmin",
    "softplus", "softsign", "allclose", "isclose", "isfinite", "isinf", "isnan", "bmm", "einsum", "ger", "outer",
    "arange", "empty", "empty_like", "eye", "full", "full_like", "linspace", "ones", "ones_like", "rand", "randint",
    "randn", "zeros", "zeros_like", "gather", "index_select", "masked_fill", "masked_select", "nonzero", "scatter",
    "scatter_add", "all", "any", "acos", "acosh", "arccos", "arccosh", "arcsin", "arcsinh", "arctan", "arctan2",
    "arctanh", "asin", "asinh", "atan", "atan2", "atanh", "ceil", "cosh", "erf", "exp2", "expm1", "fix", "floor",
    "floor_divide", "fmod", "lerp", "log1p", "log2", "log10", "logaddexp", "remainder", "round", "rsqrt", "sign",
    "sinh", "tan", "trunc", "std_mean", "var_mean", "chunk", "diag", "diagonal", "flip", "meshgrid", "movedim",
    "repeat_interleave", "roll", "split", "tile", "tril", "triu", "unbind", "unflatten", "cummax", "cummin",
    "cumprod", "cumsum", "logcumsumexp", "prod", "argsort", "median", "sort", "topk",
]
