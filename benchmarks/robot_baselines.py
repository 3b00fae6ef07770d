"""What a robot policy must beat without looking: per-axis mean absolute error of the xyz step
for two baselines that ignore the images (issue 14).

* ``mean``: always predict the dataset's mean step;
* ``state``: a least-squares linear map from the robot state (joints, gripper, end-effector
  pose) to the step.

A model whose per-step validation error (``val/action_abs_err``) is near these has not yet
learned to locate the target in the image: the target's position is only in the pixels.

    python benchmarks/robot_baselines.py runs/robot-ablation/data-clean runs/robot-ablation/data-dart
"""

from __future__ import annotations

import argparse

import numpy as np


def baselines(path: str) -> dict[str, np.ndarray]:
    """Per-axis MAE (m) of the ``mean`` and ``state`` baselines on every step of ``path``."""
    from vla.datasets import EpisodeDataset

    ds = EpisodeDataset(path, split="all")
    steps = np.array([ds.action(i).xyz for i in range(len(ds))], np.float64)
    states = np.array([ds[i]["state"] for i in range(len(ds))], np.float64)
    x = np.c_[states, np.ones(len(states))]
    w, *_ = np.linalg.lstsq(x, steps, rcond=None)
    return {
        "mean": np.abs(steps - steps.mean(0)).mean(0),
        "state": np.abs(x @ w - steps).mean(0),
    }


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("datasets", nargs="+")
    for path in p.parse_args().datasets:
        for name, mae in baselines(path).items():
            cm = " / ".join(f"{v * 100:.2f}" for v in mae)
            print(f"{path}  {name:>5}: {cm} cm (x / y / z)")


if __name__ == "__main__":
    main()
