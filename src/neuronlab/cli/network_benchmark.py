"""``neuronlab neuron network --benchmark cuba|coba``: run a Vogels-Abbott network of Brette et al. (2007) and
write its raster, population rate and rate histogram (PNG) and a JSON summary (mean rate, ISI CV, wall time)."""

from __future__ import annotations

import json
from pathlib import Path

import click
import numpy as np

from neuronlab.io import atomic


def run_benchmark(benchmark: str, seed: int, duration: float, dt: float, out: Path) -> None:
    from neuronlab.cli.neuron import _report, _save, _simulation_errors
    from neuronlab.neurons.network_plotting import plot_population_rate, plot_raster, plot_rate_histogram
    from neuronlab.neurons.vogels_abbott import coba, cuba, isi_cv

    with _simulation_errors():
        net = (cuba if benchmark == "cuba" else coba)(seed=seed)
        run = net.run(duration, dt)
        spikes = run.spikes["neurons"]
        n_exc = net.n_excitatory
        rates = spikes.rates
        summary = {
            "benchmark": benchmark,
            "seed": seed,
            "duration_s": duration,
            "dt_s": dt,
            "n_neurons": spikes.n_neurons,
            "synapses": int(sum(p.weights.nnz for p in net.projections)),
            "mean_rate_hz": float(rates.mean()),
            "excitatory_rate_hz": float(rates[:n_exc].mean()),
            "inhibitory_rate_hz": float(rates[n_exc:].mean()),
            "isi_cv": isi_cv(spikes.spike_times),
            "spikes": int(spikes.spike_neuron.size),
            "wall_time_s": run.wall_time,
        }
        paths = [
            _save(plot_raster(run, "neurons", n_exc), out, "raster"),
            _save(plot_population_rate(run, "neurons"), out, "population_rate"),
            _save(
                plot_rate_histogram({"excitatory": rates[:n_exc], "inhibitory": rates[n_exc:]}), out, "rate_histogram"
            ),
            atomic.write_text(out / "summary.json", json.dumps(summary, indent=2) + "\n"),
        ]
    cv = summary["isi_cv"]
    click.echo(
        f"{benchmark.upper()}: {spikes.n_neurons} neurons, {summary['synapses']} synapses, "
        f"{duration:g} s in {run.wall_time:.2f} s: mean rate {summary['mean_rate_hz']:.2f} Hz, "
        f"ISI CV {'none' if np.isnan(cv) else f'{cv:.2f}'}"
    )
    _report(paths)
