"""Shared pytest configuration. Area-specific fixtures live in each tests/<area>/conftest.py."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

# Keep torch from oversubscribing the 2-core CI machine when several tests build models.
os.environ.setdefault("OMP_NUM_THREADS", "2")

#: The size of the shared virtual screen (the ``xvfb`` fixture).
SCREEN = (1280, 800)


@pytest.fixture(scope="session")
def xvfb() -> Iterator[str]:
    """A private Xvfb for the session; DISPLAY and XAUTHORITY point at it while it runs.

    ``pyautogui`` binds to ``$DISPLAY`` when first imported, so every test that needs a
    display (tests/desktop, the every-env test) shares this one."""
    from vla.envs.desktop.xvfb import VirtualDisplay

    if shutil.which("Xvfb") is None:
        pytest.skip("Xvfb is not installed (apt-get install xvfb xauth)")
    if "pyautogui" in sys.modules:
        pytest.skip("pyautogui was imported before Xvfb started; it is bound to another display")
    with VirtualDisplay(SCREEN) as display:
        yield display.display  # type: ignore[misc]


@pytest.fixture(scope="session")
def tiny_policy_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A randomly initialised, very small policy saved like a checkpoint."""
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.policy import Policy

    config = VLAConfig.from_preset(
        "vla-tiny",
        vision_image_size=32,
        vision_hidden_size=32,
        vision_intermediate_size=64,
        text_hidden_size=32,
        text_intermediate_size=64,
    )
    policy = Policy(VLAForActionPrediction(config), VLAProcessor.from_config(config), "cpu")
    return policy.save_pretrained(tmp_path_factory.mktemp("policy") / "tiny")
