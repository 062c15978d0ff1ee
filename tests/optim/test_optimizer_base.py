"""The Optimizer contract: parameter groups, state, zero_grad, closures, in-place updates, state_dict, errors."""

import io
import json

import numpy as np
import pytest
from optim_testing import LeastSquares, make_param, set_grad

import neuronlab
from neuronlab import optim
from neuronlab.autograd import Tensor

ALL_OPTIMIZERS = [
    (optim.SGD, dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=0.01)),
    (optim.Adagrad, dict(lr=0.3, lr_decay=0.01, initial_accumulator_value=0.1)),
    (optim.Adadelta, dict(lr=1.0, rho=0.9, weight_decay=0.01)),
    (optim.RMSprop, dict(lr=0.01, momentum=0.5, centered=True)),
    (optim.Adam, dict(lr=0.05, amsgrad=True, weight_decay=0.01)),
    (optim.AdamW, dict(lr=0.05, amsgrad=True)),
]
IDS = [cls.__name__ for cls, _ in ALL_OPTIMIZERS]


def sgd_by_hand(theta, grad, lr):
    return theta - lr * grad


# ---------------------------------------------------------------- groups
def test_param_groups_take_defaults_and_their_own_values():
    a, b = make_param(np.ones(2)), make_param(np.ones(3))
    optimizer = optim.SGD([{"params": [a]}, {"params": [b], "lr": 0.5, "momentum": 0.9}], lr=0.1)
    assert [g["lr"] for g in optimizer.param_groups] == [0.1, 0.5]
    assert [g["momentum"] for g in optimizer.param_groups] == [0.0, 0.9]
    assert optimizer.param_groups[0]["params"][0] is a
    set_grad(a, [1.0, 2.0])
    set_grad(b, [1.0, 1.0, 1.0])
    optimizer.step()
    np.testing.assert_allclose(a.data, sgd_by_hand(np.ones(2), np.array([1.0, 2.0]), 0.1))
    np.testing.assert_allclose(b.data, sgd_by_hand(np.ones(3), np.ones(3), 0.5))


def test_add_param_group_and_generators():
    a, b = make_param(np.ones(2)), make_param(np.ones(2))
    optimizer = optim.Adam((p for p in [a]), lr=0.01)
    optimizer.add_param_group({"params": b, "lr": 0.1})
    assert len(optimizer.param_groups) == 2
    assert optimizer.param_groups[1]["betas"] == (0.9, 0.999)
    assert optimizer.param_groups[1]["params"] == [b]
    with pytest.raises(ValueError, match="more than one parameter group"):
        optimizer.add_param_group({"params": [a]})
    with pytest.raises(ValueError, match="unknown hyperparameter"):
        optimizer.add_param_group({"params": [make_param(np.ones(1))], "learning_rate": 0.1})


@pytest.mark.parametrize(
    "params, error, message",
    [
        (lambda: make_param(np.ones(2)), TypeError, "single"),
        (lambda: {make_param(np.ones(2))}, TypeError, "set"),
        (lambda: [], ValueError, "empty"),
        (lambda: [np.ones(2)], TypeError, "ndarray"),
        (lambda: [make_param(np.ones(2, dtype=np.float16), dtype=np.float16)], TypeError, "float16"),
        (lambda: [p := make_param(np.ones(2)), p], ValueError, "twice"),
    ],
)
def test_bad_params_raise_clear_errors(params, error, message):
    with pytest.raises(error, match=message):
        optim.SGD(params(), lr=0.1)


