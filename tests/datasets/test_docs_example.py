"""The bring-your-own-env example of docs/datasets.md runs as documented."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

DOC = Path(__file__).resolve().parents[2] / "docs" / "datasets.md"


@pytest.fixture()
def dot_module(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    blocks = re.findall(r"```python\n(# my_dot_task\.py\n.*?)```", DOC.read_text(), re.S)
    assert len(blocks) == 1, "docs/datasets.md lost its my_dot_task.py example"
    (tmp_path / "my_dot_task.py").write_text(blocks[0])
    monkeypatch.syspath_prepend(str(tmp_path))
    sys.modules.pop("my_dot_task", None)
    return tmp_path


def test_documented_example_collects_and_verifies(dot_module: Path) -> None:
    from vla.datasets import CollectConfig, EpisodeDataset, collect, make_env, verify

    out = dot_module / "data" / "dots"
    cfg = CollectConfig(
        env_ids=["my_dot_task:ClickTheDot"], expert="my_dot_task:DotExpert", episodes=5,
        out=out, workers=0, progress=False,
    )  # fmt: skip
    result = collect(cfg)
    assert result.recorded == result.successes == 5 and result.attempts == 5
    assert verify(out).ok
    item = EpisodeDataset(out, split="all")[0]
    assert item["instruction"] in ("Click the red dot.", "Click the blue dot.")
    assert item["action"].verb == "click"
    env = make_env("my_dot_task:ClickTheDot")  # what `vla eval --env` builds
    assert env.spec.id == "my_dot_task:ClickTheDot"
    env.close()


def test_documented_commands_parse(dot_module: Path) -> None:
    text = DOC.read_text()
    start = text.index("vla collect --env my_dot_task")
    line = text[start : text.index("\n", text.index("--out data/dots", start))]
    args = line.replace("\\\n", " ").split()[1:]
    args[args.index("--episodes") + 1] = "2"
    args[args.index("--workers") + 1] = "0"
    args[args.index("--out") + 1] = str(dot_module / "cli")
    env = {"PYTHONPATH": str(dot_module), "PATH": "/usr/bin:/bin"}
    done = subprocess.run(
        [sys.executable, "-m", "vla", *args], cwd=dot_module, env=env, capture_output=True,
        text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-2000:]
    assert "recorded 2 episodes" in done.stdout
