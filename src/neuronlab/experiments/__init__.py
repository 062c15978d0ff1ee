"""The notes' experiments, reproducible: ``neuronlab experiment NAME`` (see docs/experiments.md)."""

from neuronlab.experiments.registry import Experiment, experiments, register, run_experiment

__all__ = ["Experiment", "experiments", "register", "run_experiment"]
