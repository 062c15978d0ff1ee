"""Convolution: neuronlab vs PyTorch CPU (and a hand-written NumPy im2col + GEMM), ratios in the same run.

    .venv/bin/python benchmarks/bench_conv.py                 # 1 and 2 threads
    .venv/bin/python benchmarks/bench_conv.py --threads 1     # one thread count only

Three cases, each timed at one and at two threads (OpenBLAS and Numba via threadpoolctl / ``backend.threads``,
PyTorch via ``torch.set_num_threads``), float32, targets from issue 12:

1. ``conv2d``: one Conv2d 32 -> 32, 3x3, padding 1, on 32x32 inputs, batch 32, forward + backward (input, weight
   and bias gradients). Target: within 2x of PyTorch.
2. ``lenet5``: a LeNet-5 training step (MNIST shapes 1x28x28, batch 64, Adam): conv5-relu-pool-conv5-relu-pool-
   120-84-10. Target: within 1.5x.
3. ``mnist1d_cnn``: the MNIST-1D paper's ConvBase training step (batch 100, 1x40 signals, Adam): three Conv1d
   layers of 25 channels (kernels 5, 3, 3, stride 2, padding 1) with ReLU, then Linear(125, 10). Target: within
   1.5x.

The peers run interleaved (one sample of each in turn, after a pause and a warm-up call) so that a busy machine
penalises them alike; each sample times ``number`` calls in wall time and in CPU time (``time.process_time``,
summed over threads). Reported: the minimum and the median wall time per call, the minimum CPU time, and the
ratios neuronlab / PyTorch of each. The minimum is the least disturbed measurement on a shared machine.

Peak memory of one case (Linux): each peer runs alone in a fresh process (``--peak CASE PEER``): after one
warm-up call and ``malloc_trim`` it resets the peak resident set size (``/proc/self/clear_refs``) and reports how far three more
calls raise it (VmHWM - VmRSS before); for neuronlab also the peak of tracemalloc (the NumPy arrays alone).
"""

from __future__ import annotations

import argparse
import ctypes
import gc
import json
import statistics
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
from common import print_table, torch_or_none, write_results
from numpy.lib.stride_tricks import as_strided
from threadpoolctl import threadpool_limits

import neuronlab as nl
from neuronlab import backend, nn, optim

THREADS = (1, 2)


class Im2colFloor:
    """The NumPy floor: a 3x3, stride-1, padding-1 convolution as one im2col copy and one GEMM, and its backward
    (dW = dY^T cols, dX = col2im(dY W)), written for this one case with no framework around it."""

    def __init__(self, w, b):
        self.w, self.b = w, b

    def forward_backward(self, x):
        n, c, h, wd = x.shape
        o, _, k, _ = self.w.shape
        xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
        s = xp.strides
        view = as_strided(xp, (c, k, k, n, h, wd), (s[1], s[2], s[3], s[0], s[2], s[3]))
        cols = view.reshape(c * k * k, n * h * wd)  # one column per output position
        w2 = self.w.reshape(o, -1)
        y = w2 @ cols + self.b[:, None]
        gy = np.ones_like(y)  # d(sum y)/dy
        gw = (cols @ gy.T).T.reshape(self.w.shape)
        gb = gy.sum(axis=1)
        gcols = (w2.T @ gy).reshape(c, k, k, n, h, wd)
        gx = np.zeros_like(xp)
        for p in range(k):
            for q in range(k):
                gx[:, :, p : p + h, q : q + wd] += gcols[:, p, q].transpose(1, 0, 2, 3)
        return y.reshape(o, n, h, wd).transpose(1, 0, 2, 3), gx[:, :, 1:-1, 1:-1], gw, gb


# ------------------------------------------------------------------------------------------ the cases
def conv2d_case(torch, peers):
    """One Conv2d layer, forward + backward of the sum of its output."""
    x = np.random.default_rng(0).standard_normal((32, 32, 32, 32)).astype(np.float32)
    candidates = {}
    if "neuronlab" in peers:
        nl.manual_seed(0)
        layer = nn.Conv2d(32, 32, 3, padding=1)
        xt = nl.Tensor(x, requires_grad=True)

        def ours():
            layer.zero_grad()
            xt.grad = None
            layer(xt).sum().backward()

        candidates["neuronlab"] = ours
    if "numpy" in peers:
        rng = np.random.default_rng(1)
        floor = Im2colFloor(rng.standard_normal((32, 32, 3, 3), np.float32), rng.standard_normal(32, np.float32))
        candidates["numpy"] = lambda: floor.forward_backward(x)
    if "torch" in peers:
        tlayer = torch.nn.Conv2d(32, 32, 3, padding=1)
        xtt = torch.from_numpy(x).requires_grad_()

        def theirs():
            tlayer.zero_grad()
            xtt.grad = None
            tlayer(xtt).sum().backward()

        candidates["torch"] = theirs
    return candidates


