"""What every recorder shares: pick the layers to watch, attach hooks to them, remove the hooks again."""

from __future__ import annotations

import abc

from neuronlab.nn.module import Module


def check_model(model, owner: str) -> Module:
    if not isinstance(model, Module):
        raise TypeError(f"{owner}: expected a neuronlab.nn.Module, got {type(model).__name__}")
    return model


def check_layer_types(layer_types, owner: str) -> tuple:
    if isinstance(layer_types, type):
        layer_types = (layer_types,)
    try:
        layer_types = tuple(layer_types)
    except TypeError:
        raise TypeError(
            f"{owner}: layer_types must be a Module subclass or a tuple of them, got {layer_types!r}"
        ) from None
    if not layer_types or not all(isinstance(t, type) and issubclass(t, Module) for t in layer_types):
        raise TypeError(
            f"{owner}: layer_types must be a non-empty tuple of Module subclasses "
            f"(e.g. (nn.ReLU, nn.Sigmoid)), got {layer_types!r}"
        )
    return layer_types


def select_layers(model: Module, layer_types: tuple, owner: str) -> list[tuple[str, Module]]:
    """(name, module) of every module of ``layer_types`` in ``model``, in ``named_modules`` order."""
    layers = [
        (name or type(module).__name__, module)
        for name, module in model.named_modules()
        if isinstance(module, layer_types)
    ]
    if not layers:
        present = sorted({type(m).__name__ for m in model.modules()})
        wanted = ", ".join(t.__name__ for t in layer_types)
        raise ValueError(f"{owner}: the model has no layer of type {wanted}; it contains: {', '.join(present)}")
    return layers


class LayerRecorder(abc.ABC):
    """Base class: hooks on the selected layers, attached by ``attach()`` or ``with recorder:``."""

    owner = "LayerRecorder"

    def __init__(self, model, layer_types) -> None:
        model = check_model(model, self.owner)
        self.layer_types = check_layer_types(layer_types, self.owner)
        self.layers = select_layers(model, self.layer_types, self.owner)
        self._handles: list = []

    @property
    def layer_names(self) -> list[str]:
        """The watched layers' names (``named_modules`` paths, e.g. ``'1'`` in a Sequential), input to output."""
        return [name for name, _ in self.layers]

    @property
    def attached(self) -> bool:
        return bool(self._handles)

    @abc.abstractmethod
    def _register(self, name: str, module: Module):
        """Register this recorder's hook on one layer; returns the RemovableHandle."""

    def attach(self):
        """Start recording (hooks on every selected layer); returns self."""
        if self._handles:
            raise RuntimeError(f"{self.owner} is already attached; call detach() first")
        self._handles = [self._register(name, module) for name, module in self.layers]
        return self

    def detach(self) -> None:
        """Stop recording: remove the hooks (what was recorded stays)."""
        for handle in self._handles:
            handle.remove()
        self._handles = []

    def __enter__(self):
        return self.attach()

    def __exit__(self, *exc) -> None:
        self.detach()
