"""The figures of convolutional runs (issue 12): the first layer's filters and one example's feature maps,
their panel counts from the layer's shape, the maps' values from SciPy's correlation, and the run folder."""

import json

import numpy as np
import pytest
from scipy.signal import correlate

import neuronlab as nl
from neuronlab import nn
from neuronlab.train.plots import feature_maps_figure, filters_figure, first_convolution
from neuronlab.train.run import RunConfig, train_run

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize(
    "layer, panels",
    [
        (nn.Conv2d(1, 6, 3), 6),  # one grey kernel per output channel
        (nn.Conv2d(2, 4, 3), 8),  # one per (output, input) channel pair
        (nn.Conv2d(3, 5, 3), 5),  # colour input: one RGB kernel per output channel
        (nn.Conv1d(2, 7, 5), 7),  # signals: one panel per output channel, a line per input channel
    ],
)
def test_one_filter_panel_per_kernel(layer, panels):
    figure = filters_figure(layer)
    assert len(figure.axes) == panels


def test_feature_maps_are_the_first_convolution_of_the_example():
    nl.manual_seed(0)
    model = nn.Sequential(nn.Unflatten(1, (1, 6, 6)), nn.Conv2d(1, 3, 3), nn.ReLU(), nn.Flatten(), nn.Linear(48, 2))
    example = np.random.default_rng(0).standard_normal(36).astype(np.float32)
    figure = feature_maps_figure(model, example)
    assert len(figure.axes) == 1 + 3
    conv = first_convolution(model)
    assert conv is model[1]
    image = example.reshape(6, 6).astype(np.float64)
    np.testing.assert_allclose(figure.axes[0].images[0].get_array(), image)
    for k, ax in enumerate(figure.axes[1:]):
        expected = correlate(image, conv.weight.data[k, 0].astype(np.float64), mode="valid") + conv.bias.data[k]
        np.testing.assert_allclose(ax.images[0].get_array(), expected, rtol=1e-5, atol=1e-6)
    assert model.training  # the model's mode is restored


def test_a_model_without_convolution_has_no_feature_maps():
    with pytest.raises(ValueError, match="no Conv1d/Conv2d"):
        feature_maps_figure(nn.Sequential(nn.Linear(4, 2)), np.zeros(4))


def test_cnn_run_folders_hold_both_pictures(tmp_path):
    import matplotlib.image

    result = train_run(RunConfig(model="cnn", epochs=1, batch_size=256), tmp_path / "cnn", progress=False, log=None)
    listed = json.loads((tmp_path / "cnn" / "complete.json").read_text())["files"]
    for name in ("filters.png", "feature_maps.png"):
        path = tmp_path / "cnn" / name
        assert path.read_bytes()[:8] == PNG and name in listed
        height, width, _ = matplotlib.image.imread(path).shape
        assert height > 100 and width > 100
    mlp = train_run(RunConfig(epochs=1, hidden=(8,), batch_size=256), tmp_path / "mlp", progress=False, log=None)
    assert not {"filters.png", "feature_maps.png"} & {p.name for p in mlp.files}
    assert result.metrics["evaluated_on"] == "test"
