import json
from collections import OrderedDict

import numpy as np
import pytest

import neuronlab
from neuronlab import nn
from neuronlab.autograd import Tensor


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(3, 4)
        self.bn = nn.BatchNorm1d(4)
        self.act = nn.ReLU()
        self.fc2 = nn.Linear(4, 2)
        self.scale = nn.Parameter(np.ones(1, dtype=np.float32))
        self.register_buffer("calls", np.zeros((), dtype=np.int64))
        self.register_buffer("scratch", np.zeros(2, dtype=np.float32), persistent=False)

    def forward(self, x):
        return self.fc2(self.act(self.bn(self.fc1(x)))) * self.scale


def test_parameter_is_a_tensor_that_requires_grad():
    p = nn.Parameter([1.0, 2.0])
    assert isinstance(p, Tensor) and p.requires_grad and p.is_leaf and p.dtype == np.float32
    assert repr(p).startswith("Parameter containing:")
    assert type(p * 2) is Tensor  # operations give plain tensors
    with pytest.raises(TypeError, match="floating"):
        nn.Parameter(np.arange(3))


def test_registration_and_tree_walking():
    model = TwoLayer()
    names = [name for name, _ in model.named_parameters()]
    assert names == ["scale", "fc1.weight", "fc1.bias", "bn.weight", "bn.bias", "fc2.weight", "fc2.bias"]
    assert [name for name, _ in model.named_children()] == ["fc1", "bn", "act", "fc2"]
    assert [name for name, _ in model.named_modules()] == ["", "fc1", "bn", "act", "fc2"]
    assert [name for name, _ in model.named_buffers()] == [
        "calls",
        "scratch",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
    ]
    assert model.num_parameters() == 1 + 16 + 8 + 10
    model.fc2 = None  # declared but absent child
    assert "fc2.weight" not in dict(model.named_parameters())
    with pytest.raises(TypeError, match="Parameter or None"):
        model.scale = np.ones(1)


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(2, 2)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert model.num_parameters() == 6


def test_assigning_before_init_is_a_clear_error():
    class Broken(nn.Module):
        def __init__(self):
            self.fc = nn.Linear(2, 2)

    with pytest.raises(AttributeError, match="super\\(\\).__init__\\(\\)"):
        Broken()


def test_train_eval_and_requires_grad():
    model = TwoLayer()
    assert all(m.training for m in model.modules())
    assert model.eval() is model and not any(m.training for m in model.modules())
    model.train()
    assert all(m.training for m in model.modules())
    model.requires_grad_(False)
    assert not any(p.requires_grad for p in model.parameters())


def test_zero_grad_sets_none_or_zeros():
    model = TwoLayer()
    model(neuronlab.tensor(np.random.default_rng(0).normal(size=(5, 3)))).sum().backward()
    assert all(p.grad is not None for p in model.parameters())
    model.zero_grad(set_to_none=False)
    assert all(np.all(p.grad.data == 0) for p in model.parameters())
    model.zero_grad()
    assert all(p.grad is None for p in model.parameters())


def test_state_dict_round_trip_restores_outputs():
    neuronlab.manual_seed(0)
    x = neuronlab.tensor(np.random.default_rng(1).normal(size=(8, 3)))
    source = TwoLayer()
    source(x)  # updates the BatchNorm running statistics
    state = source.state_dict()
    assert list(state) == [
        "scale",
        "calls",
        "fc1.weight",
        "fc1.bias",
        "bn.weight",
        "bn.bias",
        "bn.running_mean",
        "bn.running_var",
        "bn.num_batches_tracked",
        "fc2.weight",
        "fc2.bias",
    ]
    assert all(isinstance(v, np.ndarray) for v in state.values())
    assert state["bn.num_batches_tracked"] == 1
    # a snapshot: changing the model afterwards does not change the saved arrays
    with neuronlab.no_grad():
        source.fc1.weight.add_(1.0)
    assert not np.array_equal(state["fc1.weight"], source.fc1.weight.data)
    source.load_state_dict(state)
    target = TwoLayer()
    result = target.load_state_dict(state)
    assert result.missing_keys == [] and result.unexpected_keys == []
    for a, b in zip(source.state_dict().values(), target.state_dict().values()):
        np.testing.assert_array_equal(a, b)
    source.eval(), target.eval()
    np.testing.assert_array_equal(source(x).data, target(x).data)
    assert target.state_dict(keep_vars=True)["fc1.weight"] is target.fc1.weight


