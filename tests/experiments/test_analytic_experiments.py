"""The notes' analytic experiments in fast mode: each run's JSON numbers must support the claim it reproduces.

Expected values come from the notes and from closed forms (the L1/L2 minimizers, the factor 2 per layer of the
exploding chain, the 1/4 bound of the logistic's slope), never from the experiments' own code.
"""

import numpy as np
import pytest
from experiment_testing import check_outputs

from neuronlab.experiments import run_experiment


def test_optimizer_paths_momentum_beats_gradient_descent(results):
    numbers, out = results("optimizer-paths")
    check_outputs(numbers, out)
    methods = numbers["methods"]
    assert methods["Momentum"]["steps_to_tolerance"] < methods["GD"]["steps_to_tolerance"]
    assert numbers["same_lr"]["Momentum"] < numbers["same_lr"]["GD"]
    # gradient descent's contraction per step along x is at best |1 - 2 lr| with lr < 2/200 (stable in y):
    # reaching |x| < 1e-3 from x = 10 takes at least log(1e4) / -log(1 - 2/100) steps
    assert methods["GD"]["steps_to_tolerance"] >= np.log(1e4) / -np.log(1 - 0.02)
    assert methods["GD"]["lr"] < 2 / 200
    for label in ("GD", "Momentum", "Nesterov", "AdaGrad", "Adam"):
        assert methods[label]["final_f"] < 1e-6


def test_init_histograms_he_keeps_the_spread_where_small_weights_collapse_it(results):
    numbers, out = results("init-histograms")
    check_outputs(numbers, out)
    relu = numbers["std"]["relu"]
    assert 0.5 < relu["He"][-1] / relu["He"][0] < 2
    assert relu["std 0.01"][-1] / relu["std 0.01"][0] < 1e-3
    # each ReLU layer with std 0.01 multiplies the variance by about N Var(W) / 2 = 100 * 1e-4 / 2
    factors = np.array(relu["std 0.01"][1:]) / np.array(relu["std 0.01"][:-1])
    assert np.all((factors > 0.03) & (factors < 0.15))
    assert relu["std 1"][-1] > 100 * relu["std 1"][0]  # and std 1 explodes (factor ~ sqrt(50) per layer)
    saturated = numbers["sigmoid_saturated_fraction"]
    assert min(saturated["std 1"]) > 0.3
    assert max(saturated["Glorot"]) < 0.01
    assert max(numbers["std"]["sigmoid"]["std 0.01"]) < 0.03  # every unit stuck near sigmoid(0) = 0.5
    assert all(0.4 < z < 0.6 for z in numbers["relu_zero_fraction"]["He"])


def test_vanishing_gradients_sigmoid_shrinks_relu_keeps_the_norm(results):
    numbers, out = results("vanishing-gradients")
    check_outputs(numbers, out)
    for factor in numbers["per_layer_factor"]["sigmoid"].values():
        assert factor < 0.3  # the logistic's slope is at most 1/4
    for ratio in numbers["first_to_last_hidden_ratio"]["relu"].values():
        assert 0.1 < ratio < 10
    assert numbers["first_to_last_hidden_ratio"]["sigmoid"]["20"] < 1e-8
    ratios = [numbers["first_to_last_hidden_ratio"]["sigmoid"][str(d)] for d in numbers["depths"]]
    assert ratios == sorted(ratios, reverse=True)
    chain = numbers["exploding_chain_norms"]["5"]
    assert chain[0] / chain[-1] == pytest.approx(16, rel=1e-12)  # notes 003 §6.2: dE/dz(1) = 16 dE/dz(5)
    np.testing.assert_allclose(numbers["exploding_chain_factors"]["10"], 2.0, rtol=1e-12)


def test_batchnorm_trains_deeper_networks(results):
    numbers, out = results("batchnorm")
    check_outputs(numbers, out)
    deepest = str(max(numbers["depths"]))
    plain, normalized = numbers["results"]["plain"][deepest], numbers["results"]["batchnorm"][deepest]
    assert normalized["test_accuracy"] > 0.85
    assert plain["test_accuracy"] < 0.3  # stuck near chance (10 classes)
    assert plain["loss"][-1] > 0.9 * np.log(10)  # never left the plateau at ln 10
    assert normalized["loss"][-1] < normalized["loss"][0]
    assert numbers["deepest_that_trains"]["batchnorm"] == int(deepest)
    assert (numbers["deepest_that_trains"]["plain"] or 0) < int(deepest)


