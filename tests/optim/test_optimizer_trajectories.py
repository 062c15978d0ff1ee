"""Every optimizer, with every option, follows PyTorch's trajectory for 100 steps on the same problem, through both
implementations of its update (the NumPy reference and the fused kernel).

Both sides start from the same point, use two parameter groups (the second with half the learning rate), and are
fed the same gradient each step: the closed form at neuronlab's current parameters (so that rounding differences
are compared, not amplified by the problem's dynamics). float64 agrees to 1e-10; float32 to float32 rounding.
"""

import numpy as np
import pytest
from optim_testing import PATHS, LeastSquares, make_param, set_grad

from neuronlab import optim

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

CONFIGS = [
    ("SGD", dict(lr=0.1)),
    ("SGD", dict(lr=0.05, momentum=0.9)),
    ("SGD", dict(lr=0.05, momentum=0.8, dampening=0.3)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True)),
    ("SGD", dict(lr=0.1, weight_decay=0.05)),
    ("SGD", dict(lr=0.05, momentum=0.7, dampening=0.2, weight_decay=0.1, maximize=True)),
    ("SGD", dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01, maximize=True)),
    ("Adagrad", dict(lr=0.3)),
    ("Adagrad", dict(lr=0.5, lr_decay=0.01, weight_decay=0.05, initial_accumulator_value=0.1, eps=1e-6)),
    ("Adagrad", dict(lr=0.3, maximize=True)),
    ("Adadelta", dict()),
    ("Adadelta", dict(lr=0.5, rho=0.95, eps=1e-4)),
    ("Adadelta", dict(lr=2.0, rho=0.8, weight_decay=0.05, maximize=True)),
    ("RMSprop", dict(lr=0.01)),
    ("RMSprop", dict(lr=0.01, alpha=0.9, centered=True)),
    ("RMSprop", dict(lr=0.005, momentum=0.8)),
    ("RMSprop", dict(lr=0.005, alpha=0.95, eps=1e-6, weight_decay=0.05, momentum=0.5, centered=True, maximize=True)),
    ("Adam", dict(lr=0.05)),
    ("Adam", dict(lr=0.05, amsgrad=True)),
    ("Adam", dict(lr=0.05, betas=(0.5, 0.9), eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, amsgrad=True, maximize=True)),
    ("Adam", dict(lr=0.05, weight_decay=0.1, decoupled_weight_decay=True)),
    ("AdamW", dict(lr=0.05)),
    ("AdamW", dict(lr=0.05, betas=(0.8, 0.99), weight_decay=0.2, amsgrad=True)),
]


def run_both(name, options, dtype, steps, fused):
    """Yield (ours, torch's) parameter arrays after each step."""
    problem = LeastSquares()
    sign = -1.0 if options.get("maximize") else 1.0  # maximize -f: the trajectory still descends f
    ours = [make_param(problem.w0, dtype), make_param(problem.M0, dtype)]
    theirs = [
        torch.nn.Parameter(torch.tensor(problem.w0, dtype=getattr(torch, np.dtype(dtype).name))),
        torch.nn.Parameter(torch.tensor(problem.M0, dtype=getattr(torch, np.dtype(dtype).name))),
    ]
    half_lr = options.get("lr", 1.0) / 2  # 1.0: Adadelta's default
    our_opt = getattr(optim, name)(
        [{"params": [ours[0]]}, {"params": [ours[1]], "lr": half_lr}], fused=fused, **options
    )
    torch_opt = getattr(torch.optim, name)([{"params": [theirs[0]]}, {"params": [theirs[1]], "lr": half_lr}], **options)
    for _ in range(steps):
        grads = [sign * g for g in problem.grad(ours[0].data.astype(np.float64), ours[1].data.astype(np.float64))]
        for param, torch_param, grad in zip(ours, theirs, grads):
            set_grad(param, grad)
            torch_param.grad = torch.tensor(grad, dtype=torch_param.dtype)
        our_opt.step()
        torch_opt.step()
        yield [p.data for p in ours], [p.detach().numpy() for p in theirs]


@pytest.mark.parametrize("fused", PATHS)
@pytest.mark.parametrize("name, options", CONFIGS, ids=[f"{n}-{'-'.join(o)}" for n, o in CONFIGS])
def test_float64_trajectory_matches_pytorch(name, options, fused):
    problem = LeastSquares()
    for ours, theirs in run_both(name, options, np.float64, 100, fused):
        for a, b in zip(ours, theirs):
            np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-10)
    assert problem.loss(*ours) < 0.9 * problem.loss(problem.w0, problem.M0)  # the run went somewhere


@pytest.mark.parametrize("fused", PATHS)
@pytest.mark.parametrize("name, options", CONFIGS[::3], ids=[f"{n}-{'-'.join(o)}" for n, o in CONFIGS[::3]])
def test_float32_trajectory_matches_pytorch_and_stays_float32(name, options, fused):
    for ours, theirs in run_both(name, options, np.float32, 30, fused):
        for a, b in zip(ours, theirs):
            assert a.dtype == np.float32
            np.testing.assert_allclose(a, b, rtol=1e-4, atol=1e-5)
