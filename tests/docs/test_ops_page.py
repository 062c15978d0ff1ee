"""docs/ops.md runs: its >>> examples are executed and their printed answers compared."""

import doctest
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "ops.md"


def test_ops_page_examples():
    text = re.sub(r"^```\w*$", "", DOC.read_text(), flags=re.M)  # code fences would read as expected output
    test = doctest.DocTestParser().get_doctest(text, {}, DOC.name, str(DOC), 0)
    assert len(test.examples) > 40
    runner = doctest.DocTestRunner(optionflags=doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE)
    report = []
    runner.run(test, out=report.append)
    assert runner.failures == 0, "".join(report)
