"""Fixtures for the dataset tests: small datasets recorded from the fake envs in
``vla_fake_envs.py`` (importable as ``vla_fake_envs`` by worker and CLI subprocesses too)."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # spawned workers inherit sys.path, subprocesses PYTHONPATH
    sys.path.insert(0, str(HERE))

from vla_dataset_helpers import ROBOT, ROBOT_EXPERT, UI, UI_EXPERT, record  # noqa: E402


@pytest.fixture(scope="session")
def ui_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """8 successful episodes of the fake UI env (2 steps each)."""
    return record(tmp_path_factory.mktemp("ui") / "ds", UI, UI_EXPERT, 8)


@pytest.fixture(scope="session")
def robot_dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """6 episodes of the fake robot env (EEDelta actions, 4-D state)."""
    return record(tmp_path_factory.mktemp("robot") / "ds", ROBOT, ROBOT_EXPERT, 6)
