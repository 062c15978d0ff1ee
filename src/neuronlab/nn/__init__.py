"""Layers, losses, initializers and penalties with PyTorch's names (``neuronlab.nn``).

Modules (ops with parameters and state) live here; their stateless forms are in ``neuronlab.nn.functional``;
``neuronlab.nn.init`` fills weights; ``neuronlab.nn.utils`` clips gradients. A model's architecture goes to
JSON with ``model.config()`` and comes back with ``build_module(config)``.
"""
from neuronlab.nn import functional, init, utils
from neuronlab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuronlab.nn.container import Flatten, Identity, ModuleList, Sequential
from neuronlab.nn.dropout import Dropout
from neuronlab.nn.ensemble import Ensemble
from neuronlab.nn.linear import Linear
from neuronlab.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from neuronlab.nn.module import Module, RemovableHandle, build_module, register_buildable
from neuronlab.nn.normalization import BatchNorm1d
from neuronlab.nn.parameter import Parameter

__all__ = ["Module", "Parameter", "Sequential", "ModuleList", "Ensemble", "Identity", "Flatten", "Linear", "Sigmoid", "Tanh",
           "ReLU", "LeakyReLU", "Softmax", "LogSoftmax", "ELU", "GELU", "BatchNorm1d", "Dropout", "MSELoss",
           "L1Loss", "BCELoss", "BCEWithLogitsLoss", "CrossEntropyLoss", "NLLLoss", "build_module",
           "register_buildable", "RemovableHandle", "functional", "init", "utils"]

# Breadth ops (issue 10)
from neuronlab.nn.activation_extra import (CELU, SELU, Hardsigmoid, Hardswish, Hardtanh, LogSigmoid,  # noqa: E402
                                           Mish, ReLU6, SiLU, Softmin, Softplus, Softsign)

__all__ += ["Softplus", "LogSigmoid", "SiLU", "Mish", "SELU", "CELU", "ReLU6", "Hardtanh", "Hardsigmoid",
            "Hardswish", "Softsign", "Softmin"]

# Convolution (issue 12)
from neuronlab.nn.conv import Conv1d, Conv2d, ConvTranspose2d  # noqa: E402
from neuronlab.nn.dropout2d import Dropout2d  # noqa: E402
from neuronlab.nn.normalization2d import BatchNorm2d  # noqa: E402
from neuronlab.nn.pooling import (AdaptiveAvgPool1d, AdaptiveAvgPool2d, AdaptiveMaxPool2d, AvgPool1d,  # noqa: E402
                                  AvgPool2d, MaxPool1d, MaxPool2d)
from neuronlab.nn.unflatten import Unflatten  # noqa: E402
from neuronlab.nn.upsampling import Upsample  # noqa: E402

__all__ += ["Conv1d", "Conv2d", "ConvTranspose2d", "MaxPool1d", "MaxPool2d", "AvgPool1d", "AvgPool2d",
            "AdaptiveAvgPool1d", "AdaptiveAvgPool2d", "AdaptiveMaxPool2d", "BatchNorm2d", "Dropout2d", "Unflatten",
            "Upsample"]
# end Convolution (issue 12)

# Recurrence (issue 13)
from neuronlab.nn.embedding import Embedding  # noqa: E402
from neuronlab.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell  # noqa: E402

__all__ += ["Embedding", "RNNCell", "GRUCell", "LSTMCell", "RNN", "GRU", "LSTM"]
# end Recurrence (issue 13)
