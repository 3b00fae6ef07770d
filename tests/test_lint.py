"""The tools run in CI: ruff (lint + format) over the repo and mypy on the core."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


@pytest.mark.parametrize(
    "argv",
    [["ruff", "check", "."], ["ruff", "format", "--check", "."], ["mypy"]],
    ids=["ruff-check", "ruff-format", "mypy"],
)
def test_tool_is_clean(argv: list[str]) -> None:
    tool = BIN / argv[0]
    if not tool.exists():
        pytest.fail(
            f"{argv[0]} is not installed in {BIN}; install the project with its [dev] extra"
        )
    result = subprocess.run([str(tool), *argv[1:]], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
