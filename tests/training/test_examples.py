"""Every example runs in its fast mode (what a user copies must work)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def _run(script: str, *args: str, cwd: Path) -> str:
    proc = subprocess.run(
        [sys.executable, str(EXAMPLES / script), *args],
        cwd=cwd, capture_output=True, text=True, timeout=400,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.browser
@pytest.mark.slow
def test_browser_agent(tmp_path):
    out = _run("browser_agent.py", "--fast", cwd=tmp_path)
    assert "episodes solved" in out and "Click(" in out


@pytest.mark.robot
@pytest.mark.slow
def test_robot_pick_place_gif(tmp_path):
    out = _run("robot_pick_place_gif.py", "--fast", "--out", "pp.gif", cwd=tmp_path)
    assert "5 steps" in out and (tmp_path / "pp.gif").stat().st_size > 0


@pytest.mark.slow
def test_custom_task_end_to_end(tmp_path):
    out = _run("custom_task.py", "--fast", "--out", str(tmp_path / "my"), cwd=tmp_path)
    assert "my_task:ColourSquaresEnv" in out
    assert (tmp_path / "my" / "eval" / "eval_info.json").is_file()
    assert (tmp_path / "my" / "model" / "model.safetensors").is_file()
