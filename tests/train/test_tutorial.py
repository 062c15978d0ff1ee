"""docs/tutorial.md: its Python blocks run as written and print what the page shows (up to rounding)."""

import contextlib
import io
import re
from pathlib import Path

DOC = Path(__file__).resolve().parents[2] / "docs" / "tutorial.md"


def run_blocks():
    outputs = []
    for code in re.findall(r"```python\n(.*?)```", DOC.read_text(), re.S):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(compile(code, str(DOC), "exec"), {})
        outputs.append(out.getvalue().splitlines())
    return outputs


def test_tutorial_blocks_run(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the second block writes digits.safetensors
    by_hand, with_fit = run_blocks()
    assert [line.split(":")[0] for line in by_hand[:4]] == ["epoch 5", "epoch 10", "epoch 15", "epoch 20"]
    losses = [float(line.split()[-1]) for line in by_hand[:4]]
    assert losses[-1] < losses[0] / 3
    assert float(by_hand[-1].split()[-1]) >= 0.95  # the page shows 0.970
    epochs, best = map(int, re.match(r"(\d+) epochs, best (\d+)", with_fit[0]).groups())
    assert epochs == best + 15  # early stopping with patience 15
    assert float(with_fit[1].split()[-1]) >= 0.97  # the page shows 0.978
    assert with_fit[2] == "True" and (tmp_path / "digits.safetensors").is_file()
