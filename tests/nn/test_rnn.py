"""Recurrent layers and cells against PyTorch (float64, weights copied), gradchecks of the unrolled graph,
variable lengths, truncated BPTT, and argument errors."""

import itertools
import warnings
import zlib

import numpy as np
import pytest

import neuronlab as nl
from neuronlab import interop, nn
from neuronlab.autograd import gradcheck, gradgradcheck

torch = pytest.importorskip("torch", reason="PyTorch not installed: cross-check skipped")

T, N, I, H = 4, 3, 2, 3  # noqa: E741  (time, batch, input and hidden sizes, as in the equations)
LENGTHS = np.array([4, 1, 3])


def _layer_cases():
    cases = []
    for kind, extra in [
        ("RNN", {"nonlinearity": "tanh"}),
        ("RNN", {"nonlinearity": "relu"}),
        ("GRU", {}),
        ("LSTM", {}),
        ("LSTM", {"proj_size": 2}),
    ]:
        for layers, bias, batch_first, bidirectional, initial, lengths in itertools.product(
            (1, 2), (True, False), (False, True), (False, True), (False, True), (False, True)
        ):
            kwargs = dict(extra, num_layers=layers, bias=bias, batch_first=batch_first, bidirectional=bidirectional)
            cases.append((kind, kwargs, initial, lengths))
    return cases


def _case_id(case):
    kind, kwargs, initial, lengths = case
    flags = [f"{k}={v}" for k, v in kwargs.items()]
    return "-".join([kind, *flags, f"h0={initial}", f"lengths={lengths}"])


def _pair(kind, kwargs, dtype=np.float64):
    """A neuronlab layer and a PyTorch layer with the same weights (copied through interop)."""
    ours = getattr(nn, kind)(I, H, dtype=dtype, **kwargs)
    theirs = getattr(torch.nn, kind)(I, H, dtype=torch.float64, **kwargs)
    theirs.load_state_dict(interop.to_torch_state_dict(ours))
    return ours, theirs


def _states(kind, kwargs, rng):
    directions = 2 if kwargs.get("bidirectional") else 1
    count = kwargs.get("num_layers", 1) * directions
    h0 = rng.standard_normal((count, N, kwargs.get("proj_size") or H))
    return (h0, rng.standard_normal((count, N, H))) if kind == "LSTM" else h0


def _leaves(state):
    if isinstance(state, tuple):
        return tuple(nl.tensor(s, requires_grad=True) for s in state), tuple(
            torch.tensor(s, requires_grad=True) for s in state
        )
    return nl.tensor(state, requires_grad=True), torch.tensor(state, requires_grad=True)


def _flat(state):
    return list(state) if isinstance(state, tuple) else [state]


