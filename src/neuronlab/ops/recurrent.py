"""Recurrent cells: one fused Function per time step for each cell type, forward and backward side by side.

A recurrent layer unrolls a cell over time; backpropagation through time (BPTT) is then the engine's ordinary
backward over the unrolled graph, one of these Functions per step. Shapes: input x (N, I), state h (N, P),
weights in PyTorch's layout and gate order: W_ih (G H, I), W_hh (G H, P), b_ih, b_hh (G H,), with G = 1 (RNN),
3 (GRU: r, z, n) or 4 (LSTM: i, f, g, o), P = H except for an LSTM with a projection (W_hr (P, H)).

Every cell starts from the two affine maps of the inputs and of the previous state,

    a_x = x W_ih^T + b_ih,    a_h = h W_hh^T + b_hh,

and its backward ends with the same four products, given da_x and da_h (the gradients of the pre-activations):

    dx = da_x W_ih,   dW_ih = da_x^T x,   db_ih = sum_n da_x,   dh = da_h W_hh (+ direct terms),
    dW_hh = da_h^T h,   db_hh = sum_n da_h.

A layer computes a_x for all time steps in one matrix product and hands each step its rows (``xw=``), so the
forward pass runs one small product per step (h W_hh^T) as PyTorch's CPU path does (for the LSTM, whose
a_x and a_h are only ever summed, both biases go into that product). The LSTM's state (h, c) travels as one
array [h | c] of shape (N, P + H), so one Function per step carries both.
"""

from __future__ import annotations

import functools

import numpy as np

from neuronlab.autograd.function import Function
from neuronlab.ops._util import to_tensor
from neuronlab.ops.elementwise import logistic, sigmoid, tanh
from neuronlab.ops.shape import concatenate


def _affine(x, w, b):
    """x W^T + b (b may be None), on arrays or Tensors."""
    y = x @ w.T
    return y if b is None else y + b


def _input_gradients(da_x, x, w_ih, need_x, need_w_ih, need_b_ih) -> tuple:
    return (da_x @ w_ih if need_x else None, da_x.T @ x if need_w_ih else None, da_x.sum(axis=0) if need_b_ih else None)


class RNNTanhStep(Function):
    """Elman cell with tanh:  h' = tanh(a),  a = x W_ih^T + b_ih + h W_hh^T + b_hh.

    da = dh' (1 - h'^2);  then da_x = da_h = da (see the module docstring for the four products).
    """

    def forward(self, x, h, w_ih, w_hh, b_ih, b_hh, xw=None):
        a = (_affine(x, w_ih, b_ih) if xw is None else xw) + h @ w_hh.T
        if b_hh is not None:
            a += b_hh
        y = np.tanh(a)
        self.save_for_backward(x, h, w_ih, w_hh, y)
        return y

    def backward(self, gy):
        x, h, w_ih, w_hh, y = self.saved
        return _elman_gradients(self, gy * (1 - y * y), x, h, w_ih, w_hh)


class RNNReLUStep(Function):
    """Elman cell with ReLU:  h' = max(0, a),  a = x W_ih^T + b_ih + h W_hh^T + b_hh.

    da = dh' [h' > 0];  then da_x = da_h = da.
    """

    def forward(self, x, h, w_ih, w_hh, b_ih, b_hh, xw=None):
        a = (_affine(x, w_ih, b_ih) if xw is None else xw) + h @ w_hh.T
        if b_hh is not None:
            a += b_hh
        y = np.maximum(a, 0)
        self.save_for_backward(x, h, w_ih, w_hh, y)
        return y

    def backward(self, gy):
        x, h, w_ih, w_hh, y = self.saved
        return _elman_gradients(self, gy * (y > 0), x, h, w_ih, w_hh)


def _elman_gradients(fn, da, x, h, w_ih, w_hh) -> tuple:
    need_x, need_h, need_w_ih, need_w_hh, need_b_ih, need_b_hh = fn.needs_input_grad
    gx, gw_ih, gb_ih = _input_gradients(da, x, w_ih, need_x, need_w_ih, need_b_ih)
    return (
        gx,
        da @ w_hh if need_h else None,
        gw_ih,
        da.T @ h if need_w_hh else None,
        gb_ih,
        da.sum(axis=0) if need_b_hh else None,
    )


