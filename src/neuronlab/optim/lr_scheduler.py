r"""Learning-rate schedules: lower the learning coefficient as training progresses (notes 000 §6: "it is common
to attenuate the coefficients as the learning progresses ... a rough mesh at the beginning, a fine mesh at the
end"), with PyTorch's classes, arguments and sequences.

Call ``scheduler.step()`` once per epoch (or per iteration), after ``optimizer.step()``. The scheduler writes
``group['lr']`` of every parameter group; ``get_last_lr()`` returns the values it last wrote. Constructing a
scheduler records ``group['initial_lr']`` (the base learning rate) and sets epoch 0's learning rate.

==========================  =================================================================================
``LambdaLR(f)``             lr_t = lr_0 * f(t)
``StepLR(step_size, g)``    lr_t = lr_0 * g ** (t // step_size)
``MultiStepLR(ms, g)``      lr_t = lr_0 * g ** (number of milestones <= t)
``ExponentialLR(g)``        lr_t = lr_0 * g ** t
``CosineAnnealingLR(T)``    lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T)) / 2
``ReduceLROnPlateau``       lr <- max(lr * factor, min_lr) after ``patience`` epochs without improvement
==========================  =================================================================================

As in PyTorch, the step-based schedulers apply their rule as a multiplication of the current learning rate
(so they compose with other changes to it); CosineAnnealingLR uses PyTorch's recursive form of the closed form
above, so the sequences agree with PyTorch's to rounding.
"""

from __future__ import annotations

import abc
import math
import numbers
import types
from bisect import bisect_right

from neuronlab._validation import number
from neuronlab.optim.optimizer import Optimizer


class _SchedulerState:
    """What every scheduler shares: the last learning rates written, and saving/loading the attributes named in
    ``_state_keys``."""

    _state_keys: tuple[str, ...] = ()
    _last_lr: list[float]

    def get_last_lr(self) -> list[float]:
        """The learning rates written by the last ``step()`` (one per parameter group)."""
        return list(self._last_lr)

    def state_dict(self) -> dict:
        """The attributes named in ``_state_keys`` (the base learning rates, the epoch, the last lr, ...) as plain
        Python numbers and lists: JSON-ready, except ReduceLROnPlateau's ``best`` (+-inf before its first step)."""
        return {
            key: list(value) if isinstance(value, list) else value
            for key, value in ((key, getattr(self, key)) for key in self._state_keys)
        }

    def load_state_dict(self, state_dict: dict) -> None:
        missing = set(self._state_keys) - set(state_dict)
        if missing:
            raise ValueError(f"{type(self).__name__}.load_state_dict: missing keys {sorted(missing)}")
        for key in self._state_keys:
            value = state_dict[key]
            setattr(self, key, list(value) if isinstance(value, (list, tuple)) else value)


class LRScheduler(_SchedulerState, abc.ABC):
    """Base class: subclasses implement ``get_lr()``, the learning rates for epoch ``self.last_epoch``."""

    optimizer: Optimizer
    base_lrs: list[float]
    last_epoch: int
    _initial: bool

    def __init__(self, optimizer: Optimizer, last_epoch: int = -1) -> None:
        _check_optimizer(type(self).__name__, optimizer)
        if isinstance(last_epoch, bool) or not isinstance(last_epoch, numbers.Integral) or last_epoch < -1:
            raise ValueError(f"{type(self).__name__}: last_epoch must be an integer >= -1, got {last_epoch!r}")
        self.optimizer = optimizer
        if last_epoch == -1:
            for group in optimizer.param_groups:
                group.setdefault("initial_lr", group["lr"])
        else:
            for number, group in enumerate(optimizer.param_groups):
                if "initial_lr" not in group:
                    raise KeyError(
                        f"{type(self).__name__}: param_groups[{number}] has no 'initial_lr'; resuming "
                        "with last_epoch >= 0 needs the optimizer state saved alongside the scheduler"
                    )
        self.base_lrs = [group["initial_lr"] for group in optimizer.param_groups]
        self.last_epoch = int(last_epoch)
        self._initial = True
        self.step()
        self._initial = False

    @abc.abstractmethod
    def get_lr(self) -> list[float]:
        """The learning rate of each parameter group at epoch ``last_epoch``."""

    def step(self) -> None:
        """Advance one epoch and write the new learning rates into the optimizer."""
        self.last_epoch += 1
        for group, lr in zip(self.optimizer.param_groups, self.get_lr(), strict=True):
            group["lr"] = lr
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]

    def _current_lrs(self) -> list[float]:
        return [group["lr"] for group in self.optimizer.param_groups]

    _state_keys: tuple[str, ...] = ("base_lrs", "last_epoch", "_last_lr")


def _check_optimizer(owner: str, optimizer) -> None:
    if not isinstance(optimizer, Optimizer):
        raise TypeError(f"{owner}: expected a neuronlab Optimizer, got {type(optimizer).__name__}")


def _check_epochs(owner: str, name: str, value, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, numbers.Integral) or value < low:
        raise ValueError(f"{owner}: {name} must be an integer >= {low}, got {value!r}")
    return int(value)