def test_strict_loading_errors_name_the_keys_and_shapes():
    model = TwoLayer()
    state = model.state_dict()
    del state["fc1.bias"]
    state["fc3.weight"] = np.zeros((2, 2))
    before = model.fc2.weight.data.copy()
    state["fc2.weight"] = np.ones((4, 2))
    with pytest.raises(ValueError) as error:
        model.load_state_dict(state)
    message = str(error.value)
    assert "TwoLayer" in message and "Missing key(s): 'fc1.bias'" in message
    assert "Unexpected key(s): 'fc3.weight'" in message
    np.testing.assert_array_equal(model.fc2.weight.data, before)  # nothing copied when something is wrong

    state = model.state_dict()
    state["fc2.weight"] = np.ones((2, 4))
    with pytest.raises(ValueError, match=r"size mismatch for 'fc2.weight'.*\(2, 4\).*\(4, 2\)"):
        model.load_state_dict(state, strict=False)  # shapes are checked even when not strict

    partial = {"fc2.bias": np.array([1.0, 2.0]), "extra": np.zeros(1)}
    result = model.load_state_dict(partial, strict=False)
    assert "fc1.weight" in result.missing_keys and result.unexpected_keys == ["extra"]
    np.testing.assert_array_equal(model.fc2.bias.data, [1.0, 2.0])
    assert model.fc2.bias.dtype == np.float32  # loading keeps the parameter's dtype
    with pytest.raises(TypeError, match="mapping"):
        model.load_state_dict([1, 2])


def test_config_rebuilds_nested_sequential_from_json():
    model = nn.Sequential(
        OrderedDict(
            [
                (
                    "hidden",
                    nn.Sequential(
                        nn.Linear(4, 8),
                        nn.BatchNorm1d(8, momentum=None),
                        nn.LeakyReLU(0.2),
                        nn.Dropout(0.3, scale_at_inference=True),
                    ),
                ),
                ("flat", nn.Flatten()),
                ("out", nn.Linear(8, 3, bias=False)),
                ("id", nn.Identity()),
                ("heads", nn.ModuleList([nn.Softmax(dim=1), nn.LogSoftmax(dim=1), nn.GELU("tanh"), nn.ELU(0.5)])),
                ("loss", nn.CrossEntropyLoss(weight=[1.0, 2.0, 3.0], label_smoothing=0.1)),
            ]
        )
    )
    text = json.dumps(model.config())
    rebuilt = nn.build_module(json.loads(text))
    assert json.dumps(rebuilt.config()) == text
    assert repr(rebuilt) == repr(model)
    assert rebuilt.load_state_dict(model.state_dict()) == ([], [])
    assert rebuilt.hidden[1].momentum is None and rebuilt.hidden[3].scale_at_inference


def test_build_module_errors():
    with pytest.raises(ValueError, match="unknown module type 'Conv9d'"):
        nn.build_module({"type": "Conv9d", "args": {}})
    with pytest.raises(ValueError, match="'type'"):
        nn.build_module({"args": {}})

    class Custom(nn.Module):
        def forward(self, x):
            return x

    with pytest.raises(NotImplementedError, match="get_config"):
        Custom().config()

    @nn.register_buildable
    class Scaled(nn.Module):
        def __init__(self, factor=2.0):
            super().__init__()
            self.factor = factor

        def forward(self, x):
            return x * self.factor

        def get_config(self):
            return {"factor": self.factor}

    rebuilt = nn.build_module(nn.Sequential(Scaled(3.0)).config())
    assert isinstance(rebuilt[0], Scaled) and rebuilt[0].factor == 3.0


