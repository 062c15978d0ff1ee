"""ONNX export checked by the onnx checker and by ONNX Runtime, an independent implementation of every op:
its outputs on digits must equal neuronlab's within 1e-5, in float32, for any batch size."""

import sys

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.data import MinMaxScale, Standardize, Whiten, load_dataset
from neuronlab.data.transforms import Compose
from neuronlab.io import ExportError, export_onnx
from neuronlab.train.inference import model_outputs

onnx = pytest.importorskip("onnx", reason="ONNX export tests need pip install 'neuronlab[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="ONNX export tests need pip install 'neuronlab[onnx]'")


@pytest.fixture(scope="module")
def digits():
    return load_dataset("digits").X.astype(np.float32)


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": np.ascontiguousarray(x)})[0]


def with_running_stats(model, x):
    """One training-mode forward pass, so BatchNorm's running statistics are not the initial 0 and 1."""
    model.train()
    model(neuronlab.Tensor(x))
    return model.eval()


def check_parity(model, x, tmp_path, batch_sizes=(1, 37), **kwargs):
    path = export_onnx(model, x[:2], tmp_path / "model.onnx", **kwargs)
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert proto.graph.output[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert all(init.data_type in (onnx.TensorProto.FLOAT, onnx.TensorProto.INT64) for init in proto.graph.initializer)
    for n in batch_sizes:
        expected = model_outputs(model, x[:n], kwargs.get("input_transform"), kwargs.get("target_transform"))
        got = run_onnx(path, x[:n])
        assert got.dtype == np.float32 and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    return proto


LAYERS = {
    "Linear": lambda: nn.Linear(64, 64),
    "Linear-no-bias": lambda: nn.Linear(64, 64, bias=False),
    "ReLU": nn.ReLU,
    "Sigmoid": nn.Sigmoid,
    "Tanh": nn.Tanh,
    "Identity": nn.Identity,
    "LeakyReLU": lambda: nn.LeakyReLU(0.2),
    "ELU": lambda: nn.ELU(0.7),
    "GELU": nn.GELU,
    "GELU-tanh": lambda: nn.GELU("tanh"),
    "Softmax": nn.Softmax,
    "LogSoftmax": lambda: nn.LogSoftmax(dim=1),
    "BatchNorm1d": lambda: nn.BatchNorm1d(64),
    "BatchNorm1d-no-affine": lambda: nn.BatchNorm1d(64, affine=False),
    "Dropout": lambda: nn.Dropout(0.5),
    "Dropout-scaled": lambda: nn.Dropout(0.3, scale_at_inference=True),
}


@pytest.mark.parametrize("name", list(LAYERS))
def test_every_layer_matches_onnx_runtime_on_digits(name, digits, tmp_path):
    neuronlab.manual_seed(0)
    x = Standardize().fit_transform(digits).astype(np.float32)
    model = with_running_stats(nn.Sequential(nn.Linear(64, 64), LAYERS[name](), nn.Linear(64, 10)), x)
    check_parity(model, x, tmp_path)


def test_flatten_and_three_dimensional_linear(digits, tmp_path):
    neuronlab.manual_seed(1)
    images = (digits / 16).reshape(-1, 8, 8)
    model = nn.Sequential(nn.Linear(8, 6), nn.Tanh(), nn.Flatten(), nn.Linear(48, 10))
    check_parity(model, images, tmp_path)
    partial = nn.Sequential(nn.Flatten(0, 1), nn.Linear(8, 3))  # merges the batch: rows of all images
    path = export_onnx(partial, images[:2], tmp_path / "partial.onnx")
    rows = onnx.load(str(path)).graph.output[0].type.tensor_type.shape.dim[0]
    assert not rows.HasField("dim_param") and not rows.HasField("dim_value")  # not the batch: left open
    np.testing.assert_allclose(run_onnx(path, images[:5]), model_outputs(partial, images[:5]), rtol=1e-5, atol=1e-5)


def test_mlp_with_batchnorm_dropout_and_nested_sequential(digits, tmp_path):
    neuronlab.manual_seed(2)
    x = Standardize().fit_transform(digits).astype(np.float32)
    model = nn.Sequential(
        nn.Linear(64, 32),
        nn.BatchNorm1d(32),
        nn.ReLU(),
        nn.Dropout(0.2),
        nn.Sequential(nn.Linear(32, 16), nn.GELU()),
        nn.Linear(16, 10),
    )
    with_running_stats(model, x)
    model.train()  # export runs in eval mode and puts the modes back
    check_parity(model, x, tmp_path, batch_sizes=(1, 2, len(x)))
    assert all(m.training for m in model.modules())


@pytest.mark.parametrize(
    "transform",
    [Standardize(), MinMaxScale((-1, 1)), Whiten("pca"), Whiten("zca"), Compose([MinMaxScale(), Standardize()])],
    ids=repr,
)
def test_preprocessing_is_part_of_the_graph(transform, digits, tmp_path):
    neuronlab.manual_seed(3)
    transform.fit(digits)
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
    proto = check_parity(model, digits, tmp_path, input_transform=transform)
    assert proto.graph.node[0].op_type == "Sub"  # the raw inputs enter the graph


def test_regression_outputs_in_the_targets_units(tmp_path):
    bundle = load_dataset("diabetes")
    x = bundle.X.astype(np.float32)
    targets = Standardize().fit(bundle.y.reshape(-1, 1))
    neuronlab.manual_seed(4)
    model = nn.Sequential(nn.Linear(x.shape[1], 16), nn.ELU(), nn.Linear(16, 1))
    check_parity(model, x, tmp_path, input_transform=Standardize().fit(x), target_transform=targets)
    assert abs(run_onnx(tmp_path / "model.onnx", x).mean()) > 10  # original units (~150), not z-scores


def test_float64_models_stay_float64(digits, tmp_path):
    model = nn.Sequential(nn.Linear(64, 10, dtype=np.float64), nn.ReLU())
    path = export_onnx(model, digits[:1], tmp_path / "double.onnx")
    assert onnx.load(str(path)).graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.DOUBLE
    x = digits[:5].astype(np.float64)
    np.testing.assert_allclose(run_onnx(path, x), model_outputs(model, x).astype(np.float64), rtol=1e-12)


class Square(nn.Module):
    def forward(self, x):
        return x * x


def test_layers_without_a_converter_are_refused_by_name(digits, tmp_path):
    with pytest.raises(ExportError, match=r"Square has no ONNX converter \(supported layers: .*Linear"):
        export_onnx(nn.Sequential(nn.Linear(64, 3), Square()), digits[:1], tmp_path / "m.onnx")
    with pytest.raises(ExportError, match="track_running_stats=False"):
        export_onnx(nn.BatchNorm1d(64, track_running_stats=False), digits[:1], tmp_path / "m.onnx")
    with pytest.raises(ExportError, match="mixes parameter dtypes"):
        export_onnx(nn.Sequential(nn.Linear(64, 3), nn.Linear(3, 2, dtype=np.float64)), digits[:1], tmp_path / "m.onnx")
    with pytest.raises(ExportError, match="batch axis"):
        export_onnx(nn.Linear(64, 3), np.zeros((0, 64), np.float32), tmp_path / "m.onnx")
    assert not (tmp_path / "m.onnx").exists()


def test_missing_onnx_package_says_how_to_install(monkeypatch, tmp_path):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'neuronlab\[onnx\]'"):
        export_onnx(nn.Linear(2, 1), np.zeros((1, 2), np.float32), tmp_path / "m.onnx")


# ---------------------------------------------------------------------------------------- the command
def _checkpoint(tmp_path, digits, model):
    bundle = load_dataset("digits")
    transform = Standardize().fit(digits)
    path = neuronlab.save(
        model,
        tmp_path / "model.safetensors",
        preprocessing=transform,
        task="classification",
        class_names=bundle.class_names,
        extra={"run": {"n_features": 64}},
    )
    return path, transform


def test_export_command_writes_a_model_that_takes_raw_inputs(digits, tmp_path):
    from neuronlab.cli.main import cli

    neuronlab.manual_seed(5)
    model = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Linear(32, 10))
    with_running_stats(model, Standardize().fit_transform(digits).astype(np.float32))
    checkpoint, transform = _checkpoint(tmp_path, digits, model)
    result = CliRunner().invoke(cli, ["export", str(checkpoint), "-o", str(tmp_path / "digits.onnx")])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {tmp_path / 'digits.onnx'} (64 inputs, opset 17)\n"
    np.testing.assert_allclose(
        run_onnx(tmp_path / "digits.onnx", digits), model_outputs(model, digits, transform), rtol=1e-5, atol=1e-5
    )
    props = {p.key: p.value for p in onnx.load(str(tmp_path / "digits.onnx")).metadata_props}
    assert props["task"] == "classification" and props["class_names"].startswith('["0", "1"')


def test_export_command_refuses_an_unsupported_layer_in_one_line(digits, tmp_path):
    from neuronlab.cli.main import cli
    from neuronlab.nn.module import register_buildable

    @register_buildable
    class Cube(nn.Module):
        def forward(self, x):
            return x * x * x

        def get_config(self):
            return {}

    checkpoint, _ = _checkpoint(tmp_path, digits, nn.Sequential(nn.Linear(64, 10), Cube()))
    result = CliRunner().invoke(cli, ["export", str(checkpoint), "-o", str(tmp_path / "m.onnx")])
    assert isinstance(result.exception, SystemExit) and result.exit_code == 2, result.output
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and "Cube has no ONNX converter" in errors[0], result.output
    assert "Traceback" not in result.output
    assert not (tmp_path / "m.onnx").exists()
