"""docs/autodiff.md runs: its >>> examples are executed and their printed answers compared."""

import doctest
import re
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "autodiff.md"


def test_autodiff_page_examples(tmp_path, monkeypatch):
    if not DOC.exists():
        pytest.skip("docs/autodiff.md is not in this checkout")
    monkeypatch.chdir(tmp_path)  # render() in the page writes graph.svg here, not into docs/
    text = re.sub(r"^```\w*$", "", DOC.read_text(), flags=re.M)  # code fences would read as expected output
    test = doctest.DocTestParser().get_doctest(text, {}, DOC.name, str(DOC), 0)
    assert len(test.examples) > 30
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []  # collected, not printed: doctest captures stdout while it reports
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
    assert (tmp_path / "graph.dot").read_text().startswith("digraph")
