"""docs/architecture.md's worked examples are copied from the code: every line of its python blocks exists in
src/ or tests/, so the page cannot drift from the names it teaches."""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PAGE = ROOT / "docs" / "architecture.md"
SOURCES = "\n".join(p.read_text() for d in ("src", "tests") for p in (ROOT / d).rglob("*.py"))
LINES = [
    line.strip()
    for block in re.findall(r"```python\n(.*?)```", PAGE.read_text(), re.S)
    for line in block.splitlines()
    if line.strip() and line.strip() != "..."
]


@pytest.mark.parametrize("line", LINES)
def test_example_line_is_in_the_code(line):
    assert line in SOURCES


def test_architecture_page_is_in_the_nav():
    assert "architecture.md" in (ROOT / "mkdocs.yml").read_text()
