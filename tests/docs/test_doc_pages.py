"""The code blocks of docs pages that no other test runs (optimizers.md, neurons.md, README.md) execute, and
the values their comments promise hold (expected values from the formulas stated next to them)."""

import contextlib
import io
import re
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]


def blocks(page: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", (ROOT / page).read_text(), re.S)


def run(code: str, name: str) -> dict:
    namespace = {}
    with contextlib.redirect_stdout(io.StringIO()):
        exec(compile(code, name, "exec"), namespace)
    return namespace


@pytest.mark.parametrize("index", range(len(blocks("docs/optimizers.md"))))
def test_optimizer_page_examples_run(index):
    run(blocks("docs/optimizers.md")[index], f"optimizers.md:example{index}")


def test_optimizer_page_promised_values():
    examples = blocks("docs/optimizers.md")
    schedule = run(next(b for b in examples if "LambdaLR" in b), "optimizers.md:LambdaLR")
    np.testing.assert_allclose(schedule["rates"], [0.1 / (1 + 0.5 * t) for t in range(1, 6)], rtol=1e-12)
    clipped = run(next(b for b in examples if "clip_grad_norm_" in b), "optimizers.md:clip")
    assert float(clipped["total"]) == pytest.approx(50.0)
    np.testing.assert_allclose(clipped["w"].grad.data, [0.6, 0.8], rtol=1e-6)


def test_neurons_page_example():
    from neuronlab.neurons import lif_rate

    (code,) = blocks("docs/neurons.md")
    values = run(code, "neurons.md:example")
    np.testing.assert_array_equal(values["lif"].rates, [0, 41, 99])
    np.testing.assert_allclose(values["lif"].isi_rates()[1:], lif_rate(np.array([1.5, 3.0])), rtol=1e-12)
    np.testing.assert_array_equal(values["hh"].rates, [70])


def test_readme_first_look():
    first = blocks("README.md")[0]
    values = run(first, "README.md:example0")
    assert values["x"].grad.item() == pytest.approx(np.cos(1.5) + 2, rel=1e-6)
    assert values["y"].grad.item() == pytest.approx(1.5)
    run(blocks("README.md")[1], "README.md:example1")


# Sweeps, TensorBoard and ONNX export (issue 16)
PAGES = ["docs/sweeps.md", "docs/export.md"]


@pytest.mark.parametrize("page, index", [(page, i) for page in PAGES for i in range(len(blocks(page)))])
def test_sweep_and_export_page_examples_run(page, index):
    code = blocks(page)[index]
    if "onnxruntime" in code:
        pytest.importorskip("onnxruntime", reason="the ONNX example needs pip install 'neuronlab[onnx]'")
    if "TensorBoard(" in code:
        pytest.importorskip("tensorboardX", reason="the TensorBoard example needs pip install 'neuronlab[tensorboard]'")
    values = run(code, f"{page}:example{index}")
    if "sweep" in values:
        assert len(values["trials"]) == 12 and values["sweep"].parameters == ["lr", "hidden", "weight_decay"]
        assert (values["trials"][0]["lr"], values["trials"][0]["hidden"]) == (0.001, "16")
    if "logits" in values:
        assert values["logits"].dtype == np.float32 and values["logits"].shape == (100, 10)
        reference = values["model_outputs"](values["model"], values["digits"].X[:100], values["scaler"])
        np.testing.assert_allclose(values["logits"], reference, atol=1e-5, rtol=1e-5)
    if "scores" in values:
        expected = values["gru"](values["neuronlab"].Tensor(values["X"][:50])).data
        assert values["scores"].shape == (50, 10)
        np.testing.assert_allclose(values["scores"], expected, atol=1e-5, rtol=1e-5)
    if "log_dir" in values:
        from pathlib import Path

        assert list(Path(values["log_dir"]).glob("events.out.tfevents.*"))
