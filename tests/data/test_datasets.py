import numpy as np
import pytest
from sklearn import datasets as sk

from neuronlab.data import (
    DATASETS,
    DatasetBundle,
    blood_sugar_curve,
    list_datasets,
    load_dataset,
    make_blood_sugar,
    make_discrete_mapping,
    make_spirals,
)

SHIPPED = {  # name: (samples, features, classes or None, sklearn loader or None)
    "digits": (1797, 64, 10, sk.load_digits),
    "iris": (150, 4, 3, sk.load_iris),
    "wine": (178, 13, 3, sk.load_wine),
    "breast_cancer": (569, 30, 2, sk.load_breast_cancer),
    "diabetes": (442, 10, None, lambda: sk.load_diabetes(scaled=False)),
    "xor": (4, 2, 2, None),
    "discrete_mapping": (300, 6, 3, None),
    "blood_sugar": (6, 1, None, None),
    "spirals": (600, 2, 3, None),
    "moons": (500, 2, 2, None),
}


@pytest.mark.parametrize("name", list(SHIPPED))
def test_every_shipped_dataset_loads_with_the_contracted_types(name):
    n, d, k, reference = SHIPPED[name]
    b = load_dataset(name)
    assert isinstance(b, DatasetBundle) and b.name == name
    assert b.X.shape == (n, d) and b.X.dtype == np.float32
    if k is None:
        assert b.task == "regression" and b.y.dtype == np.float32 and b.y.shape == (n,) and b.class_names is None
    else:
        assert b.task == "classification" and b.y.dtype == np.int64 and b.num_classes == k
        assert set(np.unique(b.y)) == set(range(k))
    assert DATASETS[name].task == b.task
    if reference is not None:
        raw = reference()
        np.testing.assert_array_equal(b.X, raw.data.astype(np.float32))
        np.testing.assert_array_equal(b.y, raw.target.astype(b.y.dtype))
        assert b.feature_names == list(raw.feature_names)


def test_digits_keeps_its_image_shape_and_class_names():
    b = load_dataset("digits")
    assert b.image_shape == (8, 8)
    np.testing.assert_array_equal(b.X[0].reshape(8, 8), sk.load_digits().images[0])
    assert b.class_names == [str(i) for i in range(10)]
    assert load_dataset("iris").class_names == ["setosa", "versicolor", "virginica"]


def test_list_datasets_describes_every_name_in_one_line():
    listing = list_datasets()
    assert set(SHIPPED) | {"mnist", "fashion_mnist", "cifar10", "mnist1d", "csv:PATH", "text:PATH"} == set(listing)
    assert all(desc and "\n" not in desc for desc in listing.values())


def test_names_are_forgiving_about_case_and_dashes_and_unknown_names_list_the_known():
    assert load_dataset("Breast-Cancer").name == "breast_cancer"
    with pytest.raises(ValueError, match="unknown dataset 'imagenet'; known datasets: digits, iris"):
        load_dataset("imagenet")
    with pytest.raises(ValueError, match="only applies to csv:PATH datasets, not .iris."):
        load_dataset("iris", target="species")


def test_xor_is_the_truth_table():
    b = load_dataset("xor")
    np.testing.assert_array_equal(b.y, np.logical_xor(b.X[:, 0], b.X[:, 1]).astype(np.int64))
    assert sorted(map(tuple, b.X.tolist())) == [(0, 0), (0, 1), (1, 0), (1, 1)]


def test_discrete_mapping_samples_scatter_around_their_class_prototype():
    X, y = make_discrete_mapping(n=3000, noise=0.1, seed=1)
    prototypes = np.stack([X[y == k].mean(axis=0) for k in range(3)])
    assert np.all(np.abs(prototypes) <= 1.5 + 0.05)  # A = 3 (U[0,1) - 1/2)
    residual = X - prototypes[y]
    np.testing.assert_allclose(residual.std(axis=0), 0.1, rtol=0.1)
    counts = np.bincount(y)
    assert np.all(np.abs(counts - 1000) < 5 * np.sqrt(3000 * (1 / 3) * (2 / 3)))


def test_seed_changes_the_synthetic_sets_and_fixes_them_when_repeated():
    a, b, c = (load_dataset("discrete_mapping", seed=s) for s in (0, 0, 1))
    np.testing.assert_array_equal(a.X, b.X)
    assert not np.array_equal(a.X, c.X)


def test_blood_sugar_is_six_noisy_points_on_the_documented_curve():
    b = load_dataset("blood_sugar")
    assert b.feature_names == ["dose"] and np.all((b.X >= 0) & (b.X <= 1))
    dose, sugar = make_blood_sugar(n=20000, noise=0.1, seed=5)
    residual = sugar - blood_sugar_curve(dose[:, 0])
    assert abs(residual.mean()) < 5 * 0.1 / np.sqrt(20000)
    np.testing.assert_allclose(residual.std(), 0.1, rtol=0.03)
    np.testing.assert_allclose(blood_sugar_curve(0.65), 0.6 + 1.6 * 0.65 * 0.35)
    # the best possible test MSE is the noise variance, the notes' augmented level (0.00934)
    np.testing.assert_allclose(np.mean(residual**2), 0.01, rtol=0.05)


def test_spirals_arms_have_the_documented_radius_and_angle():
    X, y = make_spirals(n_per_class=50, n_classes=3, noise=0.0)
    r = np.hypot(X[:, 0], X[:, 1])
    np.testing.assert_allclose(r, np.tile(np.linspace(0, 1, 50), 3), atol=1e-6)
    t = np.arctan2(X[:, 0], X[:, 1])
    away = r > 1e-3  # the angle is undefined at the centre
    np.testing.assert_allclose(np.cos(t - 4 * (y + r))[away], 1.0, atol=1e-5)


def test_moons_match_scikit_learn():
    b = load_dataset("moons", seed=4)
    X, y = sk.make_moons(n_samples=500, noise=0.1, random_state=4)
    np.testing.assert_allclose(b.X, X.astype(np.float32))
    np.testing.assert_array_equal(b.y, y)


def test_with_task_switches_between_classification_and_regression():
    b = DatasetBundle("t", np.zeros((4, 1), np.float32), np.array([3.0, 5.0, 3.0, 9.0], np.float32), "regression")
    c = b.with_task("classification")
    assert c.class_names == ["3", "5", "9"]
    np.testing.assert_array_equal(c.y, [0, 1, 0, 2])
    back = c.with_task("regression")
    np.testing.assert_array_equal(back.y, b.y)
    with pytest.raises(ValueError, match="not numbers"):
        load_dataset("iris").with_task("regression")
    with pytest.raises(ValueError, match="not whole numbers"):
        load_dataset("blood_sugar").with_task("classification")


def test_bundle_validates_its_contract():
    with pytest.raises(ValueError, match="float32"):
        DatasetBundle("t", np.zeros((2, 1)), np.zeros(2, np.int64), "classification", ["a"])
    with pytest.raises(ValueError, match="index class_names"):
        DatasetBundle("t", np.zeros((2, 1), np.float32), np.array([0, 2]), "classification", ["a", "b"])
    with pytest.raises(ValueError, match="image_shape"):
        DatasetBundle("t", np.zeros((2, 5), np.float32), np.zeros(2, np.float32), "regression", image_shape=(2, 2))
