"""gradient-check: backpropagation against central differences for every layer type of neuronlab.nn
(notes 002 "Gradient Checking", 000 §5.2 "remarks on numerical differentiation", 003 §3.1.2).

For a layer y = g(x; theta) and a fixed random cotangent v, backpropagation gives the gradient of the scalar
J = sum(v * y) with respect to x and to every parameter; the check recomputes each component by central
differences, dJ/dx_i ~ (J(x + eps e_i) - J(x - eps e_i)) / (2 eps), eps = 1e-6, in float64, and reports the
relative error ||backprop - numeric|| / (||backprop|| + ||numeric||) per input and parameter. Inputs stay away
from the kinks of ReLU, LeakyReLU, ELU, |x| (L1Loss, the L1 penalty); Dropout's mask is fixed by reseeding
its generator before every evaluation.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn
from neuronlab.autograd import Tensor, grad, numerical_grad
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.nn import Parameter
from neuronlab.nn.functional import l1_penalty, l2_penalty
from neuronlab.random import default_generator

THRESHOLD = 1e-6
EPS = 1e-6


def _leaf(array) -> Tensor:
    return Tensor(np.asarray(array, dtype=np.float64), requires_grad=True)


def _away_from_zero(rng, shape, margin: float = 0.1) -> np.ndarray:
    """Standard normal values with |x| >= margin (finite differences must not straddle a kink)."""
    x = rng.standard_normal(shape)
    return np.where(np.abs(x) < margin, np.sign(x + 1e-12) * (margin + np.abs(x)), x)


def _module_case(module: nn.Module, x: np.ndarray, before=None):
    """A layer applied to input x: returns (function, {name: tensor}) with the input and every parameter."""
    module.double()
    leaf = _leaf(x)
    tensors = {"input": leaf, **dict(module.named_parameters())}

    def function():
        if before is not None:
            before(module)
        return module(leaf)

    return function, tensors


def _loss_case(loss: nn.Module, x: np.ndarray, target):
    leaf = _leaf(x)
    return (lambda: loss(leaf, target)), {"input": leaf}


def _fixed_mask(module):
    module.generator = np.random.default_rng(1234)  # the same mask at every evaluation


def cases(rng) -> dict:
    """label -> (function, {name: tensor}); built fresh so every run starts from the same draws."""
    batch = 4
    eval_bn = nn.BatchNorm1d(3)
    eval_bn.running_mean.data[:] = rng.standard_normal(3)
    eval_bn.running_var.data[:] = rng.uniform(0.5, 2.0, 3)
    eval_bn.weight.data[:] = rng.uniform(0.5, 2.0, 3)
    eval_bn.eval()
    train_bn = nn.BatchNorm1d(3)
    train_bn.weight.data[:] = rng.uniform(0.5, 2.0, 3)
    train_bn.bias.data[:] = rng.standard_normal(3)
    mlp = nn.Sequential(nn.Linear(5, 6, bias=False), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.3), nn.Linear(6, 3))
    labels = rng.integers(0, 3, batch)
    probabilities = rng.dirichlet(np.ones(3), batch)
    binary = rng.integers(0, 2, (batch, 3)).astype(np.float64)
    table = {
        "Linear": _module_case(nn.Linear(5, 3), rng.standard_normal((batch, 5))),
        "Linear (no bias)": _module_case(nn.Linear(5, 3, bias=False), rng.standard_normal((batch, 5))),
        "Sigmoid": _module_case(nn.Sigmoid(), rng.standard_normal((batch, 3)) * 3),
        "Tanh": _module_case(nn.Tanh(), rng.standard_normal((batch, 3)) * 2),
        "ReLU": _module_case(nn.ReLU(), _away_from_zero(rng, (batch, 3))),
        "LeakyReLU": _module_case(nn.LeakyReLU(0.1), _away_from_zero(rng, (batch, 3))),
        "ELU": _module_case(nn.ELU(1.0), _away_from_zero(rng, (batch, 3))),
        "GELU": _module_case(nn.GELU(), rng.standard_normal((batch, 3)) * 2),
        "GELU (tanh)": _module_case(nn.GELU("tanh"), rng.standard_normal((batch, 3)) * 2),
        "Softmax": _module_case(nn.Softmax(dim=-1), rng.standard_normal((batch, 3))),
        "LogSoftmax": _module_case(nn.LogSoftmax(dim=-1), rng.standard_normal((batch, 3))),
        "BatchNorm1d (training)": _module_case(train_bn, rng.standard_normal((6, 3)) * 2 + 1),
        "BatchNorm1d (eval)": _module_case(eval_bn, rng.standard_normal((6, 3))),
        "BatchNorm1d (N, C, L)": _module_case(nn.BatchNorm1d(3), rng.standard_normal((4, 3, 5))),
        "Dropout (fixed mask)": _module_case(nn.Dropout(0.4), rng.standard_normal((batch, 5)), _fixed_mask),
        "Flatten": _module_case(nn.Flatten(), rng.standard_normal((batch, 2, 3))),
        "MLP (Linear, BN, ReLU, Dropout)": _module_case(mlp, rng.standard_normal((8, 5)), lambda m: _fixed_mask(m[3])),
        "MSELoss": _loss_case(nn.MSELoss(), rng.standard_normal((batch, 3)), rng.standard_normal((batch, 3))),
        "MSELoss (half, batchmean)": _loss_case(
            nn.MSELoss("batchmean", half=True), rng.standard_normal((batch, 3)), rng.standard_normal((batch, 3))
        ),
        "L1Loss": _loss_case(nn.L1Loss(), _away_from_zero(rng, (batch, 3)), np.zeros((batch, 3))),
        "BCELoss": _loss_case(nn.BCELoss(), rng.uniform(0.1, 0.9, (batch, 3)), binary),
        "BCEWithLogitsLoss": _loss_case(
            nn.BCEWithLogitsLoss(pos_weight=[1.0, 2.0, 0.5]), rng.standard_normal((batch, 3)) * 2, binary
        ),
        "CrossEntropyLoss": _loss_case(nn.CrossEntropyLoss(), rng.standard_normal((batch, 3)), labels),
        "CrossEntropyLoss (soft targets)": _loss_case(
            nn.CrossEntropyLoss(label_smoothing=0.1), rng.standard_normal((batch, 3)), probabilities
        ),
        "NLLLoss": _loss_case(nn.NLLLoss(), rng.standard_normal((batch, 3)), labels),
    }
    weight = Parameter(_away_from_zero(rng, (3, 4)))
    table["l2_penalty"] = (lambda: l2_penalty(weight, 0.3, weights_only=False), {"weight": weight})
    table["l1_penalty"] = (lambda: l1_penalty(weight, 0.3, weights_only=False), {"weight": weight})
    return table


def relative_error(analytic: np.ndarray, numeric: np.ndarray, floor: float = 1e-8) -> float:
    """||a - n|| / max(||a|| + ||n||, floor): relative, except for gradients that are zero (a bias followed by
    batch normalization), where the finite differences' rounding noise (~1e-10) is measured against ``floor``."""
    scale = max(float(np.linalg.norm(analytic) + np.linalg.norm(numeric)), floor)
    return float(np.linalg.norm(analytic - numeric) / scale)


