"""Learning-rate schedules: PyTorch's sequences, the closed forms, state round trips, and argument errors."""

import json
import math

import numpy as np
import pytest
from optim_testing import make_param

from neuronlab import optim
from neuronlab.optim import lr_scheduler

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

BASE_LRS = (0.1, 0.05)


def our_optimizer():
    return optim.SGD(
        [
            {"params": [make_param(np.zeros(2))], "lr": BASE_LRS[0]},
            {"params": [make_param(np.zeros(3))], "lr": BASE_LRS[1]},
        ],
        lr=1.0,
        momentum=0.9,
    )


def torch_optimizer():
    return torch.optim.SGD(
        [
            {"params": [torch.nn.Parameter(torch.zeros(2))], "lr": BASE_LRS[0]},
            {"params": [torch.nn.Parameter(torch.zeros(3))], "lr": BASE_LRS[1]},
        ],
        lr=1.0,
        momentum=0.9,
    )


def lr_sequence(optimizer, scheduler, epochs, metrics=None):
    """[lr of every group] at epoch 0 and after each of ``epochs`` scheduler steps (optimizer.step() first)."""
    sequence = [[group["lr"] for group in optimizer.param_groups]]
    for epoch in range(epochs):
        optimizer.step()
        scheduler.step() if metrics is None else scheduler.step(metrics[epoch])
        lrs = [group["lr"] for group in optimizer.param_groups]
        assert list(scheduler.get_last_lr()) == lrs
        sequence.append(lrs)
    return np.array(sequence, dtype=np.float64)


def inverse_time(epoch):
    return 1.0 / (1.0 + 0.1 * epoch)


SCHEDULES = [
    ("StepLR", dict(step_size=3, gamma=0.5)),
    ("StepLR", dict(step_size=1)),
    ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3)),
    ("ExponentialLR", dict(gamma=0.9)),
    ("CosineAnnealingLR", dict(T_max=10, eta_min=0.001)),  # 40 epochs: past T_max the cosine rises again
    ("CosineAnnealingLR", dict(T_max=7)),
    ("LambdaLR", dict(lr_lambda=inverse_time)),
    ("LambdaLR", dict(lr_lambda=[lambda e: 0.95**e, lambda e: 1.0 / (1 + e) ** 0.5])),
]


@pytest.mark.parametrize("name, options", SCHEDULES, ids=[f"{n}-{'-'.join(o)}" for n, o in SCHEDULES])
def test_schedule_matches_pytorch(name, options):
    ours_optimizer, theirs_optimizer = our_optimizer(), torch_optimizer()
    ours = lr_sequence(ours_optimizer, getattr(lr_scheduler, name)(ours_optimizer, **options), 40)
    theirs = lr_sequence(theirs_optimizer, getattr(torch.optim.lr_scheduler, name)(theirs_optimizer, **options), 40)
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)
    assert len(np.unique(ours[:, 0])) > 2  # the schedule moved


