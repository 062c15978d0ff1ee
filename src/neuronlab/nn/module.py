"""Module: the base class of layers and models (PyTorch's ``nn.Module``, DeZero's ``Layer``).

A Module packages Functions with the Parameters they learn. Assigning a Parameter, a Module or a buffer
to an attribute registers it, so the tree can be walked: ``parameters()`` feeds the optimizer,
``state_dict()``/``load_state_dict()`` save and restore every array, ``train()``/``eval()`` switch the
layers that behave differently at inference (BatchNorm, Dropout), and ``config()``/``build_module()``
rebuild the architecture from JSON.

Hooks, as in PyTorch: ``register_forward_hook(hook)`` calls ``hook(module, inputs, output)`` after each
forward; ``register_full_backward_hook(hook)`` calls ``hook(module, grad_input, grad_output)`` once the
gradients with respect to the module's inputs are known (implemented with identity nodes around the
module, whose Tensor hooks see exactly the gradient passing through it).
"""

from __future__ import annotations

import inspect
import itertools
from collections import OrderedDict, namedtuple
from typing import TYPE_CHECKING, Any

import numpy as np

from neuronlab._validation import floating_dtype
from neuronlab.autograd import Tensor, grad_mode
from neuronlab.nn.parameter import Parameter
from neuronlab.ops.shape import identity

IncompatibleKeys = namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])

_REGISTRY: dict = {}
_hook_ids = itertools.count()


def register_buildable(cls):
    """Class decorator: make ``build_module`` able to rebuild ``cls`` from its ``config()``.

    The class must define ``get_config()`` returning its constructor's keyword arguments (JSON-able), or
    override ``config()``/``from_config()`` (as the containers do).
    """
    if not (isinstance(cls, type) and issubclass(cls, Module)):
        raise TypeError(f"register_buildable expects a Module subclass, got {cls!r}")
    _REGISTRY[cls.__name__] = cls
    return cls


def build_module(config: dict) -> Module:
    """Rebuild a module (a tree of registered layers) from the dict ``module.config()`` returned."""
    if not isinstance(config, dict) or "type" not in config:
        raise ValueError(f"build_module expects a dict with a 'type' key (from Module.config()), got {config!r}")
    cls = _REGISTRY.get(config["type"])
    if cls is None:
        raise ValueError(
            f"build_module: unknown module type {config['type']!r}; registered types: "
            f"{', '.join(sorted(_REGISTRY))} (decorate your class with @nn.register_buildable)"
        )
    return cls.from_config(config)


def config_problem(config) -> str | None:
    """What keeps ``build_module(config)`` from building ``config``, found without building it (no weights
    are allocated): not a ``{"type": ..., "args": {...}}`` dict, an unknown type, or ``args`` that do not
    fit the constructor's signature (children of containers, ``"modules"``, are checked in turn). None if it
    fits; values the constructor itself refuses are left to it."""
    if not isinstance(config, dict) or not isinstance(config.get("type"), str):
        return f'expected a layer such as {{type = "Linear", args = {{in_features = 64, out_features = 10}}}}, got {config!r}'
    name = config["type"]
    cls = _REGISTRY.get(name)
    if cls is None:
        return f"unknown layer type {name!r}; expected one of {', '.join(sorted(_REGISTRY))}"
    extra = sorted(set(config) - {"type", "args", "modules"})
    if extra:
        return f"{name}: unexpected key(s) {', '.join(extra)}; constructor arguments go in args = {{...}}"
    if "modules" in config:
        modules = config["modules"]
        items = (
            modules.items() if isinstance(modules, dict) else enumerate(modules if isinstance(modules, list) else [])
        )
        for key, child in items:
            problem = config_problem(child)
            if problem is not None:
                return f"{name} module {key}: {problem}"
    args = config.get("args", {})
    if not isinstance(args, dict):
        return f"{name}: args must be a table of constructor arguments, got {args!r}"
    signature = inspect.signature(cls.__init__)
    try:
        signature.bind(None, **args)
    except TypeError as error:
        expected = ", ".join(_describe_parameter(p) for p in list(signature.parameters.values())[1:])
        return f"{name}: {error}; expected arguments ({expected})"
    return None


