"""A robot rollout saved as a GIF: the shipped checkpoint on the Panda pick-place task.

    python examples/robot_pick_place_gif.py                 # writes runs/pick-place.gif
    python examples/robot_pick_place_gif.py --fast          # 5 steps (CI)

The policy sees its front and wrist cameras (80x80), the instruction and the 14-D proprio
state, and returns an EEDelta (end-effector motion in metres + gripper opening) every 0.1 s.
The GIF shows both views side by side.
"""

from __future__ import annotations

import argparse


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seed", type=int, default=200_000)
    parser.add_argument("--out", default="runs/pick-place.gif")
    parser.add_argument("--fast", action="store_true", help="stop after 5 steps (CI)")
    args = parser.parse_args()

    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers vla/panda-<task>-v0)
    from vla import Policy
    from vla.render import draw_action, save_gif, views_frame
    from vla.rollout.agents import camera_kwargs

    policy = Policy.from_pretrained("vla-robot-tiny")
    # the cameras the checkpoint reads (front and wrist), at its input size
    env = gym.make("vla/panda-pick-place-v0", **camera_kwargs(policy))
    obs, info = env.reset(seed=args.seed)
    frames, done, steps = [], False, 0
    try:
        while not done and not (args.fast and steps >= 5):
            views = obs.get("images")
            action = policy.act(obs["image"], obs["instruction"], state=obs["state"], views=views)
            frames.append(draw_action(views_frame(obs), action, caption=obs["instruction"]))
            obs, _, terminated, truncated, info = env.step(action)
            done, steps = terminated or truncated, steps + 1
    finally:
        env.close()
    frames.append(
        draw_action(views_frame(obs), None, caption="success" if info["is_success"] else "failure")
    )
    path = save_gif(frames, args.out, fps=8)
    print(f"{steps} steps, success={info['is_success']}; wrote {path}")


if __name__ == "__main__":
    main()