def lenet(lib_nn):
    return lib_nn.Sequential(
        lib_nn.Conv2d(1, 6, 5, padding=2),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Conv2d(6, 16, 5),
        lib_nn.ReLU(),
        lib_nn.MaxPool2d(2),
        lib_nn.Flatten(),
        lib_nn.Linear(400, 120),
        lib_nn.ReLU(),
        lib_nn.Linear(120, 84),
        lib_nn.ReLU(),
        lib_nn.Linear(84, 10),
    )


def conv_base(lib_nn, channels=25):
    """The MNIST-1D paper's ConvBase (Greydanus 2020): 40 -> 19 -> 10 -> 5 positions, 25 * 5 = 125 features."""
    return lib_nn.Sequential(
        lib_nn.Conv1d(1, channels, 5, stride=2, padding=1),
        lib_nn.ReLU(),
        lib_nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        lib_nn.ReLU(),
        lib_nn.Conv1d(channels, channels, 3, stride=2, padding=1),
        lib_nn.ReLU(),
        lib_nn.Flatten(),
        lib_nn.Linear(channels * 5, 10),
    )


def training_step(torch, peers, make, shape, seed):
    """One training step (forward, cross-entropy, backward, Adam) of ``make(nn)`` on a batch of ``shape``."""
    rng = np.random.default_rng(seed)
    x = rng.standard_normal(shape).astype(np.float32)
    t = rng.integers(0, 10, shape[0])
    candidates = {}
    if "neuronlab" in peers:
        nl.manual_seed(0)
        model = make(nn)
        opt = optim.Adam(model.parameters(), lr=1e-3)
        loss_fn = nn.CrossEntropyLoss()
        xb, tb = nl.Tensor(x), nl.Tensor(t)

        def ours():
            opt.zero_grad()
            loss_fn(model(xb), tb).backward()
            opt.step()

        candidates["neuronlab"] = ours
    if "torch" in peers:
        tmodel = make(torch.nn)
        topt = torch.optim.Adam(tmodel.parameters(), lr=1e-3, foreach=True)
        tloss = torch.nn.CrossEntropyLoss()
        xtt, ttt = torch.from_numpy(x), torch.from_numpy(t)

        def theirs():
            topt.zero_grad()
            tloss(tmodel(xtt), ttt).backward()
            topt.step()

        candidates["torch"] = theirs
    return candidates


CASES = {  # name: (title, candidates(torch, peers), target ratio, repeat, number)
    "conv2d": ("Conv2d 32->32 3x3 pad 1, 32x32, batch 32, forward + backward", conv2d_case, 2.0, 15, 2),
    "lenet5": (
        "LeNet-5 training step (Adam), 1x28x28, batch 64",
        lambda torch, peers: training_step(torch, peers, lenet, (64, 1, 28, 28), 1),
        1.5,
        25,
        5,
    ),
    "mnist1d_cnn": (
        "MNIST-1D ConvBase training step (Adam), 1x40, batch 100",
        lambda torch, peers: training_step(torch, peers, conv_base, (100, 1, 40), 2),
        1.5,
        41,
        20,
    ),
}


# ------------------------------------------------------------------------------------------ timing
def pinned(torch, count: int):
    """Limit OpenBLAS, Numba's pool and PyTorch to ``count`` threads (a context manager)."""
    from contextlib import ExitStack

    stack = ExitStack()
    stack.enter_context(threadpool_limits(count))
    stack.enter_context(backend.threads(count))
    if torch is not None:
        previous = torch.get_num_threads()
        torch.set_num_threads(count)
        stack.callback(torch.set_num_threads, previous)
    return stack