@pytest.mark.parametrize(
    "name, options, closed_form",
    [
        ("StepLR", dict(step_size=3, gamma=0.5), lambda t: 0.5 ** (t // 3)),
        ("MultiStepLR", dict(milestones=[2, 5, 5, 9], gamma=0.3), lambda t: 0.3 ** sum(m <= t for m in [2, 5, 5, 9])),
        ("ExponentialLR", dict(gamma=0.9), lambda t: 0.9**t),
        ("LambdaLR", dict(lr_lambda=inverse_time), inverse_time),
    ],
)
def test_schedule_follows_its_closed_form(name, options, closed_form):
    optimizer = our_optimizer()
    ours = lr_sequence(optimizer, getattr(lr_scheduler, name)(optimizer, **options), 30)
    expected = np.array([[lr * closed_form(t) for lr in BASE_LRS] for t in range(31)])
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_cosine_annealing_follows_the_closed_form_within_one_period():
    optimizer = our_optimizer()
    eta_min, T = 0.001, 10
    ours = lr_sequence(optimizer, lr_scheduler.CosineAnnealingLR(optimizer, T_max=T, eta_min=eta_min), T)
    expected = np.array(
        [[eta_min + (lr - eta_min) * (1 + math.cos(math.pi * t / T)) / 2 for lr in BASE_LRS] for t in range(T + 1)]
    )
    np.testing.assert_allclose(ours, expected, rtol=1e-12)


def test_notes_decay_as_lambda_lr_lowers_the_coefficient_each_epoch():
    """000 §6: attenuate the learning coefficient as learning progresses: lr_t = lr_0 / (1 + k t), k = 0.1."""
    optimizer = our_optimizer()
    ours = lr_sequence(optimizer, lr_scheduler.LambdaLR(optimizer, lambda t: 1 / (1 + 0.1 * t)), 20)
    assert np.all(np.diff(ours, axis=0) < 0)
    np.testing.assert_allclose(ours[10], np.array(BASE_LRS) / 2)


PLATEAU_METRICS = [
    1.0,
    0.9,
    0.8,
    0.8,
    0.8,
    0.79999,
    0.8,
    0.7,
    0.7,
    0.7,
    0.7,
    0.75,
    0.6,
    0.6,
    0.6,
    0.6,
    0.6,
    0.6,
    0.6,
    0.6,
    0.59,
    0.58,
    0.58,
    0.58,
    0.58,
    0.58,
    0.58,
    0.58,
    0.58,
    0.58,
]
PLATEAU_OPTIONS = [
    dict(),
    dict(patience=0),
    dict(patience=1, factor=0.5, cooldown=2),
    dict(patience=1, factor=0.5, threshold=0.02, threshold_mode="abs"),
    dict(patience=2, factor=0.5, threshold=1e-3, threshold_mode="rel", min_lr=0.02),
    dict(patience=0, factor=0.2, min_lr=[0.01, 0.004], cooldown=1),
    dict(patience=0, factor=0.5, eps=0.03),
]


@pytest.mark.parametrize("options", PLATEAU_OPTIONS, ids=[str(o) for o in PLATEAU_OPTIONS])
@pytest.mark.parametrize("mode", ["min", "max"])
def test_reduce_on_plateau_matches_pytorch(options, mode):
    metrics = PLATEAU_METRICS if mode == "min" else [2.0 - m for m in PLATEAU_METRICS]  # positive, rising
    ours_optimizer, theirs_optimizer = our_optimizer(), torch_optimizer()
    ours = lr_sequence(
        ours_optimizer, lr_scheduler.ReduceLROnPlateau(ours_optimizer, mode=mode, **options), len(metrics), metrics
    )
    theirs = lr_sequence(
        theirs_optimizer,
        torch.optim.lr_scheduler.ReduceLROnPlateau(theirs_optimizer, mode=mode, **options),
        len(metrics),
        metrics,
    )
    np.testing.assert_allclose(ours, theirs, rtol=1e-13, atol=0)
    if options:
        assert ours[-1, 0] < BASE_LRS[0]  # this configuration reduces the learning rate at least once


def test_reduce_on_plateau_respects_min_lr_and_cooldown():
    optimizer = our_optimizer()
    scheduler = lr_scheduler.ReduceLROnPlateau(optimizer, patience=0, factor=0.5, cooldown=2, min_lr=0.03)
    lrs = lr_sequence(optimizer, scheduler, 12, [1.0] * 12)[:, 0]
    # epoch 1 sets the best; epoch 2 is bad: reduce, then 2 cooldown epochs, then reduce again (floored at min_lr)
    np.testing.assert_allclose(lrs, [0.1, 0.1, 0.05, 0.05, 0.05, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03, 0.03])


@pytest.mark.parametrize(
    "make",
    [
        lambda o: lr_scheduler.StepLR(o, step_size=3, gamma=0.5),
        lambda o: lr_scheduler.MultiStepLR(o, milestones=[2, 4, 9], gamma=0.5),
        lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=8, eta_min=0.01),
        lambda o: lr_scheduler.LambdaLR(o, inverse_time),
        lambda o: lr_scheduler.ReduceLROnPlateau(o, patience=1, factor=0.5),
    ],
)
def test_state_dict_round_trip_continues_the_sequence(make):
    metrics = [1.0, 0.9, 0.9, 0.9, 0.9, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8, 0.8]
    plateau = isinstance(make(our_optimizer()), lr_scheduler.ReduceLROnPlateau)
    step = (lambda s, e: s.step(metrics[e])) if plateau else (lambda s, e: s.step())
    full_optimizer = our_optimizer()
    full = make(full_optimizer)
    for epoch in range(12):
        step(full, epoch)
    first_optimizer = our_optimizer()
    first = make(first_optimizer)
    for epoch in range(5):
        step(first, epoch)
    saved_optimizer = first_optimizer.state_dict()
    saved_scheduler = json.loads(json.dumps(first.state_dict()))
    resumed_optimizer = our_optimizer()
    resumed = make(resumed_optimizer)
    resumed_optimizer.load_state_dict(saved_optimizer)
    resumed.load_state_dict(saved_scheduler)
    for epoch in range(5, 12):
        step(resumed, epoch)
    assert resumed.get_last_lr() == full.get_last_lr()
    assert [g["lr"] for g in resumed_optimizer.param_groups] == [g["lr"] for g in full_optimizer.param_groups]


@pytest.mark.parametrize(
    "make, message",
    [
        (lambda o: lr_scheduler.StepLR(o, step_size=0), "step_size"),
        (lambda o: lr_scheduler.StepLR(o, step_size=2, gamma=-1.0), "gamma"),
        (lambda o: lr_scheduler.MultiStepLR(o, milestones=[5, 2]), "increasing"),
        (lambda o: lr_scheduler.CosineAnnealingLR(o, T_max=0), "T_max"),
        (lambda o: lr_scheduler.LambdaLR(o, [inverse_time]), "2 lr_lambdas"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, mode="lowest"), "mode"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, threshold_mode="ratio"), "threshold_mode"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, factor=1.0), "factor"),
        (lambda o: lr_scheduler.ReduceLROnPlateau(o, min_lr=[0.1]), "min_lr"),
    ],
)
def test_bad_arguments_raise_clear_errors(make, message):
    with pytest.raises(ValueError, match=message):
        make(our_optimizer())


def test_scheduler_needs_a_neuronlab_optimizer():
    with pytest.raises(TypeError, match="Optimizer"):
        lr_scheduler.StepLR(torch_optimizer(), step_size=2)
    with pytest.raises(TypeError, match="callable"):
        lr_scheduler.LambdaLR(our_optimizer(), 0.5)
