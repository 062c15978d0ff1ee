"""Ensemble: the average of the members' probabilities / outputs, checked against the same average
computed by hand in NumPy/SciPy from the members' weights."""

import numpy as np
import pytest
from scipy.special import expit
from scipy.special import softmax as scipy_softmax

import neuronlab
from neuronlab import nn, optim
from neuronlab.autograd import Tensor
from neuronlab.data import DataLoader, TensorDataset
from neuronlab.train.ensemble import Ensemble, fit_ensemble
from neuronlab.train.trainer import fit, predict


def linear_member(w, b) -> nn.Linear:
    layer = nn.Linear(*np.shape(w))
    layer.load_state_dict({"weight": np.asarray(w, dtype=np.float64), "bias": np.asarray(b, dtype=np.float64)})
    return layer


@pytest.fixture
def members():
    """Three 2-input, 3-class linear members with fixed weights (logits = x W + b)."""
    rng = np.random.default_rng(7)
    return [(rng.normal(size=(2, 3)), rng.normal(size=3)) for _ in range(3)]


X = np.array([[0.5, -1.0], [2.0, 0.3], [-1.5, 1.2], [0.0, 0.0]])


def test_classification_averages_member_softmaxes(members):
    ensemble = Ensemble([linear_member(w, b) for w, b in members])
    expected = np.mean([scipy_softmax(X @ w + b, axis=1) for w, b in members], axis=0)
    np.testing.assert_allclose(ensemble(Tensor(X)).data, expected, rtol=1e-6)
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_array_equal(ensemble.predict(X), expected.argmax(axis=1))


def test_averaging_probabilities_differs_from_averaging_logits():
    # one member sure of class 0 (logits [10, 0]), two leaning to class 1 (logits [-2, 0]):
    # the mean logit [2, 0] says class 0, the mean probability of class 0, (1 + 2 * 0.119)/3 = 0.41, says class 1
    biases = [[10.0, 0.0], [-2.0, 0.0], [-2.0, 0.0]]
    ensemble = Ensemble([linear_member(np.zeros((1, 2)), b) for b in biases])
    x = np.ones((1, 1))
    expected = np.mean([scipy_softmax(b) for b in biases], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(x)[0], expected, rtol=1e-6)
    assert np.mean(biases, axis=0).argmax() == 0 and expected.argmax() == 1
    assert ensemble.predict(x)[0] == 1


def test_regression_averages_outputs(members):
    ensemble = Ensemble([linear_member(w, b) for w, b in members], task="regression")
    expected = np.mean([X @ w + b for w, b in members], axis=0)
    np.testing.assert_allclose(ensemble.predict(X), expected, rtol=1e-6)
    with pytest.raises(ValueError, match="regression ensemble has no probabilities"):
        ensemble.predict_proba(X)


def test_binary_averages_member_sigmoids(members):
    ensemble = Ensemble([linear_member(w[:, :1], b[:1]) for w, b in members], task="binary")
    expected = np.mean([expit(X @ w[:, :1] + b[:1]) for w, b in members], axis=0)
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, rtol=1e-6)
    np.testing.assert_array_equal(ensemble.predict(X), (expected >= 0.5).astype(np.int64))


def test_single_member_is_that_member(members):
    w, b = members[0]
    ensemble = Ensemble([linear_member(w, b)])
    np.testing.assert_allclose(ensemble.predict_proba(X), scipy_softmax(X @ w + b, axis=1), rtol=1e-6)


def test_gradient_reaches_each_member_scaled_by_one_over_k(members):
    # regression, E = sum_n y(x_n) = 1/K sum_k sum_n (x_n W_k + b_k):  dE/dW_k = X^T 1 / K,  dE/db_k = N / K
    layers = [linear_member(w, b) for w, b in members]
    Ensemble(layers, task="regression")(Tensor(X)).sum().backward()
    for layer in layers:
        np.testing.assert_allclose(layer.weight.grad.data, np.tile(X.sum(axis=0)[:, None], (1, 3)) / 3, rtol=1e-6)
        np.testing.assert_allclose(layer.bias.grad.data, np.full(3, len(X) / 3), rtol=1e-6)


def test_eval_mode_reaches_members_with_dropout_and_batchnorm():
    rng = np.random.default_rng(3)
    w1, b1, w2, b2 = rng.normal(size=(2, 4)), rng.normal(size=4), rng.normal(size=(4, 3)), rng.normal(size=3)

    def member():
        model = nn.Sequential(
            linear_member(w1, b1), nn.BatchNorm1d(4), nn.ReLU(), nn.Dropout(0.5), linear_member(w2, b2)
        )
        model[1].running_mean.data[...] = [0.1, -0.2, 0.3, 0.0]
        model[1].running_var.data[...] = [1.0, 4.0, 0.25, 2.0]
        return model

    ensemble = Ensemble([member(), member()])
    ensemble.eval()
    assert all(not m.training for m in ensemble.modules())
    # inference: BatchNorm with its running statistics (gamma 1, beta 0, eps 1e-5), Dropout the identity
    h = (X @ w1 + b1 - [0.1, -0.2, 0.3, 0.0]) / np.sqrt(np.array([1.0, 4.0, 0.25, 2.0]) + 1e-5)
    expected = scipy_softmax(np.maximum(h, 0) @ w2 + b2, axis=1)
    np.testing.assert_allclose(ensemble(Tensor(X)).data, expected, rtol=1e-6)
    ensemble.train()
    np.testing.assert_allclose(ensemble.predict_proba(X), expected, rtol=1e-6)  # predict switches to eval ...
    assert ensemble.training and all(m.training for m in ensemble.modules())  # ... and back


