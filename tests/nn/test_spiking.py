"""Spiking layers (issue 15): rate activations in a Sequential trained by the Trainer; the spiking LIF layer."""
import numpy as np
import pytest

import neuronlab
from neuronlab import nn, optim
from neuronlab.data import DataLoader, TensorDataset, load_dataset
from neuronlab.neurons import lif_rate as tuning_curve
from neuronlab.train import accuracy, fit, predict


def test_rate_layers_wrap_the_functional_forms_and_round_trip_through_config():
    x = np.linspace(-1, 4, 11)
    np.testing.assert_allclose(nn.LIFRate(0.001, 0.05, 0.1)(x).data, 0.1 * tuning_curve(x, 0.001, 0.05), rtol=1e-15)
    soft = nn.SoftLIFRate(sigma=0.05, amplitude=0.01)
    rebuilt = nn.build_module(nn.Sequential(nn.Linear(3, 2), soft).config())[1]
    assert type(rebuilt) is nn.SoftLIFRate and rebuilt.get_config() == soft.get_config()
    with pytest.raises(ValueError, match="sigma"):
        nn.SoftLIFRate(sigma=-1)


def test_soft_lif_network_trains_on_digits_with_the_trainer():
    digits = load_dataset("digits")
    X, y = (digits.X / 16).astype(np.float32), digits.y
    neuronlab.manual_seed(0)
    model = nn.Sequential(nn.Linear(64, 32), nn.SoftLIFRate(amplitude=0.01), nn.Linear(32, 10))
    loader = DataLoader(TensorDataset(X[:600], y[:600]), batch_size=32, shuffle=True, generator=np.random.default_rng(0))
    history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2), loader, epochs=6)
    assert history["train_loss"][-1] < history["train_loss"][0] / 3
    assert accuracy(y[1200:1500], predict(model, X[1200:1500])) > 0.85