class GRUStep(Function):
    """Gated recurrent unit (Cho et al. 2014, PyTorch's form), gates in the order r, z, n:

        r = sigma(a_x,r + a_h,r),   z = sigma(a_x,z + a_h,z),   n = tanh(a_x,n + r * a_h,n),
        h' = (1 - z) * n + z * h.

    Backward, given dh':

        dz = dh' (h - n),   dn = dh' (1 - z),   da_n = dn (1 - n^2),
        da_r = da_n a_h,n r (1 - r),   da_z = dz z (1 - z),
        da_x = [da_r, da_z, da_n],   da_h = [da_r, da_z, da_n r],   dh = dh' z + da_h W_hh.

    When z is near 1 the state is copied (dh ~ dh'): the gradient through time neither vanishes nor explodes.
    """

    def forward(self, x, h, w_ih, w_hh, b_ih, b_hh, xw=None):
        ax = _affine(x, w_ih, b_ih) if xw is None else xw
        ah = _affine(h, w_hh, b_hh)
        H = h.shape[1]
        rz = logistic(ax[:, : 2 * H] + ah[:, : 2 * H])
        ahn = ah[:, 2 * H :]
        n = np.tanh(ax[:, 2 * H :] + rz[:, :H] * ahn)
        z = rz[:, H:]
        self.save_for_backward(x, h, w_ih, w_hh, rz, n, ahn)
        return n + z * (h - n)

    def saved_for_graph(self, inputs, output) -> tuple:
        x, h, w_ih, w_hh, b_ih, b_hh = inputs
        ax, ah = _affine(x, w_ih, b_ih), _affine(h, w_hh, b_hh)
        H = h.shape[1]
        rz = sigmoid(ax[:, : 2 * H] + ah[:, : 2 * H])
        ahn = ah[:, 2 * H :]
        return x, h, w_ih, w_hh, rz, tanh(ax[:, 2 * H :] + rz[:, :H] * ahn), ahn

    def backward(self, gy):
        x, h, w_ih, w_hh, rz, n, ahn = self.saved
        H = h.shape[1]
        r, z = rz[:, :H], rz[:, H:]
        da_n = gy * (1 - z) * (1 - n * n)
        da_r = da_n * ahn * r * (1 - r)
        da_z = gy * (h - n) * z * (1 - z)
        da_x = np.concatenate([da_r, da_z, da_n], axis=1)
        da_h = np.concatenate([da_r, da_z, da_n * r], axis=1)
        need_x, need_h, need_w_ih, need_w_hh, need_b_ih, need_b_hh = self.needs_input_grad
        gx, gw_ih, gb_ih = _input_gradients(da_x, x, w_ih, need_x, need_w_ih, need_b_ih)
        return (
            gx,
            gy * z + da_h @ w_hh if need_h else None,
            gw_ih,
            da_h.T @ h if need_w_hh else None,
            gb_ih,
            da_h.sum(axis=0) if need_b_hh else None,
        )


@functools.lru_cache(maxsize=64)
def _ones(n: int, dtype: np.dtype) -> np.ndarray:
    """A read-only vector of n ones, shared: a product with it sums (as one BLAS call, faster than ``.sum``)."""
    ones = np.ones(n, dtype=dtype)
    ones.flags.writeable = False
    return ones


@functools.lru_cache(maxsize=16)
def _constants(dtype: np.dtype) -> tuple[np.ndarray, ...]:
    """1, 2 and 4 as read-only 0-d arrays of ``dtype``: NumPy combines these with an array faster than Python
    numbers (no scalar conversion per call), which counts in a loop of small per-step operations."""
    constants = tuple(np.array(value, dtype=dtype) for value in (1, 2, 4))
    for c in constants:
        c.flags.writeable = False
    return constants


