"""Recurrent layers with PyTorch's names, arguments, parameter names, layouts and initialization.

``RNNCell``, ``GRUCell`` and ``LSTMCell`` run one time step; ``RNN``, ``GRU`` and ``LSTM`` run a whole sequence
through ``num_layers`` stacked layers, each in one or both directions. The time step is one Function from
:mod:`neuronlab.ops.recurrent` (forward and backward written out there); the layer projects the inputs of all
time steps in one matrix product and unrolls the recurrence, so backpropagation through time is the engine's
ordinary backward over the unrolled graph.

Parameters (as in PyTorch, so ``interop`` and checkpoints carry them unchanged): ``weight_ih_l{k}`` (G H, in),
``weight_hh_l{k}`` (G H, P), ``bias_ih_l{k}``, ``bias_hh_l{k}`` (G H,), ``weight_hr_l{k}`` (P, H) for an LSTM with
``proj_size=P``, and the same with ``_reverse`` for the backward direction; G = 1, 3 (r, z, n) or 4 (i, f, g, o).
All are drawn from U(-1/sqrt(H), 1/sqrt(H)).

Variable-length batches: ``forward(input, hx, lengths=...)`` gives PyTorch's packed-sequence results on a padded
batch: outputs past each sequence's length are zero, ``h_n`` is the state at its last real step, and the
backward direction starts at each sequence's last real step.
"""

from __future__ import annotations

import math
import warnings

import numpy as np

from neuronlab.autograd import grad_mode
from neuronlab.autograd._tensor import Tensor
from neuronlab.nn import init
from neuronlab.nn.module import Module, register_buildable
from neuronlab.nn.parameter import Parameter
from neuronlab.ops._util import to_tensor
from neuronlab.ops.dropout import dropout
from neuronlab.ops.elementwise import where
from neuronlab.ops.recurrent import (
    GRUStep,
    LSTMStep,
    RNNReLUStep,
    RNNTanhStep,
    gru_cell,
    lstm_cell,
    rnn_relu_cell,
    rnn_tanh_cell,
)
from neuronlab.ops.shape import concatenate, stack

_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "GRU": 3, "LSTM": 4}
_STEPS = {"RNN_TANH": RNNTanhStep, "RNN_RELU": RNNReLUStep, "GRU": GRUStep}


def _check_size(op: str, name: str, value, minimum: int = 1) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < minimum:
        raise ValueError(f"{op}: {name} must be an integer >= {minimum}, got {value!r}")
    return int(value)


def _float_dtype(op: str, dtype) -> np.dtype:
    dtype = np.dtype(dtype)
    if dtype.kind != "f":
        raise TypeError(f"{op}: dtype must be a floating type, got {dtype}")
    return dtype


def _nonlinearity_mode(op: str, nonlinearity: str) -> str:
    if nonlinearity not in ("tanh", "relu"):
        raise ValueError(f"{op}: nonlinearity must be 'tanh' or 'relu', got {nonlinearity!r}")
    return "RNN_TANH" if nonlinearity == "tanh" else "RNN_RELU"


def _lstm_input_projections(data: np.ndarray, w_ih: np.ndarray, bias) -> np.ndarray:
    """x_t W_ih^T + bias for every time step of ``data`` (T, N, I), as LSTMStep works, feature-major: the result
    is (T, N, 4 H) with each step the transpose of a contiguous (4 H, N) array. The bias rides along as one more
    input column (x with a column of ones, W_ih with the bias), so the products add it."""
    if bias is None:
        return np.matmul(w_ih, data.transpose(0, 2, 1)).transpose(0, 2, 1)
    steps, batch, features = data.shape
    x = np.empty((steps, features + 1, batch), dtype=data.dtype)
    x[:, :features] = data.transpose(0, 2, 1)
    x[:, features] = 1
    return np.matmul(np.concatenate([w_ih, bias[:, None]], axis=1), x).transpose(0, 2, 1)


