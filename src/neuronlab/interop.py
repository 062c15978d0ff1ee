"""Exchange weights and models with PyTorch.

The one layout difference: a neuronlab ``Linear`` stores W as (in_features, out_features) and computes
Y = X W + b (the notes' convention), a ``torch.nn.Linear`` stores (out_features, in_features) and computes
X W^T + b. Every other parameter and buffer (BatchNorm's gamma, beta, running statistics and
num_batches_tracked, biases) has the same name, shape and meaning in both, so converting a state dict is
transposing the Linear weights.

    torch_model = interop.to_torch(model)            # the same architecture and weights in PyTorch
    model = interop.from_torch(torch_model)          # and back
    interop.load_torch_state_dict(model, torch_model.state_dict())

PyTorch is imported only by the functions that need it (``to_torch``, ``to_torch_state_dict``).
"""

from __future__ import annotations

from collections import OrderedDict

import numpy as np

from neuronlab import nn
from neuronlab.nn.module import Module

_SIMPLE = ("Identity", "ReLU", "Sigmoid", "Tanh")
_SAME_ARGS = {
    "LeakyReLU": ("negative_slope",),
    "Softmax": ("dim",),
    "LogSoftmax": ("dim",),
    "ELU": ("alpha",),
    "GELU": ("approximate",),
    "Flatten": ("start_dim", "end_dim"),
    "Dropout": ("p",),
}
# Recurrence (issue 13): same parameter names and layouts in both libraries; the constructor arguments to copy
_RNN_ARGS = ("input_size", "hidden_size", "num_layers", "bias", "batch_first", "dropout", "bidirectional")
_RECURRENT = {
    "RNN": _RNN_ARGS + ("nonlinearity",),
    "GRU": _RNN_ARGS,
    "LSTM": _RNN_ARGS + ("proj_size",),
    "RNNCell": ("input_size", "hidden_size", "bias", "nonlinearity"),
    "GRUCell": ("input_size", "hidden_size", "bias"),
    "LSTMCell": ("input_size", "hidden_size", "bias"),
    "Embedding": ("num_embeddings", "embedding_dim", "padding_idx"),
}

# Convolution (issue 12): pools, resizing and shape layers keep PyTorch's argument names; convolution weights
# have PyTorch's layout (out, in/groups, *kernel), so their state dicts need no conversion.
_POOL_ARGS = ("kernel_size", "stride", "padding", "dilation", "return_indices", "ceil_mode")
_SAME_ARGS.update(
    {
        "MaxPool1d": _POOL_ARGS,
        "MaxPool2d": _POOL_ARGS,
        "AvgPool1d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad"),
        "AvgPool2d": ("kernel_size", "stride", "padding", "ceil_mode", "count_include_pad", "divisor_override"),
        "AdaptiveAvgPool1d": ("output_size",),
        "AdaptiveAvgPool2d": ("output_size",),
        "AdaptiveMaxPool2d": ("output_size", "return_indices"),
        "Dropout2d": ("p",),
        "Upsample": ("size", "scale_factor", "mode", "align_corners"),
        "Unflatten": ("dim", "unflattened_size"),
    }
)
_CONVOLUTIONS = ("Conv1d", "Conv2d", "ConvTranspose2d")
_CONV_ARGS = ("in_channels", "out_channels", "kernel_size", "stride", "padding", "dilation", "groups", "padding_mode")
_WITH_DTYPE = ("Linear", "BatchNorm1d", "BatchNorm2d", *_CONVOLUTIONS)
# end Convolution (issue 12)


def _import_torch():
    try:
        import torch
    except ImportError:  # pragma: no cover - depends on the environment
        raise ImportError("neuronlab.interop needs PyTorch for this function: pip install torch") from None
    return torch


def transposed_keys(module: Module) -> set:
    """The state-dict keys whose arrays are transposed between the two layouts (the Linear weights)."""
    return {f"{name}.weight" if name else "weight" for name, m in module.named_modules() if isinstance(m, nn.Linear)}


def _convert(state_dict, module: Module) -> OrderedDict:
    flip = transposed_keys(module)
    converted = OrderedDict()
    for key, value in state_dict.items():
        array = value.detach().cpu().numpy() if hasattr(value, "detach") else np.asarray(getattr(value, "data", value))
        converted[key] = np.ascontiguousarray(array.T) if key in flip else np.array(array)
    return converted


def to_torch_layout(module: Module) -> OrderedDict:
    """``module``'s state dict as ndarrays in PyTorch's layout (Linear weights transposed); no torch needed."""
    return _convert(module.state_dict(), module)


def from_torch_layout(state_dict, module: Module) -> OrderedDict:
    """A PyTorch-layout state dict (torch tensors or arrays) as ndarrays in ``module``'s layout."""
    return _convert(state_dict, module)


def to_torch_state_dict(module: Module) -> OrderedDict:
    """``module``'s state dict as torch tensors, ready for ``torch_model.load_state_dict``."""
    torch = _import_torch()
    return OrderedDict((k, torch.from_numpy(v)) for k, v in to_torch_layout(module).items())


def load_torch_state_dict(module: Module, state_dict, strict: bool = True):
    """Load a PyTorch state dict (e.g. ``torch_model.state_dict()``) into ``module``; returns the key report."""
    return module.load_state_dict(from_torch_layout(state_dict, module), strict=strict)


