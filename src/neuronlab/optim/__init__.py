"""Optimizers and learning-rate schedules (notes 000 §6), with PyTorch's names: ``neuronlab.optim.SGD`` etc."""

from neuronlab.optim import lr_scheduler
from neuronlab.optim.adadelta import Adadelta
from neuronlab.optim.adagrad import Adagrad
from neuronlab.optim.adam import Adam, AdamW
from neuronlab.optim.optimizer import Optimizer
from neuronlab.optim.rmsprop import RMSprop
from neuronlab.optim.sgd import SGD

__all__ = ["Optimizer", "SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW", "lr_scheduler"]
