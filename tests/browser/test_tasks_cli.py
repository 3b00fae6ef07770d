"""``vla tasks`` lists the browser envs with their domain and expert flag."""

from __future__ import annotations

import json

from click.testing import CliRunner

from vla.cli import main


def test_vla_tasks_lists_miniwob_envs_and_experts():
    result = CliRunner().invoke(main, ["tasks", "--domain", "browser", "--json"])
    assert result.exit_code == 0, result.output
    rows = {r["env_id"]: r for r in map(json.loads, result.output.splitlines())}
    assert rows["vla/miniwob-click-test-v0"] == {
        "env_id": "vla/miniwob-click-test-v0",
        "domain": "browser",
        "expert": True,
    }
    assert rows["vla/miniwob-terminal-v0"]["expert"] is False
    assert rows["vla/browser-v0"]["domain"] == "browser"
    assert all(r["domain"] == "browser" for r in rows.values())


def test_vla_tasks_table():
    result = CliRunner().invoke(main, ["tasks", "--expert-only"])
    assert result.exit_code == 0, result.output
    assert "vla/miniwob-login-user-v0" in result.output
    assert "vla/miniwob-terminal-v0" not in result.output
