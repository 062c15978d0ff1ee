"""Optimizer: the base class that turns gradients into parameter updates (PyTorch's ``torch.optim.Optimizer``).

An optimizer holds ``param_groups`` (a list of dicts: ``'params'`` plus the hyperparameters of that group) and
``state`` (a dict keyed by the parameter object holding the optimizer's buffers for it: momentum, running
averages, step counts). ``step()`` reads each parameter's ``p.grad.data`` and updates ``p.data`` in place.

Each optimizer's update exists twice, as in ``torch/optim/adam.py`` (``_single_tensor_adam`` / ``_fused_adam``):
a vectorised NumPy function in the optimizer's module (``adam_update`` in ``optim/adam.py``), which is the
reference and reads like the docstring's formula line by line, and the same arithmetic as one compiled loop in
``neuronlab.backend.optim`` (one pass over memory, no temporaries), used when Numba is installed
(``fused=None``, the default) or asked for (``fused=True``). Both keep the parameter's dtype (float32 stays
float32, the hyperparameters are rounded to it as PyTorch does).
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable, MutableMapping
from typing import Any

import numpy as np

from neuronlab import backend
from neuronlab._validation import boolean
from neuronlab.autograd import grad_mode

_SUPPORTED_DTYPES = (np.float32, np.float64)
_EMPTY = {np.dtype(dtype): np.empty(0, dtype) for dtype in _SUPPORTED_DTYPES}
NUMBA_AVAILABLE = backend.available()


def empty_like_dtype(array: np.ndarray) -> np.ndarray:
    """A zero-length array of ``array``'s dtype: the placeholder for a buffer an option leaves unused."""
    return _EMPTY[array.dtype]


class ParameterState(MutableMapping):
    """``optimizer.state``: per-parameter dicts keyed by the parameter object (by identity, never by value).

    Like PyTorch's ``defaultdict(dict)``, reading the state of a parameter seen for the first time gives ``{}``.
    """

    def __init__(self) -> None:
        self._entries: dict[int, tuple[object, dict]] = {}

    def __getitem__(self, param) -> dict:
        entry = self._entries.get(id(param))
        if entry is None:
            entry = (param, {})
            self._entries[id(param)] = entry
        return entry[1]

    def __setitem__(self, param, value: dict) -> None:
        self._entries[id(param)] = (param, value)

    def __delitem__(self, param) -> None:
        del self._entries[id(param)]

    def __contains__(self, param) -> bool:
        return id(param) in self._entries

    def __iter__(self):
        return (param for param, _ in self._entries.values())

    def __len__(self) -> int:
        return len(self._entries)

    def __repr__(self) -> str:
        return f"ParameterState({len(self)} parameters)"