# ---------------------------------------------------------------------------------------------- cells
class RNNCellBase(Module):
    """Parameters ``weight_ih`` (G H, input_size), ``weight_hh`` (G H, H), ``bias_ih``, ``bias_hh`` (G H,)."""

    def __init__(self, input_size: int, hidden_size: int, bias: bool, gates: int, dtype) -> None:
        super().__init__()
        op = type(self).__name__
        self.input_size = _check_size(op, "input_size", input_size)
        self.hidden_size = _check_size(op, "hidden_size", hidden_size)
        dtype = _float_dtype(op, dtype)
        self.weight_ih = Parameter(np.empty((gates * self.hidden_size, self.input_size), dtype=dtype))
        self.weight_hh = Parameter(np.empty((gates * self.hidden_size, self.hidden_size), dtype=dtype))
        if bias:
            self.bias_ih = Parameter(np.empty(gates * self.hidden_size, dtype=dtype))
            self.bias_hh = Parameter(np.empty(gates * self.hidden_size, dtype=dtype))
        else:
            self.register_parameter("bias_ih", None)
            self.register_parameter("bias_hh", None)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    def _prepare(self, input, hx, state_size: int):
        """(input as (N, input_size), state as (N, state_size) or None, whether the input was batched)."""
        x = to_tensor(input)
        op = type(self).__name__
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(
                f"{op}: expected input of shape (N, {self.input_size}) or ({self.input_size},), got {tuple(x.shape)}"
            )
        batched = x.ndim == 2
        if not batched:
            x = x.unsqueeze(0)
        if hx is None:
            return x, Tensor._make(np.zeros((x.shape[0], state_size), dtype=x.dtype)), batched
        h = to_tensor(hx)
        expected = (x.shape[0], state_size) if batched else (state_size,)
        if h.shape != expected:
            raise ValueError(f"{op}: expected a state of shape {expected}, got {tuple(h.shape)}")
        return x, (h if batched else h.unsqueeze(0)), batched

    def get_config(self) -> dict:
        return {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "bias": self.bias_ih is not None,
            "dtype": self.weight_ih.dtype.name,
        }

    def extra_repr(self) -> str:
        return f"{self.input_size}, {self.hidden_size}" + ("" if self.bias_ih is not None else ", bias=False")


@register_buildable
class RNNCell(RNNCellBase):
    """One step of an Elman RNN: h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (or ReLU).

    ``forward(input, hx=None)``: input (N, input_size) or (input_size,), hx (N, hidden_size) (zeros if None).
    """

    def __init__(
        self, input_size: int, hidden_size: int, bias: bool = True, nonlinearity: str = "tanh", dtype=np.float32
    ) -> None:
        mode = _nonlinearity_mode("RNNCell", nonlinearity)
        super().__init__(input_size, hidden_size, bias, 1, dtype)
        self.nonlinearity = nonlinearity
        self._cell = rnn_tanh_cell if mode == "RNN_TANH" else rnn_relu_cell

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx, self.hidden_size)
        y = self._cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return y if batched else y[0]

    def get_config(self) -> dict:
        return {**super().get_config(), "nonlinearity": self.nonlinearity}

    def extra_repr(self) -> str:
        return super().extra_repr() + ("" if self.nonlinearity == "tanh" else f", nonlinearity={self.nonlinearity!r}")


@register_buildable
class GRUCell(RNNCellBase):
    """One GRU step (gates r, z, n; see :class:`neuronlab.ops.recurrent.GRUStep` for the equations).

    ``forward(input, hx=None)``: input (N, input_size) or (input_size,), hx (N, hidden_size) (zeros if None).
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32) -> None:
        super().__init__(input_size, hidden_size, bias, 3, dtype)

    def forward(self, input, hx=None):
        x, h, batched = self._prepare(input, hx, self.hidden_size)
        y = gru_cell(x, h, self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return y if batched else y[0]


@register_buildable
class LSTMCell(RNNCellBase):
    """One LSTM step (gates i, f, g, o; see :class:`neuronlab.ops.recurrent.LSTMStep` for the equations).

    ``forward(input, hx=None)`` with ``hx = (h, c)``, each (N, hidden_size) (zeros if None); returns (h', c').
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, dtype=np.float32) -> None:
        super().__init__(input_size, hidden_size, bias, 4, dtype)

    def forward(self, input, hx=None):
        if hx is not None and (not isinstance(hx, (tuple, list)) or len(hx) != 2):
            raise TypeError("LSTMCell: hx must be a pair (h, c)")
        x, h, batched = self._prepare(input, None if hx is None else hx[0], self.hidden_size)
        _, c, _ = self._prepare(input, None if hx is None else hx[1], self.hidden_size)
        h, c = lstm_cell(x, (h, c), self.weight_ih, self.weight_hh, self.bias_ih, self.bias_hh)
        return (h, c) if batched else (h[0], c[0])