@pytest.mark.parametrize("case", _layer_cases(), ids=_case_id)
def test_layer_matches_torch(case):
    kind, kwargs, initial, use_lengths = case
    rng = np.random.default_rng(zlib.crc32(_case_id(case).encode()))
    ours, theirs = _pair(kind, kwargs)
    x = rng.standard_normal((N, T, I) if kwargs["batch_first"] else (T, N, I))
    x_ours, x_theirs = nl.tensor(x, requires_grad=True), torch.tensor(x, requires_grad=True)
    hx_ours = hx_theirs = None
    if initial:
        hx_ours, hx_theirs = _leaves(_states(kind, kwargs, rng))

    if use_lengths:
        y, final = ours(x_ours, hx_ours, lengths=LENGTHS)
        packed = torch.nn.utils.rnn.pack_padded_sequence(
            x_theirs, torch.tensor(LENGTHS), kwargs["batch_first"], enforce_sorted=False
        )
        y_ref, final_ref = theirs(packed, hx_theirs)
        y_ref, _ = torch.nn.utils.rnn.pad_packed_sequence(y_ref, kwargs["batch_first"], total_length=T)
    else:
        y, final = ours(x_ours, hx_ours)
        y_ref, final_ref = theirs(x_theirs, hx_theirs)

    outputs, outputs_ref = [y, *_flat(final)], [y_ref, *_flat(final_ref)]
    loss, loss_ref = 0, 0
    for out, ref in zip(outputs, outputs_ref):
        assert out.shape == tuple(ref.shape)
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-10, atol=1e-12)
        v = rng.standard_normal(out.shape)
        loss, loss_ref = loss + (out * v).sum(), loss_ref + (ref * torch.tensor(v)).sum()
    loss.backward()
    loss_ref.backward()

    for (name, p), (name_ref, p_ref) in zip(ours.named_parameters(), theirs.named_parameters()):
        assert name == name_ref
        np.testing.assert_allclose(p.grad.data, p_ref.grad.numpy(), rtol=1e-10, atol=1e-12, err_msg=name)
    np.testing.assert_allclose(x_ours.grad.data, x_theirs.grad.numpy(), rtol=1e-10, atol=1e-12)
    if initial:
        for s, s_ref in zip(_flat(hx_ours), _flat(hx_theirs)):
            np.testing.assert_allclose(s.grad.data, s_ref.grad.numpy(), rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_outputs_past_length_are_zero_and_h_n_is_the_last_real_state(kind):
    model = getattr(nn, kind)(I, H, dtype=np.float64)
    x = np.random.default_rng(0).standard_normal((T, N, I))
    y, final = model(x, lengths=LENGTHS)
    h_n = final[0] if kind == "LSTM" else final
    for n, length in enumerate(LENGTHS):
        assert np.all(y.data[length:, n] == 0)
        alone, _ = model(x[:length, n : n + 1])  # the sequence on its own, unpadded
        np.testing.assert_allclose(y.data[:length, n], alone.data[:, 0], rtol=1e-12)
        np.testing.assert_allclose(h_n.data[0, n], alone.data[-1, 0], rtol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_unbatched_input_matches_torch(kind):
    ours, theirs = _pair(kind, {"num_layers": 2, "bidirectional": True})
    x = np.random.default_rng(1).standard_normal((T, I))
    y, final = ours(x)
    y_ref, final_ref = theirs(torch.tensor(x))
    np.testing.assert_allclose(y.data, y_ref.detach().numpy(), rtol=1e-12)
    for s, s_ref in zip(_flat(final), _flat(final_ref)):
        assert s.shape == tuple(s_ref.shape)
        np.testing.assert_allclose(s.data, s_ref.detach().numpy(), rtol=1e-12)


@pytest.mark.parametrize("kind", ["RNN", "GRU", "LSTM"])
def test_dropout_between_layers(kind):
    ours, theirs = _pair(kind, {"num_layers": 2, "dropout": 0.5})
    x = np.random.default_rng(2).standard_normal((T, N, I))
    ours.eval()
    theirs.eval()
    y_eval, _ = ours(x)
    np.testing.assert_allclose(y_eval.data, theirs(torch.tensor(x))[0].detach().numpy(), rtol=1e-12)
    ours.train()
    nl.manual_seed(0)
    y_train, _ = ours(x)
    nl.manual_seed(0)
    y_again, _ = ours(x)
    assert not np.allclose(y_train.data, y_eval.data)
    np.testing.assert_array_equal(y_train.data, y_again.data)


def test_dropout_with_one_layer_warns():
    with pytest.warns(UserWarning, match="num_layers=1"):
        nn.GRU(2, 3, dropout=0.5)


# ---------------------------------------------------------------------------------------------- gradchecks
@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("RNN", {"num_layers": 2, "bidirectional": True}),
        ("RNN", {"nonlinearity": "relu"}),
        ("GRU", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"num_layers": 2, "bidirectional": True}),
        ("LSTM", {"proj_size": 1, "bidirectional": True}),
    ],
    ids=lambda v: v if isinstance(v, str) else "-".join(f"{k}={w}" for k, w in v.items()),
)
@pytest.mark.parametrize("steps", [1, 2, 5])
def test_layer_gradcheck(kind, kwargs, steps):
    """Backpropagation through time over the unrolled graph against finite differences (all parameters,
    the input and the initial state)."""
    rng = np.random.default_rng(steps)
    model = getattr(nn, kind)(2, 2, dtype=np.float64, **kwargs)
    x = nl.tensor(rng.standard_normal((steps, 2, 2)), requires_grad=True)
    count = model.num_layers * (2 if model.bidirectional else 1)
    h0 = nl.tensor(rng.standard_normal((count, 2, model.proj_size or 2)), requires_grad=True)
    c0 = nl.tensor(rng.standard_normal((count, 2, 2)), requires_grad=True)

    def f(x, h0, c0, *params):
        y, final = model(x, (h0, c0) if kind == "LSTM" else h0)
        return [y, *_flat(final)]

    inputs = [x, h0, c0, *model.parameters()]
    assert gradcheck(f, inputs, generator=np.random.default_rng(0))
    if steps == 2:
        assert gradgradcheck(f, inputs, generator=np.random.default_rng(1))