def _torch_dtype(torch, name: str, kind: str):
    """The torch dtype of a layer's floating dtype name (float16, float32 or float64)."""
    if name not in ("float16", "float32", "float64"):
        raise TypeError(f"to_torch: {kind} has dtype {name!r}; only float16, float32 and float64 layers convert")
    return getattr(torch, name)


def _build_torch(torch, config: dict):
    kind = config["type"]
    if kind in ("Sequential", "ModuleList"):
        modules = config["modules"]
        items = modules.items() if isinstance(modules, dict) else ((str(i), c) for i, c in enumerate(modules))
        children = OrderedDict((name, _build_torch(torch, c)) for name, c in items)
        return torch.nn.Sequential(children) if kind == "Sequential" else torch.nn.ModuleList(children.values())
    args = dict(config.get("args", {}))
    if kind == "Dropout" and args.pop("scale_at_inference", False):
        raise ValueError("to_torch: Dropout(scale_at_inference=True) (notes 000's variant) has no PyTorch equivalent")
    if kind == "MSELoss" and (args.pop("half", False) or args.get("reduction") == "batchmean"):
        raise ValueError("to_torch: MSELoss(half=True) / reduction='batchmean' has no PyTorch equivalent")
    if kind in _WITH_DTYPE:
        args["dtype"] = _torch_dtype(torch, args["dtype"], kind)
    if kind in _RECURRENT:  # Recurrence (issue 13)
        args["dtype"] = _torch_dtype(torch, args["dtype"], kind)
    for name in ("weight", "pos_weight"):
        if args.get(name) is not None:
            args[name] = torch.tensor(args[name])
    cls = getattr(torch.nn, kind, None)
    if cls is None:
        raise TypeError(f"to_torch: no PyTorch counterpart for {kind}")
    return cls(**args)


def to_torch(module: Module):
    """A ``torch.nn`` module with the same architecture (built-in layers and containers) and weights."""
    torch = _import_torch()
    try:
        config = module.config()
    except NotImplementedError as error:
        raise TypeError(f"to_torch converts trees of built-in layers; {error}") from None
    torch_module = _build_torch(torch, config)
    torch_module.load_state_dict(to_torch_state_dict(module))
    torch_module.train(module.training)
    return torch_module


def _config_from_torch(torch_module) -> dict:
    kind = type(torch_module).__name__
    if kind in ("Sequential", "ModuleList"):
        names = [name for name, _ in torch_module.named_children()]
        configs = [_config_from_torch(m) for m in torch_module.children()]
        default = names == [str(i) for i in range(len(names))]
        return {"type": kind, "modules": configs if default else dict(zip(names, configs))}
    if kind in _SIMPLE:
        return {"type": kind, "args": {}}
    if kind in _SAME_ARGS:
        args = {name: getattr(torch_module, name) for name in _SAME_ARGS[kind]}
        if kind in ("Softmax", "LogSoftmax") and args["dim"] is None:
            raise ValueError(f"from_torch: {kind}(dim=None) relies on PyTorch's implicit dimension; give dim")
        return {"type": kind, "args": args}
    if kind == "Linear":
        return {
            "type": kind,
            "args": {
                "in_features": torch_module.in_features,
                "out_features": torch_module.out_features,
                "bias": torch_module.bias is not None,
                "dtype": str(torch_module.weight.dtype).replace("torch.", ""),
            },
        }
    if kind in _CONVOLUTIONS:
        args = {name: getattr(torch_module, name) for name in _CONV_ARGS}
        if kind == "ConvTranspose2d":
            args["output_padding"] = torch_module.output_padding
        args.update(bias=torch_module.bias is not None, dtype=str(torch_module.weight.dtype).replace("torch.", ""))
        return {"type": kind, "args": args}
    if kind in ("BatchNorm1d", "BatchNorm2d"):
        reference = torch_module.weight if torch_module.affine else torch_module.running_mean
        dtype = "float32" if reference is None else str(reference.dtype).replace("torch.", "")
        return {
            "type": kind,
            "args": {
                "num_features": torch_module.num_features,
                "eps": torch_module.eps,
                "momentum": torch_module.momentum,
                "affine": torch_module.affine,
                "track_running_stats": torch_module.track_running_stats,
                "dtype": dtype,
            },
        }
    if kind in _RECURRENT:  # Recurrence (issue 13)
        return _recurrent_config(torch_module, kind)
    raise TypeError(
        f"from_torch: {kind} is not supported (supported: Sequential, ModuleList, Linear, BatchNorm1d, "
        f"BatchNorm2d, {', '.join((*_CONVOLUTIONS, *_SIMPLE, *_SAME_ARGS, *_RECURRENT))})"
    )


def _recurrent_config(torch_module, kind: str) -> dict:
    """Recurrence (issue 13): the config of a recurrent layer or an Embedding from its PyTorch twin."""
    if kind == "Embedding" and (
        torch_module.max_norm is not None or torch_module.scale_grad_by_freq or torch_module.sparse
    ):
        raise ValueError(
            "from_torch: Embedding with max_norm, scale_grad_by_freq or sparse has no neuronlab equivalent"
        )
    weight = next(torch_module.parameters())
    args = {name: getattr(torch_module, name) for name in _RECURRENT[kind]}
    return {"type": kind, "args": {**args, "dtype": str(weight.dtype).replace("torch.", "")}}


def from_torch(torch_module) -> Module:
    """A neuronlab module with the architecture and weights of a ``torch.nn`` module (built-in layers)."""
    module = nn.build_module(_config_from_torch(torch_module))
    load_torch_state_dict(module, torch_module.state_dict())
    module.train(torch_module.training)
    return module
