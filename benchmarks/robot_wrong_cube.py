"""Which cube does a robot policy go to? For each episode, the closest the grasp target came to
the cube the instruction names and to any other cube (issue 14).

A policy that finds the right cube but misses by a little ends near the named cube; one that
has not grounded the colour word goes to a cube, but to any of them (reach has 2-3
distractors). The script prints one line per episode and, at the end, the median closest
distances and in how many episodes the gripper came nearer another cube than the named one.

    python benchmarks/robot_wrong_cube.py --policy vla-robot-tiny --env vla/panda-reach-v0 \\
        --episodes 20
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np


def closest_approaches(policy: Any, env_id: str, seeds: range, env_kwargs: dict) -> list[dict]:
    """Per episode: ``seed``, ``success`` and the closest distance (m) to the ``named`` cube and
    to any ``other`` cube over the episode's steps."""
    import gymnasium as gym
    from tqdm import tqdm

    import vla.envs  # noqa: F401  (registers the envs)
    from vla.rollout import PolicyAgent, run_episode

    env = gym.make(env_id, **env_kwargs)
    agent = PolicyAgent(policy, env.action_space.spec)
    rows = []
    try:
        for seed in tqdm(seeds, desc=env_id, unit="ep"):
            near = {"named": np.inf, "other": np.inf}

            def on_step(step: Any, near: dict = near) -> None:
                ee = np.asarray(step.info["ee_position"])
                named = step.info["goal"]["object"]
                for obj in step.info["objects"].values():
                    if obj["kind"] != "cube":
                        continue
                    key = "named" if obj["color"] == named else "other"
                    dist = float(np.linalg.norm(ee - np.asarray(obj["position"])))
                    near[key] = min(near[key], dist)

            episode = run_episode(agent, env, seed=seed, on_step=on_step)
            rows.append({"seed": seed, "success": episode.success, **near})
            tqdm.write(
                f"seed {seed}: success={episode.success} closest named cube "
                f"{near['named'] * 100:.1f} cm, other cube {near['other'] * 100:.1f} cm"
            )
    finally:
        env.close()
    return rows


def main() -> None:
    import json

    from vla import Policy
    from vla.rollout.agents import camera_kwargs

    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    p.add_argument("--policy", default="vla-robot-tiny", help="Shipped name or run folder.")
    p.add_argument("--env", default="vla/panda-reach-v0")
    p.add_argument("--episodes", type=int, default=20)
    p.add_argument("--seed-start", type=int, default=100_000)
    p.add_argument("--env-kwargs", default="{}", help="JSON kwargs for the env.")
    args = p.parse_args()
    policy = Policy.from_pretrained(args.policy)
    seeds = range(args.seed_start, args.seed_start + args.episodes)
    # the cameras the policy reads (front and wrist for the shipped one), unless --env-kwargs
    # names a camera
    env_kwargs = camera_kwargs(policy, json.loads(args.env_kwargs))
    rows = closest_approaches(policy, args.env, seeds, env_kwargs)
    named = np.array([r["named"] for r in rows])
    other = np.array([r["other"] for r in rows])
    print(
        f"{args.env}, {len(rows)} episodes, {sum(r['success'] for r in rows)} successes: median "
        f"closest approach to the named cube {np.median(named) * 100:.1f} cm, to another cube "
        f"{np.median(other) * 100:.1f} cm; nearer another cube in {int((other < named).sum())}"
    )


if __name__ == "__main__":
    main()
