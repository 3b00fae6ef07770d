"""Simulated Franka Panda tasks in PyBullet, registered as ``vla/panda-<task>-v0``.

Tasks: ``reach``, ``push``, ``pick-place``, ``stack``, ``sequence`` (see docs/robot.md).
Registration uses string entry points, so PyBullet is imported only when an env is made.
"""

from __future__ import annotations

__all__ = ["TASK_IDS", "register"]

#: task name -> episode step limit at 10 Hz control.
_MAX_STEPS = {"reach": 30, "push": 60, "pick-place": 60, "stack": 60, "sequence": 120}
TASK_IDS: tuple[str, ...] = tuple(f"vla/panda-{t}-v0" for t in _MAX_STEPS)


def register() -> None:
    """Register every Panda task id with gymnasium (idempotent)."""
    import gymnasium as gym

    for task, steps in _MAX_STEPS.items():
        env_id = f"vla/panda-{task}-v0"
        if env_id in gym.registry:
            continue
        gym.register(
            env_id,
            entry_point="vla.envs.robot.panda_env:PandaEnv",
            kwargs={"task": task},
            max_episode_steps=steps,
        )
