"""ann-to-snn: digits networks trained with rates, run with spikes (seed 003; issue 15).

A 64-64-10 network is trained with the smoothed LIF tuning curve (SoftLIFRate) as its activation, another with
ReLU, and a small CNN (1x8x8 images: Conv2d 8 channels 3x3 -> ReLU -> AvgPool2d 2 -> Flatten -> Linear).
Each is converted: the SoftLIF units become LIF neurons with the same input currents (the spiking neuron
fires at the tuning curve's rate); the ReLU units (one per feature, or per channel and pixel) become
integrate-and-fire neurons scaled by the 99.9th percentile of their activations on the training images, or
LIF neurons whose gain and bias make their rate follow the normalized ReLU ("->LIF"). Every test image is presented as a constant input current for
0.2 s (dt = 1 ms); spikes are filtered by an exponential synapse (tau_s = 5 ms) and the class is read from the
output averaged over the time so far. The spiking accuracy rises with presentation time toward the rate
network's. For seed 0 the experiment also varies tau_s and dt (accuracy after 10 to 50 ms), and times the
simulation of 1,000 images.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from neuronlab import nn, optim, snn
from neuronlab.data import DataLoader, TensorDataset, load_dataset, train_val_test_split
from neuronlab.experiments._progress import runs
from neuronlab.experiments.registry import register
from neuronlab.random import manual_seed
from neuronlab.snn.plotting import plot_accuracy_curve, plot_relu_lif_fit
from neuronlab.train import accuracy, fit, predict

PRESENTATION, DT, TAU_S = 0.2, 1e-3, 0.005
AMPLITUDE = 0.01  # rates of up to 1/tau_ref = 500 Hz become activations of up to 5


# conversion label -> (trained network, neuron standing for a ReLU)
CONVERSIONS = {
    "SoftLIF": ("SoftLIF", "if"),
    "ReLU": ("ReLU", "if"),
    "ReLU->LIF": ("ReLU", "lif"),
    "CNN": ("CNN", "if"),
    "CNN->LIF": ("CNN", "lif"),
}


def network(name: str, hidden: int) -> nn.Sequential:
    if name == "CNN":
        return nn.Sequential(
            nn.Unflatten(1, (1, 8, 8)),
            nn.Conv2d(1, 8, 3, padding=1),
            nn.ReLU(),
            nn.AvgPool2d(2),
            nn.Flatten(),
            nn.Linear(8 * 4 * 4, 10),
        )
    activation = nn.SoftLIFRate(sigma=0.02, amplitude=AMPLITUDE) if name == "SoftLIF" else nn.ReLU()
    return nn.Sequential(nn.Linear(64, hidden), activation, nn.Linear(hidden, 10))


def digits():
    """A fixed 70/30 split of the digits, pixels scaled to [0, 1]."""
    data = load_dataset("digits")
    split = train_val_test_split(data.X / 16, data.y, val_size=0, test_size=0.3, seed=0)
    return (split.X_train.astype(np.float32), split.y_train, split.X_test.astype(np.float32), split.y_test)


def train(name: str, data, seed: int, hidden: int, epochs: int):
    X_train, y_train = data[0], data[1]
    manual_seed(seed)
    model = network(name, hidden)
    loader = DataLoader(TensorDataset(X_train, y_train), batch_size=32, shuffle=True)
    fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=3e-3), loader, epochs=epochs)
    return model


def evaluate(label: str, model, data, n_times: int = 200, **settings) -> dict:
    X_train, _, X_test, y_test = data
    relu_neuron = CONVERSIONS[label][1]
    converted = snn.convert(
        model, data=X_train, normalize="percentile", tau_s=settings.get("tau_s", TAU_S), relu_neuron=relu_neuron
    )
    times, curve = snn.accuracy_curve(
        converted, X_test, y_test, settings.get("presentation", PRESENTATION), settings.get("dt", DT), n_times=n_times
    )
    rate = accuracy(y_test, predict(model, X_test))
    return {
        "rate_accuracy": float(rate),
        "spiking_accuracy": float(curve[-1]),
        "gap": float(rate - curve[-1]),
        "times": times.tolist(),
        "curve": curve.tolist(),
    }


def conversion_time(model, X: np.ndarray, n_images: int = 1000) -> float:
    """Seconds to run ``n_images`` images (the test images, repeated as needed) for 0.2 s at dt = 1 ms."""
    images = np.resize(X, (n_images, X.shape[1]))
    converted = snn.convert(model)
    start = time.perf_counter()
    snn.simulate(converted, images, PRESENTATION, DT)
    return time.perf_counter() - start


@register(
    "ann-to-snn",
    "Digits nets (MLPs with SoftLIF or ReLU, a ReLU CNN) run as spiking LIF/IF networks",
    "seed 003 section 1.4 (the LIF tuning curve as an activation)",
)
def run(out: Path, seed: int, fast: bool) -> dict:
    data = digits()
    seeds, hidden, epochs = ((seed,), 64, 15) if fast else ((seed, seed + 1, seed + 2), 64, 40)
    if fast:
        data = data[:2] + (data[2][:200], data[3][:200])
    results: dict[str, list[dict]] = {label: [] for label in CONVERSIONS}
    models: dict[str, nn.Module] = {}
    for s in runs(seeds, "ann-to-snn: seeds"):
        trained = {name: train(name, data, s, hidden, epochs) for name in ("SoftLIF", "ReLU", "CNN")}
        models = models or trained
        for label, (name, _) in CONVERSIONS.items():
            results[label].append({"seed": s, **evaluate(label, trained[name], data)})
    medians = {
        label: {key: float(np.median([r[key] for r in rs])) for key in ("rate_accuracy", "spiking_accuracy", "gap")}
        for label, rs in results.items()
    }
    # at 0.2 s every setting has converged; the settings show in how fast: accuracy after 10, 20, ..., 50 ms
    short: dict[str, Any] = {"presentation": 0.05, "n_times": 5}  # the main curves: every step (n_times 200 over 0.2 s)
    sweep_tau = {
        f"{tau:g}": evaluate("SoftLIF", models["SoftLIF"], data, tau_s=tau, **short)["curve"]
        for tau in ((0.0, 0.005, 0.02) if fast else (0.0, 0.002, 0.005, 0.01, 0.02))
    }
    sweep_dt = {
        f"{dt:g}": evaluate("SoftLIF", models["SoftLIF"], data, dt=dt, **short)["curve"]
        for dt in ((0.002, 0.001) if fast else (0.002, 0.001, 0.0005))
    }
    seconds = conversion_time(models["SoftLIF"], data[2], 200 if fast else 1000)
    first = {label: rs[0] for label, rs in results.items()}
    figure = plot_accuracy_curve(
        out / "ann_to_snn.png",
        {label: (r["times"], r["curve"]) for label, r in first.items()},
        {label: r["rate_accuracy"] for label, r in first.items()},
        title=f"digits, seed {seed}: spiking accuracy vs presentation time",
    )
    fit = plot_relu_lif_fit(out / "relu_lif.png")
    summary = [
        f"median of {len(seeds)} seeds, rate -> spiking accuracy at {PRESENTATION:g} s, dt {DT:g} s: "
        + "; ".join(
            f"{label} {m['rate_accuracy']:.4f} -> {m['spiking_accuracy']:.4f} ({100 * m['gap']:.2f} points below)"
            for label, m in medians.items()
            if label.startswith(group)
        )
        for group in ("SoftLIF", "ReLU", "CNN")
    ]
    summary.append(
        "SoftLIF spiking accuracy after 20 ms by tau_s (s): "
        + ", ".join(f"{k}: {v[1]:.3f}" for k, v in sweep_tau.items())
        + "; by dt (s): "
        + ", ".join(f"{k}: {v[1]:.3f}" for k, v in sweep_dt.items())
    )
    summary.append(f"{200 if fast else 1000} images x {PRESENTATION:g} s at dt {DT:g} s simulated in {seconds:.2f} s")
    return {
        "hidden": hidden,
        "epochs": epochs,
        "seeds": list(seeds),
        "presentation": PRESENTATION,
        "dt": DT,
        "tau_s": TAU_S,
        "runs": results,
        "medians": medians,
        "sweep_times": [0.01, 0.02, 0.03, 0.04, 0.05],
        "tau_s_sweep": sweep_tau,
        "dt_sweep": sweep_dt,
        "simulation_seconds": seconds,
        "simulated_images": 200 if fast else 1000,
        "figures": [figure.name, fit.name],
        "summary": summary,
    }
