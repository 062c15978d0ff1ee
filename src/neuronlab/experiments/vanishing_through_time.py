"""vanishing-gradients-through-time: the gradient k steps back in a tanh RNN, a GRU and an LSTM on the adding
problem, their training at growing lengths, and the exploding case with and without clipping (notes 001, 003).

Backpropagation through time multiplies the gradient by one Jacobian per step. For the tanh RNN it is
dh_t/dh_{t-1} = diag(1 - h_t^2) W_hh, whose norm is below 1 at PyTorch's initialization, so ||dL/dh_{T-k}||
falls geometrically with k and a dependency 50 steps back cannot be learned. The GRU's state is an
interpolation (dh_t/dh_{t-1} contains diag(z_t)) and the LSTM's cell state is updated additively
(dc_t/dc_{t-1} = diag(f_t)): once trained, the gates hold the gradient up.

Measured on the adding problem (``make_adding_problem``: the sum of the two marked values of a sequence;
predicting the mean scores MSE 1/6 ~ 0.167): the gradient norms at initialization and after training at
the longest length, training curves at every length (same budget for every model: Adam, batch 32,
gradient clipping at norm 1, a Linear readout of the last output; the LSTM's forget-gate bias starts at 1, the
usual choice), and a tanh RNN with W_hh = 4 Q (Q orthogonal): its gradient grows as ~4^k, and plain SGD
without clipping diverges where the clipped run does not.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

import neuronlab as nl
from neuronlab import nn, optim
from neuronlab.data.datasets.sequences import make_adding_problem
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register

KINDS = ("RNN", "GRU", "LSTM")
HIDDEN = 32
BATCH = 32
TRIVIAL_MSE = 1 / 6
CELLS = {"RNN": nn.RNNCell, "GRU": nn.GRUCell, "LSTM": nn.LSTMCell}


class AddingModel(nn.Module):
    """A one-layer recurrent network (batch first) with a Linear readout of its last output."""

    def __init__(self, kind: str, hidden: int = HIDDEN) -> None:
        super().__init__()
        self.kind = kind
        self.rnn = getattr(nn, kind)(2, hidden, batch_first=True)
        self.head = nn.Linear(hidden, 1)
        if kind == "LSTM":  # forget gate bias 1 (Gers et al. 2000, Jozefowicz et al. 2015)
            with nl.no_grad():
                self.rnn.bias_ih_l0.data[hidden : 2 * hidden] = 1.0
                self.rnn.bias_hh_l0.data[hidden : 2 * hidden] = 0.0

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output[:, -1]).reshape(-1)


def gradients_through_time(model: AddingModel, X: np.ndarray, y: np.ndarray) -> list[float]:
    """||dL/dh_{T-k}|| for k = 0..T-1 (L the batch MSE): the layer unrolled by hand with its cell, so every
    state can keep its gradient."""
    cell = CELLS[model.kind](2, model.rnn.hidden_size)
    cell.load_state_dict({name[:-3]: value for name, value in model.rnn.state_dict().items()})
    state, states = None, []
    for t in range(X.shape[1]):
        state = cell(X[:, t], state)
        h = state[0] if model.kind == "LSTM" else state
        h.retain_grad()
        states.append(h)
    loss = ((model.head(h).reshape(-1) - y) ** 2).mean()
    loss.backward()
    return [float(np.linalg.norm(h.grad.data)) for h in reversed(states)]


def train(model: nn.Module, length: int, steps: int, seed: int, lr: float = 1e-2) -> list[float]:
    """Adam with clipping at norm 1 on fresh adding-problem batches; the loss of every step."""
    X, y = make_adding_problem(steps * BATCH, length, seed=seed)
    params = list(model.parameters())
    opt = optim.Adam(params, lr=lr)
    losses = []
    for step in range(steps):
        batch = slice(step * BATCH, (step + 1) * BATCH)
        loss = ((model(X[batch]) - y[batch]) ** 2).mean()
        opt.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(params, 1.0)
        opt.step()
        losses.append(loss.item())
    return losses


def exploding_rnn(gain: float, seed: int) -> AddingModel:
    """A tanh RNN with W_hh = gain Q (Q orthogonal), small input weights and zero biases: at the near-linear
    operating point every step multiplies the gradient by about ``gain``."""
    model = AddingModel("RNN")
    q, _ = np.linalg.qr(np.random.default_rng(seed).standard_normal((HIDDEN, HIDDEN)))
    with nl.no_grad():
        model.rnn.weight_hh_l0.copy_(gain * q)
        model.rnn.weight_ih_l0.mul_(0.1)
        model.rnn.bias_ih_l0.zero_()
        model.rnn.bias_hh_l0.zero_()
    return model


def sgd_run(model: AddingModel, length: int, steps: int, clip: float | None, seed: int) -> dict:
    """Plain SGD (lr 0.01) with or without clipping by norm: the loss and the gradient norm (before clipping)
    of every step, and how far W_hh moved."""
    X, y = make_adding_problem(steps * BATCH, length, seed=seed)
    params = list(model.parameters())
    opt = optim.SGD(params, lr=0.01)
    start = model.rnn.weight_hh_l0.data.copy()
    losses, norms = [], []
    with np.errstate(all="ignore"):
        for step in range(steps):
            batch = slice(step * BATCH, (step + 1) * BATCH)
            loss = ((model(X[batch]) - y[batch]) ** 2).mean()
            opt.zero_grad()
            loss.backward()
            norm = nn.utils.clip_grad_norm_(params, np.inf if clip is None else clip)
            opt.step()
            losses.append(loss.item())
            norms.append(float(norm))
    moved = float(np.linalg.norm(model.rnn.weight_hh_l0.data - start))
    return {"losses": losses, "gradient_norms": norms, "weight_hh_moved": moved}


def _smoothed(values: list[float], window: int) -> np.ndarray:
    array = np.asarray(values)
    return np.array([array[max(0, i - window + 1) : i + 1].mean() for i in range(len(array))])


def draw(out: Path, grads: dict, curves: dict, exploding: dict, window: int) -> str:
    plt = pyplot()
    figure, axes = plt.subplots(2, 2, figsize=(11, 8))
    colors = {"RNN": "tab:red", "GRU": "tab:blue", "LSTM": "tab:green"}
    ax = axes[0, 0]
    for kind in KINDS:
        for when, style in (("init", ":"), ("trained", "-")):
            values = np.asarray(grads[when][kind])
            ax.semilogy(
                np.arange(len(values)),
                np.maximum(values, 1e-30),
                style,
                color=colors[kind],
                label=f"{kind}, {'at initialization' if when == 'init' else 'trained'}",
            )
    label_axes(ax, "k (steps back from the last)", "||dL/dh_{T-k}||", "gradient through time", legend_size=7)
    ax = axes[0, 1]
    styles = dict(zip(curves, ("-", "--", ":")))
    for length, by_kind in curves.items():
        for kind, losses in by_kind.items():
            ax.plot(
                _smoothed(losses, window), styles[length], color=colors[kind], linewidth=1, label=f"{kind}, T={length}"
            )
    ax.axhline(TRIVIAL_MSE, color="gray", linewidth=0.8)
    ax.set_yscale("log")
    label_axes(
        ax, "training step", "MSE (running mean)", "adding problem (gray: predict the mean)", legend_size=6, ncol=3
    )
    ax = axes[1, 0]
    values = np.asarray(exploding["gradient_norms"])
    ax.semilogy(np.arange(len(values)), values, "-", color="tab:purple", label=f"W_hh = {exploding['gain']} Q")
    label_axes(ax, "k (steps back from the last)", "||dL/dh_{T-k}||", "exploding gradient")
    ax = axes[1, 1]
    for label, style in (("unclipped", "-"), ("clipped", "--")):
        ax.semilogy(exploding["sgd"][label]["gradient_norms"], style, label=f"SGD, {label}")
    ax.axhline(1.0, color="gray", linewidth=0.8)
    label_axes(
        ax, "training step", "gradient norm before clipping", "exploding RNN: clipping caps each step at lr x 1 (gray)"
    )
    return save(figure, out, "vanishing_through_time.png")


@register(
    "vanishing-gradients-through-time",
    "Gradient k steps back in tanh RNN / GRU / LSTM on the adding problem, training at growing lengths, "
    "exploding case with clipping",
    "seed 001 (recurrent networks, vanishing/exploding), seed 003 section 6",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    lengths = (10, 20) if fast else (10, 50, 100)
    steps = 250 if fast else 2000
    window = 25 if fast else 100
    curves: dict[str, dict[str, list[float]]] = {}
    models: dict[str, tuple[AddingModel, dict]] = {}
    for length, kind in runs([(length, kind) for length in lengths for kind in KINDS], "adding problem"):
        nl.manual_seed(seed)
        model = AddingModel(kind)
        if length == lengths[-1]:
            models[kind] = (model, {name: value.copy() for name, value in model.state_dict().items()})
        curves.setdefault(str(length), {})[kind] = train(model, length, steps, seed + length)

    X, y = make_adding_problem(BATCH * 4, lengths[-1], seed=seed + 12345)
    grads: dict[str, dict[str, list[float]]] = {"init": {}, "trained": {}}
    for kind, (model, initial) in models.items():
        grads["trained"][kind] = gradients_through_time(model, X, y)
        fresh = AddingModel(kind)
        fresh.load_state_dict(initial)
        grads["init"][kind] = gradients_through_time(fresh, X, y)

    explode_length = 20 if fast else 50
    nl.manual_seed(seed)
    unstable = exploding_rnn(4.0, seed)
    X_e, y_e = make_adding_problem(BATCH, explode_length, seed=seed + 1)
    exploding: dict[str, Any] = {
        "gain": 4.0,
        "length": explode_length,
        "gradient_norms": gradients_through_time(unstable, X_e, y_e),
        "sgd": {},
    }
    for label, clip in (("unclipped", None), ("clipped", 1.0)):
        exploding["sgd"][label] = sgd_run(
            exploding_rnn(4.0, seed), explode_length, 100 if fast else 300, clip, seed + 2
        )

    final = {
        length: {kind: float(np.mean(losses[-window:])) for kind, losses in by_kind.items()}
        for length, by_kind in curves.items()
    }
    last = str(lengths[-1])
    back = lengths[-1] - 1
    ratio = {when: {kind: g[back] / g[0] for kind, g in table.items()} for when, table in grads.items()}
    e, sgd = exploding["gradient_norms"], exploding["sgd"]
    summary = [
        f"||dL/dh_(T-{back})|| / ||dL/dh_T|| at T={last}, initialization: "
        + ", ".join(f"{k} {v:.1e}" for k, v in ratio["init"].items()),
        "the same after training: " + ", ".join(f"{k} {v:.1e}" for k, v in ratio["trained"].items()),
        "final MSE (trivial 0.167): "
        + "; ".join(
            f"T={length}: " + ", ".join(f"{k} {v:.3f}" for k, v in by_kind.items()) for length, by_kind in final.items()
        ),
        f"exploding (W_hh = 4 Q, T={explode_length}): gradient x{e[-1] / e[0]:.1e} over {explode_length - 1} steps; "
        f"SGD's first gradient norm {sgd['unclipped']['gradient_norms'][0]:.1e}; W_hh moved "
        f"{sgd['unclipped']['weight_hh_moved']:.3g} unclipped, {sgd['clipped']['weight_hh_moved']:.3g} clipped at 1",
    ]
    return {
        "lengths": list(lengths),
        "steps": steps,
        "hidden": HIDDEN,
        "batch": BATCH,
        "trivial_mse": TRIVIAL_MSE,
        "gradient_norms": grads,
        "first_to_last_ratio": ratio,
        "curves": curves,
        "final_mse": final,
        "exploding": exploding,
        "figures": [draw(out, grads, curves, exploding, window)],
        "summary": summary,
    }