def test_from_factory_seeds_members_like_manual_seed():
    factory = lambda: nn.Sequential(nn.Linear(2, 5), nn.Tanh(), nn.Linear(5, 3))  # noqa: E731
    ensemble = Ensemble.from_factory(factory, [11, 12])
    for seed, member in zip([11, 12], ensemble):
        neuronlab.manual_seed(seed)
        reference = factory()
        for (name, value), (_, ref) in zip(member.state_dict().items(), reference.state_dict().items()):
            np.testing.assert_array_equal(
                np.asarray(getattr(value, "data", value)), np.asarray(getattr(ref, "data", ref)), err_msg=name
            )
    assert not np.array_equal(ensemble[0][0].weight.data, ensemble[1][0].weight.data)


def test_fit_ensemble_trains_each_member_as_fit_would():
    rng = np.random.default_rng(0)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    factory = lambda: nn.Sequential(nn.Linear(2, 8), nn.ReLU(), nn.Linear(8, 2))  # noqa: E731
    make_optimizer = lambda params: optim.SGD(params, lr=0.1, momentum=0.9)  # noqa: E731
    ensemble, histories = fit_ensemble(
        factory, [3, 4, 5], nn.CrossEntropyLoss(), make_optimizer, loader, epochs=5, metrics=["accuracy"]
    )
    assert len(ensemble) == 3 and [len(h) for h in histories] == [5, 5, 5]
    # member 1 equals an independent run: seed 4, build, fit with the same recipe
    neuronlab.manual_seed(4)
    reference = factory()
    fit(reference, nn.CrossEntropyLoss(), make_optimizer(reference.parameters()), loader, epochs=5)
    np.testing.assert_allclose(ensemble[1][2].weight.data, reference[2].weight.data, rtol=1e-6)
    # the ensemble is an ordinary model for the library's predict: averaged member probabilities
    expected = np.mean([scipy_softmax(predict(m, x).astype(np.float64), axis=1) for m in ensemble], axis=0)
    np.testing.assert_allclose(predict(ensemble, x), expected, rtol=1e-5, atol=1e-7)


def test_save_and_load_round_trip(tmp_path, members):
    ensemble = Ensemble([linear_member(w, b) for w, b in members], task="regression")
    path = neuronlab.io.save(ensemble, tmp_path / "ensemble.safetensors")
    restored = neuronlab.io.load(path).model
    assert isinstance(restored, Ensemble) and restored.task == "regression" and len(restored) == 3
    np.testing.assert_allclose(restored.predict(X), np.mean([X @ w + b for w, b in members], axis=0), rtol=1e-6)


def test_bad_input_is_refused():
    with pytest.raises(ValueError, match="at least one model"):
        Ensemble([])
    with pytest.raises(TypeError, match="member 1 is a str"):
        Ensemble([nn.Linear(2, 2), "model"])
    with pytest.raises(ValueError, match="task must be one of"):
        Ensemble([nn.Linear(2, 2)], task="ranking")
    with pytest.raises(ValueError, match="different shapes"):
        Ensemble([nn.Linear(2, 2), nn.Linear(2, 3)])(Tensor(X))
    with pytest.raises(ValueError, match=r"logits of shape \(samples, classes\)"):
        Ensemble([nn.Identity()])(Tensor(np.zeros(3)))
    with pytest.raises(TypeError, match="seeds must be integers"):
        Ensemble.from_factory(lambda: nn.Linear(2, 2), [1, 2.5])
    with pytest.raises(ValueError, match="at least one integer seed"):
        Ensemble.from_factory(lambda: nn.Linear(2, 2), [])
    with pytest.raises(TypeError, match="make_optimizer must be callable"):
        fit_ensemble(lambda: nn.Linear(2, 2), [0], nn.MSELoss(), None, [], epochs=1)


# Distributed (issue 16)
def test_fit_ensemble_on_a_dask_cluster_equals_the_members_trained_here():
    distributed = pytest.importorskip("dask.distributed", reason="needs pip install 'neuronlab[distributed]'")
    rng = np.random.default_rng(1)
    x = rng.normal(size=(60, 2)).astype(np.float32)
    y = (x[:, 0] * x[:, 1] > 0).astype(np.int64)
    loader = DataLoader(TensorDataset(x, y), batch_size=16, shuffle=True)
    factory = lambda: nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Dropout(0.2), nn.Linear(8, 2))  # noqa: E731
    make_optimizer = lambda params: optim.Adam(params, lr=0.01)  # noqa: E731
    here, histories = fit_ensemble(factory, [3, 4], nn.CrossEntropyLoss(), make_optimizer, loader, epochs=3)
    with (
        distributed.LocalCluster(n_workers=1, threads_per_worker=1, processes=True, dashboard_address=None) as cluster,
        distributed.Client(cluster) as client,
    ):
        there, remote_histories = fit_ensemble(
            factory, [3, 4], nn.CrossEntropyLoss(), make_optimizer, loader, epochs=3, client=client
        )
    assert [h["train_loss"] for h in remote_histories] == [h["train_loss"] for h in histories]
    for ours, theirs in zip(here.state_dict().values(), there.state_dict().values()):
        np.testing.assert_array_equal(np.asarray(theirs), np.asarray(ours))
    assert not np.array_equal(there[0][0].weight.data, there[1][0].weight.data)