def test_gradcheck_with_lengths():
    model = nn.LSTM(2, 2, bidirectional=True, dtype=np.float64)
    x = nl.tensor(np.random.default_rng(3).standard_normal((4, 3, 2)), requires_grad=True)

    def f(x, *params):
        y, (h, c) = model(x, lengths=[4, 2, 1])
        return [y, h, c]

    assert gradcheck(f, [x, *model.parameters()], generator=np.random.default_rng(0))


# ---------------------------------------------------------------------------------------------- cells
@pytest.mark.parametrize(
    "kind, kwargs",
    [
        ("RNNCell", {}),
        ("RNNCell", {"nonlinearity": "relu"}),
        ("RNNCell", {"bias": False}),
        ("GRUCell", {}),
        ("GRUCell", {"bias": False}),
        ("LSTMCell", {}),
        ("LSTMCell", {"bias": False}),
    ],
)
@pytest.mark.parametrize("batched", [True, False])
def test_cell_matches_torch(kind, kwargs, batched):
    ours = getattr(nn, kind)(I, H, dtype=np.float64, **kwargs)
    theirs = getattr(torch.nn, kind)(I, H, dtype=torch.float64, **kwargs)
    theirs.load_state_dict(interop.to_torch_state_dict(ours))
    rng = np.random.default_rng(4)
    shape = (N,) if batched else ()
    x = rng.standard_normal(shape + (I,))
    states = [rng.standard_normal(shape + (H,)) for _ in range(2 if kind == "LSTMCell" else 1)]
    hx, hx_ref = _leaves(tuple(states) if kind == "LSTMCell" else states[0])
    y = ours(x, hx)
    y_ref = theirs(torch.tensor(x), hx_ref)
    loss, loss_ref = 0, 0
    for out, ref in zip(_flat(y), _flat(y_ref)):
        np.testing.assert_allclose(out.data, ref.detach().numpy(), rtol=1e-12)
        loss, loss_ref = loss + (out * out).sum(), loss_ref + (ref * ref).sum()
    loss.backward()
    loss_ref.backward()
    for p, p_ref in zip(ours.parameters(), theirs.parameters()):
        np.testing.assert_allclose(p.grad.data, p_ref.grad.numpy(), rtol=1e-10, atol=1e-12)
    for s, s_ref in zip(_flat(hx), _flat(hx_ref)):
        np.testing.assert_allclose(s.grad.data, s_ref.grad.numpy(), rtol=1e-10, atol=1e-12)
    assert all(s.shape == tuple(r.shape) for s, r in zip(_flat(ours(x)), _flat(theirs(torch.tensor(x)))))


def test_cell_unrolled_equals_layer():
    """A GRUCell stepped by hand over the sequence is the GRU layer (same weights)."""
    layer, cell = nn.GRU(I, H, dtype=np.float64), nn.GRUCell(I, H, dtype=np.float64)
    cell.load_state_dict({name[:-3]: value for name, value in layer.state_dict().items()})
    x = np.random.default_rng(5).standard_normal((T, N, I))
    y, h_n = layer(x)
    h = None
    for t in range(T):
        h = cell(x[t], h)
        np.testing.assert_allclose(y.data[t], h.data, rtol=1e-12)
    np.testing.assert_allclose(h_n.data[0], h.data, rtol=1e-12)


# ---------------------------------------------------------------------------------------------- layout and init
def test_parameter_names_shapes_and_init_follow_pytorch():
    ours = nn.LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3)
    theirs = torch.nn.LSTM(5, 4, num_layers=2, bidirectional=True, proj_size=3)
    assert [(k, tuple(v.shape)) for k, v in ours.state_dict().items()] == [
        (k, tuple(v.shape)) for k, v in theirs.state_dict().items()
    ]
    bound = 1 / np.sqrt(4)
    nl.manual_seed(0)
    values = np.concatenate([p.data.ravel() for p in nn.GRU(30, 4).parameters()])
    assert values.min() >= -bound and values.max() <= bound and values.std() > 0.8 * bound / np.sqrt(3)
    assert ours.weight_ih_l0.dtype == np.float32


