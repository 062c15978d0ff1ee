"""Training an ensemble (notes 000 §9): :func:`fit_ensemble` trains one member per seed with
:func:`~neuronlab.train.trainer.fit`, member k after ``neuronlab.manual_seed(seeds[k])``, so each gets its own
initialization, shuffling order and dropout masks; with a Dask ``client`` the members train in parallel on its
workers. The :class:`~neuronlab.nn.Ensemble` Module itself lives in ``neuronlab.nn``.
"""

from __future__ import annotations

from neuronlab.nn.ensemble import Ensemble, check_seeds, check_task
from neuronlab.random import manual_seed
from neuronlab.train.trainer import fit

__all__ = ["Ensemble", "fit_ensemble"]


def fit_ensemble(
    factory,
    seeds,
    loss_fn,
    make_optimizer,
    train_loader,
    val_loader=None,
    *,
    epochs: int,
    task: str = "classification",
    client=None,
    **fit_kwargs,
):
    """Train one member per seed and return ``(Ensemble, [History per member])``.

    For each seed: ``neuronlab.manual_seed(seed)``, ``model = factory()``, ``optimizer =
    make_optimizer(model.parameters())``, then ``fit(model, loss_fn, optimizer, train_loader, val_loader,
    epochs=epochs, **fit_kwargs)`` (``metrics``, ``callbacks``, ``regularizer``, ...). Loaders without their
    own generator shuffle from the reseeded library generator, so the members also see different orders.
    Callbacks are shared by all members: give stateless ones or build the call per member yourself.

    ``client``: a ``dask.distributed.Client`` (``pip install 'neuronlab[distributed]'``) to train the members
    in parallel on its workers, each from a copy of the arguments; the members equal those trained here
    when the loaders shuffle from the library generator (a loader's own generator would instead start
    every member from the same state).
    """
    if not callable(factory):
        raise TypeError(f"fit_ensemble: factory must be callable () -> Module, got {type(factory).__name__}")
    if not callable(make_optimizer):
        raise TypeError(
            "fit_ensemble: make_optimizer must be callable (parameters -> Optimizer), "
            f"got {type(make_optimizer).__name__}"
        )
    check_task(task)
    seeds = check_seeds(seeds, "fit_ensemble")
    arguments = (factory, loss_fn, make_optimizer, train_loader, val_loader, epochs, fit_kwargs)
    if client is None:
        results = [_fit_member(seed, *arguments) for seed in seeds]
    else:  # Distributed (issue 16)
        results = client.gather([client.submit(_fit_member, seed, *arguments, pure=False) for seed in seeds])
    return Ensemble([model for model, _ in results], task), [history for _, history in results]


def _fit_member(seed, factory, loss_fn, make_optimizer, train_loader, val_loader, epochs, fit_kwargs):
    """One member: seed, build, train; ``(model, history)``."""
    manual_seed(seed)
    model = factory()
    history = fit(
        model, loss_fn, make_optimizer(model.parameters()), train_loader, val_loader, epochs=epochs, **fit_kwargs
    )
    return model, history
