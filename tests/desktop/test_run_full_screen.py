"""``vla run --desktop`` with no ``--region``: the policy sees and acts on the whole screen, and
every safety rule holds as with a region (real events under Xvfb, not a dry run)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from vla.actions import Click, Done, Key, Type
from vla.rollout import RunConfig, run_live

pytestmark = pytest.mark.display


class Scripted:
    """A policy stand-in that plays a list of actions and records what it saw."""

    def __init__(self, actions: list[Any]) -> None:
        self.actions = list(actions)
        self.seen: list[tuple[int, ...]] = []

    def act_batch(self, *args: Any) -> None:
        raise NotImplementedError

    def act(self, image: np.ndarray, instruction: str, state: Any = None, space: Any = None):
        self.seen.append(image.shape)
        return self.actions.pop(0)


def test_the_whole_screen_with_every_safety_rule(xvfb: str) -> None:
    from Xlib.display import Display

    x = Display()  # the session's Xvfb ($DISPLAY)
    w, h = x.screen().width_in_pixels, x.screen().height_in_pixels
    x.close()
    actions = [
        Type("sudo rm -rf /"),  # risky text: refused without a terminal to ask on
        Key(["Alt", "F4"]),  # risky chord: refused
        Click(0, 0),  # a fail-safe corner: refused
        Click(w - 1, h - 1),  # the opposite corner: refused
        Click(w / 2, h / 2),  # the middle of the screen: executed
        Done(),
    ]
    policy = Scripted(actions)
    steps: list[Any] = []
    cfg = RunConfig(policy="scripted", desktop=True, instruction="x", max_rate=100.0)
    assert cfg.region is None
    result = run_live(cfg, on_step=steps.append, policy=policy)
    assert policy.seen == [(h, w, 3)] * len(actions)  # the whole monitor, not resized
    results = [s.info["action_result"] for s in steps]
    refused = [r["refused"] for r in results]
    assert all(refused[:4]) and refused[4] is None, refused
    assert "confirm" in refused[0] or "risky" in refused[0], refused[0]
    assert [r["executed"] for r in results[:5]] == [False] * 4 + [True]
    assert results[4]["screen"] == [(w // 2, h // 2)]
    assert result.terminated and not result.interrupted


@pytest.mark.slow
def test_vla_run_desktop_without_region_on_a_1080p_screen(
    xvfb: str, tiny_policy_dir: Path, tmp_path: Path
) -> None:
    """The command itself, in a process of its own on a private 1920x1080 Xvfb."""
    from vla.envs.desktop.xvfb import VirtualDisplay

    with VirtualDisplay((1920, 1080), set_env=False) as display:
        xauth = tmp_path / "Xauthority"
        xauth.touch()
        env = {**os.environ, "DISPLAY": str(display.display), "XAUTHORITY": str(xauth)}
        args = [sys.executable, "-m", "vla", "run", "--desktop", "--policy", str(tiny_policy_dir)]
        args += ["--instruction", "Click OK", "--max-steps", "2", "--max-rate", "100"]
        args += ["--record", str(tmp_path / "ep.gif")]
        done = subprocess.run(args, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "desktop LIVE: monitor 1" in done.stderr, done.stderr
    assert "steps, reward" in done.stdout, done.stdout
    from PIL import Image

    assert Image.open(tmp_path / "ep.gif").size[0] >= 1920  # frames of the whole screen
