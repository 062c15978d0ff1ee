"""The notes' training experiments in fast mode: each run's JSON numbers must support the claim it reproduces.

Bounds come from the notes' claims and from the math (a fresh 10-class network's loss is about ln 10, no
model beats the data's noise variance 0.01 by much, the log-loss of averaged probabilities is at most the
members' mean log-loss since -log is convex), never from the experiments' own code.
"""

import numpy as np
import pytest
from experiment_testing import check_outputs

from neuronlab.experiments import run_experiment

NOISE_VARIANCE = 0.01  # make_blood_sugar's noise std is 0.1


def test_optimizer_compare_every_method_beats_plain_sgd(results):
    numbers, out = results("optimizer-compare")
    check_outputs(numbers, out)
    runs = numbers["optimizers"]
    assert list(runs) == ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
    for label, r in runs.items():
        assert abs(r["initial_train_loss"] - np.log(10)) < 0.3  # the same fresh network: near-uniform outputs
        assert r["final_train_loss"] < r["initial_train_loss"]
        assert len(r["epoch_train_loss"]) == numbers["epochs"]
        if label != "SGD":  # momentum's longer steps and the adaptive rescaling beat SGD at lr 0.01
            assert r["final_train_loss"] < runs["SGD"]["final_train_loss"] / 5
            assert r["test_accuracy"] > 0.9
    assert runs["Momentum"]["test_accuracy"] > runs["SGD"]["test_accuracy"]


def test_regularization_unregularized_net_overfits_and_every_cure_helps(results):
    numbers, out = results("regularization")
    check_outputs(numbers, out)
    variants = numbers["variants"]
    none = variants["none"]
    assert none["train_loss"] < none["test_loss"] / 10  # overfitting: train loss << test loss
    for label in ("weight decay (L2)", "L1", "dropout", "noise injection"):
        assert variants[label]["test_loss"] < none["test_loss"], label
    for r in [*variants.values(), numbers["more_data"]]:
        assert r["test_loss"] > 0.8 * NOISE_VARIANCE  # nothing beats the noise (300-sample estimate)
    assert variants["weight decay (L2)"]["parameter_norm_sq"] < none["parameter_norm_sq"]
    assert numbers["more_data"]["test_loss"] < min(r["test_loss"] for r in variants.values())


def test_dropout_shrinks_the_train_test_gap(results):
    numbers, out = results("dropout")
    check_outputs(numbers, out)
    runs = numbers["runs"]
    assert [r["p"] for r in runs] == [0.0, 0.2, 0.4, 0.6, 0.8]
    no_dropout = runs[0]
    assert no_dropout["train_accuracy"] > 0.99 and no_dropout["train_loss"] < no_dropout["test_loss"] / 5
    gaps = [r["loss_gap"] for r in runs]
    assert gaps[-1] < 0.8 * gaps[0]
    assert np.polyfit([r["p"] for r in runs], gaps, 1)[0] < 0 and numbers["gap_slope"] < 0


def test_ensemble_of_three_or_more_is_at_least_as_accurate_as_the_mean_member(results):
    numbers, out = results("ensemble")
    check_outputs(numbers, out)
    singles, nested = numbers["member_accuracy"], numbers["nested_accuracy"]
    assert len(singles) == len(nested) == 8 and len(set(numbers["seeds"])) == 8
    assert len(set(singles)) > 1  # the seeds give different members
    assert all(a >= np.mean(singles) for a in nested[2:])  # the claim, K >= 3
    assert nested[0] == singles[0]  # K = 1 is the first member
    assert numbers["subset_mean_accuracy"][0] == pytest.approx(np.mean(singles))
    assert numbers["subset_mean_accuracy"][-1] == pytest.approx(nested[-1])
    # -log is convex: the averaged probabilities' log-loss is at most the members' mean log-loss
    assert numbers["nested_log_loss"][-1] <= np.mean(numbers["member_log_loss"])
    assert numbers["nested_log_loss"][0] == pytest.approx(numbers["member_log_loss"][0])


def test_augmentation_shrinks_the_gap_and_shifts_teach_shift_invariance(results):
    numbers, out = results("augmentation")
    check_outputs(numbers, out)
    variants = numbers["variants"]
    none = variants["none"]
    assert none["train_accuracy"] >= 0.99 and none["loss_gap"] > 0.1  # 300 images: it overfits
    for label in ("noise", "shift", "shift + noise"):
        assert variants[label]["loss_gap"] < none["loss_gap"], label
    assert variants["noise"]["test_loss"] < none["test_loss"]
    for label in ("shift", "shift + noise"):  # trained on shifted digits, it recognises shifted test digits
        assert variants[label]["shifted_test_accuracy"] > none["shifted_test_accuracy"] + 0.2
    assert none["shifted_test_accuracy"] < none["test_accuracy"]


def test_lr_decay_reaches_the_lowest_loss(results):
    numbers, out = results("lr-decay")
    check_outputs(numbers, out)
    schedules, epochs = numbers["schedules"], numbers["epochs"]
    decayed = schedules["decayed"]
    assert decayed["final_train_loss"] < schedules["coarse"]["final_train_loss"]
    assert decayed["final_train_loss"] < schedules["fine"]["final_train_loss"]
    assert decayed["test_loss"] < schedules["coarse"]["test_loss"]
    # MultiStepLR: 0.3 until the first milestone, then x0.1, and x0.1 again after the second
    first, second = numbers["milestones"]
    expected = [0.3] * first + [0.03] * (second - first) + [0.003] * (epochs - second)
    np.testing.assert_allclose(decayed["epoch_lr"], expected, rtol=1e-12)
    assert schedules["coarse"]["epoch_lr"] == [0.3] * epochs
    # the same start: the coarse and decayed runs coincide until the first decay
    np.testing.assert_array_equal(decayed["epoch_train_loss"][:first], schedules["coarse"]["epoch_train_loss"][:first])


def test_same_seed_gives_the_same_numbers(tmp_path):
    # augmentation draws from every source of randomness: initial weights, shuffling, noise and shifts
    first = run_experiment("augmentation", tmp_path / "a", seed=3, fast=True)
    second = run_experiment("augmentation", tmp_path / "b", seed=3, fast=True)
    assert (tmp_path / "a" / "results.json").read_text() == (tmp_path / "b" / "results.json").read_text()
    assert first == second
