"""snn-surrogate: a spiking network trained directly on digits with surrogate gradients (issue 15).

Each image's pixels (scaled to [0, 1]) become Bernoulli spike trains over 25 time steps (rate encoding); a
64-128-10 network of discrete-time LIF layers (beta = 0.9, threshold 1, reset by subtraction) is unrolled over
the steps and trained by backpropagation through time on the cross-entropy of the output spike counts. The
spike's derivative, a Dirac delta, is replaced by the fast sigmoid 1 / (1 + 25|v - 1|)^2 (or the arctan).
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments._progress import runs
from neuronlab.experiments.ann_to_snn import digits
from neuronlab.experiments.registry import register
from neuronlab.random import manual_seed
from neuronlab.snn.encode import RateEncoder
from neuronlab.train import Trainer


def network(steps: int, hidden: int, surrogate: str) -> nn.Sequential:
    return nn.Sequential(
        RateEncoder(steps),
        nn.Linear(64, hidden),
        nn.SpikingLIF(beta=0.9, surrogate=surrogate),
        nn.Linear(hidden, 10),
        nn.SpikingLIF(beta=0.9, surrogate=surrogate),
        nn.SpikeCount(),
    )


def train(seed: int, data, steps: int, hidden: int, epochs: int, surrogate: str) -> dict:
    X_train, y_train, X_test, y_test = data
    manual_seed(seed)
    model = network(steps, hidden, surrogate)
    trainer = Trainer(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=5e-3), metrics=["accuracy"])
    start = time.perf_counter()
    history = trainer.fit(
        DataLoader(TensorDataset(X_train, y_train), batch_size=64, shuffle=True),
        DataLoader(TensorDataset(X_test, y_test), batch_size=512),
        epochs=epochs,
    )
    return {
        "seed": seed,
        "surrogate": surrogate,
        "test_accuracy": float(history.last["val_accuracy"]),
        "epoch_test_accuracy": [float(a) for a in history["val_accuracy"]],
        "epoch_train_loss": [float(a) for a in history["train_loss"]],
        "train_seconds": time.perf_counter() - start,
    }


@register(
    "snn-surrogate",
    "Spiking LIF network on rate-encoded digits, trained by BPTT with surrogate gradients",
    "seed 003 section 1.4 (LIF neurons), issue 15",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    data = digits()
    seeds: tuple[int, ...]
    if fast:
        steps, hidden, epochs, seeds = 8, 32, 8, (seed,)
        data = (data[0][:400], data[1][:400], data[2][:200], data[3][:200])
    else:
        steps, hidden, epochs, seeds = 25, 128, 20, (seed, seed + 1, seed + 2)
    results = [train(s, data, steps, hidden, epochs, "fast_sigmoid") for s in runs(seeds, "snn-surrogate: seeds")]
    results.append(train(seed, data, steps, hidden, epochs, "arctan"))
    median = float(np.median([r["test_accuracy"] for r in results[:-1]]))
    plt = pyplot()
    figure, ax = plt.subplots(figsize=(6, 4))
    for r in results:
        ax.plot(
            np.arange(1, epochs + 1),
            r["epoch_test_accuracy"],
            "o-",
            markersize=3,
            label=f"seed {r['seed']}, {r['surrogate']}",
        )
    label_axes(ax, "epoch", "test accuracy", f"digits, {steps} steps rate encoding, 64-{hidden}-10 spiking LIF")
    name = save(figure, out, "snn_surrogate.png")
    summary = [
        f"fast sigmoid surrogate, {steps} steps: test accuracy median {median:.4f} over {len(seeds)} seed(s) "
        "(" + ", ".join(f"{r['test_accuracy']:.4f}" for r in results[:-1]) + ")",
        f"arctan surrogate, seed {seed}: {results[-1]['test_accuracy']:.4f}; "
        f"{results[0]['train_seconds']:.0f} s to train one network ({epochs} epochs)",
    ]
    return {
        "steps": steps,
        "hidden": hidden,
        "epochs": epochs,
        "runs": results,
        "median_test_accuracy": median,
        "figures": [name],
        "summary": summary,
    }
