"""A short ablation of the action-chunk size k on a small robot dataset (issue 14).

    vla collect --env vla/panda-reach-v0 --episodes 200 --out data/reach --workers 1
    python benchmarks/chunk_ablation.py --dataset data/reach --out runs/chunk-ablation \\
        --steps 400 --episodes 30

For each k in ``--chunks`` (default 1, 4, 8) it trains ``vla-tiny`` (the shipped robot
recipe's overrides: conv stem, sine-cosine init, bin smoothing 0.01) for ``--steps`` steps on
the dataset (k = 1 decodes value by value as today; k > 1 with ``parallel_decoding``), then
runs ``--episodes`` closed-loop episodes of ``--env`` on held-out seeds (from 100000) with
each execution mode that fits (k = 1: every step; k > 1: receding horizon m = k and m = k/2,
and ACT temporal ensembling). Prints one JSON line per (k, execution): success rate, mean
episode length, the policy's median act time, and the final validation metrics.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

RECIPE = {"conv_stem": True, "sincos_position_init": True, "bin_smoothing": 0.01}


def train_k(dataset: str, out: Path, k: int, steps: int, batch_size: int) -> dict:
    from vla.training import TrainConfig, train

    overrides = dict(RECIPE, chunk_size=k, parallel_decoding=k > 1)
    result = train(
        TrainConfig(
            datasets=[dataset], out=str(out), steps=steps, batch_size=batch_size,
            warmup_steps=min(50, steps // 10), val_decode_samples=64, progress=False,
            model_overrides=overrides, threads=1, log_every=50,
        )
    )  # fmt: skip
    return {k: v for k, v in result.metrics.items() if k.startswith("val/")}


def evaluate(run: Path, env_id: str, execution, episodes: int) -> dict:
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla import Policy
    from vla.rollout import PolicyAgent, run_episode

    policy = Policy.from_pretrained(run, device="cpu")
    env = gym.make(env_id)
    agent = PolicyAgent.for_env(policy, env.action_space, execution)
    acts: list[float] = []
    wins, lengths = 0, []
    try:
        for seed in range(100_000, 100_000 + episodes):
            ep = run_episode(agent, env, seed=seed, on_step=lambda s: acts.append(s.act_s))
            wins += bool(ep.success)
            lengths.append(ep.length)
    finally:
        env.close()
    return {
        "success_rate": wins / episodes,
        "mean_length": statistics.mean(lengths),
        "act_ms_p50": round(1000 * statistics.median(acts), 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--env", default="vla/panda-reach-v0")
    parser.add_argument("--chunks", default="1,4,8")
    parser.add_argument("--steps", type=int, default=400)
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--episodes", type=int, default=30)
    args = parser.parse_args()
    import torch

    from vla.rollout.chunk_execution import ChunkExecution

    torch.set_num_threads(1)
    for k in (int(x) for x in args.chunks.split(",")):
        run = Path(args.out) / f"k{k}"
        t0 = time.perf_counter()
        val = train_k(args.dataset, run, k, args.steps, args.batch_size)
        train_s = round(time.perf_counter() - t0, 1)
        modes = [None] if k == 1 else [
            ChunkExecution("receding", horizon=k),
            ChunkExecution("receding", horizon=max(1, k // 2)),
            ChunkExecution("ensemble"),
        ]  # fmt: skip
        for execution in modes:
            name = "every step" if execution is None else f"{execution.mode} m={execution.horizon}"
            if execution is not None and execution.mode == "ensemble":
                name = f"ensemble decay={execution.decay}"
            row = {"k": k, "execution": name, "steps": args.steps, "train_s": train_s}
            row |= evaluate(run, args.env, execution, args.episodes) | val
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
