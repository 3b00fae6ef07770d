"""Closed-loop throughput: env steps/s of one worker driven by the policy vs by the expert.

    python benchmarks/closed_loop.py                              # robot reach + browser click-button
    python benchmarks/closed_loop.py --env vla/panda-pick-place-v0 --steps 300

For each env, the same seeds are run twice in this process, alternating episode by episode
(so machine load hits both alike): once with the scripted expert choosing actions, once with
the policy (``Policy.act`` on the observation, batch 1, one torch thread). Reported per env:
steps/s of each loop, the policy's median latency, and the overhead
``policy_loop_time / expert_loop_time - 1`` per step (target on CPU: <= 50%).
"""

from __future__ import annotations

import argparse
import json
import time

import numpy as np

DEFAULT_ENVS = {
    "vla/panda-reach-v0": "vla-robot-tiny",
    "vla/miniwob-click-button-v0": "vla-browser-tiny",
}


def _episode(env, actor, seed: int, budget: int) -> tuple[int, float, list[float]]:
    """Run one episode (at most ``budget`` steps); returns (steps, loop seconds, act seconds)."""
    obs, info = env.reset(seed=seed)
    steps, acts, t0 = 0, [], time.perf_counter()
    done = False
    while not done and steps < budget:
        t = time.perf_counter()
        action = actor(obs, info)
        acts.append(time.perf_counter() - t)
        obs, _, terminated, truncated, info = env.step(action)
        done, steps = terminated or truncated, steps + 1
    return steps, time.perf_counter() - t0, acts


def bench(env_id: str, policy_name: str, steps: int, seed: int) -> dict:
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla import Policy
    from vla.datasets import make_expert

    policy = Policy.from_pretrained(policy_name)
    env = gym.make(env_id)
    expert = make_expert(env)
    space = env.action_space.spec

    def policy_act(obs, info):
        return policy.act(obs["image"], obs["instruction"], state=obs.get("state"), space=space)

    def expert_act(obs, info):
        return expert.act(obs, info)

    totals = {"expert": [0, 0.0, []], "policy": [0, 0.0, []]}
    k = 0
    try:
        policy_act(*env.reset(seed=seed))  # warm-up (first call builds grammars and caches)
        while min(totals["expert"][0], totals["policy"][0]) < steps:
            for name, actor in (("expert", expert_act), ("policy", policy_act)):
                if name == "expert" and hasattr(expert, "reset"):
                    expert.reset()
                n, dt, acts = _episode(env, actor, seed + k, steps)
                totals[name][0] += n
                totals[name][1] += dt
                totals[name][2] += acts
            k += 1
    finally:
        env.close()
    out = {"env": env_id, "policy": policy_name, "episodes": k}
    for name, (n, dt, acts) in totals.items():
        out[f"{name}_steps"] = n
        out[f"{name}_steps_per_s"] = round(n / dt, 2)
        out[f"{name}_act_ms_p50"] = round(1000 * float(np.median(acts)), 2)
    per_step = {name: dt / n for name, (n, dt, _) in totals.items()}
    out["policy_overhead"] = round(per_step["policy"] / per_step["expert"] - 1, 3)
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", action="append", help="env id (repeatable)")
    parser.add_argument("--policy", default=None, help="checkpoint for every env")
    parser.add_argument("--steps", type=int, default=200, help="env steps per loop and env")
    parser.add_argument("--seed", type=int, default=300_000)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()
    import torch

    torch.set_num_threads(args.threads)
    envs = args.env or list(DEFAULT_ENVS)
    for env_id in envs:
        name = args.policy or DEFAULT_ENVS.get(env_id, "vla-robot-tiny")
        print(json.dumps(bench(env_id, name, args.steps, args.seed)))


if __name__ == "__main__":
    main()
