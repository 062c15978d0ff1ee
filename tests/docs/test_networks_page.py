"""docs/networks.md: its code blocks run and the values their comments promise hold (expected values from the
closed form stated next to them and from the benchmark's published range)."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[2]


def blocks() -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / "docs/networks.md").read_text(), re.S)


def run(code: str) -> dict:
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, "networks.md", "exec"), namespace)
    return namespace


def test_cuba_example_runs_and_records_only_what_was_asked():
    values = run(blocks()[0])
    assert 3.0 < values["rate"] < 10.0  # Brian2's CUBA example fires at about 5.6 Hz
    assert values["v"].shape == (2001, 2)
    assert values["binned"].shape == (40,)
    np.testing.assert_allclose(values["binned"].mean(), values["rate"], rtol=1e-12)


def test_single_synapse_example_matches_its_closed_form():
    values = run(blocks()[1])
    assert values["error"] < 1e-15