def check(function, tensors: dict, rng) -> dict:
    """Relative error of backprop vs central differences for each tensor of ``tensors``."""
    names, leaves = list(tensors), list(tensors.values())
    output = function()
    cotangent = None if output.data.size == 1 else rng.standard_normal(output.shape)
    seed = np.ones_like(output.data) if cotangent is None else cotangent
    analytic = grad(output, leaves, grad_outputs=seed, allow_unused=True)
    numeric = numerical_grad(lambda *_: function(), *leaves, eps=EPS, grad_output=cotangent)
    return {
        name: relative_error(np.zeros(t.shape) if a is None else np.asarray(a.data, dtype=np.float64), n)
        for name, t, a, n in zip(names, leaves, analytic, numeric)
    }


def draw(out: Path, table: dict) -> str:
    plt = pyplot()
    labels = list(table)
    worst = [max(errors.values()) for errors in table.values()]
    figure, ax = plt.subplots(figsize=(9, 0.28 * len(labels) + 1.4), layout="constrained")
    ax.barh(labels, np.maximum(worst, 1e-16), left=1e-16, color="tab:blue")
    ax.axvline(THRESHOLD, color="tab:red", linestyle="--", linewidth=1, label="1e-6")
    ax.set_xscale("log")
    ax.set_xlim(1e-13, 1e-4)
    ax.invert_yaxis()
    ax.tick_params(axis="y", labelsize=8)
    label_axes(
        ax,
        "relative error (the worst of the input and the parameters)",
        None,
        f"backprop vs central differences, float64, eps = {EPS:g}",
    )
    return save(figure, out, "gradient_check.png")


@register(
    "gradient-check",
    "Backprop vs central differences for every layer, activation and loss (float64)",
    "seed 002 (gradient checking), seed 000 section 5.2, seed 003 section 3.1.2",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    rng = default_generator()
    table = {label: check(function, tensors, rng) for label, (function, tensors) in cases(rng).items()}
    rows = [
        {"layer": label, "wrt": name, "relative_error": error}
        for label, errors in table.items()
        for name, error in errors.items()
    ]
    worst = max(rows, key=lambda row: row["relative_error"])
    failing = [f"{row['layer']} ({row['wrt']})" for row in rows if not row["relative_error"] < THRESHOLD]
    summary = [
        f"{len(table)} layers and losses, {len(rows)} gradients checked in float64 (eps = {EPS:g})",
        f"worst relative error {worst['relative_error']:.1e}: {worst['layer']} ({worst['wrt']})",
        f"all below {THRESHOLD:g}" if not failing else "above the threshold: " + ", ".join(failing),
    ]
    return {
        "eps": EPS,
        "threshold": THRESHOLD,
        "rows": rows,
        "max_relative_error": worst["relative_error"],
        "failing": failing,
        "figures": [draw(out, table)],
        "summary": summary,
    }
