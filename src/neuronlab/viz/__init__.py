"""Pictures of what the library computes: computational graphs as Graphviz DOT (``to_dot``, ``render``).

Nothing here imports matplotlib at import time, so ``import neuronlab.viz`` stays fast and headless.
"""

from neuronlab.viz.graph import render, to_dot

__all__ = ["to_dot", "render"]
