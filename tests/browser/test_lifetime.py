"""Chromium never outlives the Python process that started it (issue 16), and a dead
Playwright driver is a browser failure the env recovers from."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import gymnasium as gym
import pytest

import vla.envs  # noqa: F401
from vla.actions import Click

pytestmark = pytest.mark.browser

# Makes an env, prints the browser's pid and profile folder, then ends as argv[1] says.
SCRIPT = """
import sys, time
import gymnasium as gym
import vla.envs
env = gym.make("vla/browser-v0", url="data:text/html,<p>hi</p>")
env.reset()
ctl = env.unwrapped.controller
print(ctl.pid, ctl._chromium.profile_dir, flush=True)
if sys.argv[1] == "close":
    env.close()
elif sys.argv[1] == "raise":
    raise RuntimeError("boom")
elif sys.argv[1] == "wait":
    time.sleep(120)
"""


def _gone(browser_pids, pid: int, profile: str, within_s: float = 15.0) -> bool:
    # The supervisor cleans up as soon as it sees our pipe close; allow a loaded machine time.
    deadline = time.monotonic() + within_s
    while time.monotonic() < deadline:
        if not browser_pids(pid) and not os.path.exists(profile):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("end", ["close", "exit", "raise", "sigterm", "sigkill"])
def test_nothing_outlives_the_process(end, browser_pids):
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, {"sigterm": "wait", "sigkill": "wait"}.get(end, end)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        pid_text, profile = proc.stdout.readline().split()  # type: ignore[union-attr]
        pid = int(pid_text)
        assert browser_pids(pid) and os.path.isdir(profile)
        if end in ("sigterm", "sigkill"):
            proc.send_signal(signal.SIGTERM if end == "sigterm" else signal.SIGKILL)
        _, err = proc.communicate(timeout=60)
    finally:
        proc.kill()
    assert _gone(browser_pids, pid, profile)
    if end in ("close", "exit"):
        assert proc.returncode == 0
        assert err == ""  # no "Exception ignored in ..." noise at exit
    if end == "raise":
        assert "RuntimeError: boom" in err and "Exception ignored" not in err


def _driver_pids() -> list[int]:
    """Playwright node drivers that are children of this process."""
    out = []
    for entry in os.listdir("/proc"):
        try:
            with open(f"/proc/{entry}/stat") as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except (OSError, ValueError):
            continue
        if ppid == os.getpid() and b"run-driver" in cmd:
            out.append(int(entry))
    return out


def test_killed_driver_is_a_browser_error_and_reset_recovers():
    env = gym.make("vla/miniwob-click-test-v0")
    try:
        env.reset(seed=0)
        (driver,) = _driver_pids()
        os.kill(driver, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while driver in _driver_pids() and time.monotonic() < deadline:
            time.sleep(0.05)  # a zombie has an empty command line: it is gone for us
        _, reward, terminated, _, info = env.step(Click(80, 100))
        assert terminated and reward == 0.0 and not info["is_success"]
        assert info["error"].startswith("browser failure:")
        _, info = env.reset(seed=0)
        assert info["utterance"] == "Click the button." and "error" not in info
        assert _driver_pids() and _driver_pids() != [driver]
        button = next(e for e in info["elements"] if e["tag"] == "button")
        x, y, w, h = button["bbox"]
        _, reward, terminated, _, info = env.step(Click(x + w / 2, y + h / 2))
        assert terminated and info["is_success"]
    finally:
        env.close()
