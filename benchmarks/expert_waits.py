"""How many waits the MiniWoB++ experts spend on animations, with and without ``wait_ms``.

A ``Wait`` observes again one env step later by default, so an animation takes as many waits as
the host's step time fits; with ``wait_ms`` it lasts until that long after the previous
observation (``envs/browser/base.py``). Per task and ``wait_ms``: expert successes over seeds
``0 .. episodes-1``, waits per episode and wall time (docs/browser.md, "wait_ms").

    .venv/bin/python benchmarks/expert_waits.py --task click-collapsible --task click-pie \\
        --wait-ms 0 --wait-ms 100 --episodes 50
"""

from __future__ import annotations

import argparse
import time


def run(task: str, wait_ms: float, episodes: int) -> dict:
    """The expert on ``episodes`` seeded episodes of ``task`` with ``wait_ms``."""
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla.actions import Wait
    from vla.datasets import make_expert
    from vla.rollout import run_episode

    env = gym.make(f"vla/miniwob-{task}-v0", wait_ms=wait_ms)
    expert, successes, waits, t0 = make_expert(env), 0, 0, time.perf_counter()
    try:
        for seed in range(episodes):
            episode = run_episode(expert, env, seed=seed)
            successes += episode.success
            waits += sum(isinstance(a, Wait) for a in episode.actions)
    finally:
        env.close()
    return {"successes": successes, "waits": waits / episodes, "s": time.perf_counter() - t0}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", action="append", required=True, help="MiniWoB task name")
    parser.add_argument("--wait-ms", action="append", type=float, help="default: 0 and 100")
    parser.add_argument("--episodes", type=int, default=50)
    args = parser.parse_args()
    print(f"{'task':32s} {'wait_ms':>7s} {'success':>9s} {'waits/ep':>8s} {'wall s':>6s}")
    for task in args.task:
        for wait_ms in args.wait_ms or [0.0, 100.0]:
            r = run(task, wait_ms, args.episodes)
            ok = f"{r['successes']}/{args.episodes}"
            print(f"{task:32s} {wait_ms:7.0f} {ok:>9s} {r['waits']:8.2f} {r['s']:6.0f}")


if __name__ == "__main__":
    main()
