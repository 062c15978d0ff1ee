"""build_cnn: the LeNet-style preset sized to its input (issue 12)."""

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import nn, optim
from neuronlab.data import channels_first, load_dataset
from neuronlab.train.cnn import build_cnn


@pytest.mark.parametrize(
    "shape, kernel, flat",
    [((1, 8, 8), 3, 32 * 2 * 2), ((1, 28, 28), 5, 16 * 7 * 7), ((3, 32, 32), 5, 16 * 8 * 8), ((1, 40), 5, 16 * 10)],
)
def test_preset_is_sized_to_the_input(shape, kernel, flat):
    model = build_cnn(shape, 10)
    convs = [m for m in model if isinstance(m, (nn.Conv1d, nn.Conv2d))]
    assert [c.kernel_size[0] for c in convs] == [kernel, kernel]
    assert model[-1].out_features == 10
    assert next(m for m in model if isinstance(m, nn.Linear)).in_features == flat
    x = np.zeros((2, int(np.prod(shape))), dtype=np.float32)
    assert model(x).shape == (2, 10)
    assert build_cnn(shape, 3, flat_input=False)(x.reshape((2,) + shape)).shape == (2, 3)


def test_bad_arguments():
    with pytest.raises(ValueError, match="input_shape"):
        build_cnn((8,), 10)
    with pytest.raises(ValueError, match="activation"):
        build_cnn((1, 8, 8), 10, activation="swish")


def test_learns_digits():
    bundle = load_dataset("digits")
    X, y = bundle.X / 16.0, bundle.y
    nl.manual_seed(0)
    model = build_cnn(channels_first(bundle.image_shape), 10, channels=(8, 16), hidden=(32,))
    opt = optim.Adam(model.parameters(), lr=3e-3)
    rng = np.random.default_rng(0)
    order = rng.permutation(len(y))
    train, test = order[:1400], order[1400:]
    for _ in range(5):
        for batch in np.array_split(rng.permutation(train), 40):
            opt.zero_grad()
            nn.CrossEntropyLoss()(model(X[batch]), nl.Tensor(y[batch])).backward()
            opt.step()
    model.eval()
    with nl.no_grad():
        accuracy = (model(X[test]).data.argmax(1) == y[test]).mean()
    assert accuracy > 0.9