# ---------------------------------------------------------------------------------------------- layers
class RNNBase(Module):
    """The multi-layer, optionally bidirectional unrolled recurrence shared by RNN, GRU and LSTM."""

    def __init__(
        self,
        mode: str,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype=np.float32,
    ) -> None:
        super().__init__()
        op = type(self).__name__
        self.mode = mode
        self.input_size = _check_size(op, "input_size", input_size)
        self.hidden_size = _check_size(op, "hidden_size", hidden_size)
        self.num_layers = _check_size(op, "num_layers", num_layers)
        self.proj_size = _check_size(op, "proj_size", proj_size, minimum=0)
        if self.proj_size >= self.hidden_size:
            raise ValueError(
                f"{op}: proj_size ({self.proj_size}) must be smaller than hidden_size ({self.hidden_size})"
            )
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating)) or not 0 <= dropout <= 1:
            raise ValueError(f"{op}: dropout must be a number in [0, 1], got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(
                f"{op}: dropout={dropout} acts between layers, so it does nothing with num_layers=1", stacklevel=3
            )
        self.bias, self.batch_first, self.bidirectional = bool(bias), bool(batch_first), bool(bidirectional)
        self.dropout = float(dropout)
        dtype = _float_dtype(op, dtype)
        gate_size = _GATES[mode] * self.hidden_size
        real_hidden = self.proj_size or self.hidden_size
        directions = 2 if self.bidirectional else 1
        self._weight_names = []
        for layer in range(self.num_layers):
            layer_input = self.input_size if layer == 0 else real_hidden * directions
            for suffix in ("", "_reverse")[:directions]:
                shapes: dict[str, tuple[int, ...]] = {
                    "weight_ih": (gate_size, layer_input),
                    "weight_hh": (gate_size, real_hidden),
                }
                if self.bias:
                    shapes.update(bias_ih=(gate_size,), bias_hh=(gate_size,))
                if self.proj_size:
                    shapes["weight_hr"] = (self.proj_size, self.hidden_size)
                names = {}
                for kind, shape in shapes.items():
                    names[kind] = f"{kind}_l{layer}{suffix}"
                    setattr(self, names[kind], Parameter(np.empty(shape, dtype=dtype)))
                self._weight_names.append(names)
        self.reset_parameters()

    def reset_parameters(self) -> None:
        """PyTorch's default: every parameter ~ U(-1/sqrt(hidden_size), 1/sqrt(hidden_size))."""
        bound = 1 / math.sqrt(self.hidden_size)
        for p in self.parameters():
            init.uniform_(p, -bound, bound)

    @property
    def _directions(self) -> int:
        return 2 if self.bidirectional else 1

    def _weights(self, k: int) -> tuple:
        names = self._weight_names[k]
        return tuple(
            getattr(self, names[kind]) if kind in names else None
            for kind in ("weight_ih", "weight_hh", "bias_ih", "bias_hh", "weight_hr")
        )

    # ------------------------------------------------------------------ argument checks
    def _check_input(self, input) -> tuple:
        x = to_tensor(input)
        op = type(self).__name__
        if x.ndim not in (2, 3) or x.shape[-1] != self.input_size:
            layout = "(N, T, input_size)" if self.batch_first else "(T, N, input_size)"
            raise ValueError(
                f"{op}: expected input of shape {layout} or (T, input_size) with input_size="
                f"{self.input_size}, got {tuple(x.shape)}"
            )
        batched = x.ndim == 3
        if not batched:
            x = x.unsqueeze(1)
        elif self.batch_first:
            x = x.swapaxes(0, 1)
        return x, batched

    def _check_state(self, name: str, state, batch: int, size: int, batched: bool) -> Tensor:
        state = to_tensor(state)
        expected = (self.num_layers * self._directions, batch, size)
        shape = state.shape if batched else state.shape[:1] + (1,) + state.shape[1:]
        if state.ndim != (3 if batched else 2) or shape != expected:
            want = expected if batched else (expected[0], expected[2])
            raise ValueError(f"{type(self).__name__}: expected {name} of shape {want}, got {tuple(state.shape)}")
        return state if batched else state.unsqueeze(1)

    def _check_lengths(self, lengths, steps: int, batch: int):
        lengths = np.asarray(getattr(lengths, "data", lengths))
        if lengths.shape != (batch,) or lengths.dtype.kind not in "iu":
            raise ValueError(
                f"{type(self).__name__}: lengths must be {batch} integers (one per sequence), got {lengths!r}"
            )
        if lengths.min() < 1 or lengths.max() > steps:
            raise ValueError(
                f"{type(self).__name__}: lengths must lie in [1, {steps}] (the padded length), got {lengths.tolist()}"
            )
        return np.arange(steps)[:, None] < lengths[None, :]

    # ------------------------------------------------------------------ the recurrence
    def _initial_states(self, hx, x: Tensor, batched: bool) -> list:
        batch, count = x.shape[1], self.num_layers * self._directions
        real_hidden = self.proj_size or self.hidden_size
        if self.mode == "LSTM":
            if hx is None:
                zeros = Tensor._make(np.zeros((batch, real_hidden + self.hidden_size), dtype=x.dtype))
                return [zeros] * count
            if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                raise TypeError(f"{type(self).__name__}: hx must be a pair (h_0, c_0)")
            h0 = self._check_state("h_0", hx[0], batch, real_hidden, batched)
            c0 = self._check_state("c_0", hx[1], batch, self.hidden_size, batched)
            return [concatenate([h0[k], c0[k]], axis=1) for k in range(count)]
        if hx is None:
            return [Tensor._make(np.zeros((batch, self.hidden_size), dtype=x.dtype))] * count
        h0 = self._check_state("h_0", hx, batch, self.hidden_size, batched)
        return [h0[k] for k in range(count)]

    def _run_direction(self, k: int, steps: list, data: np.ndarray, state: Tensor, masks, reverse: bool):
        """Unroll one direction of one layer: the per-step states, and the last one."""
        w_ih, w_hh, b_ih, b_hh, w_hr = self._weights(k)
        if self.mode == "LSTM":
            xw = _lstm_input_projections(data, w_ih.data, None if b_ih is None else b_ih.data + b_hh.data)

            def step(x_t, s, xw_t):
                return LSTMStep.apply(x_t, s, w_ih, w_hh, b_ih, b_hh, w_hr, xw=xw_t)
        else:
            xw = data @ w_ih.data.T  # the input projections of every time step: one matrix product
            if b_ih is not None:
                xw += b_ih.data
            function = _STEPS[self.mode]

            def step(x_t, s, xw_t):
                return function.apply(x_t, s, w_ih, w_hh, b_ih, b_hh, xw=xw_t)

        outputs = [None] * len(steps)
        for t in range(len(steps) - 1, -1, -1) if reverse else range(len(steps)):
            new = step(steps[t], state, xw[t])
            if masks is not None and not masks[t].all():  # past a sequence's end: carry the state unchanged
                new = where(masks[t][:, None], new, state)
            outputs[t] = state = new
        return outputs, state

    def forward(self, input, hx=None, lengths=None):
        """``input`` (T, N, input_size) ((N, T, input_size) with ``batch_first``; (T, input_size) unbatched);
        ``hx`` the initial state (h_0 of shape (num_layers * directions, N, H); a pair (h_0, c_0) for an LSTM),
        zeros if None; ``lengths`` the real length of each sequence in a padded batch. Returns
        ``(output, h_n)`` (``(output, (h_n, c_n))`` for an LSTM), output of shape (T, N, directions * H)."""
        x, batched = self._check_input(input)
        steps_count, batch = x.shape[0], x.shape[1]
        masks = None if lengths is None else self._check_lengths(lengths, steps_count, batch)
        states = self._initial_states(hx, x, batched)
        data = x.data
        if x.requires_grad and grad_mode.is_grad_enabled():
            steps = [x[t] for t in range(steps_count)]
        else:
            steps = [Tensor._make(data[t]) for t in range(steps_count)]
        real_hidden = self.proj_size or self.hidden_size
        finals = []
        for layer in range(self.num_layers):
            runs = []
            for d in range(self._directions):
                k = layer * self._directions + d
                outputs, last = self._run_direction(k, steps, data, states[k], masks, reverse=d == 1)
                runs.append(outputs)
                finals.append(last)
            if layer == self.num_layers - 1:
                break
            if self.mode == "LSTM":
                runs = [[hc[:, :real_hidden] for hc in outputs] for outputs in runs]
            steps = runs[0] if len(runs) == 1 else [concatenate(pair, axis=1) for pair in zip(*runs)]
            if self.dropout and self.training:
                steps = [dropout(s, self.dropout, True) for s in steps]
            data = np.stack([s.data for s in steps])
        sequences = [stack(outputs, axis=0) for outputs in runs]
        if self.mode == "LSTM":
            sequences = [s[..., :real_hidden] for s in sequences]
        output = sequences[0] if len(sequences) == 1 else concatenate(sequences, axis=2)
        if masks is not None:
            output = output * masks[:, :, None].astype(output.dtype)
        if not batched:
            output = output[:, 0]
        elif self.batch_first:
            output = output.swapaxes(0, 1)
        final = stack(finals, axis=0)
        if not batched:
            final = final[:, 0]
        if self.mode == "LSTM":
            return output, (final[..., :real_hidden], final[..., real_hidden:])
        return output, final

    def get_config(self) -> dict:
        config = {
            "input_size": self.input_size,
            "hidden_size": self.hidden_size,
            "num_layers": self.num_layers,
            "bias": self.bias,
            "batch_first": self.batch_first,
            "dropout": self.dropout,
            "bidirectional": self.bidirectional,
        }
        return {**config, "dtype": self.weight_ih_l0.dtype.name}

    def extra_repr(self) -> str:
        parts = [f"{self.input_size}, {self.hidden_size}"]
        config = self.get_config()
        defaults = {
            "num_layers": 1,
            "nonlinearity": "tanh",
            "bias": True,
            "batch_first": False,
            "dropout": 0.0,
            "bidirectional": False,
            "proj_size": 0,
            "dtype": "float32",
        }
        parts += [
            f"{name}={config[name]!r}"
            for name, default in defaults.items()
            if name in config and config[name] != default
        ]
        return ", ".join(parts)


