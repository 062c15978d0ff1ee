"""The bridge between rate networks and spiking networks (notes 003; issue 15).

Three roads: train with the LIF tuning curve (``nn.LIFRate``, ``nn.SoftLIFRate``) and run with spikes
(:func:`convert`, :func:`simulate`, :func:`accuracy_curve`); convert a ReLU network with data-based
normalization; or train a spiking network directly with surrogate gradients (``nn.SpikingLIF``, with the
encoders in :mod:`neuronlab.snn.encode`).
"""

from neuronlab.snn import encode
from neuronlab.snn.convert import Affine, Population, SpikingModel, convert, rate_forward
from neuronlab.snn.report import conversion_report
from neuronlab.snn.simulate import SimulationResult, accuracy_curve, simulate

__all__ = [
    "convert",
    "simulate",
    "accuracy_curve",
    "rate_forward",
    "SpikingModel",
    "Population",
    "Affine",
    "SimulationResult",
    "encode",
    "conversion_report",
]
