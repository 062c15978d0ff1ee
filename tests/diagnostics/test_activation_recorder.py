"""ActivationRecorder and dead_relu_fraction against forward passes written out in NumPy."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn
from neuronlab.diagnostics import ActivationRecorder, dead_relu_fraction


def small_net():
    neuronlab.manual_seed(3)
    return nn.Sequential(nn.Linear(3, 4, dtype=np.float64), nn.ReLU(), nn.Linear(4, 2, dtype=np.float64), nn.Sigmoid())


def by_hand(model, X):
    """The forward pass of small_net in NumPy: (z1, h, z2, y)."""
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    z1 = X @ W1 + b1
    h = np.maximum(z1, 0)
    z2 = h @ W2 + b2
    return z1, h, z2, 1 / (1 + np.exp(-z2))


@pytest.fixture
def data():
    return np.random.default_rng(0).standard_normal((6, 3))


def test_records_each_activation_layer_output(data):
    model = small_net()
    with ActivationRecorder(model) as recorder:
        model(data)
    _, h, _, y = by_hand(model, data)
    assert recorder.layer_names == ["1", "3"]
    np.testing.assert_allclose(recorder.activations("1"), h, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(recorder.activations("3"), y, rtol=1e-12)
    stds, means = recorder.std(), recorder.mean()
    assert stds["1"] == pytest.approx(np.std(h), rel=1e-12)
    assert stds["3"] == pytest.approx(np.std(y), rel=1e-12)
    assert means["3"] == pytest.approx(np.mean(y), rel=1e-12)
    counts, edges = recorder.histogram("3", bins=5, range=(0, 1))
    expected_counts, expected_edges = np.histogram(y, bins=5, range=(0, 1))
    np.testing.assert_array_equal(counts, expected_counts)
    np.testing.assert_allclose(edges, expected_edges)
    assert set(recorder.histograms(bins=4)) == {"1", "3"}


def test_chosen_layer_types_and_accumulation_over_forward_passes(data):
    model = small_net()
    recorder = ActivationRecorder(model, layer_types=nn.Linear).attach()
    model(data[:4])
    model(data[4:])
    recorder.detach()
    z1, _, z2, _ = by_hand(model, data)
    assert recorder.layer_names == ["0", "2"]
    np.testing.assert_allclose(recorder.activations("0"), z1, rtol=1e-12)
    np.testing.assert_allclose(recorder.activations("2"), z2, rtol=1e-12)


def test_max_samples_keeps_the_first_rows(data):
    model = small_net()
    with ActivationRecorder(model, max_samples=4) as recorder:
        model(data[:3])
        model(data[3:])
    _, h, _, _ = by_hand(model, data)
    np.testing.assert_allclose(recorder.activations("1"), h[:4], rtol=1e-12, atol=1e-15)


def test_detach_removes_the_hooks_and_keeps_the_records(data):
    model = small_net()
    with ActivationRecorder(model) as recorder:
        model(data)
    assert not any(m._hooked for m in model.modules())
    model(data)  # not recorded any more
    assert recorder.activations("1").shape == (6, 4)
    recorder.clear()
    assert recorder.std() == {}
    with pytest.raises(ValueError, match="nothing recorded"):
        recorder.activations("1")


def test_bad_arguments_are_named():
    model = small_net()
    with pytest.raises(TypeError, match="expected a neuronlab.nn.Module"):
        ActivationRecorder(np.zeros(3))
    with pytest.raises(TypeError, match="Module subclasses"):
        ActivationRecorder(model, layer_types=("ReLU",))
    with pytest.raises(ValueError, match="no layer of type Tanh; it contains: Linear, ReLU, Sequential, Sigmoid"):
        ActivationRecorder(model, layer_types=(nn.Tanh,))
    with pytest.raises(ValueError, match="max_samples"):
        ActivationRecorder(model, max_samples=0)
    recorder = ActivationRecorder(model).attach()
    with pytest.raises(RuntimeError, match="already attached"):
        recorder.attach()
    with pytest.raises(KeyError, match="no layer named '7'"):
        recorder.activations("7")
    recorder.detach()


def test_dead_relu_fraction_counts_units_silent_on_every_sample(data):
    model = small_net()
    model.append(nn.Dropout(0.9))  # evaluation mode: passes values through
    first = model[0]
    first.bias.data[:] = [-1e3, 1e3, 0.0, 0.0]  # unit 0 can never fire, unit 1 always does
    expected = np.mean(np.all(np.maximum(data @ first.weight.data + first.bias.data, 0) <= 0, axis=0))
    fractions = dead_relu_fraction(model, data)
    assert fractions == {"1": pytest.approx(expected)}
    assert 0.25 <= fractions["1"] <= 0.75
    assert model.training  # the model's mode is restored


def test_dead_relu_fraction_per_layer_of_a_deeper_net():
    neuronlab.manual_seed(1)
    model = nn.Sequential(nn.Linear(5, 8, dtype=np.float64), nn.ReLU(), nn.Linear(8, 8, dtype=np.float64), nn.ReLU())
    model[2].bias.data[:3] = -50.0
    X = np.random.default_rng(2).standard_normal((40, 5))
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    h1 = np.maximum(X @ W1 + b1, 0)
    h2 = np.maximum(h1 @ W2 + b2, 0)
    fractions = dead_relu_fraction(model, X)
    assert fractions["1"] == pytest.approx(np.mean(np.all(h1 <= 0, axis=0)))
    assert fractions["3"] == pytest.approx(np.mean(np.all(h2 <= 0, axis=0)))
    assert fractions["3"] >= 3 / 8
    with pytest.raises(ValueError, match="no layer of type ReLU"):
        dead_relu_fraction(nn.Sequential(nn.Linear(2, 2), nn.Sigmoid()), X[:, :2])


def test_one_activation_instance_at_two_widths(data):
    """nn.Tanh reused after a 4-wide and a 2-wide Linear: std and mean pool all of its values (computed here in
    NumPy); asking for the stacked outputs names the layer instead of failing inside np.concatenate."""
    neuronlab.manual_seed(3)
    tanh = nn.Tanh()
    model = nn.Sequential(nn.Linear(3, 4, dtype=np.float64), tanh, nn.Linear(4, 2, dtype=np.float64), tanh)
    with ActivationRecorder(model) as recorder:
        model(data)
    W1, b1, W2, b2 = (p.data for p in model.parameters())
    h1 = np.tanh(data @ W1 + b1)
    h2 = np.tanh(h1 @ W2 + b2)
    pooled = np.concatenate([h1.ravel(), h2.ravel()])
    assert recorder.layer_names == ["1"]
    assert recorder.std() == pytest.approx({"1": np.std(pooled)}, rel=1e-12)
    assert recorder.mean() == pytest.approx({"1": np.mean(pooled)}, rel=1e-12)
    counts, _ = recorder.histogram("1", bins=4, range=(-1, 1))
    assert counts.sum() == pooled.size == 6 * 4 + 6 * 2
    with pytest.raises(ValueError, match=r"layer '1' \(Tanh\).*different shapes.*\(2,\), \(4,\)"):
        recorder.activations("1")
