"""ann-to-snn and snn-surrogate in fast mode (issue 15): converted digits networks reach their rate networks' accuracy;
spiking networks trained with surrogate gradients learn."""

from experiment_testing import check_outputs


def test_converted_networks_approach_their_rate_accuracy(results):
    numbers, out = results("ann-to-snn")
    check_outputs(numbers, out)
    for label in ("SoftLIF", "ReLU", "ReLU->LIF", "CNN", "CNN->LIF"):
        run = numbers["runs"][label][0]
        assert run["rate_accuracy"] > 0.9, label
        assert run["spiking_accuracy"] >= run["rate_accuracy"] - (0.03 if label.endswith("LIF") else 0.02), label
        assert min(run["curve"]) < run["curve"][-1]  # rising with presentation time
        assert run["times"][0] == numbers["dt"] and len(run["times"]) == 200
        assert run["times"][-1] == numbers["presentation"]
    assert set(numbers["tau_s_sweep"]) >= {"0", "0.005"} and set(numbers["dt_sweep"]) >= {"0.001", "0.002"}
    assert 0 < numbers["simulation_seconds"] < 30


def test_surrogate_gradient_network_learns_digits(results):
    numbers, out = results("snn-surrogate")
    check_outputs(numbers, out)
    for run in numbers["runs"]:
        assert run["test_accuracy"] > 0.6, run["surrogate"]  # chance is 0.1; the full run reaches >= 0.95
        assert run["epoch_train_loss"][-1] < 0.6 * run["epoch_train_loss"][0]
