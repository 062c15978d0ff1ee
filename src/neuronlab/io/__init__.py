"""Saving and loading models: safetensors weights plus JSON metadata, never pickle; ONNX export."""

from neuronlab.io.checkpoint import Checkpoint, CheckpointError, load, save
from neuronlab.io.onnx import ExportError, export_onnx

__all__ = ["Checkpoint", "CheckpointError", "load", "save", "ExportError", "export_onnx"]
