import json

import numpy as np
import pytest
import scipy.linalg
from sklearn.decomposition import PCA
from sklearn.preprocessing import MinMaxScaler, StandardScaler

from neuronlab.data import (
    Compose,
    MinMaxScale,
    Standardize,
    Whiten,
    one_hot,
    train_val_test_split,
    transform_from_config,
)


@pytest.fixture
def correlated():
    """Correlated features with different scales and means: train and test parts of one distribution."""
    rng = np.random.default_rng(0)
    mixing = rng.normal(size=(5, 5)) * np.array([1.0, 3.0, 0.2, 10.0, 1.0])
    X = rng.normal(size=(400, 5)) @ mixing + np.array([5.0, -2.0, 0.0, 100.0, 1.0])
    return X[:300], X[300:]


def test_standardize_follows_the_notes_steps_and_matches_scikit_learn(correlated):
    train, test = correlated
    t = Standardize().fit(train)
    mean = train.sum(axis=0) / len(train)  # step 1
    sigma = np.sqrt(((train - mean) ** 2).sum(axis=0) / len(train))  # step 2, 1/N
    np.testing.assert_allclose(t.transform(test), (test - mean) / sigma, rtol=1e-12)
    np.testing.assert_allclose(t.transform(test), StandardScaler().fit(train).transform(test), rtol=1e-10, atol=1e-12)


def test_statistics_come_from_the_training_split_only(correlated):
    train, test = correlated
    t = Standardize().fit(train)
    Z_train, Z_test = t.transform(train), t.transform(test)
    np.testing.assert_allclose(Z_train.mean(axis=0), 0, atol=1e-12)
    np.testing.assert_allclose(Z_train.std(axis=0), 1, rtol=1e-12)
    # the test part is mapped with the training statistics, so it is not exactly centred
    assert np.abs(Z_test.mean(axis=0)).max() > 1e-3
    np.testing.assert_allclose(t.state_dict()["mean"], train.mean(axis=0))


@pytest.mark.parametrize(
    "make", [Standardize, MinMaxScale, lambda: MinMaxScale((-1, 3)), lambda: Whiten("pca"), lambda: Whiten("zca")]
)
def test_inverse_transform_recovers_the_inputs(correlated, make):
    train, test = correlated
    t = make().fit(train)
    np.testing.assert_allclose(t.inverse_transform(t.transform(test)), test, rtol=1e-10, atol=1e-9)


