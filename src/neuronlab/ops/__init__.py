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
