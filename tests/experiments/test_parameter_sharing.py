"""parameter-sharing (fast mode): the CNN matches the MLP with far fewer weights and loses less under shifts."""

import numpy as np
import pytest
from experiment_testing import check_outputs

from neuronlab.experiments.parameter_sharing import shift_images

ndimage = pytest.importorskip("scipy.ndimage", reason="scipy gives the reference shift")


@pytest.mark.parametrize(("dy", "dx"), [(0, 0), (1, 0), (0, -2), (-1, 2), (3, 3)])
def test_shift_images_moves_pixels_and_fills_with_zeros(dy, dx):
    X = np.random.default_rng(0).random((3, 5 * 4))
    expected = [ndimage.shift(x.reshape(5, 4), (dy, dx), order=0, mode="constant", cval=0.0).ravel() for x in X]
    np.testing.assert_array_equal(shift_images(X, (5, 4), dy, dx), expected)


def test_cnn_has_far_fewer_parameters_for_the_same_accuracy(results):
    numbers, out = results("parameter-sharing")
    check_outputs(numbers, out)
    cnn, mlp = numbers["models"]["CNN"], numbers["models"]["MLP"]
    # 3x3 convolutions 1 -> 16 -> 32 channels, 2x2 pooling twice (8 -> 4 -> 2), Linear 32*2*2 -> 10
    assert cnn["parameters"] == (9 * 16 + 16) + (16 * 9 * 32 + 32) + (32 * 2 * 2 * 10 + 10)
    assert mlp["parameters"] == (64 * 128 + 128) + (128 * 128 + 128) + (128 * 10 + 10)
    assert cnn["parameters"] < mlp["parameters"] / 4
    assert min(cnn["test_accuracy"], mlp["test_accuracy"]) > 0.93
    assert abs(cnn["test_accuracy"] - mlp["test_accuracy"]) < 0.03


def test_cnn_loses_less_accuracy_on_shifted_digits(results):
    numbers, _ = results("parameter-sharing")
    cnn, mlp = numbers["models"]["CNN"], numbers["models"]["MLP"]
    for r in (cnn, mlp):
        by_shift = [r["shifted_test_accuracy"][str(d)] for d in numbers["shifts"]]
        assert by_shift == sorted(by_shift, reverse=True) and by_shift[0] == r["test_accuracy"]
    for d in ("1", "2"):
        assert cnn["accuracy_drop"][d] < mlp["accuracy_drop"][d], d
    assert cnn["shifted_test_accuracy"]["1"] > mlp["shifted_test_accuracy"]["1"] + 0.05
