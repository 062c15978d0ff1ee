import math

import numpy as np
import pytest

from neuronlab.data import Split, train_val_test_split


def make(n, k, seed=0):
    rng = np.random.default_rng(seed)
    y = rng.choice(k, size=n, p=rng.dirichlet(np.ones(k) * 2))
    return np.arange(n, dtype=np.float32)[:, None], y.astype(np.int64)


@pytest.mark.parametrize(
    "n, val, test", [(100, 0.15, 0.15), (1797, 0.15, 0.15), (10, 0.2, 0.3), (50, 0.0, 0.2), (40, 5, 7)]
)
def test_sizes_follow_the_documented_rounding(n, val, test):
    X, y = make(n, 3)
    split = train_val_test_split(X, y, val_size=val, test_size=test, seed=0)
    n_val = val if isinstance(val, int) else math.ceil(val * n)
    n_test = test if isinstance(test, int) else math.ceil(test * n)
    assert (len(split.X_val), len(split.X_test), len(split.X_train)) == (n_val, n_test, n - n_val - n_test)
    assert all(
        len(a) == len(b)
        for a, b in [(split.X_train, split.y_train), (split.X_val, split.y_val), (split.X_test, split.y_test)]
    )


def test_sizes_agree_with_scikit_learn_rounding():
    from sklearn.model_selection import train_test_split

    X, y = make(1797, 10)
    _, X_test = train_test_split(X, test_size=0.15, random_state=0)
    assert len(train_val_test_split(X, y, seed=0).X_test) == len(X_test)


def test_the_splits_partition_the_samples_and_keep_pairs():
    X, y = make(257, 4)
    split = train_val_test_split(X, y, seed=3)
    ids = np.concatenate([split.X_train[:, 0], split.X_val[:, 0], split.X_test[:, 0]]).astype(int)
    np.testing.assert_array_equal(np.sort(ids), np.arange(257))
    for Xs, ys in [(split.X_train, split.y_train), (split.X_val, split.y_val), (split.X_test, split.y_test)]:
        np.testing.assert_array_equal(ys, y[Xs[:, 0].astype(int)])


@pytest.mark.parametrize("seed", range(20))
def test_stratified_counts_are_the_floor_or_ceiling_of_each_class_share(seed):
    rng = np.random.default_rng(100 + seed)
    n, k = int(rng.integers(20, 400)), int(rng.integers(2, 12))
    X, y = make(n, k, seed)
    val, test = float(rng.uniform(0.05, 0.35)), float(rng.uniform(0.05, 0.35))
    split = train_val_test_split(X, y, val_size=val, test_size=test, stratify=True, seed=seed)
    for part in (split.y_train, split.y_val, split.y_test):
        for c in range(k):
            share = np.sum(y == c) * len(part) / n
            assert math.floor(share) <= np.sum(part == c) <= math.ceil(share)


def test_stratification_keeps_proportions_better_than_chance_on_digits_like_labels():
    y = np.repeat(np.arange(10), [178, 182, 177, 183, 181, 182, 181, 179, 174, 180])
    X = np.zeros((len(y), 1))
    split = train_val_test_split(X, y, stratify=True, seed=0)
    expected = np.bincount(y) / len(y)
    for part in (split.y_val, split.y_test):
        assert np.abs(np.bincount(part, minlength=10) / len(part) - expected).max() < 1.0 / len(part) + 1e-12


def test_default_stratifies_integer_labels_only():
    X, y = make(200, 2)
    strat = train_val_test_split(X, y, seed=1)
    share = np.sum(y == 1) * len(strat.y_test) / len(y)
    assert math.floor(share) <= np.sum(strat.y_test == 1) <= math.ceil(share)
    reg = train_val_test_split(X, y.astype(np.float32) * 0.5, seed=1)  # float targets: plain random split
    assert len(reg.y_test) == 30
    with pytest.raises(ValueError, match="integer class labels"):
        train_val_test_split(X, y.astype(np.float32), stratify=True)


def test_same_seed_same_split_other_seed_other_split():
    X, y = make(100, 3)
    a, b, c = (train_val_test_split(X, y, seed=s) for s in (5, 5, 6))
    for u, v in zip(a, b):
        np.testing.assert_array_equal(u, v)
    assert not np.array_equal(a.X_test, c.X_test)
    assert isinstance(a, Split) and a.X_train is a[0]


def test_regression_split_keeps_target_shape():
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    Y = np.arange(60, dtype=np.float32).reshape(20, 3)
    split = train_val_test_split(X, Y, val_size=0.25, test_size=0.25)
    assert split.y_train.shape == (10, 3) and split.y_val.shape == (5, 3)


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"val_size": 0.5, "test_size": 0.5}, "leave no training samples"),
        ({"test_size": 1.2}, "fraction in"),
        ({"val_size": -1}, "must lie in"),
    ],
)
def test_bad_sizes_are_refused(kwargs, match):
    X, y = make(10, 2)
    with pytest.raises(ValueError, match=match):
        train_val_test_split(X, y, **kwargs)


def test_mismatched_lengths_are_refused():
    with pytest.raises(ValueError, match="same number of samples"):
        train_val_test_split(np.zeros((5, 2)), np.zeros(4, dtype=np.int64))
