"""Which camera keeps the target cube in view? Target visibility during expert episodes.

For every candidate camera, expert episodes of the grasping Panda tasks are rendered with
PyBullet's segmentation mask, and each frame counts the pixels of the cube the instruction
names. Reported per camera:

* ``seen``: frames where the target shows at least ``--min-pixels`` pixels;
* ``approach``: the same, over the frames where the grasp target is within 10 cm of the cube
  and the gripper is still open (the final approach, where the arm used to hide it);
* ``median px``: median visible pixels of the target over all frames.

    python benchmarks/robot_cameras.py [--episodes 10] [--size 128]

docs/robot.md has the measured table; the env's ``scene`` camera is the winner.
"""

from __future__ import annotations

import argparse

import gymnasium as gym
import numpy as np

import vla.envs  # noqa: F401  (registers the ids)
from vla.controllers.pybullet_arm import Camera
from vla.datasets import make_expert
from vla.envs.robot.panda_env import CAMERAS

TASKS = ("pick-place", "stack", "push", "reach")


def candidates(size: int) -> dict[str, Camera]:
    """The env's named cameras plus a few placements that were tried against them."""
    target = (0.49, 0.0, 0.02)
    tried = {
        f"yaw {y}, pitch {p}, {d} m": Camera(
            size, size, "world", target=target, distance=d, yaw=float(y), pitch=float(p)
        )
        for y, p, d in ((0, -50, 0.75), (90, -70, 0.75), (90, -40, 0.6), (180, -35, 0.75))
    }
    named = {name: _sized(cam, size) for name, cam in CAMERAS.items()}
    return named | tried


def _sized(cam: Camera, size: int) -> Camera:
    from dataclasses import replace

    return replace(cam, width=size, height=size)


def target_pixels(arm: object, camera: Camera, body: int) -> int:
    """Visible pixels of ``body`` in ``camera``'s view (same matrices as ``PandaArm.render``)."""
    p, client = arm.p, arm.client  # type: ignore[attr-defined]
    view, proj = arm.camera_matrices(camera)  # type: ignore[attr-defined]
    _, _, _, _, seg = p.getCameraImage(
        camera.width, camera.height, view, proj, shadow=0, renderer=p.ER_TINY_RENDERER,
        physicsClientId=client,
    )  # fmt: skip
    return int(np.count_nonzero(np.asarray(seg) == body))


def measure(episodes: int, size: int, min_pixels: int) -> dict[str, dict[str, float]]:
    cams = candidates(size)
    counts: dict[str, list[tuple[int, bool]]] = {name: [] for name in cams}
    for task in TASKS:
        env = gym.make(f"vla/panda-{task}-v0", render_images=False)
        u = env.unwrapped
        for seed in range(episodes):
            obs, info = env.reset(seed=seed)
            expert = make_expert(env)
            body = u._names[info["goal"].get("object") or info["goal"]["objects"][0]]
            for _ in range(env.spec.max_episode_steps):
                cube = u.scene.pose(body)[0]
                near = np.linalg.norm(np.asarray(info["ee_position"]) - cube) < 0.10
                approach = bool(near and info["gripper_width"] > 0.05)
                for name, cam in cams.items():
                    counts[name].append((target_pixels(u.arm, cam, body), approach))
                obs, _, terminated, truncated, info = env.step(expert.act(obs, info))
                if terminated or truncated:
                    break
        env.close()
    table = {}
    for name, rows in counts.items():
        px = np.array([r[0] for r in rows])
        near = np.array([r[1] for r in rows])
        table[name] = {
            "seen": float(np.mean(px >= min_pixels)),
            "approach": float(np.mean(px[near] >= min_pixels)) if near.any() else float("nan"),
            "median_px": float(np.median(px)),
            "frames": len(rows),
        }
    return table


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--episodes", type=int, default=10, help="expert episodes per task")
    ap.add_argument("--size", type=int, default=128, help="square image size (pixels)")
    ap.add_argument("--min-pixels", type=int, default=6, help="pixels that count as 'seen'")
    args = ap.parse_args()
    table = measure(args.episodes, args.size, args.min_pixels)
    print(
        f"| camera | seen | approach | median px | frames |  ({args.size}x{args.size}, "
        f">= {args.min_pixels} px, tasks {', '.join(TASKS)}, {args.episodes} seeds each)"
    )
    print("|---|---:|---:|---:|---:|")
    for name, row in table.items():
        print(
            f"| {name} | {row['seen']:.0%} | {row['approach']:.0%} | "
            f"{row['median_px']:.0f} | {row['frames']} |"
        )


if __name__ == "__main__":
    main()
