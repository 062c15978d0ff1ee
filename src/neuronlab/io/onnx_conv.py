"""ONNX converters for the convolution, pooling and resizing layers (and the reshaping and channel layers that
sit between them), registered on the first export by :mod:`neuronlab.io.onnx`.

Every spatial size is known from the example input, only the batch is left dynamic, so each converter
computes its padding, window counts and resizing matrices once, as the layer computes them:

* Conv1d/Conv2d -> ``Conv`` (padding "same" as the explicit pairs the layer pads, the extra element of an
  odd total after); ``padding_mode`` reflect/replicate -> a ``Pad`` node (reflect/edge) before it, circular
  -> ``Slice``/``Concat`` (the wrapped edges). ConvTranspose2d -> ``ConvTranspose`` (the same weight layout).
* MaxPool -> ``MaxPool``; AvgPool -> ``AveragePool``. ``ceil_mode`` becomes extra padding after the last
  window (PyTorch's rule: the last window must start inside the input or its left padding), and an average
  whose divisor is not ``AveragePool``'s (the overhang of ``ceil_mode``, ``divisor_override``) is a zero
  ``Pad``, an ``AveragePool`` and a ``Mul`` by kernel area / divisor.
* AdaptiveAvgPool to size 1 -> ``GlobalAveragePool``; to other sizes Y = A_H X A_W^T (``MatMul`` with the
  window-average matrices A), exact for any input and output size.
* Upsample -> ``Resize`` (nearest: ``asymmetric``/``floor``; linear: ``pytorch_half_pixel`` or
  ``align_corners``), with the scale factor when the layer has one, else the output size.
"""

from __future__ import annotations

import math

import numpy as np

from neuronlab import nn
from neuronlab.io.onnx import ExportError, OnnxGraph, register_converter
from neuronlab.ops.pool import _averaging, _divisor, _output_size, _pool_geometry


def _ints(values) -> np.ndarray:
    return np.array([int(v) for v in values], dtype=np.int64)


def _pad(graph: OnnxGraph, x: str, pairs, mode: str) -> str:
    """Pad the spatial axes of x (N, C, ...) by ((before, after), ...): ``Pad`` with ``mode`` "constant",
    "reflect" or "edge"."""
    pads = [0, 0] + [b for b, _ in pairs] + [0, 0] + [a for _, a in pairs]
    return graph.node("Pad", x, graph.constant(_ints(pads), "pads", dtype=np.int64), mode=mode)


def _circular(graph: OnnxGraph, x: str, pairs, shape: tuple) -> str:
    """Wrap-around padding: along each spatial axis, concat(x[n - before:], x, x[:after])."""
    for axis, ((before, after), n) in enumerate(zip(pairs, shape[2:]), start=2):
        head = [_slice(graph, x, axis, n - before, n)] if before else []
        tail = [_slice(graph, x, axis, 0, after)] if after else []
        x = graph.node("Concat", *head, x, *tail, axis=axis) if head or tail else x
    return x


def _slice(graph: OnnxGraph, x: str, axis: int, start: int, end: int) -> str:
    """x[start:end] along ``axis``."""
    bounds = [
        graph.constant(_ints([value]), stem, dtype=np.int64) for value, stem in ((start, "starts"), (end, "ends"))
    ]
    return graph.node("Slice", x, *bounds, graph.constant(_ints([axis]), "axes", dtype=np.int64))


@register_converter(nn.Conv1d, nn.Conv2d)
def _conv(module, graph, x, shape):
    """y = W * x + b: ``Conv`` with the layer's strides, dilations, groups and padding pairs."""
    pairs = module._pairs
    if module.padding_mode == "reflect":
        x, pairs = _pad(graph, x, pairs, "reflect"), ((0, 0),) * module.dims
    elif module.padding_mode == "replicate":
        x, pairs = _pad(graph, x, pairs, "edge"), ((0, 0),) * module.dims
    elif module.padding_mode == "circular":
        x, pairs = _circular(graph, x, pairs, shape), ((0, 0),) * module.dims
    return _conv_node("Conv", module, graph, x, pads=[b for b, _ in pairs] + [a for _, a in pairs])


@register_converter(nn.ConvTranspose2d)
def _conv_transpose(module, graph, x, shape):
    """The transposed convolution: ``ConvTranspose`` (weight (C_in, C_out/groups, KH, KW) in both)."""
    return _conv_node(
        "ConvTranspose", module, graph, x, pads=list(module.padding) * 2, output_padding=list(module.output_padding)
    )


def _conv_node(op: str, module, graph, x, **attributes):
    """An ONNX ``Conv`` or ``ConvTranspose`` node: the layer's weight and bias as constants, its kernel, strides,
    dilations and groups, and ``attributes`` (the pads, ...)."""
    inputs = [x, graph.constant(module.weight.data, "weight")]
    if module.bias is not None:
        inputs.append(graph.constant(module.bias.data, "bias"))
    return graph.node(
        op,
        *inputs,
        kernel_shape=list(module.kernel_size),
        strides=list(module.stride),
        dilations=list(module.dilation),
        group=module.groups,
        **attributes,
    )


def _geometry(module, shape: tuple, dims: int, dilation=1):
    """The pool's kernel, stride, dilation and (before, after) padding pairs with ceil_mode's overhang, of the
    spatial axes, and ``_pool_geometry``'s (kernel, Geometry, output size), which treats 1-D as (1, L)."""
    op = type(module).__name__
    full = _pool_geometry(
        op, shape, module.kernel_size, module.stride, module.padding, dilation, module.ceil_mode, dims
    )
    kernel, geometry, _ = full
    drop = 2 - dims
    return kernel[drop:], geometry.stride[drop:], geometry.dilation[drop:], geometry.padding[drop:], full


