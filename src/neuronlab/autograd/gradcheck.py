"""Gradient checking: backpropagation against central finite differences (notes 002 "Gradient Checking").

The notes' recipe: for each parameter theta_i,

    dJ/dtheta_i ~ (J(theta + eps e_i) - J(theta - eps e_i)) / (2 eps),

whose error is O(eps^2) (the one-sided difference is only O(eps)). With theta = 1, eps = 0.01 and
J = theta^3 it gives 3.0001 against the exact 3.

A function with a non-scalar output y = f(x) has a Jacobian, not a gradient. What backpropagation
computes is a vector-Jacobian product: the gradient of the scalar J = sum(v * y) for a cotangent v
(the ``grad`` passed to ``backward``). So both checks below differentiate that scalar; ``gradcheck`` draws
v at random (a random v catches errors that a vector of ones would average away, e.g. a transposed
gradient of a symmetric sum).
"""

from __future__ import annotations

import warnings

import numpy as np

from neuronlab.autograd._tensor import Tensor
from neuronlab.autograd.engine import grad
from neuronlab.random import default_generator


class GradcheckError(AssertionError):
    """Raised by ``gradcheck``/``gradgradcheck`` when backpropagation disagrees with finite differences."""


def _as_outputs(result) -> list:
    outputs = [result] if isinstance(result, Tensor) else list(result)
    for y in outputs:
        if not isinstance(y, Tensor):
            raise TypeError(f"gradcheck: f must return a Tensor or a sequence of Tensors, got {type(y).__name__}")
    return outputs


def _as_cotangents(grad_output, n_outputs: int) -> list:
    if grad_output is None:
        return [None] * n_outputs
    if isinstance(grad_output, (Tensor, np.ndarray, int, float)):
        grad_output = [grad_output]
    grad_output = [None if g is None else np.asarray(getattr(g, "data", g), dtype=np.float64) for g in grad_output]
    if len(grad_output) != n_outputs:
        raise ValueError(f"gradcheck: {len(grad_output)} grad_output arrays given for {n_outputs} outputs")
    return grad_output


def _objective(outputs: list, cotangents: list) -> float:
    """J = sum_k sum(v_k * y_k) in float64 (v_k = 1 for a one-element y_k without a cotangent)."""
    total = 0.0
    for y, v in zip(outputs, cotangents):
        value = np.asarray(y.data, dtype=np.float64)
        if v is None:
            if value.size != 1:
                raise ValueError(
                    f"numerical_grad: f returned a tensor of shape {y.shape}, not a scalar; pass grad_output= "
                    "(the cotangent v: the gradient of sum(v * f(x)) is computed)"
                )
            total += float(value.reshape(()))
        else:
            if v.shape != value.shape:
                raise ValueError(
                    f"numerical_grad: grad_output has shape {v.shape} but f's output has shape {value.shape}"
                )
            total += float(np.sum(v * value))
    return total


def numerical_grad(f, *inputs, eps: float = 1e-6, grad_output=None) -> tuple:
    """Central-difference gradient of ``J = sum(grad_output * f(*inputs))`` with respect to each input.

    ``f`` returns a Tensor (or a sequence of Tensors); for a one-element output ``grad_output`` may be
    omitted (J = f(x)), otherwise it is required (one array per output). Returns one ndarray per input for
    the Tensors that require grad, None for the other inputs (constants, index arrays, Python numbers).

    Each element x_i is moved by +-eps in turn: dJ/dx_i = (J(x + eps e_i) - J(x - eps e_i)) / (2 eps), with
    the step measured in the input's own dtype; use float64 inputs (eps = 1e-6 is meaningless in float32).
    Costs 2 evaluations of f per input element.
    """
    if not eps > 0:
        raise ValueError(f"numerical_grad: eps must be positive, got {eps}")
    cotangents = None
    gradients: list[np.ndarray | None] = []
    for x in inputs:
        if not (isinstance(x, Tensor) and x.requires_grad):
            gradients.append(None)
            continue
        original = x.data
        work = np.array(original, copy=True)  # private, contiguous and writable
        flat = work.reshape(-1)
        g = np.empty(flat.shape, dtype=np.float64)
        x.data = work
        try:
            for i in range(flat.size):
                centre = flat[i]
                flat[i] = centre + eps
                up = flat[i]
                outputs = _as_outputs(f(*inputs))
                if cotangents is None:
                    cotangents = _as_cotangents(grad_output, len(outputs))
                j_plus = _objective(outputs, cotangents)
                flat[i] = centre - eps
                down = flat[i]
                j_minus = _objective(_as_outputs(f(*inputs)), cotangents)
                flat[i] = centre
                g[i] = (j_plus - j_minus) / (float(up) - float(down))
        finally:
            x.data = original
        gradients.append(g.reshape(original.shape))
    return tuple(gradients)


def _analytic_grad(outputs: list, cotangents: list, wrt: list) -> list:
    """Backpropagated gradients of J = sum_k sum(v_k * y_k) with respect to ``wrt`` (zeros where unused)."""
    roots, seeds = [], []
    for y, v in zip(outputs, cotangents):
        if y.requires_grad:
            roots.append(y)
            seeds.append(np.ones(y.shape, dtype=y.dtype) if v is None else v.astype(y.dtype))
    grads = grad(roots, wrt, grad_outputs=seeds, allow_unused=True) if roots else [None] * len(wrt)
    result = []
    for x, g in zip(wrt, grads):
        if g is None:
            result.append(np.zeros(x.shape))
            continue
        if g.shape != x.shape:
            raise GradcheckError(
                f"gradcheck: the backpropagated gradient has shape {g.shape} but its input has shape {x.shape}"
            )
        result.append(np.asarray(g.data, dtype=np.float64))
    return result


