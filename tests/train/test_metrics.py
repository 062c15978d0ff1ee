"""Metrics against scikit-learn's implementations (an independent reference) and hand-worked cases."""

import numpy as np
import pytest
from sklearn import metrics as skm

import neuronlab
from neuronlab.train.metrics import METRICS, accuracy, confusion_matrix, get_metric, mae, mse, r2, top_k_accuracy

rng = np.random.default_rng(0)
Y = rng.integers(0, 5, 200)
SCORES = rng.standard_normal((200, 5)).astype(np.float32) + 2.0 * np.eye(5)[Y]


def test_classification_metrics_match_sklearn():
    pred = SCORES.argmax(1)
    assert accuracy(Y, SCORES) == pytest.approx(skm.accuracy_score(Y, pred), abs=0)
    assert accuracy(Y, pred) == accuracy(Y, neuronlab.tensor(SCORES))
    np.testing.assert_array_equal(confusion_matrix(Y, SCORES), skm.confusion_matrix(Y, pred, labels=range(5)))
    for k in (1, 2, 3, 4):
        assert top_k_accuracy(Y, SCORES, k) == pytest.approx(
            skm.top_k_accuracy_score(Y, SCORES, k=k, labels=range(5)), abs=0
        )
    assert top_k_accuracy(Y, SCORES, 5) == 1.0


def test_hand_worked_cases():
    y = np.array([0, 1, 2, 2])
    scores = np.array([[0.9, 0.1, 0.0], [0.2, 0.3, 0.5], [0.1, 0.1, 0.8], [0.6, 0.3, 0.1]])
    assert accuracy(y, scores) == 0.5  # samples 0 and 2
    assert top_k_accuracy(y, scores, 2) == 0.75  # sample 3's class 2 is ranked third
    np.testing.assert_array_equal(
        confusion_matrix(y, scores, 4), [[1, 0, 0, 0], [0, 0, 1, 0], [1, 0, 1, 0], [0, 0, 0, 0]]
    )


@pytest.mark.parametrize("shape", [(50,), (50, 3)])
def test_regression_metrics_match_sklearn(shape):
    y = rng.standard_normal(shape) * 10 + 3
    p = y + rng.standard_normal(shape) * 4
    assert mse(y, p) == pytest.approx(skm.mean_squared_error(y, p), rel=1e-12)
    assert mae(y, p) == pytest.approx(skm.mean_absolute_error(y, p), rel=1e-12)
    assert r2(y, p) == pytest.approx(skm.r2_score(y, p), rel=1e-12)


def test_r2_of_column_predictions_and_constant_targets():
    y = np.array([1.0, 2.0, 3.0])
    assert r2(y, y.reshape(-1, 1)) == 1.0
    assert r2(y, np.full(3, 2.0)) == 0.0  # predicting the mean
    assert r2(np.ones(3), np.ones(3)) == skm.r2_score(np.ones(3), np.ones(3)) == 1.0
    assert r2(np.ones(3), np.zeros(3)) == skm.r2_score(np.ones(3), np.zeros(3)) == 0.0


def test_bad_inputs_are_named():
    with pytest.raises(ValueError, match="integer class indices"):
        accuracy(np.array([0.5, 1.0]), np.array([0, 1]))
    with pytest.raises(ValueError, match="3 targets"):
        accuracy(np.array([0, 1, 2]), np.zeros((2, 3)))
    with pytest.raises(ValueError, match="k must be"):
        top_k_accuracy(Y, SCORES, 6)
    with pytest.raises(ValueError, match="differ"):
        mse(np.zeros(3), np.zeros(4))
    with pytest.raises(ValueError, match="unknown metric"):
        get_metric("f1")
    assert get_metric("r2") == ("r2", r2) and set(METRICS) == {"accuracy", "top_k_accuracy", "mse", "mae", "r2"}


def test_top_k_accuracy_by_name_is_the_top5_accuracy():
    name, fn = get_metric("top_k_accuracy")
    Y8 = rng.integers(0, 8, 300)
    many = rng.standard_normal((300, 8)) + 0.7 * np.eye(8)[Y8]
    assert name == "top_k_accuracy"
    assert fn(Y8, many) == pytest.approx(skm.top_k_accuracy_score(Y8, many, k=5, labels=range(8)), abs=0)
    assert fn(Y8, many) < 1.0
    three = rng.standard_normal((20, 3))  # fewer than 5 classes: every sample is a hit
    with pytest.warns(UserWarning):
        reference = skm.top_k_accuracy_score(Y8[:20] % 3, three, k=5, labels=range(3))
    assert fn(Y8[:20] % 3, three) == reference == 1.0


def test_fit_records_top_k_accuracy_by_name():
    from neuronlab import nn, optim
    from neuronlab.data import DataLoader, TensorDataset
    from neuronlab.train import fit, predict

    neuronlab.manual_seed(0)
    X = rng.standard_normal((120, 4)).astype(np.float32)
    y = rng.integers(0, 7, 120)
    model = nn.Sequential(nn.Linear(4, 16), nn.ReLU(), nn.Linear(16, 7))
    val = DataLoader(TensorDataset(X[80:], y[80:]), batch_size=64)
    history = fit(
        model,
        nn.CrossEntropyLoss(),
        optim.Adam(model.parameters(), lr=0.01),
        DataLoader(TensorDataset(X[:80], y[:80]), batch_size=16),
        val,
        epochs=2,
        metrics=["top_k_accuracy"],
    )
    expected = skm.top_k_accuracy_score(y[80:], predict(model, X[80:]), k=5, labels=range(7))
    assert history["val_top_k_accuracy"][-1] == pytest.approx(expected, abs=0)