class LambdaLR(LRScheduler):
    """lr_t = lr_0 * lr_lambda(t); one function for all groups or a list with one per group.

    The notes' decay ("attenuate the coefficient as learning progresses", 000 §6) has no fixed formula there;
    inverse-time decay lr_t = lr_0 / (1 + k t) is ``LambdaLR(optimizer, lambda t: 1 / (1 + k * t))``.
    ``state_dict`` saves the attributes of callable objects but not plain functions (as PyTorch does).
    """

    def __init__(self, optimizer: Optimizer, lr_lambda, last_epoch: int = -1) -> None:
        _check_optimizer("LambdaLR", optimizer)
        groups = len(optimizer.param_groups)
        lambdas = list(lr_lambda) if isinstance(lr_lambda, (list, tuple)) else [lr_lambda] * groups
        if len(lambdas) != groups:
            raise ValueError(f"LambdaLR: expected {groups} lr_lambdas (one per parameter group), got {len(lambdas)}")
        for function in lambdas:
            if not callable(function):
                raise TypeError(f"LambdaLR: lr_lambda must be callable, got {type(function).__name__}")
        self.lr_lambdas = lambdas
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        return [base_lr * function(self.last_epoch) for function, base_lr in zip(self.lr_lambdas, self.base_lrs)]

    def state_dict(self) -> dict:
        state = super().state_dict()
        state["lr_lambdas"] = [
            None if isinstance(function, types.FunctionType) else dict(function.__dict__)
            for function in self.lr_lambdas
        ]
        return state

    def load_state_dict(self, state_dict: dict) -> None:
        super().load_state_dict(state_dict)
        for function, attributes in zip(self.lr_lambdas, state_dict.get("lr_lambdas", [])):
            if attributes is not None:
                function.__dict__.update(attributes)


class StepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every ``step_size`` epochs: lr_t = lr_0 gamma^(t // step_size)."""

    _state_keys = LRScheduler._state_keys + ("step_size", "gamma")

    def __init__(self, optimizer: Optimizer, step_size: int, gamma: float = 0.1, last_epoch: int = -1) -> None:
        self.step_size = _check_epochs("StepLR", "step_size", step_size, 1)
        self.gamma = number("StepLR: gamma", gamma, low=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self.last_epoch == 0 or self.last_epoch % self.step_size != 0:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class MultiStepLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` at each milestone epoch (a repeated milestone multiplies again)."""

    _state_keys = LRScheduler._state_keys + ("milestones", "gamma")

    def __init__(self, optimizer: Optimizer, milestones, gamma: float = 0.1, last_epoch: int = -1) -> None:
        milestones = [_check_epochs("MultiStepLR", "a milestone", m, 0) for m in milestones]
        if milestones != sorted(milestones):
            raise ValueError(f"MultiStepLR: milestones must be increasing (repeats allowed), got {milestones}")
        self.milestones = milestones
        self.gamma = number("MultiStepLR: gamma", gamma, low=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        hits = bisect_right(self.milestones, self.last_epoch) - bisect_right(self.milestones, self.last_epoch - 1)
        if hits == 0:
            return self._current_lrs()
        return [lr * self.gamma**hits for lr in self._current_lrs()]


class ExponentialLR(LRScheduler):
    """Multiply the learning rate by ``gamma`` every epoch: lr_t = lr_0 gamma^t."""

    _state_keys = LRScheduler._state_keys + ("gamma",)

    def __init__(self, optimizer: Optimizer, gamma: float, last_epoch: int = -1) -> None:
        self.gamma = number("ExponentialLR: gamma", gamma, low=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        if self._initial:
            return self._current_lrs()
        return [lr * self.gamma for lr in self._current_lrs()]


class CosineAnnealingLR(LRScheduler):
    """lr_t = eta_min + (lr_0 - eta_min) (1 + cos(pi t / T_max)) / 2 (SGDR without restarts; past T_max the
    cosine continues, rising again, as in PyTorch).

    Computed recursively from the current learning rate, as PyTorch does:
    lr_t = eta_min + (lr_{t-1} - eta_min) (1 + cos(pi t / T_max)) / (1 + cos(pi (t - 1) / T_max)).
    """

    _state_keys = LRScheduler._state_keys + ("T_max", "eta_min")

    def __init__(self, optimizer: Optimizer, T_max: int, eta_min: float = 0.0, last_epoch: int = -1) -> None:
        self.T_max = _check_epochs("CosineAnnealingLR", "T_max", T_max, 1)
        self.eta_min = number("CosineAnnealingLR: eta_min", eta_min, low=0)
        super().__init__(optimizer, last_epoch)

    def get_lr(self) -> list[float]:
        t, T, eta_min = self.last_epoch, self.T_max, self.eta_min
        if self._initial:
            return self._current_lrs()
        if (t - 1 - T) % (2 * T) == 0:  # the cosine's minimum, where the ratio below is 0/0
            return [
                lr + (base_lr - eta_min) * (1 - math.cos(math.pi / T)) / 2
                for lr, base_lr in zip(self._current_lrs(), self.base_lrs)
            ]
        return [
            (1 + math.cos(math.pi * t / T)) / (1 + math.cos(math.pi * (t - 1) / T)) * (lr - eta_min) + eta_min
            for lr in self._current_lrs()
        ]


class ReduceLROnPlateau(_SchedulerState):
    """Multiply the learning rate by ``factor`` when a monitored metric stops improving.

    ``step(metric)`` once per epoch. The metric improves when it beats the best so far by the threshold:
    ``metric < best (1 - threshold)`` (mode 'min', threshold_mode 'rel'), ``metric < best - threshold`` ('abs'),
    and mirrored for mode 'max'. After more than ``patience`` epochs without improvement every group's lr becomes
    max(lr * factor, min_lr) (a change smaller than ``eps`` is skipped) and ``cooldown`` epochs follow in which
    bad epochs are not counted.
    """

    _state_keys = (
        "mode",
        "factor",
        "patience",
        "threshold",
        "threshold_mode",
        "cooldown",
        "min_lrs",
        "default_min_lr",
        "eps",
        "best",
        "num_bad_epochs",
        "cooldown_counter",
        "last_epoch",
        "_last_lr",
    )

    def __init__(
        self,
        optimizer: Optimizer,
        mode: str = "min",
        factor: float = 0.1,
        patience: int = 10,
        threshold: float = 1e-4,
        threshold_mode: str = "rel",
        cooldown: int = 0,
        min_lr=0.0,
        eps: float = 1e-8,
    ) -> None:
        _check_optimizer("ReduceLROnPlateau", optimizer)
        if mode not in ("min", "max"):
            raise ValueError(f"ReduceLROnPlateau: mode must be 'min' or 'max', got {mode!r}")
        if threshold_mode not in ("rel", "abs"):
            raise ValueError(f"ReduceLROnPlateau: threshold_mode must be 'rel' or 'abs', got {threshold_mode!r}")
        self.optimizer = optimizer
        self.mode, self.threshold_mode = mode, threshold_mode
        self.factor = number("ReduceLROnPlateau: factor", factor, low=0, high=1, high_open=True)
        self.patience = _check_epochs("ReduceLROnPlateau", "patience", patience, 0)
        self.threshold = number("ReduceLROnPlateau: threshold", threshold, low=0)
        self.cooldown = _check_epochs("ReduceLROnPlateau", "cooldown", cooldown, 0)
        self.eps = number("ReduceLROnPlateau: eps", eps, low=0)
        groups = len(optimizer.param_groups)
        if isinstance(min_lr, (list, tuple)):
            if len(min_lr) != groups:
                raise ValueError(
                    f"ReduceLROnPlateau: expected {groups} min_lr values (one per group), got {len(min_lr)}"
                )
            self.default_min_lr = None
            self.min_lrs = [number("ReduceLROnPlateau: min_lr", value, low=0) for value in min_lr]
        else:
            self.default_min_lr = number("ReduceLROnPlateau: min_lr", min_lr, low=0)
            self.min_lrs = [self.default_min_lr] * groups
        self.best = math.inf if mode == "min" else -math.inf
        self.num_bad_epochs = 0
        self.cooldown_counter = 0
        self.last_epoch = 0
        self._last_lr = [group["lr"] for group in optimizer.param_groups]

    def is_better(self, value: float, best: float) -> bool:
        if self.mode == "min":
            return value < (best * (1.0 - self.threshold) if self.threshold_mode == "rel" else best - self.threshold)
        return value > (best * (1.0 + self.threshold) if self.threshold_mode == "rel" else best + self.threshold)

    @property
    def in_cooldown(self) -> bool:
        return self.cooldown_counter > 0

    def step(self, metrics) -> None:
        """Record this epoch's metric (a number, or anything ``float()`` accepts) and reduce the lr if due."""
        current = float(metrics)
        self.last_epoch += 1
        if self.is_better(current, self.best):
            self.best = current
            self.num_bad_epochs = 0
        else:
            self.num_bad_epochs += 1
        if self.in_cooldown:
            self.cooldown_counter -= 1
            self.num_bad_epochs = 0
        if self.num_bad_epochs > self.patience:
            if len(self.min_lrs) != len(self.optimizer.param_groups) and self.default_min_lr is not None:
                self.min_lrs = [self.default_min_lr] * len(self.optimizer.param_groups)  # a group was added
            if len(self.min_lrs) != len(self.optimizer.param_groups):
                raise RuntimeError(
                    f"ReduceLROnPlateau: the optimizer has {len(self.optimizer.param_groups)} "
                    f"parameter groups but min_lr was given for {len(self.min_lrs)}"
                )
            for group, min_lr in zip(self.optimizer.param_groups, self.min_lrs):
                new_lr = max(group["lr"] * self.factor, min_lr)
                if group["lr"] - new_lr > self.eps:
                    group["lr"] = new_lr
            self.cooldown_counter = self.cooldown
            self.num_bad_epochs = 0
        self._last_lr = [group["lr"] for group in self.optimizer.param_groups]
