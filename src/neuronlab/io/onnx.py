"""ONNX export: ``export_onnx(model, example_input, path)`` writes a model that ONNX Runtime (and every other
ONNX consumer) runs with the same outputs as neuronlab.

The graph has one input ``input`` and one output ``output``, both with a dynamic batch dimension ``batch``
(the other dimensions are those of ``example_input``), in the model's floating dtype (float32 stays
float32). Layers are translated one by one by the converters in :data:`CONVERTERS`, a table from module
class to a function ``converter(module, graph, x, shape) -> name`` that appends the layer's nodes to
``graph`` (an :class:`OnnxGraph`) and returns the name of its output; ``x`` is the name of the layer's input
and ``shape`` its shape for ``example_input``. New layer families add theirs with :func:`register_converter`::

    @register_converter(Conv2d)
    def _conv2d(module, graph, x, shape):
        return graph.node("Conv", x, graph.constant(module.weight.data), ..., strides=list(module.stride))

A fitted input transform (``Standardize``, ``MinMaxScale``, ``Whiten``: all affine) becomes the graph's
first nodes, written as the transform computes it (``Sub``/``Div``, ``Sub``/``Mul``/``Add``, ``Sub``/``MatMul``),
and a target transform's inverse (regression outputs in the targets' units) its last ones, so the exported
model takes raw inputs, as ``neuronlab predict`` does. Dropout is the identity at inference; BatchNorm
uses its running statistics (the export runs the model in eval mode). The convolution, pooling and resizing
layers are in :mod:`neuronlab.io.onnx_conv`, the recurrent ones in :mod:`neuronlab.io.onnx_recurrent`.

Needs the optional extra ``pip install 'neuronlab[onnx]'`` (the ``onnx`` package; ``onnxruntime`` to run
the result).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from neuronlab._version import __version__
from neuronlab.io import atomic

DEFAULT_OPSET = 17
INPUT_NAME, OUTPUT_NAME, BATCH_DIM = "input", "output", "batch"
CONVERTERS: dict = {}  # module class -> converter(module, graph, x, shape) -> output name
_builtins_registered = False  # nn's layers register on the first export (keeps `import neuronlab` light)
TRANSFORM_CONVERTERS: dict = {}  # transform class name -> converter(transform, graph, x, inverse) -> name


class ExportError(ValueError):
    """A model (or preprocessing) that cannot be written as ONNX; the message names the part that cannot."""


def _require_onnx():
    try:
        import onnx
    except ImportError:
        raise ImportError("ONNX export needs the onnx package: pip install 'neuronlab[onnx]'") from None
    return onnx


class OnnxGraph:
    """The nodes and constants of the graph being built; names are unique and readable (``linear_0``)."""

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = np.dtype(dtype)
        self.nodes: list = []
        self.initializers: list = []
        self._count: dict[str, int] = {}

    def name(self, stem: str) -> str:
        n = self._count.get(stem, 0)
        self._count[stem] = n + 1
        return f"{stem}_{n}"

    def constant(self, array, stem: str = "const", dtype=None) -> str:
        """Add ``array`` (cast to the graph's dtype unless ``dtype`` is given) as an initializer; its name."""
        from onnx import numpy_helper

        name = self.name(stem)
        value = np.asarray(array, dtype=self.dtype if dtype is None else dtype)
        self.initializers.append(numpy_helper.from_array(np.require(value, requirements="C"), name))
        return name

    def node(self, op_type: str, *inputs: str, **attributes) -> str:
        """Append one node with a single output; returns that output's name."""
        return self.nodes_with_outputs(op_type, *inputs, outputs=1, **attributes)[0]

    def nodes_with_outputs(self, op_type: str, *inputs: str, outputs: int, **attributes) -> list[str]:
        """Append one node and name its first ``outputs`` outputs (``RNN``'s Y and Y_h); returns the names."""
        from onnx import helper

        name = self.name(op_type.lower())
        names = [name] + [f"{name}_output_{k}" for k in range(1, outputs)]
        self.nodes.append(helper.make_node(op_type, list(inputs), names, name=name, **attributes))
        return names


def register_converter(*module_classes):
    """Decorator: ``converter(module, graph, x, shape) -> output name`` exports instances of ``module_classes``."""

    def decorate(converter):
        for cls in module_classes:
            CONVERTERS[cls] = converter
        return converter

    return decorate


def _convert(module, graph: OnnxGraph, x: str, shape: tuple) -> str:
    converter = CONVERTERS.get(type(module))
    if converter is None:
        supported = ", ".join(sorted(cls.__name__ for cls in CONVERTERS))
        raise ExportError(f"export_onnx: {type(module).__name__} has no ONNX converter (supported layers: {supported})")
    return converter(module, graph, x, shape)


# ---------------------------------------------------------------------------------------- layer converters
def _register_builtin_layers() -> None:
    from neuronlab import nn

    @register_converter(nn.Sequential)
    def _sequential(module, graph, x, shape):
        from neuronlab.autograd import Tensor

        value = Tensor(np.zeros(shape, dtype=graph.dtype))
        for child in module:
            x = _convert(child, graph, x, value.shape)
            value = child(value)
        return x

    @register_converter(nn.Linear)
    def _linear(module, graph, x, shape):
        """Y = X W + b with W stored (in, out): Gemm without transposition (MatMul + Add beyond 2-D)."""
        w = graph.constant(module.weight.data, "weight")
        if len(shape) == 2 and module.bias is not None:
            return graph.node("Gemm", x, w, graph.constant(module.bias.data, "bias"))
        y = graph.node("MatMul", x, w)
        return y if module.bias is None else graph.node("Add", y, graph.constant(module.bias.data, "bias"))

    for cls, op in ((nn.ReLU, "Relu"), (nn.Sigmoid, "Sigmoid"), (nn.Tanh, "Tanh"), (nn.Identity, "Identity")):
        register_converter(cls)(lambda module, graph, x, shape, op=op: graph.node(op, x))
    register_converter(nn.LeakyReLU)(lambda m, graph, x, shape: graph.node("LeakyRelu", x, alpha=m.negative_slope))
    register_converter(nn.ELU)(lambda m, graph, x, shape: graph.node("Elu", x, alpha=m.alpha))
    register_converter(nn.Softmax)(lambda m, graph, x, shape: graph.node("Softmax", x, axis=m.dim))
    register_converter(nn.LogSoftmax)(lambda m, graph, x, shape: graph.node("LogSoftmax", x, axis=m.dim))

    @register_converter(nn.GELU)
    def _gelu(module, graph, x, shape):
        """x Phi(x) = x (1 + erf(x / sqrt 2)) / 2, or the tanh form (ONNX's Gelu op needs opset 20)."""
        half, one = graph.constant(0.5, "half"), graph.constant(1.0, "one")
        if module.approximate == "none":
            inner = graph.node("Erf", graph.node("Div", x, graph.constant(np.sqrt(2.0), "sqrt2")))
        else:
            cube = graph.node("Mul", graph.node("Mul", x, x), x)
            z = graph.node("Add", x, graph.node("Mul", cube, graph.constant(0.044715, "coef")))
            inner = graph.node("Tanh", graph.node("Mul", z, graph.constant(np.sqrt(2.0 / np.pi), "sqrt2_over_pi")))
        return graph.node("Mul", graph.node("Mul", x, half), graph.node("Add", inner, one))

    @register_converter(nn.Dropout)
    def _dropout(module, graph, x, shape):
        """The identity at inference (inverted dropout); y = (1 - p) x for ``scale_at_inference``."""
        if module.scale_at_inference:
            return graph.node("Mul", x, graph.constant(1.0 - module.p, "keep"))
        return graph.node("Identity", x)

    @register_converter(nn.BatchNorm1d, nn.BatchNorm2d)
    def _batchnorm(module, graph, x, shape):
        """y = gamma (x - running_mean) / sqrt(running_var + eps) + beta (eval mode), per channel (axis 1)."""
        if module.running_mean is None:
            raise ExportError(
                f"export_onnx: {type(module).__name__}(track_running_stats=False) normalizes with each batch's own "
                "statistics, even at inference; only BatchNorm with running statistics can be exported"
            )
        c = module.num_features
        gamma = module.weight.data if module.affine else np.ones(c)
        beta = module.bias.data if module.affine else np.zeros(c)
        return graph.node(
            "BatchNormalization",
            x,
            graph.constant(gamma, "gamma"),
            graph.constant(beta, "beta"),
            graph.constant(module.running_mean.data, "running_mean"),
            graph.constant(module.running_var.data, "running_var"),
            epsilon=module.eps,
        )

    @register_converter(nn.Flatten)
    def _flatten(module, graph, x, shape):
        """Merge axes start_dim..end_dim: Reshape to [0 (copy) ..., -1, trailing sizes]."""
        ndim = len(shape)
        start, end = module.start_dim % ndim, module.end_dim % ndim
        target = [0] * start + [-1] + [int(n) for n in shape[end + 1 :]]
        return graph.node("Reshape", x, graph.constant(np.array(target), "shape", dtype=np.int64))

    from neuronlab.io import onnx_conv, onnx_recurrent  # noqa: F401 (their converters register on import)


# ---------------------------------------------------------------------------------------- preprocessing
def register_transform_converter(name: str):
    """Decorator: ``converter(transform, graph, x, inverse) -> name`` exports the transform class ``name``
    (``inverse=True``: its inverse, applied to the model's outputs)."""

    def decorate(converter):
        TRANSFORM_CONVERTERS[name] = converter
        return converter

    return decorate


@register_transform_converter("Standardize")
def _standardize(transform, graph, x, inverse):
    """z = (x - mean) / std;  x = z std + mean."""
    state = transform.state_dict()
    mean, std = graph.constant(state["mean"], "mean"), graph.constant(state["std"], "std")
    if inverse:
        return graph.node("Add", graph.node("Mul", x, std), mean)
    return graph.node("Div", graph.node("Sub", x, mean), std)


@register_transform_converter("MinMaxScale")
def _minmax(transform, graph, x, inverse):
    """z = a + (x - data_min) scale with scale = (b - a) / (data_max - data_min);  x = (z - a) / scale + data_min."""
    state = transform.state_dict()
    low, scale = graph.constant(transform.feature_range[0], "range_low"), graph.constant(transform._scale(), "scale")
    data_min = graph.constant(state["data_min"], "data_min")
    if inverse:
        return graph.node("Add", graph.node("Div", graph.node("Sub", x, low), scale), data_min)
    return graph.node("Add", low, graph.node("Mul", graph.node("Sub", x, data_min), scale))


@register_transform_converter("Whiten")
def _whiten(transform, graph, x, inverse):
    """z = (x - mean) M with M = U diag(lambda + eps)^(-1/2) (U^T for ZCA);  x = z M^-1 + mean."""
    mean = graph.constant(transform.state_dict()["mean"], "mean")
    if inverse:
        return graph.node("Add", graph.node("MatMul", x, graph.constant(transform._matrix(0.5).T, "unwhiten")), mean)
    return graph.node("MatMul", graph.node("Sub", x, mean), graph.constant(transform._matrix(-0.5), "whiten"))


@register_transform_converter("Compose")
def _compose(transform, graph, x, inverse):
    for step in reversed(transform.transforms) if inverse else transform.transforms:
        x = _convert_transform(step, graph, x, inverse)
    return x


def _convert_transform(transform, graph: OnnxGraph, x: str, inverse: bool) -> str:
    name = type(transform).__name__
    if name not in TRANSFORM_CONVERTERS:
        raise ExportError(
            f"export_onnx: preprocessing {name} has no ONNX converter (supported: "
            f"{', '.join(sorted(TRANSFORM_CONVERTERS))})"
        )
    if not getattr(transform, "fitted", True):
        raise ExportError(f"export_onnx: preprocessing {name} is not fitted")
    return TRANSFORM_CONVERTERS[name](transform, graph, x, inverse)


# ---------------------------------------------------------------------------------------- export
def _model_dtype(model) -> np.dtype:
    dtypes = {p.data.dtype for p in model.parameters()}
    if len(dtypes) > 1:
        raise ExportError(
            f"export_onnx: the model mixes parameter dtypes {sorted(map(str, dtypes))}; "
            "convert it to one with model.float() or model.double()"
        )
    return dtypes.pop() if dtypes else np.dtype(np.float32)


def to_onnx(
    model,
    example_input,
    *,
    input_transform=None,
    target_transform=None,
    opset: int = DEFAULT_OPSET,
    metadata: dict | None = None,
):
    """The ``onnx.ModelProto`` of ``model`` (see :func:`export_onnx`), checked with ``onnx.checker``."""
    onnx = _require_onnx()
    from onnx import helper

    from neuronlab.autograd import Tensor
    from neuronlab.autograd.grad_mode import no_grad

    global _builtins_registered
    if not _builtins_registered:
        _register_builtin_layers()
        _builtins_registered = True
    if opset < 13:
        raise ExportError(f"export_onnx: opset {opset} is too old; the converters need opset 13 or newer")
    dtype = _model_dtype(model)
    example = np.asarray(example_input.data if isinstance(example_input, Tensor) else example_input)
    if example.ndim < 1 or example.shape[0] < 1:
        raise ExportError(
            f"export_onnx: example_input must have a batch axis with at least one sample, got shape {example.shape}"
        )
    example = example.astype(dtype)
    graph = OnnxGraph(dtype)
    training = {m: m.training for m in model.modules()}
    model.eval()
    try:
        with no_grad():
            transformed = example if input_transform is None else input_transform.transform(example).astype(dtype)
            x = INPUT_NAME if input_transform is None else _convert_transform(input_transform, graph, INPUT_NAME, False)
            y = _convert(model, graph, x, transformed.shape)
            output = model(Tensor(transformed))
            output = (output[0] if isinstance(output, tuple) else output).data  # a recurrent layer: its outputs
    finally:
        for module, mode in training.items():
            module.training = mode
    if target_transform is not None:
        y = _convert_transform(target_transform, graph, y, True)
    graph.nodes.append(helper.make_node("Identity", [y], [OUTPUT_NAME], name="output"))
    elem = helper.np_dtype_to_tensor_dtype(dtype)
    output_batch = BATCH_DIM if output.shape[0] == example.shape[0] else None  # None: a size ONNX leaves open
    graph_proto = helper.make_graph(
        graph.nodes,
        type(model).__name__,
        [helper.make_tensor_value_info(INPUT_NAME, elem, [BATCH_DIM, *example.shape[1:]])],
        [helper.make_tensor_value_info(OUTPUT_NAME, elem, [output_batch, *output.shape[1:]])],
        graph.initializers,
    )
    proto = helper.make_model(
        graph_proto,
        producer_name="neuronlab",
        producer_version=__version__,
        opset_imports=[helper.make_opsetid("", opset)],
    )
    if metadata:
        helper.set_model_props(
            proto, {key: value if isinstance(value, str) else json.dumps(value) for key, value in metadata.items()}
        )
    onnx.checker.check_model(proto, full_check=True)
    return proto


def export_onnx(
    model,
    example_input,
    path,
    *,
    input_transform=None,
    target_transform=None,
    opset: int = DEFAULT_OPSET,
    metadata: dict | None = None,
) -> Path:
    """Write ``model`` as an ONNX file at ``path`` (atomically); returns the path.

    ``example_input``: an array (or Tensor) of shape (N, ...) with N >= 1; it fixes every dimension but the
    batch. ``input_transform``/``target_transform``: the fitted preprocessing of the run (a checkpoint's
    ``input_transform``/``target_transform``), put in front of the model and, inverted, behind it.
    ``metadata``: strings (other values as JSON) stored in the model's ``metadata_props``.
    Raises :class:`ExportError` naming a layer or transform that has no converter.
    """
    proto = to_onnx(
        model,
        example_input,
        input_transform=input_transform,
        target_transform=target_transform,
        opset=opset,
        metadata=metadata,
    )
    return atomic.write_bytes(path, proto.SerializeToString())