def _compare(analytic: list, numeric: list, positions: list, atol: float, rtol: float, what: str) -> None:
    worst = None
    for k, (a, n) in enumerate(zip(analytic, numeric)):
        excess = np.abs(a - n) - (atol + rtol * np.abs(n))
        bad = ~(excess <= 0)  # NaN counts as a failure
        if not bad.any():
            continue
        flat = np.where(np.isnan(excess), np.inf, excess).reshape(-1)
        i = int(np.argmax(flat))
        if worst is None or flat[i] > worst[0]:
            worst = (flat[i], k, i, int(bad.sum()), a, n)
    if worst is None:
        return
    _, k, i, n_bad, a, n = worst
    index = tuple(int(j) for j in np.unravel_index(i, a.shape)) if a.ndim else ()
    a_i, n_i = float(a.reshape(-1)[i]), float(n.reshape(-1)[i])
    difference = abs(a_i - n_i)
    relative = difference / abs(n_i) if n_i != 0 else float("inf")
    raise GradcheckError(
        f"{what} failed for input {positions[k]} (shape {a.shape}) at element {index}: analytic {a_i:.10g}, "
        f"numeric {n_i:.10g}, |difference| {difference:.3g}, relative error {relative:.3g} "
        f"(allowed: atol={atol:g} + rtol={rtol:g} * |numeric|); {n_bad} of {a.size} elements of this input "
        "out of tolerance"
    )


def _differentiable_inputs(inputs, what: str) -> tuple[tuple, list]:
    inputs = (inputs,) if isinstance(inputs, Tensor) else tuple(inputs)
    positions = [k for k, x in enumerate(inputs) if isinstance(x, Tensor) and x.requires_grad]
    if not positions:
        raise ValueError(f"{what}: no input requires grad; pass Tensors with requires_grad=True")
    for k in positions:
        if inputs[k].dtype != np.float64:
            warnings.warn(
                f"{what}: input {k} is {inputs[k].dtype}, not float64; finite differences with "
                f"eps=1e-6 need double precision",
                UserWarning,
                stacklevel=3,
            )
    return inputs, positions


def _random_cotangents(outputs: list, grad_output, generator) -> list:
    cotangents = _as_cotangents(grad_output, len(outputs))
    rng = default_generator() if generator is None else generator
    return [rng.standard_normal(y.shape) if v is None and y.data.size != 1 else v for y, v in zip(outputs, cotangents)]


def gradcheck(
    f, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, grad_output=None, generator=None
) -> bool:
    """Check ``f``'s backpropagated gradients against central differences; True, or raise GradcheckError.

    ``inputs`` is a Tensor or a sequence (Tensors requiring grad are checked; anything else is passed to ``f``
    unchanged). For non-scalar outputs the checked quantity is the vector-Jacobian product, the gradient of
    ``J = sum(v * f(*inputs))`` with a cotangent v drawn from a standard normal (``generator``, else
    ``neuronlab.random.default_generator()``) unless ``grad_output`` gives it. An element passes when
    ``|analytic - numeric| <= atol + rtol * |numeric|``; the error message reports the worst element.
    """
    inputs, positions = _differentiable_inputs(inputs, "gradcheck")
    wrt = [inputs[k] for k in positions]
    outputs = _as_outputs(f(*inputs))
    cotangents = _random_cotangents(outputs, grad_output, generator)
    analytic = _analytic_grad(outputs, cotangents, wrt)
    numeric = numerical_grad(f, *inputs, eps=eps, grad_output=cotangents)
    _compare(analytic, [numeric[k] for k in positions], positions, atol, rtol, "gradcheck")
    return True


def gradgradcheck(
    f, inputs, eps: float = 1e-6, atol: float = 1e-5, rtol: float = 1e-3, grad_output=None, generator=None
) -> bool:
    """Check second derivatives: gradcheck of the first-order gradient, computed with ``create_graph=True``.

    With a fixed random cotangent v (or ``grad_output``), g(x) = d/dx sum(v * f(x)) is itself a function of
    the inputs; ``gradcheck(g, inputs)`` then compares its backpropagated vector-Jacobian product (a
    Hessian-vector product) with central differences of g. v is held constant (not differentiated).
    """
    inputs, positions = _differentiable_inputs(inputs, "gradgradcheck")
    rng = default_generator() if generator is None else generator
    cotangents = _random_cotangents(_as_outputs(f(*inputs)), grad_output, rng)

    def first_derivative(*xs):
        outputs = _as_outputs(f(*xs))
        wrt = [xs[k] for k in positions]
        roots = [y for y in outputs if y.requires_grad]
        seeds = [
            np.ones(y.shape, dtype=y.dtype) if v is None else v.astype(y.dtype)
            for y, v in zip(outputs, cotangents)
            if y.requires_grad
        ]
        grads = (
            grad(roots, wrt, grad_outputs=seeds, create_graph=True, allow_unused=True) if roots else [None] * len(wrt)
        )
        return [Tensor._make(np.zeros(x.shape, dtype=x.dtype)) if g is None else g for x, g in zip(wrt, grads)]

    wrt = [inputs[k] for k in positions]
    outputs = first_derivative(*inputs)
    second_cotangents = [rng.standard_normal(y.shape) for y in outputs]
    analytic = _analytic_grad(outputs, second_cotangents, wrt)
    numeric = numerical_grad(first_derivative, *inputs, eps=eps, grad_output=second_cotangents)
    _compare(analytic, [numeric[k] for k in positions], positions, atol, rtol, "gradgradcheck")
    return True