def test_truncated_bptt_with_detach_cuts_the_gradient():
    """Carrying the state into the next chunk with ``detach`` stops the gradient at the chunk boundary."""
    model = nn.RNN(1, 3, dtype=np.float64)
    x = nl.tensor(np.ones((6, 1, 1)), requires_grad=True)
    _, h = model(x[:3])
    y, _ = model(x[3:], h.detach())
    y.sum().backward()
    assert np.all(x.grad.data[:3] == 0) and np.all(x.grad.data[3:] != 0)


# ---------------------------------------------------------------------------------------------- errors
@pytest.mark.parametrize(
    "build, call, error, match",
    [
        (lambda: nn.GRU(2, 3), lambda m: m(np.zeros((4, 2, 5))), ValueError, "input_size=2"),
        (
            lambda: nn.GRU(2, 3),
            lambda m: m(np.zeros((4, 2, 2)), np.zeros((2, 2, 3))),
            ValueError,
            r"h_0 of shape \(1, 2, 3\)",
        ),
        (lambda: nn.LSTM(2, 3), lambda m: m(np.zeros((4, 2, 2)), np.zeros((1, 2, 3))), TypeError, "pair"),
        (lambda: nn.RNN(2, 3), lambda m: m(np.zeros((4, 2, 2)), lengths=[5, 1]), ValueError, "lengths"),
        (lambda: nn.RNN(2, 3), lambda m: m(np.zeros((4, 2, 2)), lengths=[1]), ValueError, "lengths"),
        (lambda: nn.GRUCell(2, 3), lambda m: m(np.zeros((4, 3))), ValueError, "GRUCell"),
    ],
)
def test_bad_arguments(build, call, error, match):
    with pytest.raises(error, match=match):
        call(build())


@pytest.mark.parametrize(
    "kwargs, match",
    [
        ({"proj_size": 3}, "proj_size"),
        ({"nonlinearity": "sigmoid"}, "nonlinearity"),
        ({"hidden_size": 0}, "hidden_size"),
        ({"num_layers": 0}, "num_layers"),
        ({"dropout": 1.5}, "dropout"),
    ],
)
def test_bad_constructor_arguments(kwargs, match):
    args = {"input_size": 2, "hidden_size": 3, **kwargs}
    with pytest.raises(ValueError, match=match), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        (nn.LSTM if "proj_size" in kwargs else nn.RNN)(**args)


def test_config_round_trip():
    model = nn.LSTM(3, 4, num_layers=2, batch_first=True, bidirectional=True, proj_size=2, dtype=np.float64)
    rebuilt = nn.build_module(model.config())
    assert rebuilt.get_config() == model.get_config()
    assert "proj_size=2" in repr(model)


def test_lstm_gates_saturate_without_overflow_warnings():
    """Pre-activations of +-1000: e^(-k a) overflows to inf, and the gates take their limits exactly
    (sigma -> 0 or 1, tanh -> -1 or 1), so c' = f c + i g and h' = o tanh(c') follow in closed form."""
    x = np.array([[1.0], [-1.0]], dtype=np.float32)
    w_ih = np.full((4, 1), 1000.0, dtype=np.float32)  # hidden size 1: a = 1000 x for every gate
    w_hh = np.zeros((4, 1), dtype=np.float32)
    h0, c0 = np.zeros((2, 1), dtype=np.float32), np.full((2, 1), 0.5, dtype=np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        h, c = nl.nn.functional.lstm_cell(x, (h0, c0), w_ih, w_hh)
    # x = 1: i = f = o = 1, g = 1 -> c' = 0.5 + 1, h' = tanh(1.5);  x = -1: i = f = o = 0, g = -1 -> c' = 0, h' = 0
    np.testing.assert_allclose(c.data, [[1.5], [0.0]], atol=1e-7)
    np.testing.assert_allclose(h.data, [[np.tanh(1.5)], [0.0]], rtol=1e-6, atol=1e-7)
