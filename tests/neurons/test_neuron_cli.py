"""``neuronlab neuron ...``: each subcommand writes its PNG and CSV files and reports where."""

import math
import warnings

import numpy as np
import pytest
from click.testing import CliRunner

from neuronlab.cli.main import cli


def run(*args):
    result = CliRunner().invoke(cli, ["neuron", *args], catch_exceptions=False)
    return result


def read_csv(path):
    return np.genfromtxt(path, delimiter=",", names=True)


def check_png(path):
    assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and path.stat().st_size > 5000


def test_hh(tmp_path):
    result = run("hh", "--current", "10", "--t-end", "40", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert str(tmp_path / "hh.png") in result.output and "spikes" in result.output
    check_png(tmp_path / "hh.png")
    data = read_csv(tmp_path / "hh.csv")
    assert data.shape == (4001,) and set(data.dtype.names) == {"t_ms", "current_uA_cm2", "V_mV", "m", "h", "n", "spike"}
    assert data["spike"].sum() == 3 and data["V_mV"].max() > 20 and np.all(data["current_uA_cm2"] == 10)
    assert "3 spikes in 40 ms (75.0 Hz)" in result.output  # 3 spikes / 0.04 s


def test_hh_sweep(tmp_path):
    result = run("hh", "--sweep=-10,0,20", "--t-end", "60", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    data = read_csv(tmp_path / "hh.csv")
    assert data["current_uA_cm2"][0] == -10 and data["current_uA_cm2"][-1] == 20
    assert data["V_mV"][1999] < -70


def test_lif(tmp_path):
    result = run("lif", "--input", "1.5", "--t-end", "0.1", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    assert "41.715 Hz" in result.output  # G(1.5) = 1 / (0.002 + 0.02 ln 3)
    check_png(tmp_path / "lif.png")
    data = read_csv(tmp_path / "lif.csv")
    assert data.shape == (1001,) and data["spike"].sum() == 4 and data["v"].max() < 1
    spikes = np.atleast_1d(np.loadtxt(tmp_path / "lif_spikes.csv", skiprows=1))
    np.testing.assert_allclose(np.diff(spikes), 0.002 + 0.02 * np.log(3), atol=1e-12)


def test_tuning(tmp_path):
    result = run("tuning", "--tau-ref", "0.002,0.004", "--tau-m", "0.02", "--points", "11", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    check_png(tmp_path / "tuning.png")
    data = read_csv(tmp_path / "tuning.csv")
    assert data.shape == (22,)
    firing = data["v_in"] > 1
    expected = 1 / (data["tau_ref_s"][firing] - data["tau_m_s"][firing] * np.log(1 - 1 / data["v_in"][firing]))
    np.testing.assert_allclose(data["analytic_hz"][firing], expected, rtol=1e-9)
    np.testing.assert_allclose(data["simulated_hz"], data["analytic_hz"], rtol=1e-6)


def test_synapse(tmp_path):
    result = run("synapse", "--t-end", "0.5", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    check_png(tmp_path / "synapse.png")
    kernels = read_csv(tmp_path / "kernels.csv")
    for n in (0, 1, 2):  # unit area; plotted up to x = t / tau_s = 8 it is 1 - e^-x sum_{i<=n} x^i / i!
        truncated = 1 - np.exp(-8.0) * sum(8.0**i / math.factorial(i) for i in range(n + 1))
        assert np.trapezoid(kernels[f"h{n}"], kernels["t_s"]) == pytest.approx(truncated, abs=1e-3)
    filtered = read_csv(tmp_path / "filtered.csv")
    assert filtered.shape == (5001,) and (tmp_path / "spikes.csv").exists()


def test_network(tmp_path):
    result = run("network", "--neurons", "40", "--t-end", "0.2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    check_png(tmp_path / "network.png")
    spikes, rates = read_csv(tmp_path / "spikes.csv"), read_csv(tmp_path / "rates.csv")
    assert rates.shape == (40,) and spikes.size > 0
    counts = np.bincount(spikes["neuron"].astype(int), minlength=40)
    np.testing.assert_allclose(rates["rate_hz"], counts / 0.2)


def test_network_with_one_neuron_has_no_inhibitory_population(tmp_path):
    # round(0.8 * 1) = 1 excitatory neuron, none inhibitory: no mean of an empty population (NaN, RuntimeWarning)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        result = run(
            "network", "--neurons", "1", "--input-range", "1.5", "1.5", "--t-end", "0.2", "--out", str(tmp_path)
        )
    assert result.exit_code == 0, result.output
    assert "nan" not in result.output and "inhibitory none" in result.output
    # alone at v_in = 1.5: first spike at tau_m ln 3, then one every 1 / G(1.5) = 0.002 + 0.02 ln 3 s
    count = math.floor((0.2 - 0.02 * math.log(3)) / (0.002 + 0.02 * math.log(3))) + 1
    assert f"1 of 1 fire: mean rate {count / 0.2:.1f} Hz (excitatory {count / 0.2:.1f}" in result.output


@pytest.mark.parametrize(
    "args, message",
    [
        (["lif", "--dt", "-0.001"], "dt must be > 0"),
        (["lif", "--dt", "0.05"], "larger than tau_m"),
        (["hh", "--dt", "0.2"], "max_dt"),
        (["hh", "--sweep", "1,x"], "comma-separated numbers"),
        (["synapse", "--dt", "0.1"], "larger than tau_s"),
    ],
)
def test_bad_options_exit_with_a_message(tmp_path, args, message):
    result = run(*args, "--out", str(tmp_path))
    assert result.exit_code == 2 and message in result.output