@pytest.mark.parametrize(
    "cls, options, message",
    [
        (optim.SGD, dict(lr=-0.1), "lr"),
        (optim.SGD, dict(lr=0.1, momentum=-0.5), "momentum"),
        (optim.SGD, dict(lr=0.1, momentum=1.0), "momentum"),
        (optim.SGD, dict(lr=0.1, dampening=1.5), "dampening"),
        (optim.SGD, dict(lr=0.1, weight_decay=-1e-4), "weight_decay"),
        (optim.SGD, dict(lr=0.1, nesterov=True), "nesterov"),
        (optim.SGD, dict(lr=0.1, momentum=0.9, dampening=0.1, nesterov=True), "nesterov"),
        (optim.Adagrad, dict(lr_decay=-1.0), "lr_decay"),
        (optim.Adagrad, dict(initial_accumulator_value=-1.0), "initial_accumulator_value"),
        (optim.Adagrad, dict(eps=-1e-10), "eps"),
        (optim.Adadelta, dict(rho=1.1), "rho"),
        (optim.Adadelta, dict(lr=-1.0), "lr"),
        (optim.Adadelta, dict(eps=-1e-6), "eps"),
        (optim.Adadelta, dict(weight_decay=-0.1), "weight_decay"),
        (optim.RMSprop, dict(alpha=1.5), "alpha"),
        (optim.RMSprop, dict(momentum=-0.1), "momentum"),
        (optim.Adam, dict(betas=(1.0, 0.999)), r"betas\[0\]"),
        (optim.Adam, dict(betas=(0.9, -0.1)), r"betas\[1\]"),
        (optim.Adam, dict(eps=-1e-8), "eps"),
        (optim.AdamW, dict(weight_decay=-0.01), "weight_decay"),
    ],
)
def test_bad_hyperparameters_raise_value_errors_naming_them(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([make_param(np.ones(2))], **options)


@pytest.mark.parametrize(
    "cls, options, message",
    [
        (optim.SGD, dict(lr=-0.1), r"SGD: lr must be >= 0, got -0.1"),
        (optim.SGD, dict(lr=0.1, momentum=1.0), r"SGD: momentum must be in \[0, 1\), got 1.0"),
        (optim.RMSprop, dict(alpha=1.5), r"RMSprop: alpha must be in \[0, 1\], got 1.5"),
        (optim.Adam, dict(betas=(0.9, 1.0)), r"Adam: betas\[1\] must be in \[0, 1\), got 1.0"),
        (optim.SGD, dict(lr=float("nan")), r"SGD: lr must be >= 0, got nan"),
    ],
)
def test_out_of_range_messages_give_the_interval(cls, options, message):
    with pytest.raises(ValueError, match=message):
        cls([make_param(np.ones(2))], **options)


def test_closed_upper_ends_are_accepted():
    optim.SGD([make_param(np.ones(2))], lr=0.1, dampening=1.0)
    optim.RMSprop([make_param(np.ones(2))], alpha=1.0)
    optim.Adadelta([make_param(np.ones(2))], rho=1.0)


@pytest.mark.parametrize(
    "cls, options, message",
    [
        (optim.SGD, dict(lr="0.1"), "lr"),
        (optim.SGD, dict(lr=0.1, momentum=0.9, nesterov="yes"), "nesterov"),
        (optim.Adam, dict(betas=0.9), "betas"),
        (optim.Adam, dict(amsgrad=1), "amsgrad"),
    ],
)
def test_wrong_types_raise_type_errors(cls, options, message):
    with pytest.raises(TypeError, match=message):
        cls([make_param(np.ones(2))], **options)


def test_bad_hyperparameters_in_a_group_are_caught_too():
    with pytest.raises(ValueError, match="lr"):
        optim.SGD([{"params": [make_param(np.ones(2))], "lr": -1.0}], lr=0.1)


# ---------------------------------------------------------------- step, zero_grad, state
def test_zero_grad_sets_none_or_zeros_in_place():
    param = make_param(np.ones(3))
    optimizer = optim.SGD([param], lr=0.1)
    set_grad(param, [1.0, 2.0, 3.0])
    grad_array = param.grad.data
    optimizer.zero_grad(set_to_none=False)
    assert param.grad.data is grad_array and not grad_array.any()
    optimizer.zero_grad()
    assert param.grad is None


def test_step_calls_the_closure_once_and_returns_its_loss():
    problem = LeastSquares()
    w, M = make_param(problem.w0), make_param(problem.M0)
    optimizer = optim.SGD([w, M], lr=0.1)
    calls = []

    def closure():
        calls.append(1)
        for param, grad in zip((w, M), problem.grad(w.data, M.data)):
            set_grad(param, grad)
        return problem.loss(w.data, M.data)

    loss = optimizer.step(closure)
    assert calls == [1] and loss == problem.loss(problem.w0, problem.M0)
    gw, gM = problem.grad(problem.w0, problem.M0)
    np.testing.assert_allclose(w.data, problem.w0 - 0.1 * gw)
    np.testing.assert_allclose(M.data, problem.M0 - 0.1 * gM)


def test_state_is_keyed_by_parameter_and_skips_parameters_without_grad():
    a, b = make_param(np.ones((2, 3))), make_param(np.ones(4))
    optimizer = optim.Adam([a, b], lr=0.1)
    set_grad(a, np.full((2, 3), 0.5))
    optimizer.step()
    assert a in optimizer.state and b not in optimizer.state
    assert optimizer.state[a]["step"] == 1
    assert optimizer.state[a]["exp_avg"].shape == (2, 3)
    np.testing.assert_allclose(optimizer.state[a]["exp_avg"], 0.1 * 0.5)  # (1 - beta1) g
    np.testing.assert_allclose(optimizer.state[a]["exp_avg_sq"], 0.001 * 0.25)  # (1 - beta2) g^2
    np.testing.assert_array_equal(b.data, np.ones(4))


@pytest.mark.parametrize("cls, options", ALL_OPTIMIZERS, ids=IDS)
def test_updates_are_in_place_and_keep_float32(cls, options):
    param = make_param(np.ones((4, 5)), dtype=np.float32)
    array = param.data
    optimizer = cls([param], **options)
    for _ in range(3):
        set_grad(param, np.linspace(-1, 1, 20).reshape(4, 5))
        optimizer.step()
    assert param.data is array and array.dtype == np.float32
    assert not np.array_equal(array, np.ones((4, 5)))
    for value in optimizer.state[param].values():
        if isinstance(value, np.ndarray):
            assert value.dtype == np.float32 and value.shape == (4, 5)


@pytest.mark.parametrize("cls, options", ALL_OPTIMIZERS, ids=IDS)
def test_non_contiguous_parameters_and_gradients_update_like_contiguous_ones(cls, options):
    rng = np.random.default_rng(3)
    start, grads = rng.standard_normal((4, 6)), rng.standard_normal((5, 6, 4))
    contiguous = make_param(start)
    storage = np.zeros((6, 4)).T  # a Fortran-ordered (4, 6) parameter: a view the optimizer must write through
    storage[...] = start
    strided = make_param(np.zeros((1,)))
    strided.data = storage
    ours, reference = cls([strided], **options), cls([contiguous], **options)
    for grad in grads:
        set_grad(contiguous, grad.T)
        strided.grad = Tensor(grad.T)  # a transposed, non-contiguous gradient
        ours.step()
        reference.step()
    assert strided.data is storage
    np.testing.assert_allclose(storage, contiguous.data, rtol=1e-14, atol=1e-15)


def test_read_only_gradients_are_accepted():
    param = make_param(np.ones(3))
    grad = np.array([1.0, 2.0, 3.0])
    grad.flags.writeable = False
    set_grad(param, grad)
    param.grad.data.flags.writeable = False
    optim.SGD([param], lr=0.5, momentum=0.9).step()
    np.testing.assert_allclose(param.data, 1 - 0.5 * np.array([1.0, 2.0, 3.0]))


def test_gradient_shape_mismatch_is_a_clear_error():
    param = make_param(np.ones(3))
    set_grad(param, np.ones(4))
    with pytest.raises(ValueError, match=r"shape \(3,\).*gradient of shape \(4,\)"):
        optim.SGD([param], lr=0.1).step()


def test_repr_lists_groups_and_hyperparameters():
    text = repr(optim.SGD([make_param(np.ones(2))], lr=0.1, momentum=0.9))
    assert text.startswith("SGD (") and "Parameter Group 0" in text and "momentum: 0.9" in text


# ---------------------------------------------------------------- state_dict
def run(optimizer, params, problem, steps):
    for _ in range(steps):
        for param, grad in zip(params, problem.grad(params[0].data, params[1].data)):
            set_grad(param, grad)
        optimizer.step()


def build(cls, options, problem):
    params = [make_param(problem.w0), make_param(problem.M0)]
    return cls([{"params": [params[0]]}, {"params": [params[1]], "lr": options["lr"] / 2}], **options), params


def save_load_via_json_and_npz(state_dict):
    """What a checkpoint does: arrays to an .npz archive, everything else to JSON."""
    arrays, plain_state = {}, {}
    for index, entry in state_dict["state"].items():
        plain_state[index] = {}
        for name, value in entry.items():
            if isinstance(value, np.ndarray):
                arrays[f"{index}.{name}"] = value
            else:
                plain_state[index][name] = value
    text = json.dumps({"state": plain_state, "param_groups": state_dict["param_groups"]})
    buffer = io.BytesIO()
    np.savez(buffer, **arrays)
    buffer.seek(0)
    loaded = json.loads(text)
    with np.load(buffer) as archive:
        for key in archive.files:
            index, name = key.split(".", 1)
            loaded["state"][index][name] = archive[key]
    return loaded


@pytest.mark.parametrize("cls, options", ALL_OPTIMIZERS, ids=IDS)
def test_state_dict_round_trip_continues_identically(cls, options):
    problem = LeastSquares()
    full, full_params = build(cls, options, problem)
    run(full, full_params, problem, 20)

    first, first_params = build(cls, options, problem)
    run(first, first_params, problem, 8)
    checkpoint = save_load_via_json_and_npz(first.state_dict())
    resumed, resumed_params = build(cls, options, problem)
    for param, saved in zip(resumed_params, first_params):
        param.data[...] = saved.data
    resumed.load_state_dict(checkpoint)
    run(resumed, resumed_params, problem, 12)
    for ours, reference in zip(resumed_params, full_params):
        np.testing.assert_array_equal(ours.data, reference.data)

    fresh, fresh_params = build(cls, options, problem)  # without the state the run differs: the test can fail
    for param, saved in zip(fresh_params, first_params):
        param.data[...] = saved.data
    run(fresh, fresh_params, problem, 12)
    assert not np.array_equal(fresh_params[0].data, full_params[0].data)


def test_state_dict_structure_is_plain_data_and_copies_arrays():
    problem = LeastSquares()
    optimizer, params = build(optim.Adam, dict(lr=0.05, amsgrad=True), problem)
    run(optimizer, params, problem, 2)
    state = optimizer.state_dict()
    assert set(state) == {"state", "param_groups"}
    assert state["param_groups"][0]["params"] == [0] and state["param_groups"][1]["params"] == [1]
    assert state["param_groups"][0]["betas"] == [0.9, 0.999]
    json.dumps(state["param_groups"])
    assert set(state["state"]) == {0, 1}
    assert set(state["state"][1]) == {"step", "exp_avg", "exp_avg_sq", "max_exp_avg_sq"}
    assert state["state"][1]["step"] == 2 and isinstance(state["state"][1]["step"], int)
    saved = state["state"][0]["exp_avg"].copy()
    run(optimizer, params, problem, 1)
    np.testing.assert_array_equal(state["state"][0]["exp_avg"], saved)


def test_load_state_dict_restores_hyperparameters_and_casts_to_the_parameter_dtype():
    param = make_param(np.ones(3), dtype=np.float32)
    optimizer = optim.Adam([param], lr=0.1)
    state = {
        "state": {"0": {"step": 3, "exp_avg": [0.1, 0.2, 0.3], "exp_avg_sq": np.ones(3)}},
        "param_groups": [
            {
                "lr": 0.2,
                "betas": [0.8, 0.9],
                "eps": 1e-8,
                "weight_decay": 0.0,
                "amsgrad": False,
                "maximize": False,
                "decoupled_weight_decay": False,
                "params": [0],
            }
        ],
    }
    optimizer.load_state_dict(state)
    assert optimizer.param_groups[0]["lr"] == 0.2 and optimizer.param_groups[0]["betas"] == (0.8, 0.9)
    assert optimizer.param_groups[0]["params"] == [param]
    assert optimizer.state[param]["step"] == 3
    assert optimizer.state[param]["exp_avg"].dtype == np.float32


def test_load_state_dict_errors_are_clear():
    problem = LeastSquares()
    optimizer, params = build(optim.SGD, dict(lr=0.1, momentum=0.9), problem)
    run(optimizer, params, problem, 1)
    state = optimizer.state_dict()
    one_group = optim.SGD([make_param(problem.w0)], lr=0.1, momentum=0.9)
    with pytest.raises(ValueError, match="2 parameter groups"):
        one_group.load_state_dict(state)
    two_in_first = optim.SGD(
        [{"params": [make_param(problem.w0), make_param(problem.w0)]}, {"params": [make_param(problem.M0)]}], lr=0.1
    )
    with pytest.raises(ValueError, match="group 0"):
        two_in_first.load_state_dict(state)
    other_shapes, _ = build(optim.SGD, dict(lr=0.1, momentum=0.9), problem)
    state["state"][1]["momentum_buffer"] = np.zeros((4, 3))
    with pytest.raises(ValueError, match=r"shape \(4, 3\).*shape \(3, 4\)"):
        other_shapes.load_state_dict(state)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        other_shapes.load_state_dict({"state": {}})


# ---------------------------------------------------------------- with the autograd engine
def test_gradients_from_backward_drive_the_update():
    problem = LeastSquares()
    w = neuronlab.tensor(problem.w0, requires_grad=True)
    A, b = neuronlab.tensor(problem.A), neuronlab.tensor(problem.b)
    optimizer = optim.Adam([w], lr=0.05)
    reference_w = make_param(problem.w0)
    reference = optim.Adam([reference_w], lr=0.05)
    for _ in range(20):
        optimizer.zero_grad()
        residual = A @ w - b
        loss = (residual * residual).sum() / (2 * len(problem.b))
        loss.backward()
        optimizer.step()
        set_grad(reference_w, problem.grad(reference_w.data, problem.M0)[0])
        reference.step()
    np.testing.assert_allclose(w.data, reference_w.data, rtol=1e-10, atol=1e-12)


def test_step_between_forward_and_backward_is_refused():
    """The optimizer writes parameters in place, so a graph that saved the old values cannot be differentiated."""
    w = neuronlab.tensor(np.ones(3), requires_grad=True)
    loss = (w * w).sum()
    w.grad = neuronlab.tensor(np.ones(3))
    optim.SGD([w], lr=0.1).step()
    with pytest.raises(RuntimeError, match="modified in place"):
        loss.backward()