@register_buildable
class RNN(RNNBase):
    """Elman RNN, h_t = tanh(x_t W_ih^T + b_ih + h_{t-1} W_hh^T + b_hh) (or ReLU), ``num_layers`` stacked.

    ``RNN(input_size, hidden_size, num_layers=1, nonlinearity="tanh", bias=True, batch_first=False,
    dropout=0.0, bidirectional=False)``; ``forward(input, hx=None, lengths=None)`` returns ``(output, h_n)``.
    """

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        nonlinearity: str = "tanh",
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype=np.float32,
    ) -> None:
        super().__init__(
            _nonlinearity_mode("RNN", nonlinearity),
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            dtype=dtype,
        )
        self.nonlinearity = nonlinearity

    def get_config(self) -> dict:
        return {**super().get_config(), "nonlinearity": self.nonlinearity}


@register_buildable
class GRU(RNNBase):
    """Gated recurrent unit layers (equations in :class:`neuronlab.ops.recurrent.GRUStep`); arguments as
    :class:`RNN` without ``nonlinearity``; ``forward(input, hx=None, lengths=None)`` returns ``(output, h_n)``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        dtype=np.float32,
    ) -> None:
        super().__init__(
            "GRU", input_size, hidden_size, num_layers, bias, batch_first, dropout, bidirectional, dtype=dtype
        )


@register_buildable
class LSTM(RNNBase):
    """Long short-term memory layers (equations in :class:`neuronlab.ops.recurrent.LSTMStep`), with
    ``proj_size=P > 0`` projecting each h_t to P features (``weight_hr``); ``forward(input, hx=None,
    lengths=None)`` with ``hx = (h_0, c_0)`` returns ``(output, (h_n, c_n))``."""

    def __init__(
        self,
        input_size: int,
        hidden_size: int,
        num_layers: int = 1,
        bias: bool = True,
        batch_first: bool = False,
        dropout: float = 0.0,
        bidirectional: bool = False,
        proj_size: int = 0,
        dtype=np.float32,
    ) -> None:
        super().__init__(
            "LSTM",
            input_size,
            hidden_size,
            num_layers,
            bias,
            batch_first,
            dropout,
            bidirectional,
            proj_size,
            dtype=dtype,
        )

    def get_config(self) -> dict:
        return {**super().get_config(), "proj_size": self.proj_size}


__all__ = ["RNNCell", "GRUCell", "LSTMCell", "RNN", "GRU", "LSTM"]