@register_converter(nn.MaxPool1d, nn.MaxPool2d)
def _max_pool(module, graph, x, shape):
    """The maximum of each window: ``MaxPool`` (ceil_mode as extra padding after, which a maximum ignores)."""
    if module.return_indices:
        raise ExportError(f"export_onnx: {type(module).__name__}(return_indices=True) returns a pair; export without")
    kernel, stride, dilation, pairs, _ = _geometry(module, shape, len(shape) - 2, module.dilation)
    return graph.node(
        "MaxPool",
        x,
        kernel_shape=list(kernel),
        strides=list(stride),
        dilations=list(dilation),
        pads=[b for b, _ in pairs] + [a for _, a in pairs],
    )


@register_converter(nn.AvgPool1d, nn.AvgPool2d)
def _avg_pool(module, graph, x, shape):
    """The mean of each window: ``AveragePool``; with ceil_mode's overhang or ``divisor_override``, the window
    sums (zero ``Pad``, ``AveragePool``, times the kernel area) divided by PyTorch's divisor per window."""
    dims = len(shape) - 2
    kernel, stride, _, pairs, full = _geometry(module, shape, dims)
    override = getattr(module, "divisor_override", None)
    attributes = {"kernel_shape": list(kernel), "strides": list(stride)}
    if override is None and all(b == a for b, a in pairs):
        pads = [b for b, _ in pairs] * 2
        return graph.node("AveragePool", x, pads=pads, count_include_pad=int(module.count_include_pad), **attributes)
    area = math.prod(kernel)
    if override is not None:
        scale = np.asarray(area / override)
    else:
        sizes = shape[2:] if dims == 2 else (1, *shape[2:])
        scale = area * _divisor(sizes, *full, module.count_include_pad, np.float64)
        scale = scale.reshape(scale.shape[2 - dims :])
    mean = graph.node("AveragePool", _pad(graph, x, pairs, "constant"), **attributes)
    return graph.node("Mul", mean, graph.constant(scale, "divisor"))


def _adaptive(module, graph, x, shape, dims: int):
    """Adaptive average pooling: ``GlobalAveragePool`` to size 1, else Y = A_H X A_W^T (window averages)."""
    sizes = tuple(shape[2:])
    out = _output_size(type(module).__name__, module.output_size, sizes)
    if all(o == 1 for o in out):
        return graph.node("GlobalAveragePool", x)
    y = graph.node("MatMul", x, graph.constant(_averaging(sizes[-1], out[-1], np.float64).T, "window_average"))
    if dims == 2:
        y = graph.node("MatMul", graph.constant(_averaging(sizes[0], out[0], np.float64), "window_average"), y)
    return y


register_converter(nn.AdaptiveAvgPool1d)(lambda module, graph, x, shape: _adaptive(module, graph, x, shape, 1))
register_converter(nn.AdaptiveAvgPool2d)(lambda module, graph, x, shape: _adaptive(module, graph, x, shape, 2))


@register_converter(nn.Upsample)
def _upsample(module, graph, x, shape):
    """``Resize`` as ``interpolate`` computes it: nearest copies input floor(i / scale); linear reads input
    (i + 1/2) / scale - 1/2 (clamped at 0), or i (n - 1) / (out - 1) with ``align_corners``."""
    attributes: dict = {"mode": "nearest" if module.mode == "nearest" else "linear"}
    if module.mode == "nearest":
        attributes.update(coordinate_transformation_mode="asymmetric", nearest_mode="floor")
    else:
        attributes["coordinate_transformation_mode"] = "align_corners" if module.align_corners else "pytorch_half_pixel"
    dims = len(shape) - 2
    empty = graph.constant(np.zeros(0), "roi")
    if module.scale_factor is not None:
        factors = (
            module.scale_factor if isinstance(module.scale_factor, (list, tuple)) else [module.scale_factor] * dims
        )
        scales = graph.constant(np.array([1.0, 1.0, *factors], dtype=np.float32), "scales", dtype=np.float32)
        return graph.node("Resize", x, empty, scales, **attributes)
    out = _output_size("Upsample", module.size, tuple(shape[2:]))
    batch_channels = graph.node(
        "Slice",
        graph.node("Shape", x),
        graph.constant(_ints([0]), "starts", dtype=np.int64),
        graph.constant(_ints([2]), "ends", dtype=np.int64),
    )
    sizes = graph.node("Concat", batch_channels, graph.constant(_ints(out), "spatial_size", dtype=np.int64), axis=0)
    return graph.node("Resize", x, empty, graph.constant(np.zeros(0), "scales", dtype=np.float32), sizes, **attributes)


@register_converter(nn.Unflatten)
def _unflatten(module, graph, x, shape):
    """Split axis ``dim``: Reshape to [0 (copy) ..., *unflattened_size, trailing sizes]."""
    dim = module.dim % len(shape)
    target = [0] * dim + list(module.unflattened_size) + [int(n) for n in shape[dim + 1 :]]
    return graph.node("Reshape", x, graph.constant(_ints(target), "shape", dtype=np.int64))


register_converter(nn.Dropout2d)(lambda module, graph, x, shape: graph.node("Identity", x))
