"""mnist1d-table: the MNIST-1D paper's table of test accuracies (Greydanus 2020), reproduced with its models and
recipe and printed beside the paper's numbers (notes 001, types of neural networks; 002, parameter sharing).

MNIST-1D turns ten 1-D digit templates into 40-value signals that are padded, shifted, sheared, scaled and
noised (``make_mnist1d``: the paper's 4,000 training and 1,000 test signals). Because the digit can sit
anywhere in the signal, a model that shares its weights across positions beats one that learns each
position separately. The paper's models, as in its repository:

- logistic regression: one Linear 40 -> 10 (410 parameters);
- MLP: two hidden layers of 100 ReLU units, the second added to the first (a skip connection), and a Linear
  readout (15,210 parameters; see ``ResidualMLP``);
- CNN: three Conv1d layers of 25 channels (kernel 5, then 3 and 3; stride 2, padding 1; ReLU), a Linear
  readout of the 25 x 5 features (5,210 parameters);
- GRU: a bidirectional GRU of hidden size 6 and a Linear readout of all 40 x 2 x 6 outputs (5,134 parameters).

Recipe: PyTorch's default initialization, Adam (lr 1e-2), cross-entropy, batches of 100 taken in order
(step k uses rows 100 k mod 4000 onwards), 8,000 steps; the test accuracy after the last step, measured every
250 steps for the curves. The paper: logistic regression 32 %, MLP 68 %, CNN 94 %, GRU 91 %.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from neuronlab import nn, no_grad, optim, tensor
from neuronlab.data.datasets.mnist1d import make_mnist1d
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.random import manual_seed
from neuronlab.train.metrics import accuracy
from neuronlab.train.recurrent import build_recurrent_classifier

PAPER_ACCURACY = {"logistic regression": 0.32, "MLP": 0.68, "CNN": 0.94, "GRU": 0.91}
STEPS, BATCH_SIZE, LR = 8000, 100, 1e-2
LENGTH, CLASSES = 40, 10


class ResidualMLP(nn.Module):
    """The paper's MLP: h1 = ReLU(W1 x + b1), h2 = h1 + ReLU(W2 h1 + b2), logits = W3 h2 + b3."""

    def __init__(self, in_features: int = LENGTH, hidden: int = 100, out_features: int = CLASSES) -> None:
        super().__init__()
        self.linear1 = nn.Linear(in_features, hidden)
        self.linear2 = nn.Linear(hidden, hidden)
        self.linear3 = nn.Linear(hidden, out_features)

    def forward(self, x):
        h = self.linear1(x).relu()
        h = h + self.linear2(h).relu()
        return self.linear3(h)


def conv_base(channels: int = 25) -> nn.Sequential:
    """The paper's CNN on rows of 40 values: lengths 40 -> 19 -> 10 -> 5, then a Linear readout."""
    return nn.Sequential(
        nn.Unflatten(1, (1, LENGTH)),
        nn.Conv1d(1, channels, 5, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        nn.ReLU(),
        nn.Flatten(),
        nn.Linear(channels * 5, CLASSES),
    )


MODELS = {
    "logistic regression": lambda: nn.Linear(LENGTH, CLASSES),
    "MLP": ResidualMLP,
    "CNN": conv_base,
    "GRU": lambda: build_recurrent_classifier("gru", LENGTH, CLASSES, [6], bidirectional=True, readout="all"),
}


def evaluate(model: nn.Module, X: np.ndarray, y: np.ndarray) -> float:
    with no_grad():
        return accuracy(y, model(tensor(X)).numpy())


def train(model: nn.Module, data: tuple, steps: int, eval_every: int) -> dict:
    """The paper's loop: Adam on batches taken in order; test accuracy every ``eval_every`` steps."""
    X_train, y_train, X_test, y_test = data
    optimizer = optim.Adam(model.parameters(), lr=LR)
    curve = []
    for step in range(steps):
        start = step * BATCH_SIZE % len(X_train)
        batch = slice(start, start + BATCH_SIZE)
        loss = nn.functional.cross_entropy(model(tensor(X_train[batch])), tensor(y_train[batch]))
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (step + 1) % eval_every == 0:
            curve.append(evaluate(model, X_test, y_test))
    return {
        "parameters": model.num_parameters(),
        "test_accuracy": curve[-1],
        "train_accuracy": evaluate(model, X_train, y_train),
        "test_accuracy_curve": curve,
    }


def draw(out: Path, results: dict, steps: int, eval_every: int) -> str:
    plt = pyplot()
    figure, (bars, curves) = plt.subplots(1, 2, figsize=(11, 4))
    names = list(results)
    positions = np.arange(len(names))
    ours = [100 * results[k]["test_accuracy"] for k in names]
    bars.bar(positions - 0.2, ours, 0.4, label=f"neuronlab ({steps:,} steps)")
    bars.bar(positions + 0.2, [100 * PAPER_ACCURACY[k] for k in names], 0.4, label="paper (8,000 steps)")
    for x, value in zip(positions, ours):
        bars.text(x - 0.2, value + 1, f"{value:.1f}", ha="center", fontsize=7)
    bars.set_xticks(positions, names, fontsize=8)
    bars.set_ylim(0, 105)
    label_axes(bars, None, "test accuracy (%)", "MNIST-1D test accuracy: ours vs the paper's table", loc="upper left")
    for name in names:
        curve = 100 * np.asarray(results[name]["test_accuracy_curve"])
        curves.plot(eval_every * np.arange(1, len(curve) + 1), curve, label=name)
    curves.axhline(10, color="gray", linewidth=0.8)
    curves.set_ylim(0, 100)
    label_axes(
        curves, "training step", "test accuracy (%)", "test accuracy during training (gray: chance)", loc="center right"
    )
    return save(figure, out, "mnist1d_table.png", suptitle="MNIST-1D: Adam lr 1e-2, batch 100 (Greydanus 2020)")


@register(
    "mnist1d-table",
    "The MNIST-1D paper's table: logistic regression, MLP, CNN and GRU with its recipe, beside its numbers",
    "seed 001 (fully-connected, convolutional and recurrent networks), seed 002 (parameter sharing and CNNs)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    steps, eval_every = (250, 50) if fast else (STEPS, 250)
    data = make_mnist1d()  # the paper's data (generator seed 42), whatever the run's seed
    results = {}
    for name, build in runs(MODELS.items(), "mnist1d-table: models"):
        manual_seed(seed)  # as the paper's script: the same seed before each model
        results[name] = {**train(build(), data, steps, eval_every), "paper_test_accuracy": PAPER_ACCURACY[name]}
    figure = draw(out, results, steps, eval_every)
    summary = [f"MNIST-1D test accuracy after {steps:,} steps, beside the paper's (8,000 steps):"] + [
        f"{name:<20} {100 * r['test_accuracy']:5.1f} %   paper {100 * PAPER_ACCURACY[name]:.0f} %"
        for name, r in results.items()
    ]
    return {
        "steps": steps,
        "batch_size": BATCH_SIZE,
        "lr": LR,
        "eval_every": eval_every,
        "models": results,
        "figures": [figure],
        "summary": summary,
    }
