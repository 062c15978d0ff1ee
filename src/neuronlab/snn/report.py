"""One call for a trained model: convert it, run the test set with spikes, and write the numbers and figures."""

from __future__ import annotations

import json
import time
from pathlib import Path

import numpy as np

from neuronlab.autograd import no_grad
from neuronlab.io import atomic
from neuronlab.snn.convert import Population, convert
from neuronlab.snn.plotting import plot_accuracy_curve, plot_raster
from neuronlab.snn.simulate import accuracy_curve, simulate

REPORT_NAME = "conversion.json"


def conversion_report(
    model,
    X_test,
    y_test,
    out,
    X_train=None,
    presentation: float = 0.2,
    dt: float = 1e-3,
    tau_s: float = 0.005,
    normalize: str | None = "percentile",
    percentile: float = 99.9,
    n_times: int = 20,
    relu_neuron: str = "if",
) -> dict:
    """Convert ``model`` (ReLU layers normalized on ``X_train``, as ``relu_neuron`` neurons), measure its accuracy on (``X_test``, ``y_test``)
    with rates and with spikes at ``n_times`` presentation times up to ``presentation``, and write
    ``conversion.json`` (rate_accuracy, spiking_accuracy at ``presentation``, the curve and the settings),
    ``conversion_accuracy.png`` and ``conversion_raster.png`` (every layer's spikes for the first test input)
    into the folder ``out``. Returns the JSON's content."""
    X_test = np.ascontiguousarray(X_test, dtype=np.float32)
    y_test = np.asarray(y_test)
    network = convert(
        model, data=X_train, normalize=normalize, percentile=percentile, tau_s=tau_s, relu_neuron=relu_neuron
    )
    training = model.training
    model.eval()
    try:
        with no_grad():
            rate_accuracy = float(np.mean(np.asarray(model(X_test).data).argmax(axis=-1) == y_test))
    finally:
        model.train(training)
    start = time.perf_counter()
    times, curve = accuracy_curve(network, X_test, y_test, presentation, dt, n_times=n_times)
    seconds = time.perf_counter() - start
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    names = [p.name for p in network.stages if isinstance(p, Population)]
    figures = [
        plot_accuracy_curve(
            out / "conversion_accuracy.png",
            {"converted": (times, curve)},
            {"converted": rate_accuracy},
            title=f"{len(y_test)} test inputs, dt {dt:g} s, tau_s {tau_s:g} s",
        ).name
    ]
    if names:
        figures.append(
            plot_raster(
                out / "conversion_raster.png",
                simulate(network, X_test[:1], presentation, dt, n_times=1, record=True),
                names,
                title=f"spikes of every layer for test input 0 (label {y_test[0]})",
            ).name
        )
    report = {
        "rate_accuracy": rate_accuracy,
        "spiking_accuracy": float(curve[-1]),
        "presentation": presentation,
        "dt": dt,
        "tau_s": tau_s,
        "normalize": normalize,
        "percentile": percentile,
        "relu_neuron": relu_neuron,
        "samples": len(y_test),
        "curve": {"times": times.tolist(), "accuracy": curve.tolist()},
        "scales": network.scales,
        "simulation_seconds": seconds,
        "figures": figures,
    }
    atomic.write_text(out / REPORT_NAME, json.dumps(report, indent=2) + "\n")
    return report
