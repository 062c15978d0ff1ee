import contextlib
import io
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "layers.md"
EXAMPLES = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)


def test_the_page_has_an_example_per_section():
    assert len(EXAMPLES) >= 10


@pytest.mark.parametrize("index", range(len(EXAMPLES)))
def test_every_example_on_the_layers_page_runs(index):
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(EXAMPLES[index], f"{DOC}:example{index}", "exec"), {})