class Optimizer:
    """Base class of all optimizers.

    ``params`` is an iterable of parameters (objects with an ndarray ``.data`` and a ``.grad`` that is None or
    has an ndarray ``.data``), or of dicts ``{'params': [...], 'lr': ..., ...}`` giving each group its own
    hyperparameters; missing entries come from ``defaults``.

    Subclasses set ``defaults`` (with ``fused``: None, True or False), implement ``_check_group(group)``
    (validate hyperparameters, raising ValueError/TypeError) and ``_update(param, grad, group, state)``, which
    receives C-contiguous arrays of the parameter and its gradient (the gradient already in the parameter's
    dtype) and updates ``param`` in place, with the fused kernel where :meth:`_fused` says so.
    """

    def __init__(self, params, defaults: dict) -> None:
        self.defaults = dict(defaults)
        self.state = ParameterState()
        self.param_groups: list[dict] = []
        if _is_parameter(params):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of parameters or of dicts, "
                f"got a single {type(params).__name__}; wrap it in a list"
            )
        if isinstance(params, (set, frozenset)):
            raise TypeError(
                f"{type(self).__name__}: params must be an ordered collection (list, tuple, generator), "
                "got a set, whose order changes between runs"
            )
        if not isinstance(params, Iterable):
            raise TypeError(
                f"{type(self).__name__}: params must be an iterable of parameters or of dicts, "
                f"got {type(params).__name__}"
            )
        groups = list(params)
        if not groups:
            raise ValueError(f"{type(self).__name__}: got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------ groups
    def add_param_group(self, param_group: dict) -> None:
        """Add a group of parameters with its own hyperparameters (unset ones take the optimizer's defaults)."""
        name = type(self).__name__
        if not isinstance(param_group, dict):
            raise TypeError(f"{name}: a parameter group must be a dict, got {type(param_group).__name__}")
        if "params" not in param_group:
            raise ValueError(f"{name}: a parameter group needs a 'params' entry")
        params = param_group["params"]
        if _is_parameter(params):
            params = [params]
        elif isinstance(params, (set, frozenset)):
            raise TypeError(f"{name}: a group's 'params' must be an ordered collection, got a set")
        else:
            params = list(params)
        for index, param in enumerate(params):
            if not _is_parameter(param):
                raise TypeError(
                    f"{name}: parameter {index} of the group is a {type(param).__name__}; expected an "
                    "object with an ndarray .data (a neuronlab Parameter or Tensor)"
                )
            if param.data.dtype not in _EMPTY:
                raise TypeError(
                    f"{name}: parameter {index} has dtype {param.data.dtype}; optimizers update "
                    "float32 or float64 parameters"
                )
        ids = [id(p) for p in params]
        if len(set(ids)) != len(ids):
            raise ValueError(f"{name}: a parameter group contains the same parameter twice")
        seen = {id(p) for group in self.param_groups for p in group["params"]}
        if seen.intersection(ids):
            raise ValueError(f"{name}: some parameters appear in more than one parameter group")
        unknown = set(param_group) - set(self.defaults) - {"params", "initial_lr"}
        if unknown:
            raise ValueError(
                f"{name}: unknown hyperparameter(s) {sorted(unknown)} in a parameter group; "
                f"expected some of {sorted(self.defaults)}"
            )
        group = {**self.defaults, **param_group, "params": params}
        self._check_group(group)
        self._check_fused(group)
        self.param_groups.append(group)

    def _check_group(self, group: dict) -> None:
        """Validate a group's hyperparameters (ValueError/TypeError naming the bad one); subclasses override."""

    def _check_fused(self, group: dict) -> None:
        fused = group.get("fused")
        if fused is None:
            return
        boolean(f"{type(self).__name__}: fused", fused)
        if fused and not NUMBA_AVAILABLE:
            raise RuntimeError(
                f"{type(self).__name__}: fused=True needs Numba (pip install numba); "
                "fused=None falls back to the NumPy update"
            )

    @staticmethod
    def _fused(group: dict) -> bool:
        """Whether this group's update runs the compiled kernel: ``fused`` if set, else whether Numba is there."""
        fused = group.get("fused")
        return NUMBA_AVAILABLE if fused is None else fused

    # ------------------------------------------------------------------ the update
    def zero_grad(self, set_to_none: bool = True) -> None:
        """Forget the gradients: ``p.grad = None`` (default, frees memory) or fill them with zeros in place."""
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                if set_to_none:
                    param.grad = None
                elif param.grad.data.flags.writeable:
                    param.grad.data.fill(0)
                else:
                    param.grad.data = np.zeros_like(param.grad.data)

    def step(self, closure=None):
        """Update every parameter that has a gradient; ``closure`` (re-evaluates the loss, calls backward and
        returns the loss) is called first, with gradient recording on, and its loss is returned."""
        loss = None
        if closure is not None:
            with grad_mode.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for param in group["params"]:
                if param.grad is None:
                    continue
                data = param.data
                if not data.flags.writeable:
                    raise RuntimeError(
                        f"{type(self).__name__}: a parameter of shape {data.shape} is read-only; "
                        "optimizers update parameters in place"
                    )
                grad = param.grad.data
                if grad.shape != data.shape:
                    raise ValueError(
                        f"{type(self).__name__}: a parameter of shape {data.shape} has a gradient of shape {grad.shape}"
                    )
                grad = np.ascontiguousarray(grad, dtype=data.dtype)
                work = data if data.flags.c_contiguous else np.ascontiguousarray(data)
                self._update(work, grad, group, self.state[param])
                if work is not data:
                    np.copyto(data, work)
                if hasattr(param, "_version"):  # an in-place write: backward through a graph that saved it refuses
                    param._version += 1
        return loss

    def _update(self, param: np.ndarray, grad: np.ndarray, group: dict, state: dict) -> None:
        """Update one parameter in place; subclasses implement this (or override ``step`` altogether)."""
        raise NotImplementedError(f"{type(self).__name__} implements neither _update nor step")

    @staticmethod
    def _buffer(state: dict, name: str, param: np.ndarray, fill: float = 0.0) -> np.ndarray:
        """``state[name]``, created (C-contiguous, shaped like the parameter, filled with ``fill``) if missing."""
        buffer = state.get(name)
        if buffer is None:
            buffer = np.full(param.shape, fill, dtype=param.dtype)
            state[name] = buffer
        return buffer

    # ------------------------------------------------------------------ checkpoints
    def state_dict(self) -> dict:
        """The optimizer's state as plain data, for checkpoints (arrays to safetensors/npz, the rest to JSON)::

            {'state': {index: {name: ndarray | int | float}},          # only parameters that have state
             'param_groups': [{hyperparameter: number | bool | list, ..., 'params': [index, ...]}]}

        ``index`` numbers the parameters in group order (0, 1, ... across all groups), as in PyTorch, so the
        state can be loaded into an optimizer built on a new model with the same structure. Arrays are copies.
        """
        index_of: dict[int, int] = {}
        groups = []
        for group in self.param_groups:
            packed = {key: _plain(value) for key, value in group.items() if key != "params"}
            packed["params"] = []
            for param in group["params"]:
                index_of.setdefault(id(param), len(index_of))
                packed["params"].append(index_of[id(param)])
            groups.append(packed)
        state = {}
        for param in self.state:
            entry = self.state[param]
            if entry and id(param) in index_of:
                state[index_of[id(param)]] = {
                    name: value.copy() if isinstance(value, np.ndarray) else _plain(value)
                    for name, value in entry.items()
                }
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict: dict) -> None:
        """Restore a :meth:`state_dict` (state indices may be ints or, after JSON, strings).

        The groups must match this optimizer's in number and size, and every state array must have its
        parameter's shape; arrays are copied and cast to the parameter's dtype.
        """
        name = type(self).__name__
        if not isinstance(state_dict, dict) or set(state_dict) != {"state", "param_groups"}:
            raise ValueError(f"{name}.load_state_dict: expected a dict with keys 'state' and 'param_groups'")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"{name}.load_state_dict: the state dict has {len(saved_groups)} parameter groups, "
                f"this optimizer has {len(self.param_groups)}"
            )
        params_by_index: dict[int, Any] = {}
        for number, (group, saved) in enumerate(zip(self.param_groups, saved_groups)):
            if len(saved["params"]) != len(group["params"]):
                raise ValueError(
                    f"{name}.load_state_dict: parameter group {number} has {len(saved['params'])} "
                    f"parameters in the state dict and {len(group['params'])} in this optimizer"
                )
            params_by_index.update(zip((int(i) for i in saved["params"]), group["params"]))
        new_state = ParameterState()
        for key, entry in state_dict["state"].items():
            index = int(key)
            if index not in params_by_index:
                raise ValueError(f"{name}.load_state_dict: state for parameter index {index}, which no group lists")
            param = params_by_index[index]
            restored = {}
            for buffer_name, value in entry.items():
                if isinstance(value, (np.ndarray, list)):
                    value = np.array(value, dtype=param.data.dtype, order="C")
                    if value.shape != param.data.shape:
                        raise ValueError(
                            f"{name}.load_state_dict: state '{buffer_name}' of parameter {index} has "
                            f"shape {value.shape}, the parameter has shape {param.data.shape}"
                        )
                elif isinstance(value, (numbers.Integral, np.integer)) and not isinstance(value, bool):
                    value = int(value)
                restored[buffer_name] = value
            new_state[param] = restored
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            restored_group = dict(group)
            for key, value in saved.items():
                if key not in ("params", "fused"):
                    restored_group[key] = tuple(value) if isinstance(self.defaults.get(key), tuple) else value
            self._check_group(restored_group)
            new_groups.append(restored_group)
        for group, restored_group in zip(self.param_groups, new_groups):
            group.update(restored_group)  # in place: schedulers hold the optimizer, not copies of its groups
        self.state = new_state

    def __repr__(self) -> str:
        lines = [f"{type(self).__name__} ("]
        for number, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {number}")
            lines.extend(f"    {key}: {group[key]}" for key in sorted(group) if key != "params")
        lines.append(")")
        return "\n".join(lines)


def _is_parameter(obj) -> bool:
    return isinstance(getattr(obj, "data", None), np.ndarray) and hasattr(obj, "grad")


def _plain(value):
    """Hyperparameters as JSON-friendly Python values: tuples become lists, NumPy scalars Python numbers."""
    if isinstance(value, tuple):
        return [_plain(v) for v in value]
    if isinstance(value, np.generic):
        return value.item()
    return value
