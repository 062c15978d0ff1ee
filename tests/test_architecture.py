"""The layer rule of docs/architecture.md, checked by scripts/import_graph.py on every module's AST."""

import importlib.util
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "scripts" / "import_graph.py"

spec = importlib.util.spec_from_file_location("import_graph", SCRIPT)
import_graph = importlib.util.module_from_spec(spec)
spec.loader.exec_module(import_graph)


@pytest.fixture(scope="module")
def graph():
    return import_graph.build(ROOT / "src" / "neuronlab")


def test_every_unit_is_placed_in_a_layer(graph):
    assert graph["unplaced"] == [], f"add these to LAYERS in scripts/import_graph.py: {graph['unplaced']}"


def test_no_layer_imports_a_layer_above_it(graph):
    found = [f"{e['src']} -> {e['dst']} at {e['sites']}" for e in graph["violations"]]
    assert found == [], "a layer imports a layer above it:\n" + "\n".join(found)


def test_no_import_cycle_between_packages(graph):
    assert graph["cycles"] == []


@pytest.mark.parametrize("lower", ["io", "nn"])
def test_io_and_nn_never_import_train(graph, lower):
    assert f"{lower} -> train" not in graph["edges"]


def test_nothing_below_cli_imports_cli(graph):
    assert [key for key, e in graph["edges"].items() if e["dst"] == "cli" and e["src"] != "__main__"] == []


def test_script_fails_on_an_upward_import(tmp_path):
    package = tmp_path / "neuronlab"
    for unit in ("nn", "train"):
        (package / unit).mkdir(parents=True)
        (package / unit / "__init__.py").write_text("")
    (package / "__init__.py").write_text("")
    (package / "nn" / "module.py").write_text("def f():\n    from neuronlab.train import fit\n")
    result = subprocess.run([sys.executable, str(SCRIPT), "--root", str(package)], capture_output=True, text=True)
    assert result.returncode == 1
    assert "nn -> train" in result.stdout and "(local)" in result.stdout


def test_script_passes_on_a_clean_tree(tmp_path):
    package = tmp_path / "neuronlab"
    (package / "ops").mkdir(parents=True)
    (package / "__init__.py").write_text("")
    (package / "ops" / "__init__.py").write_text("from ..autograd import Tensor\n")
    (package / "autograd.py").write_text("import numpy\n")
    result = subprocess.run([sys.executable, str(SCRIPT), "--root", str(package)], capture_output=True, text=True)
    assert result.returncode == 0, result.stdout
    assert "ops          -> autograd" in result.stdout
