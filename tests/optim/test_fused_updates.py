"""The fused (compiled) update equals the NumPy reference for every optimizer and every combination of options.

Both run the same arithmetic in the same order, so they agree to the last bit on IEEE hardware; the tolerance
(a few units in the last place) leaves room only for a compiler that contracts a*b + c into one rounding.
"""

import itertools

import numpy as np
import pytest
from optim_testing import make_param, set_grad

from neuronlab import optim
from neuronlab.optim import optimizer as optimizer_module

OPTION_GRIDS = {
    "SGD": dict(
        lr=[0.05],
        momentum=[0.0, 0.9],
        dampening=[0.0, 0.3],
        nesterov=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "Adagrad": dict(
        lr=[0.3],
        lr_decay=[0.0, 0.01],
        weight_decay=[0.0, 0.1],
        initial_accumulator_value=[0.0, 0.1],
        eps=[1e-10, 1e-3],
        maximize=[False, True],
    ),
    "Adadelta": dict(lr=[1.0, 0.5], rho=[0.9, 0.5], eps=[1e-6, 1e-3], weight_decay=[0.0, 0.1], maximize=[False, True]),
    "RMSprop": dict(
        lr=[0.01],
        alpha=[0.99, 0.8],
        momentum=[0.0, 0.5],
        centered=[False, True],
        weight_decay=[0.0, 0.1],
        maximize=[False, True],
    ),
    "Adam": dict(
        lr=[0.05],
        betas=[(0.9, 0.999), (0.5, 0.9)],
        weight_decay=[0.0, 0.1],
        amsgrad=[False, True],
        decoupled_weight_decay=[False, True],
        maximize=[False, True],
    ),
    "AdamW": dict(lr=[0.05], weight_decay=[0.0, 0.2], amsgrad=[False, True], maximize=[False, True]),
}


def combinations():
    for name, grid in OPTION_GRIDS.items():
        for values in itertools.product(*grid.values()):
            options = dict(zip(grid, values))
            if options.get("nesterov") and (options["momentum"] == 0 or options["dampening"] != 0):
                continue  # refused at construction (tested in test_optimizer_base)
            yield name, options


COMBINATIONS = list(combinations())
TOLERANCE = {np.float32: 1e-6, np.float64: 1e-15}


def run(name, options, dtype, fused, steps=15):
    """Two parameters in two groups (the second at half the rate), fed the same random gradients each step."""
    rng = np.random.default_rng(0)
    params = [make_param(rng.standard_normal((3, 4)), dtype), make_param(rng.standard_normal(5), dtype)]
    optimizer = getattr(optim, name)(
        [{"params": [params[0]]}, {"params": [params[1]], "lr": options["lr"] / 2}], fused=fused, **options
    )
    for _ in range(steps):
        for param in params:
            set_grad(param, rng.standard_normal(param.data.shape))
        optimizer.step()
    return params, optimizer


@pytest.mark.skipif(not optimizer_module.NUMBA_AVAILABLE, reason="Numba not installed: no fused path")
@pytest.mark.parametrize("dtype", [np.float32, np.float64], ids=["float32", "float64"])
@pytest.mark.parametrize(
    "name, options",
    COMBINATIONS,
    ids=[f"{n}-" + "-".join(f"{k}={v}" for k, v in o.items() if k != "lr") for n, o in COMBINATIONS],
)
def test_fused_update_equals_the_numpy_reference(name, options, dtype):
    fused_params, fused = run(name, options, dtype, fused=True)
    reference_params, reference = run(name, options, dtype, fused=False)
    for fused_param, reference_param in zip(fused_params, reference_params):
        assert fused_param.data.dtype == dtype
        np.testing.assert_allclose(fused_param.data, reference_param.data, rtol=TOLERANCE[dtype], atol=0)
        fused_state, reference_state = fused.state[fused_param], reference.state[reference_param]
        assert fused_state.keys() == reference_state.keys()
        for key, value in reference_state.items():
            np.testing.assert_allclose(fused_state[key], value, rtol=TOLERANCE[dtype], atol=0, err_msg=key)
    start, _ = run(name, options, dtype, fused=False, steps=0)
    assert not np.array_equal(start[0].data, reference_params[0].data)  # the run moved: the test can fail


def test_fused_is_chosen_when_numba_is_there_and_can_be_forced_off(monkeypatch):
    calls = []
    monkeypatch.setattr("neuronlab.backend.optim.sgd_update", lambda *args: calls.append("fused"))
    param = make_param(np.ones(3))
    set_grad(param, np.ones(3))
    optim.SGD([param], lr=0.1, fused=False).step()
    assert calls == [] and np.allclose(param.data, 0.9)
    optim.SGD([param], lr=0.1, fused=None).step()
    assert calls == (["fused"] if optimizer_module.NUMBA_AVAILABLE else [])


def test_without_numba_fused_none_falls_back_and_fused_true_is_refused(monkeypatch):
    monkeypatch.setattr(optimizer_module, "NUMBA_AVAILABLE", False)
    param = make_param(np.ones(3))
    set_grad(param, np.ones(3))
    optimizer = optim.Adam([param], lr=0.1)
    optimizer.step()
    np.testing.assert_allclose(param.data, 0.9)  # Adam's first step is lr * sign(g) (up to eps)
    with pytest.raises(RuntimeError, match="fused=True needs Numba"):
        optim.Adam([param], lr=0.1, fused=True)
    with pytest.raises(TypeError, match="fused"):
        optim.Adam([param], lr=0.1, fused="yes")


def test_load_state_dict_keeps_this_optimizers_choice_of_path():
    param = make_param(np.ones(3))
    set_grad(param, np.ones(3))
    saved = optim.RMSprop([param], lr=0.1)
    saved.step()
    state = saved.state_dict()
    assert state["param_groups"][0]["fused"] is None
    state["param_groups"][0]["fused"] = True  # written on a machine with Numba, loaded on one that may lack it
    optimizer = optim.RMSprop([make_param(np.ones(3))], lr=0.5, fused=False)
    optimizer.load_state_dict(state)
    assert optimizer.param_groups[0]["fused"] is False and optimizer.param_groups[0]["lr"] == 0.1