def interleaved_samples(candidates: dict, repeat: int, number: int, warmup: int = 1, settle: float = 0.1) -> dict:
    """Per peer: lists of wall and CPU seconds per call, one per round; the peers take turns within a round.

    Each sample starts after a pause (the previous peer's spinning worker threads stop) and ``warmup`` calls.
    """
    samples: dict = {name: {"wall": [], "cpu": []} for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            time.sleep(settle)
            for _ in range(warmup):
                fn()
            wall, cpu = time.perf_counter(), time.process_time()
            for _ in range(number):
                fn()
            samples[name]["cpu"].append((time.process_time() - cpu) / number)
            samples[name]["wall"].append((time.perf_counter() - wall) / number)
    return samples


def time_case(torch, name: str, count: int) -> dict:
    title, make, target, repeat, number = CASES[name]
    peers = ("neuronlab", "numpy", "torch") if torch is not None else ("neuronlab", "numpy")
    with pinned(torch, count):
        samples = interleaved_samples(make(torch, peers), repeat, number)
    stats = {
        peer: {
            "min_ms": min(s["wall"]) * 1e3,
            "median_ms": statistics.median(s["wall"]) * 1e3,
            "cpu_min_ms": min(s["cpu"]) * 1e3,
        }
        for peer, s in samples.items()
    }
    rows = [
        [peer, round(s["min_ms"], 3), round(s["median_ms"], 3), round(s["cpu_min_ms"], 3)] for peer, s in stats.items()
    ]
    print_table(f"{title}; {count} thread(s)", ["peer", "min ms", "median ms", "CPU min ms"], rows)
    result: dict = {"threads": count, "ms": stats, "target": target}
    if "torch" in stats:
        ours, theirs = stats["neuronlab"], stats["torch"]
        result["neuronlab_over_torch"] = {key: ours[key] / theirs[key] for key in ours}
        ratio = result["neuronlab_over_torch"]
        print(
            f"neuronlab / torch: min {ratio['min_ms']:.2f}, median {ratio['median_ms']:.2f}, "
            f"CPU {ratio['cpu_min_ms']:.2f} (target {target})"
        )
    return result


# ------------------------------------------------------------------------------------------ peak memory
def _status_mib(field: str) -> float:
    """A memory line of /proc/self/status (Linux), in MiB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 2**10
    raise KeyError(field)


def peak_in_this_process(case: str, peer: str) -> dict:
    """Called in the child process: set up ``case`` for ``peer`` alone, make one call (compiled kernels, optimizer
    state), return freed memory to the system (glibc's ``malloc_trim``), reset the kernel's peak-RSS mark (``/proc/self/clear_refs``), then report how far three more calls
    raise the peak above the resident size before them (and tracemalloc's peak for neuronlab)."""
    torch = torch_or_none() if peer == "torch" else None
    with pinned(torch, 1):
        fn = CASES[case][1](torch, (peer,))[peer]
        fn()
        gc.collect()
        ctypes.CDLL("libc.so.6").malloc_trim(0)  # give the memory freed so far back, or the calls would reuse it
        Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
        before = _status_mib("VmRSS")
        for _ in range(3):
            fn()
        result = {"rss_mib": _status_mib("VmHWM") - before}
        if peer == "neuronlab":
            tracemalloc.start()
            fn()
            result["tracemalloc_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
            tracemalloc.stop()
    return result


def peak_memory(case: str, peers) -> dict:
    """Each peer's peak memory for ``case``, measured in a fresh process of its own."""
    out = {}
    for peer in peers:
        child = subprocess.run(
            [sys.executable, __file__, "--peak", case, peer], capture_output=True, text=True, check=True
        )
        out[peer] = json.loads(child.stdout.strip().splitlines()[-1])
    line = ", ".join(f"{peer} {v['rss_mib']:.1f}" for peer, v in out.items())
    extra = f"; neuronlab tracemalloc {out['neuronlab']['tracemalloc_mib']:.1f}" if "neuronlab" in out else ""
    print(f"peak memory over setup (MiB, RSS): {line}{extra}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, nargs="*", default=list(THREADS))
    parser.add_argument("--cases", nargs="*", default=list(CASES), choices=list(CASES))
    parser.add_argument("--peak", nargs=2, metavar=("CASE", "PEER"), help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.peak:
        print(json.dumps(peak_in_this_process(*args.peak)))
        return
    torch = torch_or_none()
    results: dict = {}
    for name in args.cases:
        results[name] = {f"{count}_threads": time_case(torch, name, count) for count in args.threads}
        results[name]["peak_memory"] = peak_memory(
            name, ("neuronlab", "torch") if torch is not None else ("neuronlab",)
        )
    summary = [
        [name] + [round(results[name][f"{c}_threads"]["neuronlab_over_torch"]["min_ms"], 2) for c in args.threads]
        for name in args.cases
        if torch is not None
    ]
    if summary:
        print_table("neuronlab / torch (min wall time)", ["case"] + [f"{c} thread(s)" for c in args.threads], summary)
    print("\nwrote", write_results("conv", results))


if __name__ == "__main__":
    main()
