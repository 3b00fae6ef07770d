"""Speed of the Panda envs: env.step and env.reset latency with one 128x128 camera, and
throughput with 2 ``AsyncVectorEnv`` workers.

    .venv/bin/python benchmarks/robot_envs.py                  # every task, 200 steps each
    .venv/bin/python benchmarks/robot_envs.py --tasks reach --steps 500 --resets 50
    .venv/bin/python benchmarks/robot_envs.py --pictures docs/images   # first frames only

Actions are random draws from the action space (so steps include contacts and clipping);
episodes are reset whenever they end. Targets (issue 5): median step <= 25 ms, median
reset <= 200 ms. The machine is shared with other jobs: take the medians, not the means.
Prints a markdown table for docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

TASKS = ("reach", "push", "pick-place", "stack", "sequence")


def _ms(xs: list[float]) -> tuple[float, float]:
    xs = sorted(xs)
    return 1000 * statistics.median(xs), 1000 * xs[int(0.9 * (len(xs) - 1))]


def single(task: str, steps: int, resets: int, image_size: int) -> dict[str, float]:
    """Median / p90 step and reset latency (ms) of one env in this process."""
    import gymnasium as gym

    import vla.envs  # noqa: F401

    env = gym.make(f"vla/panda-{task}-v0", image_size=image_size)
    env.action_space.seed(0)
    env.reset(seed=0)
    step_t: list[float] = []
    for _ in range(steps):
        action = env.action_space.sample()
        t = time.perf_counter()
        _, _, terminated, truncated, _ = env.step(action)
        step_t.append(time.perf_counter() - t)
        if terminated or truncated:
            env.reset()
    reset_t = []
    for seed in range(resets):
        t = time.perf_counter()
        env.reset(seed=seed)
        reset_t.append(time.perf_counter() - t)
    env.close()
    (s50, s90), (r50, r90) = _ms(step_t), _ms(reset_t)
    return {"step_ms": s50, "step_p90_ms": s90, "reset_ms": r50, "reset_p90_ms": r90,
            "steps_per_s": len(step_t) / sum(step_t)}  # fmt: skip


def _make(task: str, image_size: int):  # picklable factory for the async workers
    def make():
        import gymnasium as gym

        import vla.envs  # noqa: F401

        return gym.make(f"vla/panda-{task}-v0", image_size=image_size)

    return make


def vector(task: str, steps: int, workers: int, image_size: int) -> float:
    """Environment steps per second (all workers together) of an ``AsyncVectorEnv``."""
    import gymnasium as gym

    envs = gym.vector.AsyncVectorEnv(
        [_make(task, image_size) for _ in range(workers)], shared_memory=False
    )
    envs.action_space.seed(0)
    envs.reset(seed=0)
    envs.step(envs.action_space.sample())  # warm up
    t = time.perf_counter()
    for _ in range(steps):
        envs.step(envs.action_space.sample())  # autoreset handles finished episodes
    elapsed = time.perf_counter() - t
    envs.close()
    return steps * workers / elapsed


def pictures(folder: str) -> None:
    """Save each task's first 128x128 frame (seed = the task's index in ``TASKS``, for a
    variety of colours) as ``panda-<task>.png`` and a
    4x nearest-neighbour copy as ``panda-<task>-x4.png``; print the instructions."""
    from pathlib import Path

    import gymnasium as gym
    from PIL import Image

    import vla.envs  # noqa: F401

    Path(folder).mkdir(parents=True, exist_ok=True)
    for seed, task in enumerate(TASKS):
        env = gym.make(f"vla/panda-{task}-v0")
        obs, _ = env.reset(seed=seed)
        env.close()
        image = Image.fromarray(obs["image"])
        image.save(Path(folder) / f"panda-{task}.png")
        image.resize((512, 512), Image.NEAREST).save(Path(folder) / f"panda-{task}-x4.png")
        print(f"{task} (seed {seed}): {obs['instruction']!r}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--tasks", default=",".join(TASKS))
    ap.add_argument("--steps", type=int, default=200)
    ap.add_argument("--resets", type=int, default=30)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--image-size", type=int, default=128)
    ap.add_argument("--pictures", metavar="DIR", help="only save each task's first frame")
    args = ap.parse_args()
    if args.pictures:
        pictures(args.pictures)
        return
    load = os.getloadavg()[0]
    print(f"load average (1 min) at start: {load:.1f} on {os.cpu_count()} CPUs\n")
    print(
        "| task | step median (p90) ms | reset median (p90) ms | steps/s, 1 env | "
        f"steps/s, {args.workers} async workers |"
    )
    print("|---|---|---|---|---|")
    for task in args.tasks.split(","):
        r = single(task, args.steps, args.resets, args.image_size)
        v = vector(task, args.steps // 2, args.workers, args.image_size)
        print(
            f"| {task} | {r['step_ms']:.1f} ({r['step_p90_ms']:.1f}) | {r['reset_ms']:.1f} "
            f"({r['reset_p90_ms']:.1f}) | {r['steps_per_s']:.0f} | {v:.0f} |",
            flush=True,
        )
    print(f"\nload average (1 min) at end: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
