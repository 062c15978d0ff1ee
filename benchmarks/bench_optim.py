"""One optimizer step over 1M float32 parameters: neuronlab vs PyTorch (CPU).

Adam and SGD with momentum, on one tensor of 1M elements and on 100 tensors of 10k (where PyTorch's multi-tensor
``foreach`` path matters). PyTorch runs with its default (single-tensor on CPU) and with ``foreach=True``.
Prints times and ratios (neuronlab / PyTorch: below 1 is faster) and writes benchmarks/results/optim.json.

    .venv/bin/python benchmarks/bench_optim.py
"""

from __future__ import annotations

import json
import platform
import time
from pathlib import Path

import numpy as np

from neuronlab import optim
from neuronlab.autograd import Tensor
from neuronlab.nn import Parameter

RESULTS = Path(__file__).resolve().parent / "results" / "optim.json"
LAYOUTS = {"1 x 1M": [1_000_000], "100 x 10k": [10_000] * 100}
OPTIMIZERS = {"Adam": dict(lr=1e-3), "SGD-momentum": dict(lr=1e-2, momentum=0.9)}
TORCH_NAMES = {"Adam": "Adam", "SGD-momentum": "SGD"}


def seconds_per_step(steppers: dict, repeats: int = 30, steps: int = 10) -> dict:
    """{label: best over ``repeats`` of the mean time of ``steps`` steps}, the contenders interleaved so that
    load from other processes affects them alike (and the best repeat is the least disturbed one)."""
    for step in steppers.values():
        for _ in range(5):
            step()
    best = dict.fromkeys(steppers, float("inf"))
    for _ in range(repeats):
        for label, step in steppers.items():
            start = time.perf_counter()
            for _ in range(steps):
                step()
            best[label] = min(best[label], (time.perf_counter() - start) / steps)
    return best


def neuronlab_step(name: str, sizes: list[int]):
    rng = np.random.default_rng(0)
    params = []
    for size in sizes:
        param = Parameter(rng.standard_normal(size).astype(np.float32))
        param.grad = Tensor(rng.standard_normal(size).astype(np.float32))
        params.append(param)
    optimizer = getattr(optim, TORCH_NAMES[name])(params, **OPTIMIZERS[name])
    return optimizer.step


def torch_step(torch, name: str, sizes: list[int], foreach):
    generator = torch.Generator().manual_seed(0)
    params = []
    for size in sizes:
        param = torch.nn.Parameter(torch.randn(size, generator=generator))
        param.grad = torch.randn(size, generator=generator)
        params.append(param)
    optimizer = getattr(torch.optim, TORCH_NAMES[name])(params, foreach=foreach, **OPTIMIZERS[name])
    return optimizer.step


def main() -> dict:
    try:
        import torch
    except ImportError:
        torch = None
    results = {
        "machine": platform.processor() or platform.machine(),
        "numpy": np.__version__,
        "torch": torch.__version__ if torch else None,
        "torch_threads": torch.get_num_threads() if torch else None,
        "cases": [],
    }
    for name in OPTIMIZERS:
        for layout, sizes in LAYOUTS.items():
            steppers = {"neuronlab_us": neuronlab_step(name, sizes)}
            if torch is not None:
                steppers["torch_default_us"] = torch_step(torch, name, sizes, None)
                steppers["torch_foreach_us"] = torch_step(torch, name, sizes, True)
            times = seconds_per_step(steppers)
            case = {"optimizer": name, "layout": layout, **{label: 1e6 * t for label, t in times.items()}}
            line = f"{name:13s} {layout:10s} neuronlab {case['neuronlab_us']:8.0f} us"
            if torch is not None:
                case["ratio_vs_default"] = case["neuronlab_us"] / case["torch_default_us"]
                case["ratio_vs_foreach"] = case["neuronlab_us"] / case["torch_foreach_us"]
                line += (
                    f" | torch default {case['torch_default_us']:8.0f} us (ratio {case['ratio_vs_default']:.2f})"
                    f" | torch foreach {case['torch_foreach_us']:8.0f} us (ratio {case['ratio_vs_foreach']:.2f})"
                )
            results["cases"].append(case)
            print(line)
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {RESULTS}")
    return results


if __name__ == "__main__":
    main()
