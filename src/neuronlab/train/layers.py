"""An architecture written as a list of layers (the ``layers`` setting): built into an ``nn.Sequential`` and
checked on one example before training.

Each entry is a layer config as ``Module.config()`` writes it and checkpoints store it
(``{"type": "Conv2d", "args": {...}}``), so the ``modules`` of a run's stored architecture can be pasted into
a config. The settings table has already checked each entry's type and argument names
(:class:`~neuronlab.train.settings.Layers`); here each layer is built (its constructor checks the values), then
one example is passed through the layers in turn, so that a shape mismatch is reported before training, naming
the layer, the shape it got and what it said. The model gets the dataset's rows (n, features), as every model
of a run does.
"""

from __future__ import annotations

import numpy as np

import neuronlab
from neuronlab import nn
from neuronlab.train.settings import ConfigError

_TAKE_ROWS = (nn.Linear, nn.BatchNorm1d, nn.Unflatten, nn.Flatten, nn.Identity)  # fine on (n, features) rows


def _name(index: int, layers) -> str:
    return f"layers[{index}] ({layers[index]['type']})"


def _first_line(error: Exception) -> str:
    lines = str(error).strip().splitlines()
    return lines[0] if lines else type(error).__name__


def _hint(module, x, image_shape) -> str:
    """What to put first when a layer that needs (n, C, ...) inputs gets the dataset's rows."""
    if isinstance(x, tuple) or x.ndim != 2 or isinstance(module, _TAKE_ROWS):
        return ""
    shape = list(image_shape) if image_shape is not None else ["C", "L"]
    if image_shape is not None and len(shape) == 2:
        shape = [1, *shape]
    return f"; the model gets rows of {x.shape[1]} features: start with Unflatten (args = {{dim = 1, unflattened_size = {shape}}})"


def _returns_a_tuple(index: int, layers) -> str:
    return (
        f"{_name(index, layers)} returns a tuple (a recurrent layer's outputs and final state): pass it "
        "to SelectOutput (args = {index = 0}: every step's output; add step = -1 for the last step only)"
    )


def build_layers(layers, example: np.ndarray, out_features: int, image_shape=None) -> nn.Sequential:
    """The ``nn.Sequential`` of ``layers`` (weights from the library's generator), after checking that one
    ``example`` row goes through every layer and comes out as ``out_features`` values; a ConfigError for
    ``layers`` names the layer that fails otherwise. ``image_shape`` (the dataset's) makes the hint for
    convolutions concrete."""
    modules = []
    for index, config in enumerate(layers):
        try:
            modules.append(nn.build_module(config))
        except (TypeError, ValueError) as error:
            raise ConfigError("layers", f"{_name(index, layers)}: {_first_line(error)}") from None
    model = nn.Sequential(*modules)
    model.eval()  # one example: batch statistics and dropout do not apply
    x = neuronlab.tensor(np.asarray(example, dtype=np.float32)[None])
    with neuronlab.no_grad():
        for index, module in enumerate(modules):
            if isinstance(x, tuple) and not isinstance(module, nn.SelectOutput):
                raise ConfigError("layers", f"{_returns_a_tuple(index - 1, layers)}, not to {_name(index, layers)}")
            given = "the dataset's rows" if index == 0 else f"the output of {_name(index - 1, layers)}"
            shape = "a tuple" if isinstance(x, tuple) else f"shape {tuple(x.shape)}"
            try:
                x = module(x)
            except (ValueError, TypeError, IndexError, AttributeError, RuntimeError) as error:
                raise ConfigError(
                    "layers",
                    f"{_name(index, layers)} cannot take {given} ({shape}): {_first_line(error)}"
                    f"{_hint(module, x, image_shape)}",
                ) from None
    model.train()
    if isinstance(x, tuple):
        raise ConfigError(
            "layers",
            f"the last layer, {_name(len(layers) - 1, layers)}, returns a tuple; end with SelectOutput and a Linear",
        )
    if tuple(x.shape) != (1, out_features):
        raise ConfigError(
            "layers",
            f"the last layer, {_name(len(layers) - 1, layers)}, gives shape {tuple(x.shape[1:])} per example; "
            f"expected ({out_features},): the {out_features} outputs the dataset needs (a class's logit or a target)",
        )
    return model
