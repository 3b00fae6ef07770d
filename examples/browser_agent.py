"""A browser agent: the shipped checkpoint solving a MiniWoB++ task in headless Chromium.

    python examples/browser_agent.py                          # click-button, 5 episodes
    python examples/browser_agent.py --task enter-text --episodes 3
    python examples/browser_agent.py --fast                   # one short episode (CI)

Each step the policy sees only the 160x210 screenshot and the instruction, and returns a
typed action (vla.actions) in screenshot pixels; the env executes it with Playwright.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="click-button", help="MiniWoB++ task name")
    parser.add_argument("--episodes", type=int, default=5)
    parser.add_argument("--seed", type=int, default=200_000, help="first episode seed")
    parser.add_argument("--fast", action="store_true", help="one episode of click-test (CI)")
    args = parser.parse_args()
    if args.fast:
        args.task, args.episodes = "click-test", 1

    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers vla/miniwob-<task>-v0)
    from vla import Policy

    policy = Policy.from_pretrained("vla-browser-tiny")
    env = gym.make(f"vla/miniwob-{args.task}-v0")
    space = env.action_space.spec  # the verbs this task accepts: the decoding grammar
    wins = 0
    try:
        for k in range(args.episodes):
            obs, info = env.reset(seed=args.seed + k)
            print(f"episode {k}: {obs['instruction']!r}")
            done = False
            while not done:
                action = policy.act(obs["image"], obs["instruction"], space=space)
                obs, reward, terminated, truncated, info = env.step(action)
                print(f"  {action}  reward={reward:.2f}")
                done = terminated or truncated
            wins += bool(info["is_success"])
            print(f"  -> {'success' if info['is_success'] else 'failure'}")
    finally:
        env.close()
    print(f"{wins}/{args.episodes} episodes solved")


if __name__ == "__main__":
    main()
