"""What ``torch.inference_mode`` saves over ``torch.no_grad`` in the policy's decode.

    .venv/bin/python benchmarks/decode_grad_mode.py [--repeats 15] [--threads 1]

:func:`vla.model.decoding.constrained_decode` runs under ``inference_mode`` since 2026-12-07.
This times batch-1 ``act`` of two shipped checkpoints with the same decode under each mode,
interleaved in one process (the mode swapped every round, so the machine's drift hits both):

* ``vla-desktop-tiny`` on whole 1920x1080 screens of ``vla/desktop-miniwob-click-test-v0``,
  each call an episode's first action (three locator passes and the actor's);
* ``vla-browser-tiny`` on ``vla/miniwob-click-test-2-v0`` pages (one pass).

Four unseen seeds each (from 100000). Prints the median milliseconds per mode and writes
``runs/bench/decode_grad_mode.json``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASES = (
    ("vla-desktop-tiny", "vla/desktop-miniwob-click-test-v0"),
    ("vla-browser-tiny", "vla/miniwob-click-test-2-v0"),
)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=15, help="rounds of each mode")
    parser.add_argument("--threads", type=int, default=1, help="torch threads (vla run: 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/bench/decode_grad_mode.json")
    args = parser.parse_args()

    import gymnasium as gym
    import torch

    import vla.envs  # noqa: F401  (registers the envs)
    import vla.model.decoding as decoding
    from vla.rollout import load_policy

    torch.set_num_threads(args.threads)
    plain = decoding.constrained_decode.__wrapped__  # the undecorated function
    modes = {"no_grad": torch.no_grad()(plain), "inference_mode": torch.inference_mode()(plain)}
    shipped = decoding.constrained_decode
    rows = []
    try:
        for name, env_id in CASES:
            policy = load_policy(name)
            env = gym.make(env_id)
            try:
                shots = [env.reset(seed=100_000 + i)[0] for i in range(4)]
            finally:
                env.close()
            times: dict[str, list[float]] = {mode: [] for mode in modes}
            for _ in range(args.repeats):
                for mode, fn in modes.items():
                    decoding.constrained_decode = fn  # Policy looks it up at each call
                    for obs in shots:
                        if hasattr(policy, "_kept"):
                            policy._kept = []  # a FocusPolicy locates again: a first action
                        start = time.perf_counter()
                        policy.act(obs["image"], obs["instruction"], history=[])
                        times[mode].append((time.perf_counter() - start) * 1000)
            row = {"policy": name, "env": env_id}
            row.update({f"{m}_ms": round(statistics.median(t), 2) for m, t in times.items()})
            rows.append(row)
            print(
                f"{name} on {env_id}: no_grad {row['no_grad_ms']} ms, "
                f"inference_mode {row['inference_mode_ms']} ms (median, batch 1)"
            )
    finally:
        decoding.constrained_decode = shipped
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"threads": args.threads, "rows": rows}, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