def test_min_max_scale_matches_scikit_learn(correlated):
    train, test = correlated
    ours = MinMaxScale((-1.0, 2.0)).fit(train)
    theirs = MinMaxScaler(feature_range=(-1.0, 2.0)).fit(train)
    np.testing.assert_allclose(ours.transform(test), theirs.transform(test), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(ours.transform(train).min(axis=0), -1.0)
    np.testing.assert_allclose(ours.transform(train).max(axis=0), 2.0)


def test_constant_features_match_scikit_learn():
    X = np.array([[1.0, 7.0], [2.0, 7.0], [4.0, 7.0]])
    np.testing.assert_allclose(Standardize().fit_transform(X), StandardScaler().fit_transform(X))
    np.testing.assert_allclose(MinMaxScale().fit_transform(X), MinMaxScaler().fit_transform(X))


@pytest.mark.parametrize("method", ["pca", "zca"])
def test_whitened_training_data_has_identity_covariance(correlated, method):
    train, _ = correlated
    Z = Whiten(method, eps=0.0).fit_transform(train)
    np.testing.assert_allclose(Z.mean(axis=0), 0, atol=1e-10)
    np.testing.assert_allclose(np.cov(Z, rowvar=False, bias=True), np.eye(5), atol=1e-10)


def test_pca_whitening_matches_scikit_learn_up_to_sign_and_normalisation(correlated):
    train, test = correlated
    ours = Whiten("pca", eps=0.0).fit(train).transform(test)
    theirs = PCA(whiten=True).fit(train).transform(test)
    # scikit-learn divides by the (N-1)-normalised variance; the notes use 1/N
    theirs = theirs * np.sqrt(len(train) / (len(train) - 1))
    signs = np.sign(np.sum(ours * theirs, axis=0))
    np.testing.assert_allclose(ours, theirs * signs, rtol=1e-8, atol=1e-9)


def test_zca_is_the_inverse_square_root_of_the_covariance(correlated):
    train, test = correlated
    cov = np.cov(train, rowvar=False, bias=True)
    W = np.real(scipy.linalg.inv(scipy.linalg.sqrtm(cov)))  # C^(-1/2), symmetric
    expected = (test - train.mean(axis=0)) @ W
    np.testing.assert_allclose(Whiten("zca", eps=0.0).fit(train).transform(test), expected, rtol=1e-7, atol=1e-8)


def test_whiten_eps_regularises_singular_covariance():
    rng = np.random.default_rng(1)
    a = rng.normal(size=(100, 2))
    X = np.column_stack([a, a[:, 0] + a[:, 1]])  # rank 2
    with pytest.raises(ValueError, match="singular"):
        Whiten("zca", eps=0.0).fit(X)
    Z = Whiten("zca", eps=1e-3).fit_transform(X)
    assert np.all(np.isfinite(Z))
    lam = np.linalg.eigvalsh(np.cov(X, rowvar=False, bias=True))
    np.testing.assert_allclose(
        np.sort(np.linalg.eigvalsh(np.cov(Z, rowvar=False, bias=True))), np.sort(lam / (lam + 1e-3)), atol=1e-8
    )


@pytest.mark.parametrize(
    "make",
    [
        Standardize,
        lambda: MinMaxScale((2, 5)),
        lambda: Whiten("pca", eps=1e-3),
        lambda: Compose([Standardize(), Whiten("zca")]),
    ],
)
def test_config_and_state_rebuild_the_fitted_transform(correlated, make):
    train, test = correlated
    t = make().fit(train)
    config = json.loads(json.dumps(t.config()))  # JSON-able
    state = {k: np.array(v) for k, v in t.state_dict().items()}
    assert all(isinstance(v, np.ndarray) for v in state.values())
    rebuilt = transform_from_config(config, state)
    assert type(rebuilt) is type(t) and rebuilt.config() == t.config()
    np.testing.assert_array_equal(rebuilt.transform(test), t.transform(test))


def test_float32_inputs_stay_float32_and_1d_inputs_are_one_feature(correlated):
    train, test = correlated
    t = Standardize().fit(train.astype(np.float32))
    assert t.transform(test.astype(np.float32)).dtype == np.float32
    y = np.array([1.0, 2.0, 3.0, 6.0])
    z = Standardize().fit_transform(y)
    assert z.shape == (4,)
    np.testing.assert_allclose(z, (y - 3.0) / np.sqrt(3.5))


def test_compose_applies_in_order_and_inverts_in_reverse(correlated):
    train, test = correlated
    c = Compose([Standardize(), MinMaxScale()]).fit(train)
    s = Standardize().fit(train)
    m = MinMaxScale().fit(s.transform(train))
    np.testing.assert_allclose(c.transform(test), m.transform(s.transform(test)))
    np.testing.assert_allclose(c.inverse_transform(c.transform(test)), test, rtol=1e-10)


def test_misuse_is_reported_clearly(correlated):
    train, _ = correlated
    with pytest.raises(RuntimeError, match="not fitted"):
        Standardize().transform(train)
    with pytest.raises(ValueError, match="3 features, the transform was fitted on 5"):
        Standardize().fit(train).transform(train[:, :3])
    with pytest.raises(ValueError, match="non-finite value nan at row 1, column 0"):
        Standardize().fit(np.array([[1.0], [np.nan]]))
    with pytest.raises(ValueError, match="'pca' or 'zca'"):
        Whiten("svd")
    with pytest.raises(ValueError, match="low < high"):
        MinMaxScale((1, 1))
    with pytest.raises(ValueError, match="missing \\['std'\\]"):
        Standardize().load_state_dict({"mean": np.zeros(3)})
    with pytest.raises(ValueError, match="eigenvectors"):
        Whiten().load_state_dict({"mean": np.zeros(3), "eigenvalues": np.ones(3), "eigenvectors": np.eye(2)})
    with pytest.raises(ValueError, match="unknown transform 'Normalize'"):
        transform_from_config({"name": "Normalize"}, {})


def test_one_hot_is_rows_of_the_identity():
    y = np.array([2, 0, 1, 2, 4])
    out = one_hot(y, num_classes=6)
    assert out.dtype == np.float32 and out.shape == (5, 6)
    np.testing.assert_array_equal(out, np.eye(6)[y])
    np.testing.assert_array_equal(one_hot(y), np.eye(5)[y])  # classes inferred: max label + 1


def test_one_hot_matches_pytorch():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")
    y = np.array([2, 0, 1, 2, 4])
    expected = torch.nn.functional.one_hot(torch.from_numpy(y), num_classes=6).numpy()
    out = one_hot(y, num_classes=6)
    assert out.dtype == np.float32
    np.testing.assert_array_equal(out, expected)
    np.testing.assert_array_equal(one_hot(y), expected[:, :5])


def test_one_hot_rejects_bad_labels():
    with pytest.raises(ValueError, match=r"\[0, 3\)"):
        one_hot(np.array([0, 3]), num_classes=3)
    with pytest.raises(ValueError, match="integer class indices"):
        one_hot(np.array([0.5]))


def test_split_then_fit_on_train_is_the_documented_workflow():
    rng = np.random.default_rng(2)
    X = rng.normal(3.0, 2.0, size=(200, 3))
    y = (X[:, 0] > 3).astype(np.int64)
    split = train_val_test_split(X, y, seed=0)
    scaler = Standardize().fit(split.X_train)
    np.testing.assert_allclose(scaler.state_dict()["std"], split.X_train.std(axis=0))
    assert not np.allclose(scaler.state_dict()["std"], X.std(axis=0))


def test_fit_on_non_finite_data_names_row_and_column_and_not_x():
    X = np.ones((4, 3))
    X[2, 1] = np.inf
    for make in (Standardize, MinMaxScale, Whiten):
        with pytest.raises(ValueError, match=r"fit: the data holds the non-finite value inf at row 2, column 1$"):
            make().fit(X)


def test_fit_refuses_statistics_that_overflow():
    X = np.array([[1.0, 1e200], [2.0, -1e200]])
    with pytest.raises(ValueError, match="overflows float64 in the fitted std of column 1"):
        Standardize().fit(X)
