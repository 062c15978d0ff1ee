import numpy as np
import pytest
from nn_testing import leaf

import neuronlab
from neuronlab import nn
from neuronlab.autograd import gradcheck
from neuronlab.nn import functional as F


@pytest.mark.parametrize("p", [0.1, 0.5, 0.8])
def test_inverted_dropout_keeps_1_minus_p_and_preserves_the_expected_activation(p):
    neuronlab.manual_seed(0)
    x = neuronlab.tensor(np.full((500, 400), 3.0, dtype=np.float32))
    y = nn.Dropout(p)(x).data
    kept = y != 0
    n = kept.size
    # the kept fraction is Binomial(n, 1 - p)/n: within 5 standard errors
    assert abs(kept.mean() - (1 - p)) < 5 * np.sqrt(p * (1 - p) / n)
    np.testing.assert_allclose(y[kept], 3.0 / (1 - p), rtol=1e-6)
    # E[y] = x: the expected activation is the same as at inference (where y = x)
    assert abs(y.mean() - 3.0) < 5 * 3.0 * np.sqrt(p / ((1 - p) * n))


def test_inverted_dropout_is_the_identity_in_eval():
    layer = nn.Dropout(0.5).eval()
    x = neuronlab.tensor(np.arange(6, dtype=np.float32))
    assert layer(x) is x


@pytest.mark.parametrize("p", [0.2, 0.5])
def test_notes_variant_masks_in_training_and_scales_at_inference(p):
    # notes 000 section 9.2: Y = X * M in training, Y = X * (1 - p) in prediction, dX = dY * M.
    neuronlab.manual_seed(1)
    layer = nn.Dropout(p, scale_at_inference=True)
    x = leaf(np.random.default_rng(0).uniform(1.0, 2.0, size=(300, 300)))
    y = layer(x)
    mask = y.data != 0
    np.testing.assert_array_equal(y.data[mask], x.data[mask])  # no scaling in training
    g = np.random.default_rng(1).normal(size=x.shape)
    y.backward(g)
    np.testing.assert_array_equal(x.grad.data, g * mask)
    # training expectation (1 - p) E[x] equals the inference output's mean
    layer.eval()
    np.testing.assert_allclose(layer(x).data, x.data * (1 - p))
    assert abs(y.data.mean() - layer(x).data.mean()) < 5 * np.sqrt(p * (1 - p) / x.data.size) * 2.0


def test_gradient_is_the_scaled_mask():
    neuronlab.manual_seed(2)
    x = leaf(np.random.default_rng(0).normal(size=(20, 10)))
    y = F.dropout(x, 0.4)
    scale_mask = y.data / x.data
    assert set(np.unique(np.round(scale_mask, 12))) <= {0.0, round(1 / 0.6, 12)}
    g = np.random.default_rng(3).normal(size=x.shape)
    y.backward(g)
    np.testing.assert_allclose(x.grad.data, g * scale_mask)


def test_gradcheck_with_a_fixed_mask():
    x = leaf(np.random.default_rng(4).normal(size=(5, 6)))
    assert gradcheck(lambda x: F.dropout(x, 0.3, generator=np.random.default_rng(9)), [x])


def test_masks_are_reproducible_from_the_library_seed():
    x = neuronlab.tensor(np.ones((50, 50), dtype=np.float32))
    neuronlab.manual_seed(5)
    first = nn.Dropout(0.5)(x).data
    second = nn.Dropout(0.5)(x).data
    neuronlab.manual_seed(5)
    np.testing.assert_array_equal(nn.Dropout(0.5)(x).data, first)
    assert not np.array_equal(first, second)


def test_edge_probabilities_and_validation():
    x = neuronlab.tensor(np.ones((3, 4), dtype=np.float32))
    assert F.dropout(x, 0.0) is x
    assert np.all(F.dropout(x, 1.0).data == 0)
    assert F.dropout(x, 0.5).dtype == np.float32
    for bad in (-0.1, 1.5):
        with pytest.raises(ValueError, match="probability"):
            nn.Dropout(bad)
    for bad in ("0.5", True):  # not a number: a TypeError, as every argument check of the library
        with pytest.raises(TypeError, match="probability"):
            nn.Dropout(bad)


def test_dropout_matches_torch_statistics_and_eval():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    # Different generators: compare the distribution of the outputs, not the masks.
    torch.manual_seed(0)
    neuronlab.manual_seed(0)
    x = np.full((400, 250), 2.0, dtype=np.float32)
    ours = nn.Dropout(0.3)(neuronlab.tensor(x)).data
    theirs = torch.nn.Dropout(0.3)(torch.from_numpy(x)).numpy()
    assert set(np.unique(ours)) == set(np.unique(theirs)) == {0.0, np.float32(2.0 / 0.7)}
    assert abs((ours == 0).mean() - (theirs == 0).mean()) < 0.01
    np.testing.assert_array_equal(
        nn.Dropout(0.3).eval()(neuronlab.tensor(x)).data, torch.nn.Dropout(0.3).eval()(torch.from_numpy(x)).numpy()
    )
