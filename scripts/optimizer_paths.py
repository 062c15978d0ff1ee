"""Draw the notes' optimizer comparison (000 §6) for docs/optimizers.md: GD, Momentum, Nesterov, AdaGrad, RMSprop
and Adam minimizing f(x, y) = x^2 + 100 y^2 from (10, 1), each with its tuned learning rate.

    .venv/bin/python scripts/optimizer_paths.py            # writes docs/figures/optimizer_paths.png

The logic lives in the experiment ``neuronlab experiment optimizer-paths`` (neuronlab/experiments/optimizer_paths.py),
which also writes the convergence curves and the numbers; this script draws its contour figure where the docs want it.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from neuronlab.experiments.optimizer_paths import draw_paths, tuned_runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--output",
        type=Path,
        default=Path(__file__).resolve().parent.parent / "docs" / "figures" / "optimizer_paths.png",
    )
    parser.add_argument("--steps", type=int, default=100, help="steps drawn per path")
    arguments = parser.parse_args()
    arguments.output.parent.mkdir(parents=True, exist_ok=True)
    runs, _ = tuned_runs()
    draw_paths(arguments.output, runs, arguments.steps)
    print(f"wrote {arguments.output} ({arguments.output.stat().st_size // 1024} KB)")


if __name__ == "__main__":
    main()
