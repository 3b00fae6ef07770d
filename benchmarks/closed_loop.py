"""Closed-loop throughput: env steps/s of one worker driven by the policy vs by the expert.

    python benchmarks/closed_loop.py                              # robot reach + browser click-button
    python benchmarks/closed_loop.py --env vla/panda-pick-place-v0 --steps 300
    python benchmarks/closed_loop.py --env vla/panda-reach-v0 --chunk-size 8 --execution receding --horizon 8
    python benchmarks/closed_loop.py --env vla/panda-reach-v0 --execution receding --horizon 8

For each env, the same seeds are run twice in this process, alternating episode by episode
(so machine load hits both alike): once with the scripted expert choosing actions, once with
the policy (``Policy.act`` on the observation, batch 1, one torch thread). Reported per env:
steps/s of each loop, the policy's median latency, and the overhead
``policy_loop_time / expert_loop_time - 1`` per step (target on CPU: <= 50%).

``--chunk-size K`` (issue 14) drives the env with a random ``vla-tiny`` that decodes
``K``-action chunks in one pass (``parallel_decoding``; a chunk's decoding cost does not depend
on the weights) through
``PolicyAgent(..., execution=ChunkExecution(--execution, --horizon))``: ``receding`` asks the
policy every ``--horizon`` steps, ``ensemble`` every step. The policy's act time is then per
executed step (0 on the steps served from a chunk); ``policy_queries`` counts the chunks.
``--execution`` without ``--chunk-size`` runs the checkpoint's own chunks that way (``--horizon``
defaults to the chunk size). Without ``--execution`` a checkpoint runs the execution it names
(``VLAConfig.execution``: the shipped ``vla-robot-tiny`` predicts 8-action chunks and names
``receding:2``); ``--execution first`` asks it every step.
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


def _chunk_policy(k: int):
    """A random ``vla-tiny`` (80x80, 14-d state) decoding ``k``-action ``ee_delta`` chunks in
    one pass, with action statistics of the Panda's step limits."""
    import torch

    from vla import Policy
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor

    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", chunk_size=k, parallel_decoding=True)
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(
        {
            "action.ee_delta": {"q01": [-0.03] * 6 + [0.0], "q99": [0.03] * 6 + [1.0]},
            "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
        }
    )
    return Policy(VLAForActionPrediction(cfg), proc)


def bench(
    env_id: str,
    policy_name: str,
    steps: int,
    seed: int,
    chunk_size: int | None = None,
    mode: str | None = None,
    horizon: int | None = None,
) -> dict:
    """``chunk_size``: drive a random chunked ``vla-tiny`` instead of ``policy_name``; ``mode``
    (with ``horizon``, default the chunk size): execute the policy's chunks that way."""
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla import Policy
    from vla.datasets import make_expert
    from vla.rollout import PolicyAgent
    from vla.rollout.agents import camera_kwargs
    from vla.rollout.chunk_execution import ChunkExecution

    if chunk_size:
        policy = _chunk_policy(chunk_size)
        policy_name = f"random vla-tiny, chunk_size={chunk_size}, parallel"
    else:
        policy = Policy.from_pretrained(policy_name)
    # the env renders the cameras the policy reads (both the expert and the policy run in it)
    env = gym.make(env_id, **camera_kwargs(policy))
    expert = make_expert(env)
    execution = None
    if mode is not None:
        execution = ChunkExecution(mode, horizon=horizon or policy.chunk_size)
        policy_name = f"{policy_name}, {mode} (horizon {execution.horizon})"
    agent = PolicyAgent.for_env(policy, env.action_space, execution)
    if execution is None and agent.execution is not None:
        policy_name = f"{policy_name}, its own execution {policy.execution}"

    def policy_act(obs, info):
        return agent.act(obs, info)

    def expert_act(obs, info):
        return expert.act(obs, info)

    totals = {"expert": [0, 0.0, []], "policy": [0, 0.0, []]}
    k = queries = 0
    try:
        policy_act(*env.reset(seed=seed))  # warm-up (first call builds grammars and caches)
        while min(totals["expert"][0], totals["policy"][0]) < steps:
            for name, actor in (("expert", expert_act), ("policy", policy_act)):
                if name == "expert" and hasattr(expert, "reset"):
                    expert.reset()
                if name == "policy":
                    agent.reset()
                n, dt, acts = _episode(env, actor, seed + k, steps)
                if name == "policy":
                    queries += agent.queries or 0
                totals[name][0] += n
                totals[name][1] += dt
                totals[name][2] += acts
            k += 1
    finally:
        env.close()
    out = {"env": env_id, "policy": policy_name, "episodes": k}
    if execution is not None:
        out["policy_queries"] = queries
        out["policy_act_ms_mean"] = round(1000 * float(np.mean(totals["policy"][2])), 2)
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
    parser.add_argument("--chunk-size", type=int, default=None, help="random chunked policy")
    parser.add_argument(
        "--execution", default=None, help="first, receding, ensemble [receding with --chunk-size]"
    )
    parser.add_argument("--horizon", type=int, default=None, help="receding: [chunk size]")
    args = parser.parse_args()
    # a random chunked policy executes its chunks (receding by default); a checkpoint when asked
    mode = args.execution or ("receding" if args.chunk_size else None)
    import torch

    torch.set_num_threads(args.threads)
    envs = args.env or list(DEFAULT_ENVS)
    for env_id in envs:
        name = args.policy or DEFAULT_ENVS.get(env_id, "vla-robot-tiny")
        result = bench(env_id, name, args.steps, args.seed, args.chunk_size, mode, args.horizon)
        print(json.dumps(result))


if __name__ == "__main__":
    main()
