"""Does a robot policy's action depend on what it sees? (issue 14)

A policy that reaches the named cube must move differently when the cube is elsewhere. For each
unseen seed, this asks the policy for its first action twice: once on the episode's own first
observation, and once on that episode's image with the instruction and robot state of the first
seed (so only the pixels differ). It prints, per axis, the spread (standard deviation over the
seeds) of the expert's first actions (how much the scene should move the action), of the
policy's first actions, and of the policy's actions when only the image changes (how much it
does), and the policy's mean error against the expert. A model with a grounding pointer
(``point_loss``) also gets the share of first frames whose highest-scoring patch holds the
named cube.

    python benchmarks/robot_looks.py --policy runs/reach/pointact --env vla/panda-reach-v0 \\
        --seeds 40 --env-kwargs '{"image_size": 80}'
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np


def first_steps(env_id: str, seeds: range, env_kwargs: dict) -> list[tuple[dict, dict, Any]]:
    """``(obs, info, expert's first action)`` of each seed's first step."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the envs)
    from vla.datasets.experts.panda import make_panda_expert

    env = gym.make(env_id, **env_kwargs)
    try:
        out = []
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            out.append((obs, info, make_panda_expert(env).act(obs, info)))
        return out
    finally:
        env.close()


def pointer_hits(policy: Any, steps: list[tuple[dict, dict, Any]]) -> int | None:
    """On how many first frames the model's grounding pointer puts its top score on the named
    cube's patch, measured as training validation does (``val/point_accuracy`` of
    :func:`vla.training.validation.teacher_forced_metrics`, the expert's action as the label);
    None when the model has no pointer."""
    import torch

    from vla.training.validation import teacher_forced_metrics

    model, proc = policy.model, policy.processor
    if getattr(model, "target_pointer", None) is None:
        return None
    k = int(getattr(model.config, "chunk_size", 1) or 1)
    obs = [o for o, _, _ in steps]
    batch = proc(
        [o["image"] for o in obs],
        [o["instruction"] for o in obs],
        states=[o["state"] for o in obs],
        actions=[[a] * k if k > 1 else a for _, _, a in steps],
    )
    points = [next(iter(i["target_pixels"].values())) for _, i, _ in steps]
    sizes = [o["image"].shape[:2] for o in obs]
    batch["target_points"] = torch.tensor(
        [[x / w, y / h] for (x, y), (h, w) in zip(points, sizes, strict=True)]
    )
    accuracy = teacher_forced_metrics(model, [batch], "cpu").get("val/point_accuracy", 0.0)
    return round(accuracy * len(steps))


def main() -> None:
    from vla import Policy

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--policy", default="vla-robot-tiny", help="Shipped name or run folder.")
    p.add_argument("--env", default="vla/panda-reach-v0")
    p.add_argument("--seeds", type=int, default=40)
    p.add_argument("--seed-start", type=int, default=100_000)
    p.add_argument("--env-kwargs", default="{}", help="JSON kwargs for the env.")
    args = p.parse_args()
    policy = Policy.from_pretrained(args.policy)
    steps = first_steps(
        args.env, range(args.seed_start, args.seed_start + args.seeds), json.loads(args.env_kwargs)
    )
    first_obs = steps[0][0]
    expert = np.array([a.xyz for _, _, a in steps])
    own = np.array([policy.act(o["image"], o["instruction"], o["state"]).xyz for o, _, _ in steps])
    pixels_only = np.array(
        [policy.act(o["image"], first_obs["instruction"], first_obs["state"]).xyz
         for o, _, _ in steps]
    )  # fmt: skip
    hits = pointer_hits(policy, steps)
    cm = 100.0
    print(f"{args.policy} on {args.env}, first steps of {len(steps)} seeds (cm, x / y / z)")
    for label, values in (
        ("spread of the expert's actions", expert.std(0)),
        ("spread of the policy's actions", own.std(0)),
        ("spread when only the image changes", pixels_only.std(0)),
        ("policy's mean error against the expert", np.abs(own - expert).mean(0)),
    ):
        print(f"  {label:42s} " + " / ".join(f"{v * cm:.2f}" for v in values))
    if hits is not None:
        print(f"  pointer on the named cube's patch: {hits}/{len(steps)}")


if __name__ == "__main__":
    main()
