"""ONNX converters for the recurrent layers (RNN, GRU, LSTM) and the ``SequenceClassifier`` that puts one in
front of a Linear readout (``neuronlab train --model rnn|gru|lstm``), registered on the first export by
:mod:`neuronlab.io.onnx`.

Each layer of a stack is one ONNX ``RNN``/``GRU``/``LSTM`` node (direction "bidirectional" for two), fed the
previous node's outputs: Y (T, D, N, H) -> (T, N, D H). The ops compute what PyTorch's layers compute, with
the gate blocks of W, R and B in another order: PyTorch's GRU rows are (r, z, n), ONNX's (z, r, h); PyTorch's
LSTM rows (i, f, g, o), ONNX's (i, o, f, c). A PyTorch GRU applies the reset gate after the recurrent product,
r * (h W_hn^T + b_hn), which is ONNX's ``linear_before_reset=1``. B is the two biases concatenated, [b_ih, b_hh].

A recurrent layer on its own exports its output sequence (the first element of ``(output, h_n)``); LSTM's
``proj_size`` has no ONNX counterpart and is refused.
"""

from __future__ import annotations

import numpy as np

from neuronlab import nn
from neuronlab.io.onnx import ExportError, OnnxGraph, _convert, register_converter
from neuronlab.nn.recurrent_models import SequenceClassifier

# the PyTorch gate block that goes to each ONNX position
_GATE_ORDER = {"GRU": (1, 0, 2), "LSTM": (0, 3, 1, 2), "RNN_TANH": (0,), "RNN_RELU": (0,)}
_OP = {"GRU": "GRU", "LSTM": "LSTM", "RNN_TANH": "RNN", "RNN_RELU": "RNN"}


def _reorder(array: np.ndarray, mode: str) -> np.ndarray:
    blocks = np.split(array, len(_GATE_ORDER[mode]), axis=0)
    return np.concatenate([blocks[i] for i in _GATE_ORDER[mode]], axis=0)


def _shape(graph: OnnxGraph, x: str, target) -> str:
    return graph.node("Reshape", x, graph.constant(np.array(target), "shape", dtype=np.int64))


def _recurrence(module, graph: OnnxGraph, x: str) -> tuple[str, str]:
    """The stacked nodes of ``module`` over x (T, N, input_size): (Y (T, D, N, H), Y_h (D, N, H)) of the last."""
    if module.proj_size:
        raise ExportError(f"export_onnx: LSTM(proj_size={module.proj_size}) has no ONNX counterpart")
    mode, directions, hidden = module.mode, module._directions, module.hidden_size
    attributes: dict = {"hidden_size": hidden, "direction": "bidirectional" if directions == 2 else "forward"}
    if mode == "GRU":
        attributes["linear_before_reset"] = 1
    elif mode != "LSTM":
        attributes["activations"] = ["Tanh" if mode == "RNN_TANH" else "Relu"] * directions
    y = y_h = x
    for layer in range(module.num_layers):
        if layer:  # Y (T, D, N, H) of the layer below -> (T, N, D H)
            x = _shape(graph, graph.node("Transpose", y, perm=[0, 2, 1, 3]), [0, 0, -1])
        weights = [module._weights(layer * directions + d) for d in range(directions)]
        w = np.stack([_reorder(w_ih.data, mode) for w_ih, *_ in weights])
        r = np.stack([_reorder(w_hh.data, mode) for _, w_hh, *_ in weights])
        inputs = [x, graph.constant(w, "W"), graph.constant(r, "R")]
        if module.bias:
            b = np.stack(
                [
                    np.concatenate([_reorder(b_ih.data, mode), _reorder(b_hh.data, mode)])
                    for *_, b_ih, b_hh, _ in weights
                ]
            )
            inputs.append(graph.constant(b, "B"))
        y, y_h = graph.nodes_with_outputs(_OP[mode], *inputs, outputs=2, **attributes)
    return y, y_h


@register_converter(nn.RNN, nn.GRU, nn.LSTM)
def _recurrent_layer(module, graph, x, shape):
    """The output sequence (T, N, D H), or (N, T, D H) with ``batch_first``."""
    if module.batch_first:
        x = graph.node("Transpose", x, perm=[1, 0, 2])
    y, _ = _recurrence(module, graph, x)
    return _shape(
        graph, graph.node("Transpose", y, perm=[2, 0, 1, 3] if module.batch_first else [0, 2, 1, 3]), [0, 0, -1]
    )


@register_converter(SequenceClassifier)
def _sequence_classifier(module, graph, x, shape):
    """Rows (N, T * input_size) -> (N, T, input_size) -> the recurrence -> readout -> the Linear head.
    readout "last": the last layer's final state of each direction, side by side (N, D H); "all": every
    output, flattened (N, T D H)."""
    if len(shape) == 2:
        x = _shape(graph, x, [0, -1, module.rnn.input_size])
    y, y_h = _recurrence(module.rnn, graph, graph.node("Transpose", x, perm=[1, 0, 2]))
    if module.readout == "all":
        features = _shape(graph, graph.node("Transpose", y, perm=[2, 0, 1, 3]), [0, -1])
    else:
        features = _shape(graph, graph.node("Transpose", y_h, perm=[1, 0, 2]), [0, -1])
    return _convert(module.head, graph, features, (shape[0], module.head.in_features))
