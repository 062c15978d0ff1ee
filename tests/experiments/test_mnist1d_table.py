"""mnist1d-table (fast mode, 250 of the paper's 8,000 steps): the paper's models and the order of its table."""

import pytest
from experiment_testing import check_outputs

pytest.importorskip("mnist1d", reason="mnist1d not installed (pip install 'neuronlab[sequences]')")

# The parameter counts the paper's repository prints for its models (greydanus/mnist1d, notebooks/models.py)
PAPER_PARAMETERS = {"logistic regression": 410, "MLP": 15210, "CNN": 5210, "GRU": 5134}
PAPER_ACCURACY = {"logistic regression": 0.32, "MLP": 0.68, "CNN": 0.94, "GRU": 0.91}  # the paper's table


def test_the_paper_models_and_recipe(results):
    numbers, out = results("mnist1d-table")
    check_outputs(numbers, out)
    models = numbers["models"]
    assert list(models) == list(PAPER_PARAMETERS)
    assert {name: r["parameters"] for name, r in models.items()} == PAPER_PARAMETERS
    assert (numbers["lr"], numbers["batch_size"]) == (1e-2, 100)
    for name, r in models.items():
        assert r["paper_test_accuracy"] == PAPER_ACCURACY[name]
        assert len(r["test_accuracy_curve"]) == numbers["steps"] // numbers["eval_every"]
        assert r["test_accuracy"] == r["test_accuracy_curve"][-1]
    assert [line.split()[-2] for line in numbers["summary"][1:]] == ["32", "68", "94", "91"]


def test_weight_sharing_orders_the_table(results):
    accuracy = {name: r["test_accuracy"] for name, r in results("mnist1d-table")[0]["models"].items()}
    # a linear model is done learning after a few epochs: the paper's 32 % already
    assert accuracy["logistic regression"] == pytest.approx(PAPER_ACCURACY["logistic regression"], abs=0.05)
    assert accuracy["logistic regression"] + 0.1 < accuracy["MLP"] < accuracy["CNN"] - 0.1
    assert accuracy["GRU"] > accuracy["logistic regression"] + 0.1
