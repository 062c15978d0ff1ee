"""ONNX export of the convolution, pooling, resizing and recurrent layers: every exportable configuration
runs in ONNX Runtime with neuronlab's outputs (within 1e-5, float32, any batch size) on digits read as
images (N, 1, 8, 8), signals (N, 4, 16) and sequences (N, 8 steps, 8 values); what ONNX cannot express
is refused in one line; `neuronlab export` of a `--model cnn` and a `--model gru` run folder works."""

import numpy as np
import pytest
from click.testing import CliRunner

import neuronlab
from neuronlab import nn
from neuronlab.data import Standardize, load_dataset
from neuronlab.io import ExportError, export_onnx
from neuronlab.nn.recurrent_models import SequenceClassifier
from neuronlab.train.inference import model_outputs

onnx = pytest.importorskip("onnx", reason="ONNX export tests need pip install 'neuronlab[onnx]'")
ort = pytest.importorskip("onnxruntime", reason="ONNX export tests need pip install 'neuronlab[onnx]'")


@pytest.fixture(scope="module")
def digits():
    return Standardize().fit_transform(load_dataset("digits").X.astype(np.float32)).astype(np.float32)


def run_onnx(path, x):
    session = ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {"input": np.ascontiguousarray(x)})[0]


def outputs(model, x):
    y = model(neuronlab.Tensor(x))
    return (y[0] if isinstance(y, tuple) else y).data


def check_parity(model, x, tmp_path, batch_sizes=(1, 37)):
    path = export_onnx(model, x[:2], tmp_path / "model.onnx")
    proto = onnx.load(str(path))
    onnx.checker.check_model(proto, full_check=True)
    assert proto.graph.input[0].type.tensor_type.shape.dim[0].dim_param == "batch"
    assert proto.graph.input[0].type.tensor_type.elem_type == onnx.TensorProto.FLOAT
    model.eval()
    for n in batch_sizes:
        expected, got = outputs(model, x[:n]), run_onnx(path, x[:n])
        assert got.dtype == np.float32 and got.shape == expected.shape
        np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    return proto


IMAGE_LAYERS = {
    "Conv2d": lambda: nn.Conv2d(1, 4, 3),
    "Conv2d-same-dilated": lambda: nn.Conv2d(1, 4, (3, 2), padding="same", dilation=2),
    "Conv2d-strided-no-bias": lambda: nn.Conv2d(1, 4, 3, stride=2, padding=1, bias=False),
    "Conv2d-reflect": lambda: nn.Conv2d(1, 4, 3, padding=(1, 2), padding_mode="reflect"),
    "Conv2d-replicate": lambda: nn.Conv2d(1, 4, 3, padding=2, padding_mode="replicate"),
    "Conv2d-circular": lambda: nn.Conv2d(1, 4, 3, padding=(2, 1), padding_mode="circular"),
    "Conv2d-groups": lambda: nn.Sequential(nn.Conv2d(1, 4, 1), nn.Conv2d(4, 6, 3, groups=2)),
    "ConvTranspose2d": lambda: nn.ConvTranspose2d(1, 4, 3, stride=2, padding=1, output_padding=1),
    "ConvTranspose2d-groups-dilated": lambda: nn.Sequential(
        nn.Conv2d(1, 4, 1), nn.ConvTranspose2d(4, 6, 2, stride=3, groups=2, dilation=2, bias=False)
    ),
    "MaxPool2d": lambda: nn.MaxPool2d(2),
    "MaxPool2d-padded-ceil": lambda: nn.MaxPool2d(3, 2, padding=1, ceil_mode=True),
    "MaxPool2d-dilated": lambda: nn.MaxPool2d(2, 1, dilation=2),
    "AvgPool2d": lambda: nn.AvgPool2d(2),
    "AvgPool2d-padded": lambda: nn.AvgPool2d(3, 2, padding=1),
    "AvgPool2d-padded-not-counted": lambda: nn.AvgPool2d(3, 2, padding=1, count_include_pad=False),
    "AvgPool2d-ceil": lambda: nn.AvgPool2d(3, 2, padding=1, ceil_mode=True),
    "AvgPool2d-ceil-not-counted": lambda: nn.AvgPool2d(3, 2, padding=1, ceil_mode=True, count_include_pad=False),
    "AvgPool2d-divisor-override": lambda: nn.AvgPool2d(2, divisor_override=3),
    "AdaptiveAvgPool2d-global": lambda: nn.AdaptiveAvgPool2d(1),
    "AdaptiveAvgPool2d-uneven": lambda: nn.AdaptiveAvgPool2d((3, 5)),
    "AdaptiveAvgPool2d-keep-rows": lambda: nn.AdaptiveAvgPool2d((None, 3)),
    "BatchNorm2d": lambda: nn.BatchNorm2d(1),
    "Dropout2d": lambda: nn.Dropout2d(0.5),
    "Upsample-nearest": lambda: nn.Upsample(scale_factor=2),
    "Upsample-nearest-size": lambda: nn.Upsample(size=(13, 7)),
    "Upsample-bilinear": lambda: nn.Upsample(scale_factor=1.7, mode="bilinear"),
    "Upsample-bilinear-size": lambda: nn.Upsample(size=(13, 7), mode="bilinear"),
    "Upsample-bilinear-align-corners": lambda: nn.Upsample(size=(11, 17), mode="bilinear", align_corners=True),
    "Flatten-Unflatten": lambda: nn.Sequential(nn.Flatten(), nn.Unflatten(1, (2, 32))),
}

