"""ANN-to-SNN conversion (issue 15): single neurons fire at the rate model's rates, whole networks keep their
accuracy, and layers that cannot be converted are refused with one line naming them."""

import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim, snn
from neuronlab.data import DataLoader, TensorDataset, load_dataset
from neuronlab.neurons import lif_rate
from neuronlab.train import accuracy, fit, predict


def _single(activation, w=1.0, b=0.0):
    model = nn.Sequential(nn.Linear(1, 1), activation)
    model[0].weight.data[...] = w
    model[0].bias.data[...] = b
    return model


@pytest.mark.parametrize("dt", [1e-3, 2e-4])
def test_a_converted_lif_neuron_fires_at_the_tuning_curve_rate(dt):
    drive = np.array([[1.05], [1.2], [1.5], [3.0], [10.0], [0.7]])
    network = snn.convert(_single(nn.SoftLIFRate(sigma=0.1, amplitude=0.01)), tau_s=0.005)
    counts = snn.simulate(network, drive, presentation=1.0, dt=dt).counts[0][:, 0]
    rate = lif_rate(drive[:, 0])
    # from v = 0 the first spike comes tau_ref before one inter-spike interval 1/G, then one every 1/G:
    # floor((T + tau_ref) G) spikes in T = 1 s, whatever dt (the integration is exact)
    np.testing.assert_array_equal(counts, np.floor((1.0 + 0.002) * rate))
    np.testing.assert_allclose(counts[1:-1], rate[1:-1], rtol=0.02)  # the 2% over 1 s, from 26 Hz up


def test_a_converted_relu_neuron_fires_at_its_normalized_rate_and_reads_out_the_activation():
    z = np.array([[0.1], [0.5], [0.9], [-1.0]])
    network = snn.convert(_single(nn.ReLU(), w=2.0), data=z, normalize="max")
    assert network.populations[0].scale == pytest.approx(1.8)  # max of the positive activations 2 z
    result = snn.simulate(network, z, presentation=1.0, dt=1e-3)
    np.testing.assert_allclose(result.counts[0][:, 0], [1000 * 0.2 / 1.8, 1000 * 1.0 / 1.8, 1000, 0], atol=1)
    # the output (activation_per_hz x filtered rate) approaches ReLU(2 z), lagging by the filter's start
    np.testing.assert_allclose(result.outputs[-1][:, 0], [0.2, 1.0, 1.8, 0.0], atol=0.02)


def _digits_network(activation, hidden=64, epochs=10, seed=0):
    digits = load_dataset("digits")
    order = np.random.default_rng(0).permutation(len(digits.y))  # the file's last writers are harder: shuffle
    X, y = (digits.X[order] / 16).astype(np.float32), digits.y[order]
    neuronlab.manual_seed(seed)
    model = nn.Sequential(nn.Linear(64, hidden), activation, nn.Linear(hidden, 10))
    loader = DataLoader(
        TensorDataset(X[:1200], y[:1200]), batch_size=32, shuffle=True, generator=np.random.default_rng(seed)
    )
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=5e-3), loader, epochs=epochs)
    return model, X, y


def test_soft_lif_digits_network_keeps_its_accuracy_with_spikes():
    model, X, y = _digits_network(nn.SoftLIFRate(amplitude=0.01))
    X_test, y_test = X[1400:1700], y[1400:1700]  # not seen in training (the first 1200)
    rate_accuracy = accuracy(y_test, predict(model, X_test))
    times, curve = snn.accuracy_curve(snn.convert(model), X_test, y_test, presentation=0.1, dt=1e-3, n_times=5)
    assert rate_accuracy > 0.9
    assert curve[-1] >= rate_accuracy - 0.02
    np.testing.assert_allclose(times, [0.02, 0.04, 0.06, 0.08, 0.1])


def test_relu_normalization_scales_are_the_layer_percentiles():
    model, X, _ = _digits_network(nn.ReLU(), hidden=16, epochs=1)
    hidden = model[1](model[0](X[:500])).data
    for mode, expected in (("max", hidden.max()), ("percentile", np.percentile(hidden[hidden > 0], 99.0))):
        network = snn.convert(model, data=X[:500], normalize=mode, percentile=99.0)
        assert network.populations[0].scale == pytest.approx(expected, rel=1e-5)


def test_batchnorm_after_linear_is_folded():
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3), nn.ReLU(), nn.Dropout(0.5), nn.Linear(3, 2))
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    model.train()
    for _ in range(5):
        model(x)
    model.eval()
    network = snn.convert(model, normalize=None)
    z = network.stages[0]
    expected = model[1](model[0](x)).data
    np.testing.assert_allclose(x @ z.weight + z.bias, expected, rtol=1e-5, atol=1e-6)


