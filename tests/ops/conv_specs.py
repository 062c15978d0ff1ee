"""Op-spec rows for convolution, pooling and interpolation (issue 12), appended to ``op_specs.OP_SPECS``.

Kept in their own file so the table's other families and these rows grow without touching each other. The
samples cover a grid of stride, padding (ints, pairs, "same", "valid", padding modes), dilation and groups,
with and without bias, and 1-D and 2-D forms; PyTorch's ``torch.nn.functional`` is the reference.
"""

from __future__ import annotations

import warnings

from neuronlab.nn import functional as F
from neuronlab.ops.conv import ConvolutionWeight, Geometry, pad_spatial


def _conv2d(x, w, b=None, **kw):
    return F.conv2d(x, w, b, **kw)


def _torch_conv2d(t, x, w, b=None, **kw):
    with warnings.catch_warnings():  # PyTorch warns that "same" with an even kernel copies the input
        warnings.simplefilter("ignore", UserWarning)
        return t.nn.functional.conv2d(x, w, b, **kw)


def _conv1d(x, w, b=None, **kw):
    return F.conv1d(x, w, b, **kw)


def _torch_conv1d(t, x, w, b=None, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", UserWarning)
        return t.nn.functional.conv1d(x, w, b, **kw)


def _conv_transpose2d(x, w, b=None, **kw):
    return F.conv_transpose2d(x, w, b, **kw)


def _torch_conv_transpose2d(t, x, w, b=None, **kw):
    return t.nn.functional.conv_transpose2d(x, w, b, **kw)


def _pad(x, pairs, mode):
    return pad_spatial(x, pairs, mode)


def _torch_pad(t, x, pairs, mode):
    return t.nn.functional.pad(x, [p for pair in reversed(pairs) for p in pair], mode=mode)


def _conv2d_weight(x, gy, stride=1, padding=0, groups=1):
    """The weight gradient of conv2d with a 3x3 kernel, as the Function the double backward uses."""
    geometry = Geometry((stride, stride), ((padding, padding), (padding, padding)), (1, 1), groups)
    return ConvolutionWeight.apply(x, gy, kernel=(3, 3), geometry=geometry)


def _torch_conv2d_weight(t, x, gy, stride=1, padding=0, groups=1):
    shape = (gy.shape[1], x.shape[1] // groups, 3, 3)
    return t.nn.grad.conv2d_weight(x, shape, gy, stride=stride, padding=padding, groups=groups)


def _first(f):
    """The value of an op that may also return indices."""

    def op(*args, **kw):
        y = f(*args, **kw)
        return y[0] if isinstance(y, tuple) else y

    return op


def conv_specs(OpSpec, Sample) -> tuple:
    def functional(name):
        return _first(getattr(F, name)), (lambda t, *xs, **kw: _first(getattr(t.nn.functional, name))(*xs, **kw))

    conv2d_samples = (
        Sample(((2, 3, 5, 5), (4, 3, 3, 3), (4,)), id="basic"),
        Sample(((1, 2, 6, 5), (3, 2, 3, 2), (3,)), {"stride": 2, "padding": 1}, id="stride2-pad1"),
        Sample(((1, 2, 7, 6), (2, 2, 2, 3)), {"stride": (2, 1), "padding": (1, 2)}, id="pairs-nobias"),
        Sample(((1, 2, 6, 6), (2, 2, 2, 2), (2,)), {"dilation": 2}, id="dilation2"),
        Sample(
            ((1, 2, 7, 7), (2, 2, 3, 2), (2,)),
            {"dilation": (2, 3), "padding": 2, "stride": 2},
            id="dilation-stride-pad",
        ),
        Sample(((2, 4, 5, 4), (6, 2, 3, 3), (6,)), {"groups": 2, "padding": (1, 0)}, id="groups2"),
        Sample(((1, 3, 4, 4), (3, 1, 2, 2), (3,)), {"groups": 3}, id="depthwise"),
        Sample(((1, 2, 5, 5), (2, 2, 2, 3), (2,)), {"padding": "same"}, id="same-even-kernel"),
        Sample(((1, 2, 5, 6), (2, 2, 3, 3), (2,)), {"padding": "same", "dilation": 2}, id="same-dilated"),
        Sample(((1, 2, 4, 5), (3, 2, 2, 2)), {"padding": "valid"}, id="valid"),
        Sample(((1, 2, 4, 4), (3, 2, 1, 1), (3,)), id="1x1"),
        Sample(((3, 4, 4), (2, 3, 2, 2), (2,)), id="unbatched"),
    )
    conv1d_samples = (
        Sample(((2, 3, 8), (4, 3, 3), (4,)), id="basic"),
        Sample(((1, 4, 9), (4, 2, 3), (4,)), {"stride": 2, "padding": 1, "groups": 2}, id="stride-pad-groups"),
        Sample(((1, 2, 9), (3, 2, 2)), {"dilation": 3, "padding": "same"}, id="same-dilated-nobias"),
    )
    transpose_samples = (
        Sample(((1, 3, 3, 4), (3, 2, 3, 3), (2,)), id="basic"),
        Sample(
            ((1, 2, 3, 3), (2, 3, 3, 2), (3,)), {"stride": 2, "padding": 1, "output_padding": 1}, id="stride2-outpad"
        ),
        Sample(((1, 4, 3, 2), (4, 1, 2, 2)), {"stride": (1, 2), "groups": 2, "dilation": 2}, id="groups-dilation"),
        Sample(((1, 2, 3, 3), (2, 2, 2, 3), (2,)), {"dilation": 2, "output_padding": 1}, id="stride1-outpad"),
    )
    unfold_samples = (
        Sample(((2, 2, 4, 5),), {"kernel_size": 2}, id="overlapping"),
        Sample(
            ((1, 2, 5, 5),),
            {"kernel_size": (2, 3), "dilation": (1, 2), "padding": 1, "stride": (2, 1)},
            id="all-arguments",
        ),
    )
    fold_samples = (
        Sample(((2, 8, 12),), {"output_size": (4, 5), "kernel_size": 2}, id="overlapping"),
        Sample(
            ((1, 6, 12),), {"output_size": (5, 5), "kernel_size": (1, 3), "stride": 2, "padding": 1}, id="stride-pad"
        ),
    )
    max_pool2d_samples = (
        Sample(((2, 2, 4, 4),), {"kernel_size": 2}, id="2x2"),
        Sample(((1, 2, 5, 5),), {"kernel_size": 3, "stride": 1}, id="overlapping"),
        Sample(((1, 2, 6, 5),), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, id="pad-ceil"),
        Sample(
            ((1, 1, 6, 6),),
            {"kernel_size": 2, "stride": 1, "dilation": 2, "return_indices": True},
            id="dilation-indices",
        ),
        Sample(((2, 5, 5),), {"kernel_size": (2, 3), "stride": (1, 2)}, id="unbatched-rectangular"),
    )
    max_pool1d_samples = (
        Sample(((2, 3, 8),), {"kernel_size": 3, "stride": 2, "padding": 1}, id="pad"),
        Sample(((1, 2, 7),), {"kernel_size": 2, "ceil_mode": True, "dilation": 2}, id="ceil-dilation"),
    )
    avg_pool2d_samples = (
        Sample(((2, 2, 4, 4),), {"kernel_size": 2}, id="2x2"),
        Sample(((1, 2, 5, 5),), {"kernel_size": 3, "stride": 1, "padding": 1}, id="overlapping-pad"),
        Sample(
            ((1, 2, 6, 5),),
            {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
            id="ceil-exclude-pad",
        ),
        Sample(
            ((1, 2, 6, 5),), {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True}, id="ceil-include-pad"
        ),
        Sample(((1, 1, 4, 4),), {"kernel_size": 2, "divisor_override": 3}, id="divisor-override"),
    )
    avg_pool1d_samples = (
        Sample(
            ((2, 3, 8),), {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False}, id="exclude-pad"
        ),
        Sample(((1, 2, 7),), {"kernel_size": 2, "ceil_mode": True}, id="ceil"),
    )
    interpolate_samples = (
        Sample(((1, 2, 3, 4),), {"scale_factor": 2}, id="nearest-x2"),
        Sample(((1, 2, 5, 4),), {"size": (3, 7)}, id="nearest-size"),
        Sample(((1, 2, 3, 4),), {"size": (5, 7), "mode": "bilinear", "align_corners": False}, id="bilinear"),
        Sample(
            ((1, 2, 3, 4),),
            {"scale_factor": 1.5, "mode": "bilinear", "align_corners": True},
            id="bilinear-align-corners",
        ),
        Sample(((2, 2, 5),), {"scale_factor": 2.5, "mode": "linear"}, id="linear"),
        Sample(((2, 2, 5),), {"size": 3}, id="nearest-1d-down"),
    )
    pad_samples = tuple(
        Sample(((1, 2, 4, 5),), {"pairs": ((1, 2), (3, 1)), "mode": mode}, id=mode)
        for mode in ("reflect", "replicate", "circular")
    ) + (
        Sample(((2, 3, 5),), {"pairs": ((2, 4),), "mode": "circular"}, id="circular-1d"),
        Sample(((2, 3, 5),), {"pairs": ((4, 1),), "mode": "reflect"}, id="reflect-1d"),
    )
    return (
        OpSpec("conv2d", _conv2d, _torch_conv2d, conv2d_samples),
        OpSpec("conv1d", _conv1d, _torch_conv1d, conv1d_samples),
        OpSpec("conv_transpose2d", _conv_transpose2d, _torch_conv_transpose2d, transpose_samples),
        OpSpec("unfold", *functional("unfold"), unfold_samples),
        OpSpec("fold", *functional("fold"), fold_samples),
        OpSpec("pad-modes", _pad, _torch_pad, pad_samples),
        OpSpec("max_pool2d", *functional("max_pool2d"), max_pool2d_samples),
        OpSpec("max_pool1d", *functional("max_pool1d"), max_pool1d_samples),
        OpSpec("avg_pool2d", *functional("avg_pool2d"), avg_pool2d_samples),
        OpSpec("avg_pool1d", *functional("avg_pool1d"), avg_pool1d_samples),
        OpSpec(
            "adaptive_avg_pool2d",
            *functional("adaptive_avg_pool2d"),
            (
                Sample(((2, 2, 5, 7),), {"output_size": (2, 3)}, id="uneven"),
                Sample(((1, 2, 4, 4),), {"output_size": (None, 1)}, id="none-keeps"),
            ),
        ),
        OpSpec(
            "adaptive_avg_pool1d",
            *functional("adaptive_avg_pool1d"),
            (Sample(((2, 2, 7),), {"output_size": 3}, id="uneven"),),
        ),
        OpSpec(
            "adaptive_max_pool2d",
            *functional("adaptive_max_pool2d"),
            (
                Sample(((2, 2, 5, 7),), {"output_size": (2, 3)}, id="uneven"),
                Sample(((1, 2, 4, 4),), {"output_size": 3, "return_indices": True}, id="overlapping-indices"),
            ),
        ),
        OpSpec("interpolate", *functional("interpolate"), interpolate_samples),
        OpSpec(
            "conv2d-weight-gradient",
            _conv2d_weight,
            _torch_conv2d_weight,
            (
                Sample(((2, 2, 5, 5), (2, 3, 3, 3)), id="basic"),
                Sample(((1, 4, 6, 6), (1, 2, 3, 3)), {"stride": 2, "padding": 1, "groups": 2}, id="strided-groups"),
            ),
        ),
    )
