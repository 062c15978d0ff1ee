import math

import numpy as np
import pytest

import neuronlab
from neuronlab import nn
from neuronlab.nn import init


def weight(fan_in=512, fan_out=256, dtype=np.float32):
    return nn.Parameter(np.empty((fan_in, fan_out), dtype=dtype))


def assert_variance(values, expected, draws):
    # the sample variance of n normal-ish draws has relative standard error ~ sqrt(2/n); allow 5 of them
    assert values.var() == pytest.approx(expected, rel=5 * math.sqrt(2 / draws))
    assert abs(values.mean()) < 5 * math.sqrt(expected / draws)


@pytest.mark.parametrize(
    "initializer, expected_variance",
    [
        (lambda w: init.kaiming_normal_(w, nonlinearity="relu"), 2 / 512),
        (lambda w: init.kaiming_normal_(w), 2 / 512),  # a = 0 leaky ReLU: He's value
        (lambda w: init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu"), 2 / 256),
        (lambda w: init.kaiming_normal_(w, a=0.5), 2 / (1 + 0.25) / 512),
        (lambda w: init.kaiming_uniform_(w, nonlinearity="relu"), 2 / 512),
        (lambda w: init.kaiming_normal_(w, nonlinearity="tanh"), (5 / 3) ** 2 / 512),
        (lambda w: init.xavier_normal_(w), 2 / (512 + 256)),
        (lambda w: init.xavier_uniform_(w), 2 / (512 + 256)),
        (lambda w: init.xavier_normal_(w, gain=2.0), 4 * 2 / (512 + 256)),
        (lambda w: init.lecun_normal_(w), 1 / 512),
        (lambda w: init.normal_(w, std=0.01), 1e-4),
        (lambda w: init.uniform_(w, -0.3, 0.3), 0.09 / 3),
    ],
    ids=[
        "he_normal",
        "he_default",
        "he_fan_out",
        "he_leaky",
        "he_uniform",
        "kaiming_tanh",
        "glorot_normal",
        "glorot_uniform",
        "glorot_gain",
        "lecun",
        "normal",
        "uniform",
    ],
)
def test_sample_variances(initializer, expected_variance):
    neuronlab.manual_seed(0)
    w = weight()
    assert initializer(w) is w
    assert_variance(w.data.astype(np.float64), expected_variance, w.data.size)
    assert w.dtype == np.float32 and w._version == 1


def test_uniform_bounds():
    neuronlab.manual_seed(1)
    w = init.xavier_uniform_(weight(100, 50))
    bound = math.sqrt(6 / 150)
    assert np.abs(w.data).max() <= bound and np.abs(w.data).max() > 0.98 * bound
    w = init.kaiming_uniform_(weight(100, 50), nonlinearity="relu")
    assert np.abs(w.data).max() <= math.sqrt(6 / 100)
    w = init.uniform_(weight(10, 10), 2.0, 3.0)
    assert w.data.min() >= 2.0 and w.data.max() < 3.0


def test_normal_mean_and_constants():
    neuronlab.manual_seed(2)
    w = init.normal_(weight(dtype=np.float64), mean=3.0, std=0.5)
    assert w.dtype == np.float64
    assert w.data.mean() == pytest.approx(3.0, abs=5 * 0.5 / math.sqrt(w.data.size))
    assert np.all(init.zeros_(weight(3, 2)).data == 0)
    assert np.all(init.ones_(weight(3, 2)).data == 1)
    assert np.all(init.constant_(weight(3, 2), 0.25).data == 0.25)


def test_fan_convention_is_the_notes_layout_and_agrees_with_torch_per_layer():
    assert init.calculate_fan_in_and_fan_out(nn.Linear(784, 256).weight) == (784, 256)
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    theirs = torch.nn.init._calculate_fan_in_and_fan_out(torch.nn.Linear(784, 256).weight)
    assert theirs == (784, 256)  # same fans for the same layer, although torch's weight is (256, 784)
    with pytest.raises(ValueError, match="2-D"):
        init.kaiming_normal_(nn.Parameter(np.zeros(5, dtype=np.float32)))
    with pytest.raises(ValueError, match="mode"):
        init.kaiming_normal_(weight(), mode="fan_avg")


@pytest.mark.parametrize(
    "nonlinearity, param",
    [
        ("linear", None),
        ("sigmoid", None),
        ("tanh", None),
        ("relu", None),
        ("leaky_relu", None),
        ("leaky_relu", 0.2),
        ("selu", None),
    ],
)
def test_calculate_gain_matches_torch(nonlinearity, param):
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    assert init.calculate_gain(nonlinearity, param) == pytest.approx(torch.nn.init.calculate_gain(nonlinearity, param))
    with pytest.raises(ValueError, match="unsupported"):
        init.calculate_gain("swish")


def test_draws_follow_the_library_seed_or_an_explicit_generator():
    neuronlab.manual_seed(3)
    first = init.kaiming_normal_(weight(8, 4)).data.copy()
    neuronlab.manual_seed(3)
    np.testing.assert_array_equal(init.kaiming_normal_(weight(8, 4)).data, first)
    a = init.normal_(weight(8, 4), generator=np.random.default_rng(5)).data
    b = init.normal_(weight(8, 4), generator=np.random.default_rng(5)).data
    np.testing.assert_array_equal(a, b)


def activation_variances(weight_init, layers=10, width=256, samples=1000):
    """The notes' experiment (seed 000 section 7.1): push N(0, 1) data through ReLU layers, record Var per layer."""
    neuronlab.manual_seed(4)
    model = nn.Sequential(*[m for _ in range(layers) for m in (nn.Linear(width, width), nn.ReLU())])
    for layer in model:
        if isinstance(layer, nn.Linear):
            weight_init(layer.weight)
            init.zeros_(layer.bias)
    h = neuronlab.tensor(np.random.default_rng(5).standard_normal((samples, width)).astype(np.float32))
    variances = []
    with neuronlab.no_grad():
        for layer in model:
            h = layer(h)
            if isinstance(layer, nn.ReLU):
                variances.append(float(h.data.var()))
    return np.array(variances)


def test_he_initialization_keeps_the_activation_variance_through_ten_relu_layers():
    he = activation_variances(lambda w: init.kaiming_normal_(w, nonlinearity="relu"))
    assert np.all(he / he[0] < 2) and np.all(he / he[0] > 0.5)
    small = activation_variances(lambda w: init.normal_(w, std=0.01))
    # each layer multiplies the second moment by N Var(W) / 2 = 256e-4 / 2: after 10 layers ~ 1e-19
    assert small[-1] / small[0] < 1e-15
    assert np.all(np.diff(np.log(small)) < np.log(0.05))


def test_zero_initialization_keeps_hidden_units_identical():
    # 002's warning: with equal initial weights every hidden unit gets the same gradient forever.
    rng = np.random.default_rng(6)
    x = neuronlab.tensor(rng.normal(size=(32, 3)))
    t = np.sin(x.data.sum(axis=1, keepdims=True))

    def train(initialize):
        neuronlab.manual_seed(7)
        model = nn.Sequential(nn.Linear(3, 8, dtype=np.float64), nn.Sigmoid(), nn.Linear(8, 1, dtype=np.float64))
        if initialize:
            for p in model.parameters():
                init.zeros_(p)
        for _ in range(50):
            model.zero_grad()
            nn.MSELoss()(model(x), t).backward()
            with neuronlab.no_grad():
                for p in model.parameters():
                    p.sub_(0.5 * p.grad.data)
        return model

    symmetric = train(initialize=True)
    w1, w2 = symmetric[0].weight.data, symmetric[2].weight.data
    assert np.abs(w1).max() > 1e-3  # the weights did move ...
    np.testing.assert_array_equal(w1, np.repeat(w1[:, :1], 8, axis=1))  # ... but all 8 hidden units are one unit
    np.testing.assert_array_equal(w2, np.repeat(w2[:1], 8, axis=0))
    broken = train(initialize=False)[0].weight.data
    assert np.unique(np.round(broken, 10), axis=1).shape[1] == 8
