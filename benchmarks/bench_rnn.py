"""Recurrent training steps: neuronlab vs PyTorch CPU eager, same weights, same data, same run.

    .venv/bin/python benchmarks/bench_rnn.py [--threads 1]

A training step is forward, cross-entropy, backward and an Adam update, in float32, for
1. the MNIST-1D model: bidirectional GRU / LSTM, hidden size 6, batch 100, 40 steps of 1 feature, a linear readout
   of all outputs to 10 classes (small: the cost is the per-time-step overhead);
2. batch 32, 100 steps, input 32, hidden 128, a readout of the last output.
Target: within 1.5x of PyTorch's step time. BLAS and PyTorch run on ``--threads`` threads (default 1).

Times are the minimum over interleaved repeats of CPU time (``time.process_time``, which a busy shared machine
disturbs less than wall time) on one thread, and of wall time with more threads (where CPU time would add up the
threads). Per cell evaluation (one time step of one direction, forward and backward
together): the step time divided by time steps x directions, and its fixed part, the overhead, measured as the
same step at batch 1, input 1, hidden size 1 (every Python call, graph record, engine visit and NumPy dispatch,
with arrays too small to cost arithmetic); the rest is arithmetic. PyTorch's LSTM on CPU runs oneDNN's fused
whole-sequence kernel; its GRU, like neuronlab, one recorded step at a time.
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from common import print_table, torch_or_none, write_results
from threadpoolctl import threadpool_limits

import neuronlab as nl
from neuronlab import interop, nn, optim

CASES = {  # name: (kind, batch, steps, input, hidden, bidirectional, readout of all outputs)
    "gru_mnist1d": ("GRU", 100, 40, 1, 6, True, True),
    "lstm_mnist1d": ("LSTM", 100, 40, 1, 6, True, True),
    "gru_b32_t100_h128": ("GRU", 32, 100, 32, 128, False, False),
    "lstm_b32_t100_h128": ("LSTM", 32, 100, 32, 128, False, False),
}


class Model(nn.Module):
    def __init__(self, kind, steps, input_size, hidden, bidirectional, readout_all):
        super().__init__()
        self.rnn = getattr(nn, kind)(input_size, hidden, batch_first=True, bidirectional=bidirectional)
        features = (2 if bidirectional else 1) * hidden * (steps if readout_all else 1)
        self.head = nn.Linear(features, 10)
        self.readout_all = readout_all

    def forward(self, x):
        output, _ = self.rnn(x)
        return self.head(output.reshape(output.shape[0], -1) if self.readout_all else output[:, -1])


def torch_model(torch, kind, steps, input_size, hidden, bidirectional, readout_all):
    class TorchModel(torch.nn.Module):
        def __init__(self):
            super().__init__()
            self.rnn = getattr(torch.nn, kind)(input_size, hidden, batch_first=True, bidirectional=bidirectional)
            features = (2 if bidirectional else 1) * hidden * (steps if readout_all else 1)
            self.head = torch.nn.Linear(features, 10)

        def forward(self, x):
            output, _ = self.rnn(x)
            return self.head(output.reshape(output.shape[0], -1) if readout_all else output[:, -1])

    return TorchModel()


def training_steps(torch, kind, batch, steps, input_size, hidden, bidirectional, readout_all) -> dict:
    """One zero-argument training step per library, on the same weights and data."""
    nl.manual_seed(0)
    rng = np.random.default_rng(0)
    x = rng.standard_normal((batch, steps, input_size)).astype(np.float32)
    y = rng.integers(0, 10, batch)
    model = Model(kind, steps, input_size, hidden, bidirectional, readout_all)
    opt = optim.Adam(model.parameters(), lr=1e-3)

    def ours():
        loss = nn.functional.cross_entropy(model(x), y)
        opt.zero_grad()
        loss.backward()
        opt.step()

    candidates = {"neuronlab": ours}
    if torch is not None:
        theirs = torch_model(torch, kind, steps, input_size, hidden, bidirectional, readout_all)
        theirs.load_state_dict(interop.to_torch_state_dict(model))
        torch_opt = torch.optim.Adam(theirs.parameters(), lr=1e-3)
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)

        def pytorch():
            loss = torch.nn.functional.cross_entropy(theirs(tx), ty)
            torch_opt.zero_grad()
            loss.backward()
            torch_opt.step()

        candidates["torch"] = pytorch
    return candidates


def min_times(candidates: dict, repeat: int, clock, number: int = 2) -> dict:
    """Minimum seconds of ``clock`` per call of each callable over ``repeat`` rounds, the callables interleaved in
    each round (one untimed warm-up call before each timed batch of ``number``)."""
    best = {name: float("inf") for name in candidates}
    for _ in range(repeat):
        for name, fn in candidates.items():
            fn()
            start = clock()
            for _ in range(number):
                fn()
            best[name] = min(best[name], (clock() - start) / number)
    return best


def benchmark(torch, kind, batch, steps, input_size, hidden, bidirectional, readout_all, repeat, clock) -> dict:
    times = min_times(
        training_steps(torch, kind, batch, steps, input_size, hidden, bidirectional, readout_all), repeat, clock
    )
    tiny = min_times(training_steps(torch, kind, 1, steps, 1, 1, bidirectional, readout_all), repeat, clock)
    cells = steps * (2 if bidirectional else 1)
    result = {
        "ms_per_step": {k: v * 1e3 for k, v in times.items()},
        "us_per_cell_evaluation": {k: v / cells * 1e6 for k, v in times.items()},
        "overhead_us_per_cell_evaluation": {k: v / cells * 1e6 for k, v in tiny.items()},
    }
    if torch is not None:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
    return result


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threads", type=int, default=1, help="BLAS and PyTorch threads (default 1)")
    parser.add_argument("--repeat", type=int, default=15, help="interleaved rounds per case (default 15)")
    args = parser.parse_args()
    torch = torch_or_none()
    if torch is not None:
        torch.set_num_threads(args.threads)
    clock, clock_name = (time.process_time, "CPU time") if args.threads == 1 else (time.perf_counter, "wall time")
    with threadpool_limits(args.threads):
        results = {name: benchmark(torch, *case, args.repeat, clock) for name, case in CASES.items()}
    nan = float("nan")
    rows = [
        [
            name,
            r["ms_per_step"]["neuronlab"],
            r["ms_per_step"].get("torch", nan),
            r.get("neuronlab_over_torch", nan),
            r["us_per_cell_evaluation"]["neuronlab"],
            r["overhead_us_per_cell_evaluation"]["neuronlab"],
            r["us_per_cell_evaluation"].get("torch", nan),
            r["overhead_us_per_cell_evaluation"].get("torch", nan),
        ]
        for name, r in results.items()
    ]
    print_table(
        f"training step (forward + backward + Adam), float32, {args.threads} thread(s), {clock_name}",
        ["case", "ours ms", "torch ms", "ratio", "ours us/cell", "of which overhead", "torch us/cell", "overhead"],
        rows,
    )
    payload = {"threads": args.threads, "clock": clock_name, **results}
    print("\nwrote", write_results(f"rnn_threads{args.threads}", payload))
