import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "data.md"


def test_the_data_docs_example_runs_and_prints_what_it_says():
    code = re.search(r"```python\n(.*?)```", DOC.read_text(), re.S).group(1)
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    assert out.getvalue().split("\n")[:3] == ["1257 270 270", "20 iterations per epoch", "True"]


def test_the_csv_example_prints_what_its_comments_say():
    code = re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S)[1]
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, str(DOC), "exec"), {})
    lines = out.getvalue().split("\n")
    assert lines[:2] == ["classification ['bream', 'perch'] float32", "text labels 'bream', 'perch'"]
    assert lines[2] == (
        "row 2 (line 3), column 'price': non-numeric target value 'NA' (2 of the 3 target values are "
        "numbers); expected a number"
    )
    assert lines[3] == "regression (numbers that are not whole (1.25, 2.5), 3 distinct values)"
    assert lines[4].startswith(
        "the target holds 325 distinct whole numbers from 25 to 349: a quantity, not 325 classes"
    )
