"""Diagnostics built on module hooks: what flows through a network forward and backward.

- :class:`ActivationRecorder`: each layer's outputs, their standard deviation and histograms (notes 000 §7.1);
- :class:`GradientNormRecorder`: ||dE/dz|| per layer and per step, vanishing and exploding gradients (003 §6);
- :func:`dead_relu_fraction`: the ReLU units that output 0 for every sample;
- :class:`WeightUpdateRatio`: ||delta W|| / ||W|| per parameter at each optimizer step.

The recorders attach with ``attach()``/``detach()`` or as context managers::

    with ActivationRecorder(model) as activations, GradientNormRecorder(model) as gradients:
        loss_fn(model(X), y).backward()
    activations.std(), gradients.last()
"""

from neuronlab.diagnostics.activations import ACTIVATION_TYPES, ActivationRecorder, dead_relu_fraction
from neuronlab.diagnostics.gradients import GradientNormRecorder
from neuronlab.diagnostics.updates import WeightUpdateRatio

__all__ = ["ACTIVATION_TYPES", "ActivationRecorder", "GradientNormRecorder", "WeightUpdateRatio", "dead_relu_fraction"]
