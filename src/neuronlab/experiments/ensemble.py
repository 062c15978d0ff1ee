"""ensemble: K networks trained from different seeds, their predicted probabilities averaged (notes 000 §9,
"ensemble learning: averaging predictions from multiple models"), with :class:`neuronlab.train.Ensemble`.

Each member is the same MLP (64-64-10, ReLU) trained on the same digits for 5 epochs with SGD (lr 0.1, momentum
0.9, batches of 32); the seed changes its initial weights and the order of its mini-batches, so the members end
at different points of the noisy SGD path and make partly different mistakes. Averaging their probabilities,
p(x) = 1/K sum_k softmax(f_k(x)), cancels part of those individual errors. The log-loss of the average can never exceed the members' mean log-loss (-log is convex);
the accuracy has no such guarantee, but in practice the ensemble matches or beats the typical member.
"""

from __future__ import annotations

from itertools import combinations
from pathlib import Path

import numpy as np

from neuronlab import nn, optim
from neuronlab.data import DataLoader, Standardize, TensorDataset, load_dataset, train_val_test_split
from neuronlab.experiments._plotting import label_axes, pyplot, save
from neuronlab.experiments.registry import register
from neuronlab.train.ensemble import Ensemble, fit_ensemble
from neuronlab.train.metrics import accuracy

MEMBERS = 8
BATCH_SIZE = 32
WIDTH = 64
EPOCHS = 5


def log_loss(probabilities: np.ndarray, y: np.ndarray) -> float:
    """Mean -log p(true class), the cross-entropy of predicted probabilities."""
    return float(-np.mean(np.log(np.maximum(probabilities[np.arange(len(y)), y], 1e-300))))


def train_members(seed: int, width: int = WIDTH, epochs: int = EPOCHS):
    """The members trained on a fixed 70/30 split of the digits (standardized); returns (Ensemble, seeds,
    training size, X_test, y_test)."""
    digits = load_dataset("digits")
    split = train_val_test_split(digits.X, digits.y, val_size=0, test_size=0.3, seed=0)
    X_train, y_train = split.X_train, split.y_train
    scaler = Standardize().fit(X_train)
    loader = DataLoader(TensorDataset(scaler.transform(X_train), y_train), batch_size=BATCH_SIZE, shuffle=True)
    seeds = [seed * 1000 + k for k in range(MEMBERS)]
    ensemble, _ = fit_ensemble(
        lambda: nn.Sequential(nn.Linear(64, width), nn.ReLU(), nn.Linear(width, 10)),
        seeds,
        nn.CrossEntropyLoss(),
        lambda params: optim.SGD(params, lr=0.1, momentum=0.9),
        loader,
        epochs=epochs,
    )
    return ensemble, seeds, len(X_train), scaler.transform(split.X_test), split.y_test


def draw(out: Path, results: dict) -> str:
    plt = pyplot()
    figure, (left, right) = plt.subplots(1, 2, figsize=(11, 4.2))
    ks = np.arange(1, MEMBERS + 1)
    singles = results["member_accuracy"]
    left.plot(ks, results["nested_accuracy"], "o-", label="ensemble of members 1..K")
    left.plot(ks, results["subset_mean_accuracy"], "s--", label="mean over all K-member subsets")
    left.plot(np.ones(MEMBERS), singles, "k.", alpha=0.6, label="single members")
    left.axhline(np.mean(singles), color="k", linestyle=":", linewidth=0.9, label="mean single member")
    label_axes(left, "K (members averaged)", "test accuracy", "test accuracy vs K")
    right.plot(ks, results["nested_log_loss"], "o-", label="ensemble of members 1..K")
    right.axhline(
        np.mean(results["member_log_loss"]), color="k", linestyle=":", linewidth=0.9, label="mean single member"
    )
    label_axes(
        right, "K (members averaged)", "test log-loss", "test log-loss (cross-entropy of the averaged probabilities)"
    )
    return save(
        figure,
        out,
        "ensemble.png",
        suptitle=f"digits, {results['n_train']} training images, MLP 64-{results['width']}-10 from "
        f"{MEMBERS} seeds, probabilities averaged",
    )


@register(
    "ensemble",
    "K digits MLPs from different seeds, probabilities averaged: test accuracy vs K = 1..8",
    "seed 000 section 9 (ensemble learning), seed 003 section 5.4.3",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    # training takes about a second, so fast mode runs the full experiment
    ensemble, seeds, n_train, X_test, y_test = train_members(seed)
    nested = [Ensemble(list(ensemble)[:k]).predict_proba(X_test) for k in range(1, MEMBERS + 1)]
    members = np.stack([Ensemble([member]).predict_proba(X_test) for member in ensemble])
    subset_mean = [
        float(
            np.mean(
                [accuracy(y_test, members[list(subset)].mean(axis=0)) for subset in combinations(range(MEMBERS), k)]
            )
        )
        for k in range(1, MEMBERS + 1)
    ]
    results = {
        "n_train": n_train,
        "width": WIDTH,
        "epochs": EPOCHS,
        "seeds": seeds,
        "member_accuracy": [accuracy(y_test, p) for p in members],
        "member_log_loss": [log_loss(p, y_test) for p in members],
        "nested_accuracy": [accuracy(y_test, p) for p in nested],
        "nested_log_loss": [log_loss(p, y_test) for p in nested],
        "subset_mean_accuracy": subset_mean,
    }
    mean_single = float(np.mean(results["member_accuracy"]))
    results["mean_member_accuracy"] = mean_single
    figure = draw(out, results)
    results["figures"] = [figure]
    results["summary"] = [
        f"single members: test accuracy {mean_single:.4f} on average "
        f"({min(results['member_accuracy']):.4f} to {max(results['member_accuracy']):.4f})",
        "ensemble of the first K members: "
        + ", ".join(f"K={k} {a:.4f}" for k, a in enumerate(results["nested_accuracy"], 1)),
        f"log-loss: {np.mean(results['member_log_loss']):.4f} for the mean member, "
        f"{results['nested_log_loss'][-1]:.4f} for the {MEMBERS}-member ensemble",
    ]
    return results
