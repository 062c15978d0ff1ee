"""Recurrent training steps: neuronlab vs PyTorch CPU eager, same weights, same data, same run.

    .venv/bin/python benchmarks/bench_rnn.py

A training step is forward, cross-entropy, backward and an Adam update, in float32, for
1. the MNIST-1D model: bidirectional GRU / LSTM, hidden size 6, batch 100, 40 steps of 1 feature, a linear readout
   of all outputs to 10 classes (small: the cost is the per-time-step overhead);
2. batch 32, 100 steps, input 32, hidden 128, a readout of the last output.
Target: within 1.5x of PyTorch's step time. The per-step overhead is the step time divided by the number of cell
evaluations (time steps x directions), forward and backward together.
"""

from __future__ import annotations

import numpy as np
from common import interleaved_times, print_table, torch_or_none, write_results

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


def benchmark(torch, name, kind, batch, steps, input_size, hidden, bidirectional, readout_all):
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
    times = interleaved_times(candidates, repeat=7)
    cells = steps * (2 if bidirectional else 1)
    result = {
        "ms_per_step": {k: v * 1e3 for k, v in times.items()},
        "us_per_cell_evaluation": {k: v / cells * 1e6 for k, v in times.items()},
    }
    if torch is not None:
        result["neuronlab_over_torch"] = times["neuronlab"] / times["torch"]
    return result


if __name__ == "__main__":
    torch = torch_or_none()
    results = {name: benchmark(torch, name, *case) for name, case in CASES.items()}
    rows = [
        [
            name,
            r["ms_per_step"]["neuronlab"],
            r["ms_per_step"].get("torch", float("nan")),
            r.get("neuronlab_over_torch", float("nan")),
            r["us_per_cell_evaluation"]["neuronlab"],
        ]
        for name, r in results.items()
    ]
    print_table(
        "training step (forward + backward + Adam), float32",
        ["case", "neuronlab ms", "torch ms", "ratio", "neuronlab us/cell"],
        rows,
    )
    print("\nwrote", write_results("rnn", results))
