"""Shared helpers of the dataset tests, importable by name (``conftest`` is not: several test
folders have one, and which one ``import conftest`` finds depends on the run)."""

from __future__ import annotations

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent

UI = "vla_fake_envs:FakeUIEnv"
UI_EXPERT = "vla_fake_envs:FakeUIExpert"
ROBOT = "vla_fake_envs:FakeRobotEnv"
ROBOT_EXPERT = "vla_fake_envs:FakeRobotExpert"


def subprocess_env() -> dict[str, str]:
    """Environment for a subprocess that must import ``vla_fake_envs``."""
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join([str(HERE), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    return env


def record(out: Path, env_id: str, expert: str, episodes: int, **kwargs) -> Path:
    from vla.datasets import CollectConfig, collect

    cfg = CollectConfig(
        env_ids=[env_id], episodes=episodes, out=out, workers=0, expert=expert, progress=False,
        **kwargs,
    )  # fmt: skip
    collect(cfg)
    return out