@pytest.mark.parametrize(
    "layers, named",
    [
        ((nn.Linear(4, 3), nn.Sigmoid(), nn.Linear(3, 2)), "layer 1 (Sigmoid)"),
        ((nn.Linear(4, 3), nn.ReLU(), nn.BatchNorm1d(3), nn.Linear(3, 2)), "layer 2 (BatchNorm1d)"),
        ((nn.ReLU(), nn.Linear(4, 2)), "layer 0 (ReLU)"),
        ((nn.Conv2d(1, 2, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Flatten(), nn.Linear(2, 2)), "layer 2 (MaxPool2d)"),
        ((nn.Conv2d(1, 2, 3), nn.ReLU(), nn.BatchNorm2d(2), nn.Flatten()), "layer 2 (BatchNorm2d)"),
        ((nn.Linear(4, 4), nn.BatchNorm2d(4)), "layer 1 (BatchNorm2d)"),
    ],
)
def test_layers_that_cannot_be_converted_are_refused_in_one_line(layers, named):
    with pytest.raises(
        TypeError, match=rf"convert: cannot convert {named.replace('(', '[(]').replace(')', '[)]')}"
    ) as error:
        snn.convert(nn.Sequential(*layers))
    assert "\n" not in str(error.value) and "supported layers: Linear" in str(error.value)


@pytest.mark.parametrize(
    "kwargs, match",
    [({"normalize": "mean"}, "normalize"), ({"tau_s": -1.0}, "tau_s"), ({"percentile": 0}, "percentile")],
)
def test_bad_settings_are_refused(kwargs, match):
    with pytest.raises(ValueError, match=match):
        snn.convert(_single(nn.ReLU()), **kwargs)
    with pytest.raises(ValueError, match="presentation"):
        snn.simulate(snn.convert(_single(nn.ReLU())), np.ones((1, 1)), presentation=0.0)


def _digits_cnn(pool=nn.AvgPool2d, epochs=4, seed=0, batchnorm=False):
    digits = load_dataset("digits")
    order = np.random.default_rng(0).permutation(len(digits.y))
    X, y = (digits.X[order] / 16).astype(np.float32), digits.y[order]
    neuronlab.manual_seed(seed)
    layers = [nn.Unflatten(1, (1, 8, 8)), nn.Conv2d(1, 8, 3, padding=1)]
    layers += [nn.BatchNorm2d(8)] if batchnorm else []
    layers += [nn.ReLU(), pool(2), nn.Flatten(), nn.Linear(8 * 4 * 4, 10)]
    model = nn.Sequential(*layers)
    loader = DataLoader(
        TensorDataset(X[:1200], y[:1200]), batch_size=32, shuffle=True, generator=np.random.default_rng(seed)
    )
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=5e-3), loader, epochs=epochs)
    return model, X, y


@pytest.mark.parametrize("relu_neuron", ["if", "lif"])
def test_a_digits_cnn_keeps_its_accuracy_with_spiking_neurons_per_pixel(relu_neuron):
    model, X, y = _digits_cnn()
    X_test, y_test = X[1400:1700], y[1400:1700]
    rate_accuracy = accuracy(y_test, predict(model, X_test))
    network = snn.convert(model, data=X[:1200], relu_neuron=relu_neuron)
    result = snn.simulate(network, X_test[:2], presentation=0.01, dt=1e-3, record=True)
    assert result.counts[0].shape == (2, 8 * 8 * 8) and result.spikes[0].shape == (10, 2, 512)  # one per pixel
    _, curve = snn.accuracy_curve(network, X_test, y_test, presentation=0.1, dt=1e-3, n_times=2)
    assert rate_accuracy > 0.9
    assert curve[-1] >= rate_accuracy - 0.02
    # the rate limit of the converted network picks the CNN's classes (IF: activations above the 99.9th
    # percentile clipped; LIF: the fitted curve bends the line by a few percent)
    limit, logits = snn.rate_forward(network, X_test), predict(model, X_test)
    assert np.mean(limit.argmax(axis=1) == logits.argmax(axis=1)) >= 0.97


def test_batchnorm2d_after_conv2d_is_folded_per_channel():
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2))
    x = np.random.default_rng(0).standard_normal((8, 2, 4, 4)).astype(np.float32)
    model.train()
    for _ in range(5):
        model(x)
    model.eval()
    conv = snn.convert(model, normalize=None).stages[0]
    np.testing.assert_allclose(conv.apply(x.astype(np.float64)), model[1](model[0](x)).data, rtol=1e-5, atol=1e-5)


def test_a_relu_lif_neuron_reads_out_a_nearly_linear_rate():
    z = np.linspace(0.0, 1.8, 10)[:, None]
    network = snn.convert(_single(nn.ReLU()), data=z, normalize="max", relu_neuron="lif")
    population = network.populations[0]
    assert population.kind == "lif" and population.scale == pytest.approx(1.8)
    # amplitude x G(gain z + bias): exact at the top of the range, within 12% of it elsewhere, silent below
    # the current's threshold (gain z + bias = 1)
    readout = population.activation_per_hz(1e-3) * population.rate(z, 1e-3)
    assert readout[-1, 0] == pytest.approx(1.8)
    np.testing.assert_array_equal(readout[population.gain * z + population.bias <= 1], 0.0)
    np.testing.assert_allclose(readout, z, atol=0.12 * 1.8)
    counts = snn.simulate(network, z, presentation=1.0, dt=1e-3).counts[0][:, 0]
    np.testing.assert_allclose(counts, population.rate(z, 1e-3)[:, 0], atol=2.0)  # fires at its rate
