"""``neuronlab neuron network --benchmark cuba|coba``: figures and summary.json, one-line errors (exit 2)."""

import json

import pytest
from click.testing import CliRunner

from neuronlab.cli.main import cli


def run(*args):
    return CliRunner().invoke(cli, ["neuron", "network", *args], catch_exceptions=False)


@pytest.mark.parametrize("benchmark", ["cuba", "coba"])
def test_benchmark_writes_figures_and_summary(tmp_path, benchmark):
    result = run("--benchmark", benchmark, "--duration", "0.02", "--seed", "2", "--out", str(tmp_path))
    assert result.exit_code == 0, result.output
    for name in ("raster", "population_rate", "rate_histogram"):
        assert (tmp_path / f"{name}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    summary = json.loads((tmp_path / "summary.json").read_text())
    assert summary["benchmark"] == benchmark and summary["n_neurons"] == 4000 and summary["seed"] == 2
    assert summary["spikes"] > 0 and summary["wall_time_s"] > 0
    assert summary["mean_rate_hz"] == pytest.approx(summary["spikes"] / 4000 / 0.02)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--benchmark", "abc"], "'abc' is not one of"),
        (["--benchmark", "cuba", "--duration", "-1"], "duration must be > 0"),
        (["--benchmark", "coba", "--duration", "nan"], "finite"),
        (["--benchmark", "cuba", "--dt", "0.01"], "dt = 0.01 is larger than"),
    ],
)
def test_bad_benchmark_options_are_one_line_errors(tmp_path, args, message):
    result = run(*args, "--out", str(tmp_path))
    assert result.exit_code == 2
    assert message in result.output and len(result.output.strip().splitlines()) == 1