def test_repr_shows_the_tree_and_parameter_counts():
    model = nn.Sequential(nn.Linear(3, 5), nn.ReLU(), nn.Linear(5, 2))
    expected = (
        "Sequential(  # 32 params\n"
        "  (0): Linear(in_features=3, out_features=5, bias=True)  # 20 params\n"
        "  (1): ReLU()\n"
        "  (2): Linear(in_features=5, out_features=2, bias=True)  # 12 params\n"
        ")"
    )
    assert repr(model) == expected
    model(neuronlab.tensor(np.zeros((7, 3))))
    assert repr(model) == expected  # a forward pass records nothing on the modules


def test_containers():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    seq = nn.Sequential(a, b, c)
    assert len(seq) == 3 and seq[0] is a and seq[-1] is c and list(seq) == [a, b, c]
    assert isinstance(seq[1:], nn.Sequential) and list(seq[1:]) == [b, c]
    with pytest.raises(IndexError):
        seq[3]
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(a, "relu")
    layers = nn.ModuleList([a]).extend([b, c])
    assert len(layers) == 3 and layers[2] is c and len(list(layers.parameters())) == 4
    x = neuronlab.tensor(np.arange(24, dtype=np.float32).reshape(2, 3, 4))
    assert nn.Flatten()(x).shape == (2, 12) and nn.Flatten(0, 1)(x).shape == (6, 4)
    assert nn.Identity()(x) is x


def test_to_double_keeps_parameter_objects():
    model = TwoLayer()
    weight = model.fc1.weight
    model.double()
    assert model.fc1.weight is weight and weight.dtype == np.float64
    assert model.bn.running_mean.dtype == np.float64 and model.bn.num_batches_tracked.dtype == np.int64
    assert model(neuronlab.tensor(np.zeros((4, 3)))).dtype == np.float64


def test_forward_hooks_fire_and_can_be_removed():
    layer = nn.Linear(3, 2)
    calls = []
    handle = layer.register_forward_hook(lambda m, inputs, output: calls.append((m, inputs, output)))
    pre = layer.register_forward_pre_hook(lambda m, inputs: (inputs[0] * 2,))
    x = neuronlab.tensor(np.ones((4, 3)))
    y = layer(x)
    ((module, inputs, output),) = calls
    assert module is layer and output is y
    np.testing.assert_array_equal(inputs[0].data, 2 * x.data)  # the pre-hook doubled the input
    handle.remove(), pre.remove()
    layer(x)
    assert len(calls) == 1


def test_full_backward_hook_sees_the_gradients_of_the_module():
    # y = x W + b, E = sum(v * y): grad_output = v, grad_input = v W^T (only this module's contribution,
    # even though x also feeds another branch).
    rng = np.random.default_rng(3)
    layer = nn.Linear(3, 2, dtype=np.float64)
    x = neuronlab.tensor(rng.normal(size=(4, 3)), requires_grad=True)
    v = rng.normal(size=(4, 2))
    seen = []
    layer.register_full_backward_hook(lambda m, gin, gout: seen.append((m, gin, gout)))
    y = layer(x)
    (y * v).sum().add((x * x).sum()).backward()
    ((module, grad_input, grad_output),) = seen
    assert module is layer and len(grad_input) == 1 and len(grad_output) == 1
    np.testing.assert_allclose(grad_output[0].data, v)
    np.testing.assert_allclose(grad_input[0].data, v @ layer.weight.data.T)
    np.testing.assert_allclose(x.grad.data, v @ layer.weight.data.T + 2 * x.data)


def test_full_backward_hook_can_replace_the_input_gradient_and_handles_data_inputs():
    layer = nn.Linear(3, 2, dtype=np.float64)
    x = neuronlab.tensor(np.ones((2, 3)), requires_grad=True)
    layer.register_full_backward_hook(lambda m, gin, gout: (gin[0] * 0,))
    layer(x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.zeros((2, 3)))
    assert layer.weight.grad is not None

    seen = []
    data_layer = nn.Linear(3, 2)
    data_layer.register_full_backward_hook(lambda m, gin, gout: seen.append((gin, gout)))
    data_layer(neuronlab.tensor(np.ones((2, 3)))).sum().backward()  # the input needs no gradient
    ((grad_input, grad_output),) = seen
    assert grad_input == (None,) and grad_output[0].shape == (2, 2)
