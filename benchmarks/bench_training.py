"""One full training step (forward, loss, backward, Adam): neuronlab vs PyTorch CPU vs hand-written NumPy.

    .venv/bin/python benchmarks/bench_training.py

1. 784-256-256-10 ReLU MLP, softmax cross-entropy, float32, batch 128 and 512
   (targets: within 1.15x of the NumPy floor at 128; faster than PyTorch at 512).
2. The notes' tiny network: 2-16-16-1 tanh MLP, squared error, Adam, batch 32, where framework overhead
   dominates (target: at most half of PyTorch's time per step).
"""

from __future__ import annotations

import numpy as np
from common import interleaved_times, print_table, torch_or_none, write_results
from numpy_floor import MLPFloor, TanhMLPFloor

import neuronlab as nl
from neuronlab import nn, optim


def _step_peers(torch, sizes, activation, loss, x, t, floor_step, repeat, number):
    """Time one Adam training step of the same MLP in neuronlab, PyTorch and hand-written NumPy."""

    def layers(lib_nn, act):
        modules = []
        for m, n in zip(sizes, sizes[1:]):
            modules += [lib_nn.Linear(m, n), act()]
        return modules[:-1]

    def step_of(model, loss_fn, opt, xb, tb):
        def step():
            opt.zero_grad()
            loss_fn(model(xb), tb).backward()
            opt.step()

        return step

    nl.manual_seed(0)
    model = nn.Sequential(*layers(nn, getattr(nn, activation)))
    candidates = {
        "neuronlab": step_of(
            model, getattr(nn, loss)(), optim.Adam(model.parameters(), lr=1e-3), nl.Tensor(x), nl.Tensor(t)
        ),
        "numpy": floor_step,
    }
    if torch is not None:
        tmodel = torch.nn.Sequential(*layers(torch.nn, getattr(torch.nn, activation)))
        candidates["torch"] = step_of(
            tmodel,
            getattr(torch.nn, loss)(),
            torch.optim.Adam(tmodel.parameters(), lr=1e-3, foreach=True),
            torch.from_numpy(x),
            torch.from_numpy(t),
        )
    return interleaved_times(candidates, repeat=repeat, number=number, warmup=5)


def mlp_training(torch, batch):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, 784)).astype(np.float32)
    t = rng.integers(0, 10, batch)
    floor = MLPFloor([784, 256, 256, 10], rng)

    def floor_step():
        _, grads = floor.forward_backward(x, t)
        floor.adam_step(grads)

    times = _step_peers(torch, [784, 256, 256, 10], "ReLU", "CrossEntropyLoss", x, t, floor_step, repeat=21, number=5)
    rows = [[k, round(v * 1e3, 3), round(v / times["numpy"], 2)] for k, v in times.items()]
    print_table(f"MLP 784-256-256-10 training step (Adam), batch {batch}", ["peer", "ms", "x numpy"], rows)
    return _summary(times)


def tiny_training(torch):
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, (32, 2)).astype(np.float32)
    t = np.sin(3 * x[:, :1]) * x[:, 1:]
    floor = TanhMLPFloor([2, 16, 16, 1], rng)
    times = _step_peers(torch, [2, 16, 16, 1], "Tanh", "MSELoss", x, t, lambda: floor.step(x, t), repeat=15, number=200)
    rows = [[k, round(v * 1e6, 1), round(v / times["numpy"], 2)] for k, v in times.items()]
    print_table("tiny 2-16-16-1 tanh MLP training step (Adam), batch 32", ["peer", "us", "x numpy"], rows)
    return _summary(times)


def _summary(times):
    result = {"seconds": times, "neuronlab_over_numpy": times["neuronlab"] / times["numpy"]}
    if "torch" in times:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
        print(
            f"neuronlab / numpy = {result['neuronlab_over_numpy']:.2f}, "
            f"neuronlab / torch = {result['neuronlab_over_torch']:.2f}"
        )
    return result


if __name__ == "__main__":
    torch = torch_or_none()
    results = {f"mlp_batch_{b}": mlp_training(torch, b) for b in (128, 512)}
    results["tiny_mlp"] = tiny_training(torch)
    print("\nwrote", write_results("training", results))
