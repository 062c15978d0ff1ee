"""The notes' update rules, written out here, against SGD/Adam with the argument mappings that docs/optimizers.md
states. The problem is the notes' example f(x, y) = x^2 + 100 y^2 from (10, 1) (000 §6.1), 100 steps, float64.
"""

import numpy as np
import pytest
from optim_testing import make_param, set_grad

from neuronlab import optim

START = np.array([10.0, 1.0])


def grad_f(theta):
    """f(x, y) = x^2 + 100 y^2: grad = (2x, 200y)."""
    return np.array([2.0, 200.0]) * theta


def run_optimizer(make_optimizer, steps=100):
    param = make_param(START)
    optimizer = make_optimizer([param])
    path = []
    for _ in range(steps):
        set_grad(param, grad_f(param.data))
        optimizer.step()
        path.append(param.data.copy())
    return np.array(path)


def assert_same_path(ours, notes):
    assert np.abs(notes[-1]).max() < 0.5 * np.abs(START).max()  # the rule made progress, so the match means something
    np.testing.assert_allclose(ours, notes, rtol=1e-11, atol=1e-12)


def test_takenawa_velocity_form_is_sgd_momentum():
    """000 §6.1: v <- a v - lr dE/dtheta, theta <- theta + v  ==  SGD(lr, momentum=a)."""
    lr, a = 0.004, 0.9
    theta, v, path = START.copy(), np.zeros(2), []
    for _ in range(100):
        v = a * v - lr * grad_f(theta)
        theta = theta + v
        path.append(theta)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=lr, momentum=a)), np.array(path))


def test_racharak_moving_average_form_is_sgd_with_scaled_lr():
    """002: V <- b V + (1 - b) dJ/dW, W <- W - alpha V  ==  SGD(lr=alpha (1 - b), momentum=b)  (V = (1-b) buffer)."""
    alpha, b = 0.03, 0.9
    theta, V, path = START.copy(), np.zeros(2), []
    for _ in range(100):
        V = b * V + (1 - b) * grad_f(theta)
        theta = theta - alpha * V
        path.append(theta)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=alpha * (1 - b), momentum=b)), np.array(path))


def test_dampening_form_is_the_moving_average_started_at_the_first_gradient():
    """SGD(lr=alpha, momentum=b, dampening=b) keeps the (1 - b) weighting of 002 but, as PyTorch, starts the
    buffer at the first gradient (V_1 = g_1) instead of at (1 - b) g_1."""
    alpha, b = 0.03, 0.9
    theta, V, path = START.copy(), None, []
    for _ in range(100):
        g = grad_f(theta)
        V = g if V is None else b * V + (1 - b) * g
        theta = theta - alpha * V
        path.append(theta)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=alpha, momentum=b, dampening=b)), np.array(path))


def test_orchard_forms_are_sgd_momentum():
    """003 §6.3.2: V <- b V + dE/dW, W <- W - kappa V  ==  SGD(lr=kappa, momentum=b); and the friction form
    V <- (1 - r) V + eta dE/dW, W <- W - kappa V  ==  SGD(lr=kappa eta, momentum=1 - r)."""
    kappa, b = 0.004, 0.9
    theta, V, path = START.copy(), np.zeros(2), []
    for _ in range(100):
        V = b * V + grad_f(theta)
        theta = theta - kappa * V
        path.append(theta)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=kappa, momentum=b)), np.array(path))

    kappa, eta, r = 0.5, 0.008, 0.2
    theta, V, path = START.copy(), np.zeros(2), []
    for _ in range(100):
        V = (1 - r) * V + eta * grad_f(theta)
        theta = theta - kappa * V
        path.append(theta)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=kappa * eta, momentum=1 - r)), np.array(path))


def test_previous_step_form_is_sgd_momentum():
    """004: w_{t+1} = w_t - eps grad E_t + mu (w_t - w_{t-1})  ==  SGD(lr=eps, momentum=mu)."""
    eps, mu = 0.004, 0.8
    previous, w, path = START.copy(), START.copy(), []
    for _ in range(100):
        previous, w = w, w - eps * grad_f(w) + mu * (w - previous)
        path.append(w)
    assert_same_path(run_optimizer(lambda p: optim.SGD(p, lr=eps, momentum=mu)), np.array(path))


def notes_adam(lr, beta1, beta2, eps, rewritten):
    """000 §6.2, both forms: theta <- theta - lr s~ / sqrt(r~ + eps), and lr_t = lr sqrt(1 - b2^t)/(1 - b1^t),
    theta <- theta - lr_t s / sqrt(r + eps)."""
    theta, s, r, path = START.copy(), np.zeros(2), np.zeros(2), []
    for t in range(1, 101):
        g = grad_f(theta)
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g * g
        if rewritten:
            lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
            theta = theta - lr_t * s / np.sqrt(r + eps)
        else:
            theta = theta - lr * (s / (1 - beta1**t)) / np.sqrt(r / (1 - beta2**t) + eps)
        path.append(theta)
    return np.array(path)


@pytest.mark.parametrize("rewritten", [False, True])
def test_adam_is_the_notes_adam_when_eps_is_zero(rewritten):
    ours = run_optimizer(lambda p: optim.Adam(p, lr=0.1, betas=(0.9, 0.999), eps=0.0))
    assert_same_path(ours, notes_adam(0.1, 0.9, 0.999, 0.0, rewritten))


def test_adam_eps_sits_outside_the_square_root():
    """With eps > 0: theta <- theta - lr_t s / (sqrt(r) + eps sqrt(1 - b2^t)), not the notes' sqrt(r + eps)."""
    lr, beta1, beta2, eps = 0.1, 0.9, 0.999, 1e-2
    theta, s, r, path = START.copy(), np.zeros(2), np.zeros(2), []
    for t in range(1, 101):
        g = grad_f(theta)
        s = beta1 * s + (1 - beta1) * g
        r = beta2 * r + (1 - beta2) * g * g
        lr_t = lr * np.sqrt(1 - beta2**t) / (1 - beta1**t)
        theta = theta - lr_t * s / (np.sqrt(r) + eps * np.sqrt(1 - beta2**t))
        path.append(theta)
    ours = run_optimizer(lambda p: optim.Adam(p, lr=lr, betas=(beta1, beta2), eps=eps))
    assert_same_path(ours, np.array(path))
    assert np.abs(ours - notes_adam(lr, beta1, beta2, eps, rewritten=True)).max() > 1e-6
