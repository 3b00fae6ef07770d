"""Crashed and hung browsers end the episode with a reason; nothing outlives close()."""

from __future__ import annotations

import os
import signal
import time

import gymnasium as gym
import pytest

import vla.envs  # noqa: F401
from vla.actions import Click

pytestmark = pytest.mark.browser


def test_killed_browser_fails_the_episode_and_next_reset_recovers(browser_pids):
    env = gym.make("vla/miniwob-click-button-v0", timeout_s=10)
    try:
        env.reset(seed=0)
        pid = env.unwrapped.controller.pid
        os.kill(pid, signal.SIGKILL)
        time.sleep(0.3)
        obs, reward, terminated, truncated, info = env.step(Click(80, 100))
        assert terminated and not truncated and reward == 0.0
        assert info["is_success"] is False
        assert "crashed" in info["error"]
        assert obs["image"].shape == (210, 160, 3)
        obs, info = env.reset(seed=1)
        assert env.unwrapped.controller.pid != pid
        assert info["utterance"].startswith("Click on the")
        assert "error" not in info
    finally:
        env.close()
    assert browser_pids(pid) == []


def test_hung_page_is_detected_by_the_timeout():
    env = gym.make("vla/miniwob-click-test-v0", timeout_s=2)
    try:
        env.reset(seed=0)
        ctl = env.unwrapped.controller
        ctl.evaluate("() => { setTimeout(() => { while (true) {} }, 0); }")
        t0 = time.monotonic()
        _, _, terminated, _, info = env.step(Click(80, 100))
        assert terminated and "hung" in info["error"]
        assert time.monotonic() - t0 < 15
        _, info = env.reset(seed=0)
        assert info["utterance"] == "Click the button."
    finally:
        env.close()


def test_close_leaves_no_process_and_no_zombie(browser_pids, zombie_children):
    env = gym.make("vla/miniwob-click-test-v0")
    env.reset(seed=0)
    pid = env.unwrapped.controller.pid
    assert len(browser_pids(pid)) >= 2  # the browser and its helpers
    env.close()
    env.close()  # twice is fine
    assert browser_pids(pid) == []
    assert zombie_children() == []


def test_async_vector_env_one_browser_per_worker():
    # gymnasium's shared memory cannot carry Text observations; see docs/browser.md.
    venv = gym.vector.AsyncVectorEnv(
        [lambda: gym.make("vla/miniwob-click-test-v0")] * 2, shared_memory=False
    )
    try:
        obs, info = venv.reset(seed=[0, 1])
        assert obs["image"].shape == (2, 210, 160, 3)
        assert list(obs["instruction"]) == ["Click the button."] * 2
        pids = list(info["page_seed"])
        assert pids[0] != pids[1]
        obs, reward, terminated, truncated, info = venv.step((Click(1, 60), Click(1, 60)))
        assert obs["image"].shape == (2, 210, 160, 3)
        assert reward.shape == terminated.shape == truncated.shape == (2,)
        assert list(info["is_success"]) == [r > 0 for r in reward]
    finally:
        venv.close()
