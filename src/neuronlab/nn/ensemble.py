"""Ensemble learning (notes 000 §9: "averaging predictions from multiple models"; notes 003 §5.4.3 on
why dropout works: "akin to training a bunch of different networks and combining their answers").

K members f_1 .. f_K, usually the same architecture trained from different seeds, predict together:

    classification (K-class logits):  p(x) = 1/K sum_k softmax(f_k(x))
    binary (one logit per sample):    p(x) = 1/K sum_k sigmoid(f_k(x))
    regression:                       y(x) = 1/K sum_k f_k(x)

Probabilities are averaged, not logits: each member votes with a distribution. The ensemble is a Module
(its members are submodules), so ``eval()`` / ``train()``, ``state_dict()`` and ``neuronlab.save`` cover
all members at once. :func:`neuronlab.train.fit_ensemble` trains the members one after the other, member k after
``neuronlab.manual_seed(seeds[k])``, so each gets its own initialization, shuffling order and dropout masks.
"""

from __future__ import annotations

import numpy as np

from neuronlab.autograd import Tensor, no_grad
from neuronlab.nn.container import ModuleList, child_configs, children_from_config
from neuronlab.nn.module import Module, register_buildable
from neuronlab.ops import sigmoid, softmax, stack
from neuronlab.random import manual_seed

TASKS = ("classification", "binary", "regression")


def check_task(task) -> str:
    if task not in TASKS:
        raise ValueError(f"Ensemble: task must be one of {', '.join(map(repr, TASKS))}, got {task!r}")
    return task


def check_seeds(seeds, where: str) -> list[int]:
    seeds = list(seeds)
    if not seeds:
        raise ValueError(f"{where}: seeds must list at least one integer seed (one per member), got none")
    for seed in seeds:
        if isinstance(seed, bool) or not isinstance(seed, (int, np.integer)):
            raise TypeError(f"{where}: seeds must be integers, got {seed!r}")
    return [int(s) for s in seeds]


@register_buildable
class Ensemble(Module):
    """The average of K models' predictions (see the module docstring for the three tasks).

    ``Ensemble(models, task="classification")``: ``models`` is a non-empty list of Modules taking the same
    inputs and producing outputs of the same shape. ``forward`` returns the averaged probabilities
    (classification, binary) or outputs (regression) as a Tensor, differentiable through every member.
    """

    def __init__(self, models, task: str = "classification") -> None:
        super().__init__()
        models = list(models)
        if not models:
            raise ValueError("Ensemble: needs at least one model, got an empty list")
        for k, model in enumerate(models):
            if not isinstance(model, Module):
                raise TypeError(f"Ensemble: member {k} is a {type(model).__name__}, expected a neuronlab.nn.Module")
        self.task = check_task(task)
        self.members = ModuleList(models)

    @classmethod
    def from_factory(cls, factory, seeds, task: str = "classification") -> Ensemble:
        """One member per seed: ``neuronlab.manual_seed(seed)`` then ``factory()`` (untrained members with
        different initial weights; train them with :func:`fit_ensemble` or your own loop)."""
        if not callable(factory):
            raise TypeError(
                f"Ensemble.from_factory: factory must be callable () -> Module, got {type(factory).__name__}"
            )
        members = []
        for seed in check_seeds(seeds, "Ensemble.from_factory"):
            manual_seed(seed)
            members.append(factory())
        return cls(members, task)

    def __len__(self) -> int:
        return len(self.members)

    def __getitem__(self, index):
        return self.members[index]

    def __iter__(self):
        return iter(self.members)

    def member_outputs(self, x) -> list:
        """Each member's probabilities (classification, binary) or outputs (regression), as Tensors."""
        outputs = [member(x) for member in self.members]
        shapes = {tuple(out.shape) for out in outputs}
        if len(shapes) != 1:
            raise ValueError(
                f"Ensemble: members produced outputs of different shapes {sorted(shapes)}; "
                "expected one shape shared by all members"
            )
        if self.task == "classification":
            if outputs[0].ndim < 2:
                raise ValueError(
                    f"Ensemble(task='classification'): members must output logits of shape "
                    f"(samples, classes), got {tuple(outputs[0].shape)}"
                )
            return [softmax(out, axis=-1) for out in outputs]
        if self.task == "binary":
            return [sigmoid(out) for out in outputs]
        return outputs

    def forward(self, x):
        """1/K sum_k g(f_k(x)) with g = softmax, sigmoid or the identity."""
        return stack(self.member_outputs(x), axis=0).mean(axis=0)

    def predict_proba(self, x, batch_size: int = 1024) -> np.ndarray:
        """Averaged class probabilities (samples, classes), or P(class 1) for ``task='binary'``, computed in
        inference mode (``eval()``, no graph; the previous mode is restored)."""
        if self.task == "regression":
            raise ValueError("Ensemble.predict_proba: a regression ensemble has no probabilities; use predict()")
        return self._infer(x, batch_size)

    def predict(self, x, batch_size: int = 1024) -> np.ndarray:
        """Class indices (arg-max of the averaged probabilities; binary: P(class 1) >= 0.5), or the averaged
        regression outputs, in inference mode."""
        out = self._infer(x, batch_size)
        if self.task == "classification":
            return out.argmax(axis=-1)
        if self.task == "binary":
            return (out >= 0.5).astype(np.int64)
        return out

    def _infer(self, x, batch_size: int) -> np.ndarray:
        """forward in inference mode (``eval()``, no graph), ``batch_size`` rows at a time; the previous
        train/eval mode is restored."""
        x = x.data if isinstance(x, Tensor) else np.asarray(x)
        was_training = self.training
        self.eval()
        try:
            with no_grad():
                return np.concatenate([self(Tensor(x[i : i + batch_size])).data for i in range(0, len(x), batch_size)])
        finally:
            self.train(was_training)

    def config(self) -> dict:
        return {"type": "Ensemble", "task": self.task, "modules": child_configs(self.members)}

    @classmethod
    def from_config(cls, config: dict) -> Ensemble:
        children = children_from_config(cls, config)
        return cls(children.values() if isinstance(children, dict) else children, config.get("task", "classification"))

    def extra_repr(self) -> str:
        return f"task={self.task!r}, members={len(self.members)}"
