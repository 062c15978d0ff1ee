"""docs/autodiff.md runs: its >>> examples are executed and their printed answers compared."""
import doctest
import re
import shutil
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "autodiff.md"


def test_autodiff_page_examples(tmp_path, monkeypatch, capsys):
    if not DOC.exists():
        pytest.skip("docs/autodiff.md is not in this checkout")
    monkeypatch.chdir(tmp_path)  # render() in the page writes graph.svg here, not into docs/
    text = re.sub(r"^```\w*$", "", DOC.read_text(), flags=re.M)  # code fences would read as expected output
    test = doctest.DocTestParser().get_doctest(text, {}, DOC.name, str(DOC), 0)
    assert len(test.examples) > 30
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    runner.run(test, out=lambda message: print(message, end=""))
    report = capsys.readouterr().out
    assert runner.failures == 0, report
    if shutil.which("dot"):
        assert (tmp_path / "graph.svg").read_text().lstrip().startswith(("<?xml", "<svg"))
