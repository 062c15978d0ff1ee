"""The examples of docs/recurrence.md run, and the values their comments promise hold."""

import contextlib
import io
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BLOCKS = re.findall(r"```python\n(.*?)```", (ROOT / "docs/recurrence.md").read_text(), re.S)


@pytest.fixture(scope="module")
def page() -> dict:
    """Run the page's blocks in order in one namespace (later blocks use earlier imports), keeping stdout."""
    namespace, printed = {}, io.StringIO()
    with contextlib.redirect_stdout(printed):
        for k, code in enumerate(BLOCKS):
            exec(compile(code, f"recurrence.md:example{k}", "exec"), namespace)
    namespace["printed"] = printed.getvalue().splitlines()
    return namespace


def test_layer_shapes_and_names(page):
    assert page["printed"][0] == "(4, 25, 32) (4, 4, 16) (4, 4, 16)"
    assert page["printed"][1] == "['weight_ih_l0', 'weight_hh_l0', 'bias_ih_l0', 'bias_hh_l0', 'weight_ih_l0_reverse']"


def test_lengths_example(page):
    assert page["printed"][2:4] == ["0.0", "True"]


def test_truncated_bptt_learns(page):
    assert page["losses"][-1] < 0.1 * page["losses"][0]
    assert page["printed"][4] == "True"


def test_clipping_example(page):
    assert float(page["before"]) > 1e12
    assert page["after"] == pytest.approx(1.0, rel=1e-5)
    assert page["printed"][5] == "True 1.0"


def test_sequence_data_example(page):
    assert page["printed"][6] == "(1000, 20, 2) (1000,) 0.16"
    assert (
        abs(float(((page["y"] - 1) ** 2).mean()) - 1 / 6) < 0.02
    )  # Var(U1 + U2) = 2/12; 3 standard errors at n = 1000
    assert page["printed"][7] == "(5, 10)"


def test_generation_example(page):
    assert page["loss"].item() < 0.2
    assert page["printed"][8] == "lo world. hello worl"


def test_text_file_to_generated_text(page):
    assert page["run"].metrics["test"]["loss"] < 0.2  # nats per character; a uniform guess: ln 9 = 2.2
    assert page["printed"][9] == "or not to be. "