SIGNAL_LAYERS = {
    "Conv1d": lambda: nn.Conv1d(4, 3, 3),
    "Conv1d-same-circular": lambda: nn.Conv1d(4, 3, 4, padding="same", padding_mode="circular"),
    "Conv1d-strided-groups": lambda: nn.Conv1d(4, 6, 3, stride=2, padding=2, dilation=2, groups=2),
    "MaxPool1d-ceil": lambda: nn.MaxPool1d(3, ceil_mode=True),
    "AvgPool1d": lambda: nn.AvgPool1d(3, 2, padding=1),
    "AvgPool1d-ceil-not-counted": lambda: nn.AvgPool1d(3, 2, padding=1, ceil_mode=True, count_include_pad=False),
    "AdaptiveAvgPool1d-global": lambda: nn.AdaptiveAvgPool1d(1),
    "AdaptiveAvgPool1d-uneven": lambda: nn.AdaptiveAvgPool1d(5),
    "BatchNorm1d-channels": lambda: nn.BatchNorm1d(4),
    "Upsample-nearest-1d": lambda: nn.Upsample(scale_factor=1.5),
    "Upsample-linear": lambda: nn.Upsample(scale_factor=2.5, mode="linear"),
}


def trained_statistics(model, x):
    """One training-mode pass, so BatchNorm's running statistics are those of the data, not 0 and 1."""
    model.train()
    model(neuronlab.Tensor(x))
    return model.eval()


@pytest.mark.parametrize("name", list(IMAGE_LAYERS))
def test_image_layers_match_onnx_runtime(name, digits, tmp_path):
    neuronlab.manual_seed(0)
    images = digits.reshape(-1, 1, 8, 8)
    model = trained_statistics(nn.Sequential(IMAGE_LAYERS[name](), nn.Tanh()), images)
    check_parity(model, images, tmp_path)


@pytest.mark.parametrize("name", list(SIGNAL_LAYERS))
def test_signal_layers_match_onnx_runtime(name, digits, tmp_path):
    neuronlab.manual_seed(1)
    signals = digits.reshape(-1, 4, 16)
    model = trained_statistics(nn.Sequential(SIGNAL_LAYERS[name](), nn.Tanh()), signals)
    check_parity(model, signals, tmp_path)


def test_lenet_from_flat_rows(digits, tmp_path):
    """The `--model cnn` stack: Unflatten, Conv2d "same", BatchNorm2d, ReLU, MaxPool2d, Flatten, Linear."""
    from neuronlab.train.cnn import build_cnn

    neuronlab.manual_seed(2)
    model = trained_statistics(build_cnn((1, 8, 8), 10, batchnorm=True, dropout=0.2), digits)
    proto = check_parity(model, digits, tmp_path, batch_sizes=(1, 2, len(digits)))
    assert {"Conv", "BatchNormalization", "MaxPool", "Reshape"} <= {node.op_type for node in proto.graph.node}


RECURRENT = {"rnn": nn.RNN, "gru": nn.GRU, "lstm": nn.LSTM}


@pytest.mark.parametrize("kind", list(RECURRENT))
@pytest.mark.parametrize(
    "options",
    [{}, {"batch_first": True}, {"num_layers": 2, "bidirectional": True, "batch_first": True}, {"bias": False}],
    ids=["one-layer", "batch-first", "two-layers-bidirectional", "no-bias"],
)
def test_recurrent_layers_export_their_output_sequence(kind, options, digits, tmp_path):
    neuronlab.manual_seed(3)
    sequences = digits.reshape(-1, 8, 8)
    if not options.get("batch_first"):
        sequences = np.ascontiguousarray(sequences.transpose(1, 0, 2))  # (T, N, 8): the batch dimension is time
    proto = check_parity(RECURRENT[kind](8, 6, **options), sequences, tmp_path, batch_sizes=(1, 8))
    assert {"rnn": "RNN", "gru": "GRU", "lstm": "LSTM"}[kind] in {node.op_type for node in proto.graph.node}


