"""A headful MiniWoB window on Xvfb: the task area sits at ``window_position`` on screen."""

from __future__ import annotations

import os
import shutil
import subprocess
import time

import numpy as np
import pytest

pytestmark = [pytest.mark.browser, pytest.mark.display]


@pytest.fixture()
def xvfb(tmp_path):
    if shutil.which("Xvfb") is None:
        pytest.skip("needs Xvfb")
    display = f":{200 + os.getpid() % 500}"
    proc = subprocess.Popen(
        ["Xvfb", display, "-screen", "0", "640x480x24", "-nolisten", "tcp"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    time.sleep(1.0)
    old = os.environ.get("DISPLAY")
    os.environ["DISPLAY"] = display
    yield display
    if old is None:
        os.environ.pop("DISPLAY", None)
    else:
        os.environ["DISPLAY"] = old
    proc.kill()
    proc.wait()


def test_task_area_is_at_the_window_position(xvfb):
    import gymnasium as gym
    import mss

    import vla.envs  # noqa: F401

    env = gym.make("vla/miniwob-click-test-v0", headless=False, window_position=(40, 30))
    try:
        obs, _ = env.reset(seed=0)
        assert env.unwrapped.controller.screen_origin() == (40, 30)
        time.sleep(0.3)  # let the window compositor present the frame
        grabber = mss.MSS() if hasattr(mss, "MSS") else mss.mss()
        with grabber as sct:
            shot = np.asarray(sct.grab({"left": 40, "top": 30, "width": 160, "height": 210}))
        screen = shot[:, :, 2::-1]  # BGRA -> RGB
        assert np.array_equal(screen, obs["image"])
    finally:
        env.close()
