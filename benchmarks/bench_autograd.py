"""Autodiff overhead and MLP forward+backward: neuronlab vs PyTorch CPU eager vs hand-written NumPy.

    .venv/bin/python benchmarks/bench_autograd.py

1. A chain of 10,000 small ops (y = y * c on a 4-element tensor), forward + backward: the per-op cost of
   the framework (target: at most half of PyTorch's).
2. Forward + backward of a 784-256-256-10 ReLU MLP with softmax cross-entropy in float32 at batch 128 and 512
   (targets: within 1.15x of the NumPy floor at 128; faster than PyTorch at 512).
"""

from __future__ import annotations

import numpy as np
from common import interleaved_times, print_table, torch_or_none, write_results
from numpy_floor import MLPFloor

import neuronlab as nl
from neuronlab import nn

CHAIN = 10_000
SIZES = [784, 256, 256, 10]


def chain_benchmark(torch):
    x_np = np.ones(4, dtype=np.float32)

    def neuronlab_chain():
        x = nl.tensor(x_np, requires_grad=True)
        y = x
        for _ in range(CHAIN):
            y = y * 1.0001
        y.sum().backward()

    def numpy_chain():  # forward keeping the intermediates (as any backward needs), then the backward products
        y, kept = x_np, []
        for _ in range(CHAIN):
            kept.append(y)
            y = y * 1.0001
        g = np.ones_like(y)
        for _ in range(CHAIN):
            g = g * 1.0001

    candidates = {"neuronlab": neuronlab_chain, "numpy": numpy_chain}
    if torch is not None:

        def torch_chain():
            x = torch.ones(4, requires_grad=True)
            y = x
            for _ in range(CHAIN):
                y = y * 1.0001
            y.sum().backward()

        candidates["torch"] = torch_chain
    times = interleaved_times(candidates, repeat=7)
    per_op = {k: v / CHAIN * 1e6 for k, v in times.items()}
    rows = [[k, round(v, 2)] for k, v in per_op.items()]
    print_table(f"chain of {CHAIN} ops, forward + backward: microseconds per op", ["peer", "us/op"], rows)
    result = {"us_per_op": per_op}
    if torch is not None:
        result["neuronlab_over_torch"] = per_op["neuronlab"] / per_op["torch"]
        print(f"neuronlab / torch = {result['neuronlab_over_torch']:.2f} (target <= 0.5)")
    return result


def mlp_benchmark(torch, batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, SIZES[0])).astype(np.float32)
    t = rng.integers(0, SIZES[-1], batch)
    floor = MLPFloor(SIZES, rng)

    nl.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 256), nn.ReLU(), nn.Linear(256, 256), nn.ReLU(), nn.Linear(256, 10))
    loss_fn = nn.CrossEntropyLoss()
    x_nl = nl.Tensor(x)
    t_nl = nl.Tensor(t)

    def neuronlab_step():
        model.zero_grad()
        loss_fn(model(x_nl), t_nl).backward()

    candidates = {"neuronlab": neuronlab_step, "numpy": lambda: floor.forward_backward(x, t)}
    if torch is not None:
        tmodel = torch.nn.Sequential(
            torch.nn.Linear(784, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 256),
            torch.nn.ReLU(),
            torch.nn.Linear(256, 10),
        )
        x_t, t_t = torch.from_numpy(x), torch.from_numpy(t)

        def torch_step():
            tmodel.zero_grad(set_to_none=True)
            torch.nn.functional.cross_entropy(tmodel(x_t), t_t).backward()

        candidates["torch"] = torch_step
    times = interleaved_times(candidates, repeat=21, number=5, warmup=3)
    rows = [[k, round(v * 1e3, 3), round(v / times["numpy"], 2)] for k, v in times.items()]
    print_table(f"MLP 784-256-256-10 forward+backward, batch {batch}, float32", ["peer", "ms", "x numpy"], rows)
    result = {"ms": {k: v * 1e3 for k, v in times.items()}, "neuronlab_over_numpy": times["neuronlab"] / times["numpy"]}
    if torch is not None:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
    return result


if __name__ == "__main__":
    torch = torch_or_none()
    results = {"chain": chain_benchmark(torch)}
    for batch in (128, 512):
        results[f"mlp_batch_{batch}"] = mlp_benchmark(torch, batch)
    print("\nwrote", write_results("autograd", results))