def _describe_parameter(parameter: inspect.Parameter) -> str:
    """``name`` or ``name=default`` (a class default by its name: ``dtype=float32``)."""
    if parameter.kind is inspect.Parameter.VAR_POSITIONAL:
        return f"*{parameter.name}"
    if parameter.default is inspect.Parameter.empty:
        return parameter.name
    default = parameter.default
    return f"{parameter.name}={default.__name__ if isinstance(default, type) else repr(default)}"


class RemovableHandle:
    """Returned by the ``register_*_hook`` methods: ``handle.remove()`` unregisters the hook."""

    def __init__(self, module: Module, hooks: dict, hook) -> None:
        self.module, self.hooks, self.id = module, hooks, next(_hook_ids)
        hooks[self.id] = hook
        module._update_hooked()

    def remove(self) -> None:
        self.hooks.pop(self.id, None)
        self.module._update_hooked()

    def __enter__(self) -> RemovableHandle:
        return self

    def __exit__(self, *exc) -> None:
        self.remove()


class Module:
    """Base class of every layer and model: subclass it, assign layers and Parameters in ``__init__``
    (after ``super().__init__()``), and write ``forward``."""

    # Set in ``__init__`` through ``self.__dict__`` (bypassing ``__setattr__``); declared for type checkers.
    training: bool
    _parameters: dict[str, Parameter | None]
    _buffers: dict[str, Tensor | None]
    _non_persistent_buffers: set[str]
    _modules: dict[str, Module | None]
    _forward_pre_hooks: dict[int, Any]
    _forward_hooks: dict[int, Any]
    _backward_hooks: dict[int, Any]
    _hooked: bool

    if TYPE_CHECKING:
        # Registered parameters, buffers and child modules are dynamic attributes.
        def __getattr__(self, name: str) -> Any: ...

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = {}
        d["_buffers"] = {}
        d["_non_persistent_buffers"] = set()
        d["_modules"] = {}
        d["_forward_pre_hooks"] = {}
        d["_forward_hooks"] = {}
        d["_backward_hooks"] = {}
        d["_hooked"] = False

    # ------------------------------------------------------------------ registration
    def __setattr__(self, name: str, value) -> None:
        d = self.__dict__
        params = d.get("_parameters")
        if params is None:
            if isinstance(value, (Parameter, Module)):
                raise AttributeError(
                    f"cannot assign {type(value).__name__} '{name}' before Module.__init__() "
                    "was called: call super().__init__() first in your __init__"
                )
            object.__setattr__(self, name, value)
            return
        modules, buffers = d["_modules"], d["_buffers"]
        if isinstance(value, Parameter):
            self._forget(name)
            params[name] = value
        elif isinstance(value, Module):
            self._forget(name)
            modules[name] = value
        elif name in params:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as parameter '{name}' (a Parameter or None expected)"
                )
            params[name] = None
        elif name in modules:
            if value is not None:
                raise TypeError(
                    f"cannot assign {type(value).__name__} as child module '{name}' (a Module or None expected)"
                )
            modules[name] = None
        elif name in buffers:
            value = self._as_buffer(name, value)
            buffers[name] = value
        object.__setattr__(self, name, value)

    def __delattr__(self, name: str) -> None:
        self._forget(name)
        object.__delattr__(self, name)

    def _forget(self, name: str) -> None:
        d = self.__dict__
        d["_parameters"].pop(name, None)
        d["_modules"].pop(name, None)
        d["_buffers"].pop(name, None)
        d["_non_persistent_buffers"].discard(name)

    @staticmethod
    def _as_buffer(name: str, value):
        if value is None or isinstance(value, Tensor) and not isinstance(value, Parameter):
            return value
        if isinstance(value, np.ndarray):
            return Tensor(value)
        raise TypeError(f"cannot assign {type(value).__name__} as buffer '{name}' (a Tensor, ndarray or None expected)")

    def _check_name(self, name: str, what: str) -> None:
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot register {what} '{name}' before Module.__init__() was called")
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f"{what} name must be a non-empty string without '.', got {name!r}")
        if (
            hasattr(self, name)
            and name not in self._parameters
            and name not in self._buffers
            and name not in self._modules
        ):
            raise KeyError(f"attribute '{name}' already exists and is not a {what}")

    def register_parameter(self, name: str, param: Parameter | None) -> None:
        """Register ``param`` (or None: a declared but absent parameter, like a disabled bias) as ``name``."""
        self._check_name(name, "parameter")
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot register {type(param).__name__} as parameter '{name}' (a Parameter or None expected)"
            )
        self._forget(name)
        self._parameters[name] = param
        object.__setattr__(self, name, param)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Register a non-learned array saved in ``state_dict`` (e.g. BatchNorm's running statistics).

        ``persistent=False`` keeps it out of ``state_dict``.
        """
        self._check_name(name, "buffer")
        tensor = self._as_buffer(name, tensor)
        self._forget(name)
        self._buffers[name] = tensor
        if not persistent:
            self._non_persistent_buffers.add(name)
        object.__setattr__(self, name, tensor)

    def add_module(self, name: str, module: Module | None) -> None:
        """Register ``module`` as the child ``name``."""
        self._check_name(name, "module")
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"add_module: {type(module).__name__} is not a Module")
        self._forget(name)
        self._modules[name] = module
        object.__setattr__(self, name, module)

    register_module = add_module  # PyTorch's alias (the class decorator for build_module is register_buildable)

    # ------------------------------------------------------------------ calling
    def forward(self, *args, **kwargs):
        raise NotImplementedError(f"{type(self).__name__} does not define forward()")

    def __call__(self, *args, **kwargs):
        if self._hooked:
            return self._call_with_hooks(args, kwargs)
        return self.forward(*args, **kwargs)

    def _call_with_hooks(self, args: tuple, kwargs: dict):
        for hook in tuple(self._forward_pre_hooks.values()):
            result = hook(self, args)
            if result is not None:
                args = result if isinstance(result, tuple) else (result,)
        backward_state = None
        if self._backward_hooks and grad_mode._enabled[0]:
            backward_state, args = self._wrap_inputs(args)
        y = self.forward(*args, **kwargs)
        for hook in tuple(self._forward_hooks.values()):
            result = hook(self, args, y)
            if result is not None:
                y = result
        if backward_state is not None:
            y = self._wrap_outputs(y, backward_state)
        return y

    def _wrap_inputs(self, args: tuple):
        state: dict[str, Any] = {"grad_input": [None] * len(args), "grad_output": None, "pending": 0, "inputs": []}
        wrapped = []
        for i, a in enumerate(args):
            if isinstance(a, Tensor) and a.requires_grad:
                a = identity(a)
                a.register_hook(self._input_grad_hook(state, i))
                state["pending"] += 1
                state["inputs"].append(i)
            wrapped.append(a)
        return state, tuple(wrapped)

    def _wrap_outputs(self, y, state: dict):
        outputs = y if isinstance(y, tuple) else (y,)
        state["grad_output"] = [None] * len(outputs)
        wrapped = []
        for j, out in enumerate(outputs):
            if isinstance(out, Tensor) and out.requires_grad:
                out = identity(out)
                out.register_hook(self._output_grad_hook(state, j))
            wrapped.append(out)
        return tuple(wrapped) if isinstance(y, tuple) else wrapped[0]

    def _output_grad_hook(self, state: dict, j: int):
        def hook(grad):
            state["grad_output"][j] = grad
            if state["pending"] == 0:  # no input requires grad: PyTorch calls the hooks with grad_input all None
                self._run_backward_hooks(state)

        return hook

    def _input_grad_hook(self, state: dict, i: int):
        def hook(grad):
            state["grad_input"][i] = grad
            state["pending"] -= 1
            if state["pending"] == 0:
                return self._run_backward_hooks(state, replace=i)
            return None

        return hook

    def _run_backward_hooks(self, state: dict, replace: int | None = None):
        grad_input, grad_output = tuple(state["grad_input"]), tuple(state["grad_output"])
        new_grad = None
        for hook in tuple(self._backward_hooks.values()):
            result = hook(self, grad_input, grad_output)
            if result is None:
                continue
            if replace is None or len(state["inputs"]) > 1:
                raise RuntimeError(
                    f"{type(self).__name__}: a full backward hook may return a new grad_input only "
                    "for a module with exactly one input that requires grad"
                )
            result = result if isinstance(result, tuple) else (result,)
            if len(result) != len(grad_input):
                raise ValueError(f"backward hook returned {len(result)} gradients, expected {len(grad_input)}")
            new_grad = result[replace]
            grad_input = result
        return new_grad

    def register_forward_pre_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, inputs)`` before each forward; a non-None return replaces the inputs."""
        return RemovableHandle(self, self._forward_pre_hooks, hook)

    def register_forward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, inputs, output)`` after each forward; a non-None return replaces the output."""
        return RemovableHandle(self, self._forward_hooks, hook)

    def register_full_backward_hook(self, hook) -> RemovableHandle:
        """Call ``hook(module, grad_input, grad_output)`` when the gradients with respect to the module's
        inputs have been computed (tuples, one entry per positional input / output; None where an input
        does not require grad). Returning a tuple replaces grad_input (single-input modules)."""
        return RemovableHandle(self, self._backward_hooks, hook)

    def _update_hooked(self) -> None:
        self.__dict__["_hooked"] = bool(self._forward_pre_hooks or self._forward_hooks or self._backward_hooks)

    # ------------------------------------------------------------------ walking the tree
    def named_modules(self, prefix: str = "", memo: set | None = None):
        """(name, module) for this module and every descendant, each once, depth first."""
        memo = set() if memo is None else memo
        if id(self) in memo:
            return
        memo.add(id(self))
        yield prefix, self
        for name, module in self._modules.items():
            if module is not None:
                yield from module.named_modules(f"{prefix}.{name}" if prefix else name, memo)

    def modules(self):
        """This module and every descendant, each once, depth first (the order of ``named_modules``)."""
        seen, stack = set(), [self]
        while stack:
            module = stack.pop()
            if id(module) in seen:
                continue
            seen.add(id(module))
            yield module
            stack.extend(m for m in reversed(module._modules.values()) if m is not None)

    def named_children(self):
        """(name, module) for the direct children."""
        seen = set()
        for name, module in self._modules.items():
            if module is not None and id(module) not in seen:
                seen.add(id(module))
                yield name, module

    def children(self):
        for _, module in self.named_children():
            yield module

    def _named_members(self, table: str, prefix: str, recurse: bool, remove_duplicate: bool):
        seen = set()
        owners = self.named_modules(prefix) if recurse else [(prefix, self)]
        for owner_name, owner in owners:
            for name, value in getattr(owner, table).items():
                if value is None or (remove_duplicate and id(value) in seen):
                    continue
                seen.add(id(value))
                yield (f"{owner_name}.{name}" if owner_name else name), value

    def named_parameters(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        """(dotted name, Parameter) pairs, in registration order; a shared Parameter appears once."""
        return self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True):
        """The Parameters of this module and its descendants (what an optimizer updates), each once."""
        seen = set()
        for module in self.modules() if recurse else (self,):
            for param in module._parameters.values():
                if param is not None and id(param) not in seen:
                    seen.add(id(param))
                    yield param

    def named_buffers(self, prefix: str = "", recurse: bool = True, remove_duplicate: bool = True):
        return self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True):
        for _, buffer in self.named_buffers(recurse=recurse):
            yield buffer

    def num_parameters(self, trainable_only: bool = False) -> int:
        """Number of scalar parameters (each shared Parameter counted once)."""
        return sum(p.data.size for p in self.parameters() if p.requires_grad or not trainable_only)

    def apply(self, fn) -> Module:
        """Call ``fn(module)`` on every descendant, then on this module (e.g. a custom initialization)."""
        for module in self.children():
            module.apply(fn)
        fn(self)
        return self

    # ------------------------------------------------------------------ modes and gradients
    def train(self, mode: bool = True) -> Module:
        """Training mode (batch statistics, dropout masks); ``train(False)`` is ``eval()``."""
        if not isinstance(mode, bool):
            raise TypeError(f"train(mode) expects a bool, got {type(mode).__name__}")
        for module in self.modules():
            module.__dict__["training"] = mode
        return self

    def eval(self) -> Module:
        """Inference mode: BatchNorm uses its running statistics, Dropout passes values through."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Module:
        """Freeze (False) or unfreeze every parameter."""
        for param in self.parameters():
            param.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: set ``.grad`` to None (default, as PyTorch) or fill it with zeros."""
        for param in self.parameters():
            if set_to_none:
                param.grad = None
            elif param.grad is not None:
                param.grad.data.fill(0)

    def to(self, dtype) -> Module:
        """Convert floating parameters and buffers (and existing gradients) to ``dtype``, keeping the objects."""
        dtype = floating_dtype("Module.to: dtype", dtype)
        for module in self.modules():
            for tensor in (*module._parameters.values(), *module._buffers.values()):
                if tensor is None or tensor.data.dtype.kind != "f":
                    continue
                tensor.data = tensor.data.astype(dtype)
                if tensor.grad is not None:
                    tensor.grad.data = tensor.grad.data.astype(dtype)
        return self

    def float(self) -> Module:
        return self.to(np.float32)

    def double(self) -> Module:
        return self.to(np.float64)

    # ------------------------------------------------------------------ saving and loading
    def state_dict(self, *, prefix: str = "", keep_vars: bool = False) -> OrderedDict:
        """Every parameter and persistent buffer by dotted name, as ndarrays.

        Unlike PyTorch the arrays are copies, so a saved state is a snapshot that later training does not
        change; ``keep_vars=True`` returns the Parameter/Tensor objects themselves instead.
        """
        state = OrderedDict()
        for module_name, module in self.named_modules(prefix):
            dot = f"{module_name}." if module_name else ""
            for name, param in module._parameters.items():
                if param is not None:
                    state[dot + name] = param if keep_vars else param.data.copy()
            for name, buffer in module._buffers.items():
                if buffer is not None and name not in module._non_persistent_buffers:
                    state[dot + name] = buffer if keep_vars else buffer.data.copy()
        return state

    def load_state_dict(self, state_dict, strict: bool = True) -> IncompatibleKeys:
        """Copy arrays from ``state_dict`` (name -> array-like) into the parameters and buffers, in place.

        With ``strict=True`` the keys must match exactly; shapes must always match. Nothing is copied
        unless everything checks. Returns the (missing_keys, unexpected_keys) named tuple.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"load_state_dict expects a mapping of name -> array, got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [key for key in own if key not in state_dict]
        unexpected = [key for key in state_dict if key not in own]
        errors, arrays = [], {}
        if strict and unexpected:
            errors.append("Unexpected key(s): " + ", ".join(repr(k) for k in unexpected) + ".")
        if strict and missing:
            errors.append("Missing key(s): " + ", ".join(repr(k) for k in missing) + ".")
        for key, target in own.items():
            if key not in state_dict:
                continue
            source = state_dict[key]
            array = source.data if isinstance(source, Tensor) else np.asarray(source)
            if array.dtype.kind not in "biuf":
                errors.append(f"{key!r}: expected a numeric array, got dtype {array.dtype}.")
            elif array.shape != target.shape:
                errors.append(
                    f"size mismatch for {key!r}: copying an array of shape {array.shape}, the "
                    f"shape in the current model is {target.shape}."
                )
            else:
                arrays[key] = array
        if errors:
            raise ValueError(f"Error(s) in loading state_dict for {type(self).__name__}:\n    " + "\n    ".join(errors))
        for key, array in arrays.items():
            target = own[key]
            np.copyto(target.data, array, casting="unsafe")
            target._version += 1
        return IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------ architecture as JSON
    def get_config(self) -> dict:
        """The constructor's keyword arguments, JSON-able: ``type(self)(**self.get_config())`` rebuilds it."""
        raise NotImplementedError(
            f"{type(self).__name__} does not define get_config(); define it (returning the keyword arguments "
            "of its constructor) and decorate the class with @neuronlab.nn.register_buildable to rebuild it"
        )

    def config(self) -> dict:
        """``{"type": class name, "args": get_config()}``; ``build_module`` turns it back into a module."""
        return {"type": type(self).__name__, "args": self.get_config()}

    @classmethod
    def from_config(cls, config: dict) -> Module:
        args = config.get("args", {})
        if not isinstance(args, dict):
            raise ValueError(
                f"{cls.__name__}.from_config: 'args' must be a dict of constructor arguments, got {args!r}"
            )
        return cls(**args)

    # ------------------------------------------------------------------ display
    def extra_repr(self) -> str:
        """The constructor arguments shown inside the parentheses of ``repr``."""
        return ""

    def _annotation(self) -> str:
        count = self.num_parameters()
        return f"  # {count:,} params" if count else ""

    def __repr__(self) -> str:
        head = f"{type(self).__name__}({self.extra_repr()}"
        children = [(name, m) for name, m in self._modules.items() if m is not None]
        if not children:
            return head + ")" + self._annotation()
        lines = [head + self._annotation()]
        for name, module in children:
            body = repr(module).replace("\n", "\n  ")
            lines.append(f"  ({name}): {body}")
        return "\n".join(lines) + "\n)"
