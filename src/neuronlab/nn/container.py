"""Containers and shape-only layers: Sequential, ModuleList, Identity, Flatten, SelectOutput."""

from __future__ import annotations

from collections import OrderedDict
from typing import cast

from neuronlab.nn.module import Module, build_module, register_buildable
from neuronlab.ops.shape import flatten


def child_configs(container: Module):
    """The configs of ``container``'s submodules: a list when they are named 0, 1, ..., else a dict by name."""
    names = list(container._modules)
    configs = [cast(Module, m).config() for m in container._modules.values()]
    if names == [str(i) for i in range(len(names))]:
        return configs
    return dict(zip(names, configs))


def children_from_config(cls, config: dict):
    """The submodules built from ``config["modules"]`` (the inverse of :func:`child_configs`)."""
    modules = config.get("modules")
    if isinstance(modules, list):
        return [build_module(c) for c in modules]
    if isinstance(modules, dict):
        return OrderedDict((name, build_module(c)) for name, c in modules.items())
    raise ValueError(
        f"{cls.__name__}.from_config: 'modules' must be a list or a dict of module configs, got {modules!r}"
    )


@register_buildable
class Sequential(Module):
    """Apply modules in order: ``Sequential(Linear(784, 256), ReLU(), Linear(256, 10))``.

    Also accepts one dict (or ``OrderedDict``) of named modules. Indexing gives a module (an int) or a Sequential
    (a slice).
    """

    def __init__(self, *modules) -> None:
        super().__init__()
        if len(modules) == 1 and isinstance(modules[0], dict):
            for name, module in modules[0].items():
                self.add_module(name, _check_module(module, name))
        else:
            for i, module in enumerate(modules):
                self.add_module(str(i), _check_module(module, i))

    def forward(self, x):
        for module in self._modules.values():
            x = module(x)
        return x

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.items())
        if isinstance(index, slice):
            return Sequential(OrderedDict(modules[index]))
        try:
            return modules[index][1]
        except (IndexError, TypeError):
            raise IndexError(f"Sequential index {index!r} out of range for {len(modules)} modules") from None

    def append(self, module: Module) -> Sequential:
        self.add_module(str(len(self._modules)), _check_module(module, len(self._modules)))
        return self

    def config(self) -> dict:
        return {"type": "Sequential", "modules": child_configs(self)}

    @classmethod
    def from_config(cls, config: dict) -> Sequential:
        children = children_from_config(cls, config)
        return cls(children) if isinstance(children, OrderedDict) else cls(*children)


@register_buildable
class ModuleList(Module):
    """A list of modules whose parameters are registered (the user's forward decides how to call them)."""

    def __init__(self, modules=()) -> None:
        super().__init__()
        for module in modules:
            self.append(module)

    def append(self, module: Module) -> ModuleList:
        self.add_module(str(len(self._modules)), _check_module(module, len(self._modules)))
        return self

    def extend(self, modules) -> ModuleList:
        for module in modules:
            self.append(module)
        return self

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self):
        return iter(self._modules.values())

    def __getitem__(self, index):
        modules = list(self._modules.values())
        if isinstance(index, slice):
            return ModuleList(modules[index])
        try:
            return modules[index]
        except (IndexError, TypeError):
            raise IndexError(f"ModuleList index {index!r} out of range for {len(modules)} modules") from None

    def config(self) -> dict:
        return {"type": "ModuleList", "modules": child_configs(self)}

    @classmethod
    def from_config(cls, config: dict) -> ModuleList:
        children = children_from_config(cls, config)
        return cls(children.values() if isinstance(children, OrderedDict) else children)


def _check_module(module, name) -> Module:
    if not isinstance(module, Module):
        raise TypeError(f"container entry {name!r} is a {type(module).__name__}, not a Module")
    return module


@register_buildable
class Identity(Module):
    """y = x (a placeholder layer, e.g. to switch a block off without changing the model's structure)."""

    def forward(self, x):
        return x

    def get_config(self) -> dict:
        return {}


@register_buildable
class Flatten(Module):
    """Merge axes ``start_dim`` .. ``end_dim`` into one: (N, 28, 28) -> (N, 784) with the defaults."""

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim, self.end_dim = int(start_dim), int(end_dim)

    def forward(self, x):
        return flatten(x, self.start_dim, self.end_dim)

    def get_config(self) -> dict:
        return {"start_dim": self.start_dim, "end_dim": self.end_dim}

    def extra_repr(self) -> str:
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"


@register_buildable
class SelectOutput(Module):
    """Pick one part of a layer's output, so layers that return tuples fit in a ``Sequential``:
    ``y = x[index]`` for a tuple ``x`` (the recurrent layers return ``(output, h_n)``; ``index=0`` keeps the
    outputs of every step), then, with ``step``, ``y[:, step]``: one time step of a batch-first sequence
    (``step=-1``: the last one). ``Sequential(Unflatten(1, (40, 1)), GRU(1, 6, batch_first=True),
    SelectOutput(), Flatten(), Linear(240, 10))`` classifies rows of 40 values from all GRU outputs."""

    def __init__(self, index: int = 0, step: int | None = None) -> None:
        super().__init__()
        self.index, self.step = int(index), None if step is None else int(step)

    def forward(self, x):
        if isinstance(x, tuple):
            if not -len(x) <= self.index < len(x):
                raise IndexError(f"SelectOutput: index {self.index} is out of range for a tuple of {len(x)} outputs")
            x = x[self.index]
        if self.step is None:
            return x
        if isinstance(x, tuple) or x.ndim < 2:
            raise ValueError(
                f"SelectOutput: step={self.step} needs a batch-first sequence (N, T, ...), got "
                + ("a tuple" if isinstance(x, tuple) else f"shape {x.shape}")
            )
        return x[:, self.step]

    def get_config(self) -> dict:
        return {"index": self.index} | ({} if self.step is None else {"step": self.step})  # TOML has no None

    def extra_repr(self) -> str:
        return f"index={self.index}" + ("" if self.step is None else f", step={self.step}")
