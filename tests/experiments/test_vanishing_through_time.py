"""vanishing-gradients-through-time (fast mode): the claims of its docstring hold."""

import numpy as np
import pytest
from experiment_testing import check_outputs


def test_gradient_through_time_vanishes_for_the_rnn_and_gates_keep_it(results):
    numbers, out = results("vanishing-gradients-through-time")
    check_outputs(numbers, out)
    init, trained = numbers["first_to_last_ratio"]["init"], numbers["first_to_last_ratio"]["trained"]
    assert init["RNN"] < 1e-4  # geometric decay over 19 steps
    assert init["RNN"] < init["GRU"] and init["RNN"] < init["LSTM"]
    assert trained["GRU"] > 1e-2 and trained["GRU"] > 100 * trained["RNN"]
    rnn = np.asarray(numbers["gradient_norms"]["init"]["RNN"])
    assert np.all(np.diff(np.log(rnn)) < 0)  # falls at every step back


def test_gated_units_learn_where_the_rnn_fails(results):
    numbers, _ = results("vanishing-gradients-through-time")
    final = numbers["final_mse"]
    longest = str(numbers["lengths"][-1])
    assert final[longest]["RNN"] > 0.1  # stuck at the trivial predictor (1/6)
    assert final[longest]["GRU"] < 0.05
    for length in final:
        assert final[length]["GRU"] < final[length]["RNN"]
    assert numbers["trivial_mse"] == pytest.approx(1 / 6)


def test_exploding_gradient_and_clipping(results):
    numbers, _ = results("vanishing-gradients-through-time")
    exploding = numbers["exploding"]
    norms = exploding["gradient_norms"]
    assert norms[-1] / norms[0] > 1e3  # grows ~gain per step back
    sgd = exploding["sgd"]
    assert sgd["unclipped"]["gradient_norms"][0] > 1e3
    assert max(sgd["clipped"]["gradient_norms"]) > 1  # clipping was active
    assert sgd["clipped"]["weight_hh_moved"] <= 0.01 * len(sgd["clipped"]["losses"]) + 1e-6  # lr x max_norm per step
    assert sgd["unclipped"]["weight_hh_moved"] > 100 * sgd["clipped"]["weight_hh_moved"]
