"""docs/api.md lists exactly the public ops, each with a PyTorch name that exists (so the page cannot drift)."""

import re
from pathlib import Path

import pytest

import neuronlab.ops
from neuronlab.nn import functional

PAGE = Path(__file__).resolve().parents[2] / "docs" / "api.md"
ROW = re.compile(r"^\| `(nl|F)\.(\w+)` \| (?:`([\w.]+)`|—) \|", re.M)


def rows() -> list[tuple[str, str, str | None]]:
    return ROW.findall(PAGE.read_text())


def test_every_public_op_is_listed_once():
    listed = [(namespace, name) for namespace, name, _ in rows()]
    assert len(listed) == len(set(listed)), "an op is listed twice"
    public = {("nl", n) for n in neuronlab.ops.__all__} | {("F", n) for n in functional.__all__}
    assert set(listed) == public, (
        f"missing from docs/api.md: {sorted(public - set(listed))}; "
        f"listed but not public: {sorted(set(listed) - public)}"
    )


def test_listed_names_exist():
    import neuronlab as nl

    for namespace, name, _ in rows():
        assert callable(getattr(nl if namespace == "nl" else functional, name))


def test_pytorch_names_exist():
    torch = pytest.importorskip("torch", reason="PyTorch not installed: names not checked")
    for _, name, torch_name in rows():
        if torch_name:
            obj = torch
            for part in torch_name.split(".")[1:]:
                obj = getattr(obj, part, None)
            assert obj is not None, f"{name}: {torch_name} does not exist in PyTorch {torch.__version__}"
