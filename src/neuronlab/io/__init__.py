"""Saving and loading models: safetensors weights plus JSON metadata, never pickle."""
from neuronlab.io.checkpoint import Checkpoint, CheckpointError, load, save

__all__ = ["Checkpoint", "CheckpointError", "load", "save"]