def test_l1_puts_w1_at_zero_and_l2_shrinks_both(results):
    numbers, out = results("l1-vs-l2")
    check_outputs(numbers, out)
    # closed forms: (1, 4) (w - (3, 6)) / ((1, 4) + 1) for L2; soft thresholding (max(3 - 5, 0), 6 - 10/8) for L1
    np.testing.assert_allclose(numbers["closed_form"]["l2"], [1.5, 4.8], atol=1e-12)
    np.testing.assert_allclose(numbers["closed_form"]["l1"], [0.0, 4.75], atol=1e-12)
    np.testing.assert_allclose(numbers["scipy"]["l2"], [1.5, 4.8], atol=1e-5)
    np.testing.assert_allclose(numbers["scipy"]["l1"], [0.0, 4.75], atol=1e-5)
    for label, run in numbers["runs"].items():
        exact = [0.0, 4.75] if run["penalty"] == "l1" else [1.5, 4.8]
        np.testing.assert_allclose(run["minimizer"], exact, atol=1e-3, err_msg=label)
        if run["penalty"] == "l1":
            assert abs(run["minimizer"][0]) < 1e-3, label
    assert numbers["runs"]["L1, proximal GD"]["minimizer"][0] == 0.0


def test_universal_approximation_error_falls_with_n(results):
    numbers, out = results("universal-approximation")
    check_outputs(numbers, out)
    built = {int(n): e for n, e in numbers["max_error"]["constructed"].items()}
    ns = sorted(built)
    assert [built[n] for n in ns] == sorted(built.values(), reverse=True)
    lipschitz = 2 * np.pi + 0.5  # max |f'| of sin(2 pi x) + |x - 0.6| / 2
    for n in ns:  # on a piece of width 1/N, |f(x) - f(a_j)| <= L / N (plus the steep steps' rounding)
        assert built[n] <= 1.05 * lipschitz / n
        assert built[n] >= 0.5 * lipschitz / n  # and the first-order error is really there
    trained = {int(n): e for n, e in numbers["max_error"]["trained"].items()}
    assert trained[max(trained)] < trained[min(trained)] / 10
    assert trained[max(trained)] < 0.05
    assert trained[1] > 0.5  # one sigmoid cannot follow a full sine period


def test_gradient_check_every_layer_below_1e_6(results):
    numbers, out = results("gradient-check")
    check_outputs(numbers, out)
    layers = {row["layer"] for row in numbers["rows"]}
    for name in (
        "Linear",
        "Sigmoid",
        "Tanh",
        "ReLU",
        "LeakyReLU",
        "ELU",
        "GELU",
        "Softmax",
        "LogSoftmax",
        "Dropout (fixed mask)",
        "BatchNorm1d (training)",
        "BatchNorm1d (eval)",
        "MSELoss",
        "L1Loss",
        "BCELoss",
        "BCEWithLogitsLoss",
        "CrossEntropyLoss",
        "NLLLoss",
        "Flatten",
    ):
        assert name in layers
    assert numbers["failing"] == []
    assert all(row["relative_error"] < 1e-6 for row in numbers["rows"])
    assert {row["wrt"] for row in numbers["rows"] if row["layer"] == "Linear"} == {"input", "weight", "bias"}


def test_gradient_check_catches_a_wrong_backward():
    """The harness has teeth: a layer whose backward forgets a factor 2 is reported."""
    from neuronlab.autograd import Function, Tensor
    from neuronlab.experiments.gradient_check import check

    class WrongSquare(Function):
        def forward(self, x):
            self.save_for_backward(x)
            return x * x

        def backward(self, gy):
            (x,) = self.saved
            return gy * x  # should be 2 x

    x = Tensor(np.linspace(0.5, 2.0, 6).reshape(2, 3), requires_grad=True)
    errors = check(lambda: WrongSquare.apply(x), {"input": x}, np.random.default_rng(0))
    assert errors["input"] == pytest.approx(1 / 3, rel=1e-6)  # |x - 2x| / (|x| + |2x|)


def test_xor_classifies_all_four_points(results):
    numbers, out = results("xor")
    check_outputs(numbers, out)
    assert numbers["targets"] == [0, 1, 1, 0]  # (1,1), (1,0), (0,1), (0,0): A XOR B
    assert numbers["predicted"] == numbers["targets"] and numbers["correct"] == 4
    outputs = np.array(numbers["outputs"])
    assert np.all(outputs[[1, 2]] > 0.9) and np.all(outputs[[0, 3]] < 0.1)


def test_cheap_experiments_are_deterministic_under_the_seed(tmp_path):
    for name in ("vanishing-gradients", "xor"):
        first = run_experiment(name, tmp_path / "a", seed=3, fast=True)
        second = run_experiment(name, tmp_path / "b", seed=3, fast=True)
        assert first == second
    other = run_experiment("xor", tmp_path / "c", seed=4, fast=True)
    assert other["weights"] != first["weights"]
