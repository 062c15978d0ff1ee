"""Layers, losses, initializers and penalties with PyTorch's names (``neuronlab.nn``).

Modules (ops with parameters and state) live here; their stateless forms are in ``neuronlab.nn.functional``;
``neuronlab.nn.init`` fills weights; ``neuronlab.nn.utils`` clips gradients. A model's architecture goes to
JSON with ``model.config()`` and comes back with ``build_module(config)``.
"""

from neuronlab.nn import functional, init, utils
from neuronlab.nn.activation import ELU, GELU, LeakyReLU, LogSoftmax, ReLU, Sigmoid, Softmax, Tanh
from neuronlab.nn.activation_extra import (
    CELU,
    SELU,
    Hardsigmoid,
    Hardswish,
    Hardtanh,
    LogSigmoid,
    Mish,
    ReLU6,
    SiLU,
    Softmin,
    Softplus,
    Softsign,
)
from neuronlab.nn.container import Flatten, Identity, ModuleList, SelectOutput, Sequential
from neuronlab.nn.conv import Conv1d, Conv2d, ConvTranspose2d
from neuronlab.nn.dropout import Dropout
from neuronlab.nn.dropout2d import Dropout2d
from neuronlab.nn.embedding import Embedding
from neuronlab.nn.ensemble import Ensemble
from neuronlab.nn.linear import Linear
from neuronlab.nn.loss import BCELoss, BCEWithLogitsLoss, CrossEntropyLoss, L1Loss, MSELoss, NLLLoss
from neuronlab.nn.module import Module, RemovableHandle, build_module, register_buildable
from neuronlab.nn.normalization import BatchNorm1d
from neuronlab.nn.normalization2d import BatchNorm2d
from neuronlab.nn.parameter import Parameter
from neuronlab.nn.pooling import (
    AdaptiveAvgPool1d,
    AdaptiveAvgPool2d,
    AdaptiveMaxPool2d,
    AvgPool1d,
    AvgPool2d,
    MaxPool1d,
    MaxPool2d,
)
from neuronlab.nn.recurrent_models import CharacterModel, SequenceClassifier
from neuronlab.nn.rnn import GRU, LSTM, RNN, GRUCell, LSTMCell, RNNCell
from neuronlab.nn.spiking import LIFRate, SoftLIFRate, SpikeCount, SpikingLIF
from neuronlab.nn.unflatten import Unflatten
from neuronlab.nn.upsampling import Upsample

__all__ = [
    "Module",
    "Parameter",
    "RemovableHandle",
    "build_module",
    "register_buildable",
    "functional",
    "init",
    "utils",
    # containers and shape
    "Sequential",
    "ModuleList",
    "Ensemble",
    "Identity",
    "Flatten",
    "Unflatten",
    "SelectOutput",
    # layers
    "Linear",
    "BatchNorm1d",
    "BatchNorm2d",
    "Dropout",
    "Dropout2d",
    "Embedding",
    "Conv1d",
    "Conv2d",
    "ConvTranspose2d",
    "MaxPool1d",
    "MaxPool2d",
    "AvgPool1d",
    "AvgPool2d",
    "AdaptiveAvgPool1d",
    "AdaptiveAvgPool2d",
    "AdaptiveMaxPool2d",
    "Upsample",
    "RNNCell",
    "GRUCell",
    "LSTMCell",
    "RNN",
    "GRU",
    "LSTM",
    "SequenceClassifier",
    "CharacterModel",
    # activations
    "Sigmoid",
    "Tanh",
    "ReLU",
    "LeakyReLU",
    "Softmax",
    "LogSoftmax",
    "ELU",
    "GELU",
    "Softplus",
    "LogSigmoid",
    "SiLU",
    "Mish",
    "SELU",
    "CELU",
    "ReLU6",
    "Hardtanh",
    "Hardsigmoid",
    "Hardswish",
    "Softsign",
    "Softmin",
    # spiking bridge: tuning curves as activations, surrogate-gradient spiking neurons
    "LIFRate",
    "SoftLIFRate",
    "SpikingLIF",
    "SpikeCount",
    # losses
    "MSELoss",
    "L1Loss",
    "BCELoss",
    "BCEWithLogitsLoss",
    "CrossEntropyLoss",
    "NLLLoss",
]