class LSTMStep(Function):
    """Long short-term memory (Hochreiter and Schmidhuber 1997, PyTorch's form), gates in the order i, f, g, o:

        a = x W_ih^T + b_ih + h W_hh^T + b_hh,   i, f, o = sigma(a_i, a_f, a_o),   g = tanh(a_g),
        c' = f * c + i * g,   h' = o * tanh(c')   (with a projection, h' = (o * tanh(c')) W_hr^T).

    All four gates come from one exponential, as tanh(a) = 2 sigma(2 a) - 1: s = sigma(k a) with k = 1 for
    i, f, o and 2 for g, then g = 2 s_g - 1. The gates' derivatives da/dy = k^2 s (1 - s) (s (1 - s) for sigma,
    1 - g^2 for tanh) are kept for backward. An e^(-k a) that overflows to inf gives the limit s = 0.

    The state is one array [h | c]. Backward, given dh' and dc' (m = o * tanh(c'), dm = dh', or dh' W_hr
    with dW_hr = dh'^T m):

        dc'' = dc' + dm o (1 - tanh^2 c'),   da_i = dc'' g i (1 - i),   da_f = dc'' c f (1 - f),
        da_g = dc'' i (1 - g^2),   da_o = dm tanh(c') o (1 - o),   dc = dc'' f,   dh = da W_hh,

    with da = [da_i, da_f, da_g, da_o] for both the input and the recurrent products. The cell state's
    gradient passes through time multiplied by f alone: with forget gates near 1 it is kept.

    Both passes run feature-major, on the transposes (a^T = W_hh h^T + ..., of shape (4 H, N)), where each
    gate is a contiguous block of rows: every elementwise operation then runs over contiguous memory, and the
    new state is returned as the transpose of a (P + H, N) array. ``xw``, when given, is the step's rows of
    x W_ih^T + b_ih + b_hh (both biases, added once per sequence), best as the transpose of a contiguous array.
    """

    def forward(self, x, hc, w_ih, w_hh, b_ih, b_hh, w_hr, xw=None):
        H = w_hh.shape[0] // 4
        P = hc.shape[1] - H
        hc_t = hc.T
        a = w_hh @ hc_t[:P]  # a^T, (4 H, N)
        if xw is not None:
            a += xw.T
        else:
            a += w_ih @ x.T
            for b in (b_ih, b_hh):
                if b is not None:
                    a += b[:, None]
        one, two, four = _constants(a.dtype)
        i, f, g, o = a[:H], a[H : 2 * H], a[2 * H : 3 * H], a[3 * H :]  # views, turned into the gates in place
        np.negative(a, out=a)
        g *= two
        with np.errstate(over="ignore"):
            np.exp(a, out=a)
        a += one
        ifgo = np.divide(one, a, out=a)  # sigma(k a)
        dgate = one - ifgo
        dgate *= ifgo
        dgate_g = dgate[2 * H : 3 * H]
        dgate_g *= four
        g *= two
        g -= one
        out = np.empty((P + H, hc.shape[0]), dtype=a.dtype)
        c_new = np.multiply(f, hc_t[P:], out=out[P:])
        c_new += i * g
        tanh_c = np.tanh(c_new)
        if w_hr is None:
            np.multiply(o, tanh_c, out=out[:P])
        else:
            np.matmul(w_hr, o * tanh_c, out=out[:P])
        self.save_for_backward(x, hc, w_ih, w_hh, w_hr, ifgo, dgate, tanh_c)
        return out.T

    def saved_for_graph(self, inputs, output) -> tuple:
        x, hc, w_ih, w_hh, b_ih, b_hh, w_hr = inputs
        H = w_hh.shape[0] // 4
        P = hc.shape[1] - H
        a = _affine(x, w_ih, b_ih) + _affine(hc[:, :P], w_hh, b_hh)
        s, g, o = sigmoid(a[:, : 2 * H]), tanh(a[:, 2 * H : 3 * H]), sigmoid(a[:, 3 * H :])
        ifgo = concatenate([s, g, o], axis=1)
        dgate = concatenate([s * (1 - s), 1 - g * g, o * (1 - o)], axis=1)
        return x, hc, w_ih, w_hh, w_hr, ifgo.T, dgate.T, tanh(output[:, P:]).T

    def backward(self, gy):
        x, hc, w_ih, w_hh, w_hr, ifgo, dgate, tanh_c = self.saved  # gates feature-major: (4 H, N)
        H = w_hh.shape[0] // 4
        P = hc.shape[1] - H
        i, f, g, o = ifgo[:H], ifgo[H : 2 * H], ifgo[2 * H : 3 * H], ifgo[3 * H :]
        gy = gy.T
        gh, gc = gy[:P], gy[P:]
        gm = gh if w_hr is None else w_hr.T @ gh
        gc = gc + gm * o * (1 - tanh_c * tanh_c)
        da = np.concatenate([gc * g, gc * hc.T[P:], gc * i, gm * tanh_c], axis=0)  # dL/d[i, f, g, o]
        da *= dgate
        need_x, need_hc, need_w_ih, need_w_hh, need_b_ih, need_b_hh, need_w_hr = self.needs_input_grad
        gb = da @ _ones(da.shape[1], da.dtype) if need_b_ih or need_b_hh else None  # the sum over the batch
        return (
            (w_ih.T @ da).T if need_x else None,
            np.concatenate([w_hh.T @ da, gc * f], axis=0).T if need_hc else None,
            da @ x if need_w_ih else None,
            da @ hc[:, :P] if need_w_hh else None,
            gb,
            gb,
            gh @ (o * tanh_c).T if need_w_hr else None,
        )


