"""infer_task: the task a target column asks for, and the check of an override (issue 17, item 4)."""

import numpy as np
import pytest

from neuronlab.data import DatasetBundle, TaskInference, infer_task, load_dataset


def test_text_labels_are_classes():
    inference = infer_task(np.array(["b", "a", "b", "c"]))
    assert inference == TaskInference("classification", 3, "text labels 'a', 'b', 'c'")
    assert str(inference) == "classification, 3 classes (text labels 'a', 'b', 'c')"


def test_few_whole_numbers_are_classes_and_everything_else_is_regression():
    assert infer_task([0, 1, 1, 2]).num_classes == 3
    assert infer_task(np.arange(20.0)).task == "classification"
    many = infer_task(np.arange(21.0))
    assert many.task == "regression" and "21 distinct values from 0 to 20" in many.reason
    fractions = infer_task([1.0, 2.5, 3.0])
    assert fractions.task == "regression" and fractions.num_classes is None and "not whole (2.5)" in fractions.reason


def test_a_single_class_is_reported_with_its_count():
    assert infer_task(np.array(["yes", "yes"])).num_classes == 1
    assert str(infer_task([4, 4, 4])).startswith("classification, 1 class (whole numbers with 1 distinct value")


def test_an_override_to_classification_needs_whole_numbers_that_are_classes():
    diabetes = load_dataset("diabetes").y  # 214 whole numbers from 25 to 346
    with pytest.raises(ValueError, match="214 distinct whole numbers from 25 to 346: a quantity, not 214 classes"):
        infer_task(diabetes, "classification")
    with pytest.raises(ValueError, match=r"not whole numbers \(0.5\)"):
        infer_task([0.5, 1.0], "classification")
    indices = infer_task(np.arange(100) % 37, "classification")  # class indices 0..36
    assert indices.task == "classification" and indices.num_classes == 37
    assert infer_task(np.arange(1, 31), "classification").num_classes == 30  # 1..K


def test_an_override_to_regression_needs_numbers():
    with pytest.raises(ValueError, match="text labels .* cannot be a regression target"):
        infer_task(["cat", "dog"], "regression")
    inference = infer_task([0, 1, 1], "regression")
    assert inference.task == "regression" and "read alone: classification, 2 classes" in inference.reason


def test_bad_columns_and_tasks_are_refused():
    with pytest.raises(ValueError, match="task must be one of classification, regression"):
        infer_task([1, 2], "binary")
    with pytest.raises(ValueError, match="NaN or infinite"):
        infer_task([1.0, np.nan])
    with pytest.raises(ValueError, match="1-D"):
        infer_task(np.zeros((2, 2)))
    with pytest.raises(ValueError, match="empty"):
        infer_task([])


def test_with_task_applies_the_same_check():
    with pytest.raises(ValueError, match="dataset 'diabetes': the target holds 214 distinct whole numbers"):
        load_dataset("diabetes").with_task("classification")
    xor = load_dataset("xor").with_task("regression")
    assert xor.task == "regression" and xor.task_reason.startswith("as requested")


def test_a_bundle_refuses_non_finite_inputs_and_targets():
    X = np.ones((3, 2), np.float32)
    X[1, 1] = np.inf
    with pytest.raises(ValueError, match="X holds the non-finite value inf at sample 1, column 1"):
        DatasetBundle("t", X, np.zeros(3, np.int64), "classification", ["a"])
    with pytest.raises(ValueError, match="y holds the non-finite value nan at sample 2"):
        DatasetBundle("t", np.ones((3, 2), np.float32), np.array([1, 2, np.nan], np.float32), "regression")


def test_every_bundle_says_why_it_has_its_task():
    assert load_dataset("iris").task_reason == "the registered task of 'iris'"
