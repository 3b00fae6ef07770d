"""``run_episode`` and ``vla run``: one live episode, printed as it happens, Ctrl+C stops it."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest
from click.testing import CliRunner

import vla.envs  # noqa: F401
from vla.actions import Click, Done, Key, UISpace
from vla.rollout import PolicyAgent, RunConfig, format_step, run_episode

REGION = (0, 0, 320, 240)


class Scripted:
    """A policy stand-in (``act`` on pixels) that plays a list, then raises what it is given."""

    def __init__(self, actions: list[Any]) -> None:
        self.actions = list(actions)
        self.seen: list[tuple[tuple[int, ...], str, Any]] = []

    def act_batch(self, *args: Any) -> None:  # only single steps here
        raise NotImplementedError

    def act(self, image: np.ndarray, instruction: str, state: Any = None, space: Any = None):
        self.seen.append((image.shape, instruction, space))
        nxt = self.actions.pop(0)
        if isinstance(nxt, BaseException):
            raise nxt
        return nxt


def dry_env(tmp_path: Path, **kw: Any) -> gym.Env:
    return gym.make("vla/desktop-v0", region=REGION, dry_run=True, dry_run_dir=tmp_path, **kw)


@pytest.mark.display
def test_run_episode_prints_steps_and_records(xvfb: str, tmp_path: Path) -> None:
    policy = Scripted([Click(10, 20), Key("Enter"), Done()])
    env = dry_env(tmp_path / "shots", max_actions_per_s=100)
    steps: list[Any] = []
    try:
        result = run_episode(
            PolicyAgent.for_env(policy, env.action_space),
            env,
            instruction="press it",
            on_step=steps.append,
            record=tmp_path / "ep.gif",
        )
    finally:
        env.close()
    assert result.steps == 3 and result.terminated and not result.interrupted
    assert [s.action for s in steps] == [Click(10, 20), Key("Enter"), Done()]
    assert all(seen == ((240, 320, 3), "press it", UISpace()) for seen in policy.seen)
    assert "click" in format_step(steps[0]) and "(done)" in format_step(steps[-1])
    from PIL import Image

    gif = Image.open(result.record_path)
    assert gif.n_frames == 4  # three actions and the final observation


@pytest.mark.display
def test_ctrl_c_stops_at_once(xvfb: str, tmp_path: Path) -> None:
    policy = Scripted([Click(1, 1), KeyboardInterrupt(), Click(2, 2)])
    env = dry_env(tmp_path, max_actions_per_s=100)
    try:
        agent = PolicyAgent.for_env(policy, env.action_space)
        result = run_episode(agent, env, instruction="x", record=tmp_path / "ep.gif")
    finally:
        env.close()
    assert result.interrupted and result.steps == 1 and policy.actions == [Click(2, 2)]
    assert result.record_path is not None and result.record_path.exists()


@pytest.mark.display
def test_run_episode_with_an_expert(xvfb: str, tmp_path: Path) -> None:
    class Expert:
        def __init__(self) -> None:
            self.resets, self.infos = 0, []

        def reset(self) -> None:
            self.resets += 1

        def act(self, obs: dict, info: dict):
            self.infos.append(info)
            return Done() if self.infos[1:] else Click(5, 5)

    expert = Expert()
    env = dry_env(tmp_path, max_actions_per_s=100)
    try:
        result = run_episode(expert, env, instruction="x")
    finally:
        env.close()
    assert expert.resets == 1 and result.steps == 2 and result.terminated
    assert "action_result" in expert.infos[1]


@pytest.mark.display
@pytest.mark.slow
def test_vla_run_desktop_dry_run_with_a_real_policy(
    xvfb: str, tiny_policy_dir: Path, tmp_path: Path
) -> None:
    from vla.cli import main

    shots = tmp_path / "shots"
    args = ["run", "--desktop", "--policy", str(tiny_policy_dir), "--instruction", "Click OK"]
    args += ["--region", ",".join(map(str, REGION)), "--dry-run", "--dry-run-dir", str(shots)]
    args += ["--max-steps", "3", "--max-rate", "100", "--record", str(tmp_path / "ep.gif")]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    # (progress bars on stderr may share a line with the first step)
    lines = re.findall(r"step +\d+ +\w+", result.output)
    assert 1 <= len(lines) <= 3, result.output
    assert "steps, reward" in result.output and (tmp_path / "ep.gif").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--desktop", "--policy", "p"], "instruction"),
        (["--desktop", "--env", "x", "--policy", "p", "--instruction", "i"], "exactly one"),
        (["--env", "x", "--policy", "p", "--region", "0,0,10,10"], "desktop only"),
        (["--env", "x", "--policy", "p", "--dry-run"], "desktop only"),
        (["--desktop", "--policy", "p", "--instruction", "i", "--region", "1,2"], "X,Y,W,H"),
        (["--desktop", "--policy", "p", "--instruction", "i", "--image-size", "9"], "WxH"),
    ],
)
def test_vla_run_rejects_bad_arguments(args: list[str], message: str) -> None:
    from vla.cli import main

    result = CliRunner().invoke(main, ["run", *args])
    assert result.exit_code == 2 and message in result.output, result.output


def test_run_config_checks_max_steps() -> None:
    with pytest.raises(ValueError, match="max_steps"):
        RunConfig(policy="p", env_id="x", max_steps=0)


@pytest.mark.display
def test_virtual_display_starts_and_stops_cleanly(xvfb: str) -> None:
    import os

    from vla.envs.desktop.xvfb import VirtualDisplay

    before = os.environ["DISPLAY"]
    with VirtualDisplay((320, 200), set_env=False) as vd:
        assert vd.display != before and Path(f"/tmp/.X11-unix/X{vd.display[1:]}").exists()
        proc = vd._proc
        assert proc is not None and proc.poll() is None
    assert proc.poll() is not None and os.environ["DISPLAY"] == before


@pytest.mark.browser
@pytest.mark.display
@pytest.mark.slow
@pytest.mark.parametrize("headful", [False, True])
def test_vla_run_env_prints_each_action(
    xvfb: str, tiny_policy_dir: Path, tmp_path: Path, headful: bool
) -> None:
    from vla.cli import main

    args = ["run", "--policy", str(tiny_policy_dir), "--env", "vla/miniwob-click-test-v0"]
    args += ["--seed", "100000", "--max-steps", "2", "--record", str(tmp_path / "ep.gif")]
    args += ["--headful"] if headful else []
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    steps = re.findall(r"step +\d+ +\w+", result.output)
    assert 1 <= len(steps) <= 2, result.output
    assert "recorded:" in result.output and (tmp_path / "ep.gif").stat().st_size > 0