# ---------------------------------------------------------------------------------------------- functional forms
def _check_cell(op: str, x, h, w_ih, w_hh, gates: int) -> None:
    if x.ndim != 2 or h.ndim != 2 or x.shape[0] != h.shape[0]:
        raise ValueError(
            f"{op}: expected input (N, input_size) and state (N, hidden_size) with the same N, got "
            f"input {tuple(x.shape)} and state {tuple(h.shape)}"
        )
    if w_ih.shape[1] != x.shape[1] or w_ih.shape[0] % gates or w_hh.shape[0] != w_ih.shape[0]:
        raise ValueError(
            f"{op}: weight_ih {tuple(w_ih.shape)} and weight_hh {tuple(w_hh.shape)} do not fit "
            f"input {tuple(x.shape)} ({gates} gates)"
        )


def rnn_tanh_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN, h' = tanh(x W_ih^T + b_ih + h W_hh^T + b_hh) (``torch.rnn_tanh_cell``)."""
    x, h = to_tensor(input), to_tensor(hx)
    _check_cell("rnn_tanh_cell", x, h, w_ih, w_hh, 1)
    return RNNTanhStep.apply(x, h, w_ih, w_hh, b_ih, b_hh)


def rnn_relu_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One step of an Elman RNN with ReLU, h' = max(0, x W_ih^T + b_ih + h W_hh^T + b_hh)."""
    x, h = to_tensor(input), to_tensor(hx)
    _check_cell("rnn_relu_cell", x, h, w_ih, w_hh, 1)
    return RNNReLUStep.apply(x, h, w_ih, w_hh, b_ih, b_hh)


def gru_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None):
    """One GRU step (gate order r, z, n), returns h' (``torch.gru_cell``)."""
    x, h = to_tensor(input), to_tensor(hx)
    _check_cell("gru_cell", x, h, w_ih, w_hh, 3)
    return GRUStep.apply(x, h, w_ih, w_hh, b_ih, b_hh)


def lstm_cell(input, hx, w_ih, w_hh, b_ih=None, b_hh=None, w_hr=None):
    """One LSTM step (gate order i, f, g, o): ``hx = (h, c)``, returns ``(h', c')`` (``torch.lstm_cell``);
    ``w_hr`` (P, H) projects h' to P features."""
    h, c = (to_tensor(s) for s in hx)
    x = to_tensor(input)
    _check_cell("lstm_cell", x, h, w_ih, w_hh, 4)
    H = w_hh.shape[0] // 4
    if c.shape != (h.shape[0], H):
        raise ValueError(f"lstm_cell: cell state has shape {tuple(c.shape)}, expected {(h.shape[0], H)}")
    hc = LSTMStep.apply(x, concatenate([h, c], axis=1), w_ih, w_hh, b_ih, b_hh, w_hr)
    P = hc.shape[1] - H
    return hc[:, :P], hc[:, P:]


__all__ = ["rnn_tanh_cell", "rnn_relu_cell", "gru_cell", "lstm_cell"]
