"""Gradient norms through the layers (notes 003 sections 6.1-6.2, 001 "slope disappearance").

Backpropagation multiplies the gradient by W^T and by the activation's slope at every layer:

    dE/dz(i) = sigma'(z(i)) * (dE/dz(i+1) W(i+1)^T),

so with the logistic (slope at most 1/4) and weights too small to compensate, ||dE/dz(i)|| shrinks by a
factor of about 4 per layer (vanishing gradients); with weights 8 and biases that keep z at 0, the slope's
1/4 times 8 doubles it per layer (exploding gradients). ``GradientNormRecorder`` measures the notes'
||grad_z(i) E|| at each backward pass with full backward hooks on the layers that produce z (the Linear
layers by default).
"""

from __future__ import annotations

import numpy as np

from neuronlab.diagnostics._layers import LayerRecorder
from neuronlab.nn.linear import Linear


class GradientNormRecorder(LayerRecorder):
    """Per watched layer and per backward pass: the Frobenius norm ||dE/dz|| of the gradient of the loss with
    respect to the layer's output z (for a Linear layer, the input current z = x W + b of the notes).

    ``norms[name]`` is the list of norms, one per backward pass (one per training step; a layer called k times
    in one forward pass records k). For a mini-batch, z is the (N, K) matrix of the batch's outputs and the norm
    is taken over all of it.
    """

    owner = "GradientNormRecorder"

    def __init__(self, model, layer_types=(Linear,)) -> None:
        super().__init__(model, layer_types)
        self.norms: dict[str, list[float]] = {name: [] for name in self.layer_names}

    def _register(self, name, module):
        def hook(module, grad_input, grad_output):
            gradient = grad_output[0]
            if gradient is not None:
                values = np.asarray(getattr(gradient, "data", gradient), dtype=np.float64)
                self.norms[name].append(float(np.sqrt(np.sum(values * values))))

        return module.register_full_backward_hook(hook)

    def clear(self) -> None:
        for norms in self.norms.values():
            norms.clear()

    @property
    def recorded_names(self) -> list[str]:
        """The watched layers that have recorded a norm, input to output. A layer whose output needs no gradient
        never records: a frozen first Linear fed plain data (its output depends on no trainable tensor)."""
        return [name for name, norms in self.norms.items() if norms]

    @property
    def steps(self) -> int:
        """How many backward passes every layer in :attr:`recorded_names` has seen (0 before the first)."""
        return min((len(self.norms[name]) for name in self.recorded_names), default=0)

    def as_array(self, squared: bool = False) -> np.ndarray:
        """The norms as a (steps, layers) array over the :attr:`recorded_names` layers (never-recorded layers
        are left out), input-to-output order; ``squared=True`` gives the notes' ||grad_z E||^2."""
        names = self.recorded_names
        if not names:
            raise ValueError(
                f"GradientNormRecorder: nothing recorded yet for layers {', '.join(self.layer_names)}; "
                "run a backward pass while attached (through layers whose output needs a gradient)"
            )
        table = np.array([self.norms[name][: self.steps] for name in names], dtype=np.float64).T
        return table * table if squared else table

    def last(self, squared: bool = False) -> dict[str, float]:
        """The latest norm of every recorded layer, by name."""
        return dict(zip(self.recorded_names, self.as_array(squared)[-1].tolist()))
