"""The op table covers every Function of the library, and no backward guesses its mode from a value's type."""

import importlib
import inspect
import pkgutil
import re

import numpy as np
from op_specs import CASES, make_arrays

import neuronlab
import neuronlab as nl
from neuronlab.autograd import Function
from neuronlab.autograd.function import OnceDifferentiableBackward
from neuronlab.ops.lif_rate import SurrogateSpike

# Functions that are not math: each needs a reason here, and nothing else may be missing from the table.
NOT_IN_THE_TABLE = {
    OnceDifferentiableBackward,  # the engine's marker on gradients of once_differentiable Functions; only raises
    SurrogateSpike,  # backward is a surrogate by design, not the derivative of its step: tests/ops/test_lif_rate.py
}


def library_functions() -> set:
    """Every Function subclass defined in a neuronlab module (all modules imported first)."""
    for module in pkgutil.walk_packages(neuronlab.__path__, "neuronlab."):
        importlib.import_module(module.name)
    found, stack = set(), [Function]
    while stack:
        for cls in stack.pop().__subclasses__():
            stack.append(cls)
            if cls.__module__.startswith("neuronlab."):
                found.add(cls)
    return found


def _creators(output) -> set:
    """The Function classes in the graph that produced ``output``."""
    seen, kinds, stack = set(), set(), [output]
    while stack:
        fn = stack.pop().creator
        if fn is None or id(fn) in seen:
            continue
        seen.add(id(fn))
        kinds.add(type(fn))
        stack.extend(x for x in fn.inputs if isinstance(x, nl.Tensor))
    return kinds


def test_every_function_is_in_the_op_table():
    covered = set()
    for spec, sample in CASES:
        inputs = [nl.tensor(a, requires_grad=True) for a in make_arrays(spec, sample)]
        covered |= _creators(spec.op(*inputs, **sample.kwargs))
    missing = library_functions() - covered - NOT_IN_THE_TABLE
    assert not missing, (
        "Functions without a row in tests/ops/op_specs.py (values, gradients, gradcheck and "
        f"gradgradcheck): {sorted(f'{c.__module__}.{c.__qualname__}' for c in missing)}"
    )


def test_functions_live_in_ops():
    """nn/ holds Modules only; the autograd package holds the engine's own helper."""
    homes = {cls.__module__.split(".")[1] for cls in library_functions() - NOT_IN_THE_TABLE}
    assert homes == {"ops"}


def test_no_backward_looks_at_the_type_of_its_values():
    """The double-backward contract replaces type sniffing: gy and saved are ndarrays, or Tensors under
    create_graph, and backward is written to work on both."""
    offenders = []
    for cls in library_functions():
        for name in ("backward", "saved_for_graph"):
            method = cls.__dict__.get(name)
            if method is not None and re.search(r"\bisinstance\(|\btype\(", inspect.getsource(method)):
                offenders.append(f"{cls.__qualname__}.{name}")
    assert offenders == []


def test_the_coverage_check_can_fail():
    class Unlisted(Function):
        def forward(self, x):
            return x

        def backward(self, gy):
            return gy

    Unlisted.__module__ = "neuronlab.ops.unlisted"
    try:
        assert Unlisted in library_functions()
        y = Unlisted.apply(nl.tensor(np.ones(2), requires_grad=True))
        assert Unlisted in _creators(y)
    finally:
        Unlisted.__module__ = __name__
