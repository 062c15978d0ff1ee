"""``neuronlab experiment``: the listing, the error for an unknown name, and one fast run end to end."""

import json

from click.testing import CliRunner

from neuronlab.cli.main import cli
from neuronlab.experiments import experiments

NAMES = list(experiments())


def run(*args):
    return CliRunner().invoke(cli, ["experiment", *args])


def test_list_shows_every_registered_experiment():
    result = run("--list")
    assert result.exit_code == 0, result.output
    lines = result.output.splitlines()
    assert len(lines) == len(NAMES) == len(set(NAMES)) > 0
    for name, line in zip(NAMES, lines):
        assert line.split()[0] == name and experiments()[name].description in line


def test_unknown_name_is_a_usage_error_naming_the_valid_ones(tmp_path):
    result = run("no-such-experiment", "--out", str(tmp_path))
    assert result.exit_code == 2
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "no-such-experiment" in errors[0]
    assert all(name in errors[0] for name in NAMES)
    assert not any(tmp_path.iterdir())


def test_fast_xor_run_prints_its_summary_and_writes_results_and_figure(tmp_path):
    out = tmp_path / "xor"
    result = run("xor", "--fast", "--out", str(out))
    assert result.exit_code == 0, result.output
    numbers = json.loads((out / "results.json").read_text())
    assert numbers["experiment"] == "xor" and numbers["fast"] is True and numbers["seed"] == 0
    header = "xor (reproduces seed 003 section 2.1 (supervised learning, XOR), seed 002 (backpropagation))"
    assert result.output.splitlines() == [header, *numbers["summary"], f"figures and results.json written to {out}"]
    assert numbers["reproduces"].startswith("seed 003 section 2.1")
    assert numbers["figures"] == ["xor.png"]
    assert (out / "xor.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    # XOR's truth table, from the JSON's inputs, and the network's outputs on the right side of 1/2
    xor = [int(a != b) for a, b in numbers["inputs"]]
    assert numbers["targets"] == xor and [int(y > 0.5) for y in numbers["outputs"]] == xor
