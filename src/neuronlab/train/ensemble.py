"""Training an ensemble (notes 000 §9): :func:`fit_ensemble` trains one member per seed with
:func:`~neuronlab.train.trainer.fit`, member k after ``neuronlab.manual_seed(seeds[k])``, so each gets its own
initialization, shuffling order and dropout masks. The :class:`~neuronlab.nn.Ensemble` Module itself lives in
``neuronlab.nn``.
"""
from __future__ import annotations

from neuronlab.nn.ensemble import Ensemble, check_seeds, check_task
from neuronlab.random import manual_seed
from neuronlab.train.trainer import fit

__all__ = ["Ensemble", "fit_ensemble"]


def fit_ensemble(factory, seeds, loss_fn, make_optimizer, train_loader, val_loader=None, *, epochs: int,
                 task: str = "classification", **fit_kwargs):
    """Train one member per seed and return ``(Ensemble, [History per member])``.

    For each seed: ``neuronlab.manual_seed(seed)``, ``model = factory()``, ``optimizer =
    make_optimizer(model.parameters())``, then ``fit(model, loss_fn, optimizer, train_loader, val_loader,
    epochs=epochs, **fit_kwargs)`` (``metrics``, ``callbacks``, ``regularizer``, ...). Loaders without their
    own generator shuffle from the reseeded library generator, so the members also see different orders.
    Callbacks are shared by all members: give stateless ones or build the call per member yourself.
    """
    if not callable(factory):
        raise TypeError(f"fit_ensemble: factory must be callable () -> Module, got {type(factory).__name__}")
    if not callable(make_optimizer):
        raise TypeError("fit_ensemble: make_optimizer must be callable (parameters -> Optimizer), "
                        f"got {type(make_optimizer).__name__}")
    check_task(task)
    members, histories = [], []
    for seed in check_seeds(seeds, "fit_ensemble"):
        manual_seed(seed)
        model = factory()
        histories.append(fit(model, loss_fn, make_optimizer(model.parameters()), train_loader, val_loader,
                             epochs=epochs, **fit_kwargs))
        members.append(model)
    return Ensemble(members, task), histories