def test_relu_rnn_stacked_three_deep(digits, tmp_path):
    neuronlab.manual_seed(4)
    model = nn.RNN(8, 5, num_layers=3, nonlinearity="relu", bidirectional=True, batch_first=True)
    proto = check_parity(model, digits.reshape(-1, 8, 8), tmp_path)
    assert [node.op_type for node in proto.graph.node].count("RNN") == 3


@pytest.mark.parametrize("kind", list(RECURRENT))
@pytest.mark.parametrize("readout", ["last", "all"])
@pytest.mark.parametrize("bidirectional", [False, True], ids=["forward", "bidirectional"])
def test_sequence_classifier_from_flat_rows(kind, readout, bidirectional, digits, tmp_path):
    """`--model rnn|gru|lstm`: a row of 64 values read as 16 steps of 4, two layers, a Linear readout."""
    neuronlab.manual_seed(5)
    model = SequenceClassifier(kind, 4, 6, 10, num_layers=2, bidirectional=bidirectional, readout=readout, seq_len=16)
    check_parity(model, digits, tmp_path)


def test_onnx_gate_order_is_not_pytorchs(digits, tmp_path):
    """The reordering matters: swapping a GRU's update and reset gates changes its outputs."""
    neuronlab.manual_seed(6)
    gru = nn.GRU(8, 6, batch_first=True)
    sequences = digits[:4].reshape(-1, 8, 8)
    expected = outputs(gru, sequences)
    r, z, n = np.split(gru.weight_ih_l0.data, 3)
    gru.weight_ih_l0.data[...] = np.concatenate([z, r, n])
    assert np.abs(outputs(gru, sequences) - expected).max() > 1e-2


@pytest.mark.parametrize(
    "layer, example, message",
    [
        (lambda: nn.AdaptiveMaxPool2d(3), (2, 1, 8, 8), "AdaptiveMaxPool2d has no ONNX converter"),
        (lambda: nn.MaxPool2d(2, return_indices=True), (2, 1, 8, 8), r"MaxPool2d\(return_indices=True\)"),
        (lambda: nn.LSTM(8, 6, proj_size=3), (8, 2, 8), r"LSTM\(proj_size=3\) has no ONNX counterpart"),
        (lambda: nn.BatchNorm2d(1, track_running_stats=False), (2, 1, 8, 8), "track_running_stats=False"),
    ],
    ids=["AdaptiveMaxPool2d", "MaxPool2d-indices", "LSTM-proj", "BatchNorm2d-batch-statistics"],
)
def test_layers_onnx_cannot_express_are_refused_in_one_line(layer, example, message, tmp_path):
    with pytest.raises(ExportError, match=message) as error:
        export_onnx(layer(), np.zeros(example, np.float32), tmp_path / "m.onnx")
    assert "\n" not in str(error.value)
    assert not (tmp_path / "m.onnx").exists()


# ---------------------------------------------------------------------------------------- the command
@pytest.mark.parametrize("model", ["cnn", "gru"])
def test_export_command_on_a_run_folder(model, tmp_path):
    from neuronlab.cli.main import cli

    run = tmp_path / model
    trained = CliRunner().invoke(
        cli,
        ["train", "--model", model, "--hidden", "8", "--epochs", "1", "--no-plots", "--batch-size", "256"]
        + ["--out", str(run)],
    )
    assert trained.exit_code == 0, trained.output
    result = CliRunner().invoke(cli, ["export", str(run)])
    assert result.exit_code == 0, result.output
    assert result.output == f"wrote {run / 'model.onnx'} (64 inputs, opset 17)\n"
    checkpoint = neuronlab.load(run / "model.safetensors")
    raw = load_dataset("digits").X[:50].astype(np.float32)
    expected = model_outputs(checkpoint.model, raw, checkpoint.input_transform)
    np.testing.assert_allclose(run_onnx(run / "model.onnx", raw), expected, rtol=1e-5, atol=1e-5)


def test_export_command_on_a_folder_without_a_model(tmp_path):
    from neuronlab.cli.main import cli

    result = CliRunner().invoke(cli, ["export", str(tmp_path)])
    assert result.exit_code == 1 and "holds no model.safetensors" in result.output
    assert "Traceback" not in result.output
