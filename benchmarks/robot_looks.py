"""Does a robot policy's action depend on what it sees? (issue 14)

A policy that reaches the named cube must move differently when the cube is elsewhere. For each
unseen seed, this asks the policy for its first action twice: once on the episode's own first
observation, and once on that episode's image with the instruction and robot state of the first
seed (so only the pixels differ). It prints, per axis, the spread (standard deviation over the
seeds) of the expert's first actions (how much the scene should move the action), of the
policy's first actions, and of the policy's actions when only the image changes (how much it
does), and the policy's mean error against the expert. A model with a grounding pointer
(``point_loss``) also gets the share of first frames whose highest-scoring patch holds the
named cube. ``--by-step`` follows the expert through each episode and splits those pointer hits
by step, beside how often the pointer sits on the gripper instead (a pointer that follows the
gripper scores well on late frames, where the gripper is at the cube, and not on first ones).

    python benchmarks/robot_looks.py --policy runs/reach/pointact --env vla/panda-reach-v0 \\
        --seeds 40 --env-kwargs '{"image_size": 80}'
"""

from __future__ import annotations

import argparse
import json
from typing import Any

import numpy as np


def expert_steps(
    env_id: str, seeds: range, env_kwargs: dict, max_steps: int = 60
) -> list[list[tuple]]:
    """Per seed, ``(obs, info, expert's action, gripper's pixel, other cubes' pixels)`` at each
    of the expert's episode's first ``max_steps`` steps (pixels in the first camera)."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the envs)
    from vla.datasets.experts.panda import make_panda_expert

    env = gym.make(env_id, **env_kwargs)
    try:
        episodes = []
        for seed in seeds:
            obs, info = env.reset(seed=seed)
            expert, rows = make_panda_expert(env), []
            while True:
                action = expert.act(obs, info)
                grip, others = pixel(env, info["ee_position"]), []
                for item in info["objects"].values():
                    if item["kind"] == "cube" and item["color"] not in obs["instruction"]:
                        others.append(pixel(env, item["position"]))
                rows.append((obs, info, action, grip, others))
                if len(rows) >= max_steps:
                    break
                obs, _, terminated, truncated, info = env.step(action)
                if terminated or truncated:
                    break
            episodes.append(rows)
        return episodes
    finally:
        env.close()


def pixel(env: Any, xyz: Any) -> list[float]:
    """``xyz`` in the env's first camera (pixels)."""
    return next(iter(env.unwrapped._pixels(xyz).values()))


def pointer_hits(
    policy: Any, steps: list[tuple[dict, dict, Any]], points: list | None = None
) -> int | None:
    """On how many first frames the model's grounding pointer puts its top score on the named
    cube's patch (or on ``points``' patches, pixels), measured as training validation does
    (``val/point_accuracy`` of :func:`vla.training.validation.teacher_forced_metrics`, the
    expert's action as the label); None when the model has no pointer."""
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
        **({"views": [o["images"] for o in obs]} if "images" in obs[0] else {}),
    )
    if points is None:
        points = [next(iter(i["target_pixels"].values())) for _, i, _ in steps]
    sizes = [o["image"].shape[:2] for o in obs]
    batch["target_points"] = torch.tensor(
        [[x / w, y / h] for (x, y), (h, w) in zip(points, sizes, strict=True)]
    )
    accuracy = teacher_forced_metrics(model, [batch], "cpu").get("val/point_accuracy", 0.0)
    return round(accuracy * len(steps))


def main() -> None:
    from vla import Policy
    from vla.rollout.agents import camera_kwargs

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--policy", default="vla-robot-tiny", help="Shipped name or run folder.")
    p.add_argument("--env", default="vla/panda-reach-v0")
    p.add_argument("--seeds", type=int, default=40)
    p.add_argument("--seed-start", type=int, default=100_000)
    p.add_argument("--env-kwargs", default="{}", help="JSON kwargs for the env.")
    p.add_argument("--by-step", action="store_true", help="pointer hits by episode step")
    args = p.parse_args()
    policy = Policy.from_pretrained(args.policy)
    # the cameras the policy reads (front and wrist for the shipped one), unless --env-kwargs
    # names a camera
    args.env_kwargs = camera_kwargs(policy, json.loads(args.env_kwargs))
    if args.by_step:
        by_step(policy, args)
        return
    seeds = range(args.seed_start, args.seed_start + args.seeds)
    firsts = expert_steps(args.env, seeds, args.env_kwargs, max_steps=1)
    steps = [episode[0][:3] for episode in firsts]  # (obs, info, expert's first action)
    first_obs = steps[0][0]
    expert = np.array([a.xyz for _, _, a in steps])
    own = np.array(
        [policy.act(o["image"], o["instruction"], o["state"], views=o.get("images")).xyz
         for o, _, _ in steps]
    )  # fmt: skip
    pixels_only = np.array(
        [policy.act(o["image"], first_obs["instruction"], first_obs["state"],
                    views=o.get("images")).xyz
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


def by_step(policy: Any, args: argparse.Namespace) -> None:
    """Pointer hits on the named cube and on the gripper, by step of the expert's episodes."""
    seeds = range(args.seed_start, args.seed_start + args.seeds)
    episodes = expert_steps(args.env, seeds, args.env_kwargs)
    print(f"{args.policy} on {args.env}, expert episodes of {len(episodes)} seeds")
    print("| steps | frames | pointer on the named cube | on another cube | on the gripper |")
    print("|---|---:|---:|---:|---:|")
    for lo, hi in ((0, 0), (1, 2), (3, 5), (6, 59)):
        rows = [r for ep in episodes for k, r in enumerate(ep) if lo <= k <= hi]
        if not rows:
            continue
        steps = [(o, i, a) for o, i, a, _, _ in rows]
        cube = pointer_hits(policy, steps)
        if cube is None:
            raise SystemExit(f"{args.policy} has no grounding pointer (train with point_loss)")
        grip = pointer_hits(policy, steps, [r[3] for r in rows]) or 0
        other = 0  # the k-th other cube, on the frames that have one
        for k in range(max(len(r[4]) for r in rows)):
            have = [r for r in rows if len(r[4]) > k]
            other += pointer_hits(policy, [r[:3] for r in have], [r[4][k] for r in have]) or 0
        n = len(rows)
        print(f"| {lo}-{hi} | {n} | {cube / n:.0%} | {other / n:.0%} | {grip / n:.0%} |")


if __name__ == "__main__":
    main()
