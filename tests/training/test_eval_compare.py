"""``vla compare``: paired tests on shared seeds, unpaired intervals otherwise, and the CLI."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from vla.cli import main
from vla.evaluation.compare import compare, load_eval_info, mcnemar_p, newcombe_interval
from vla.evaluation.episodes import EpisodeOutcome
from vla.evaluation.info import EvalInfo, SeedCheck, TaskSummary


def _task(outcomes: list[bool], seed_start: int = 100) -> TaskSummary:
    n, k = len(outcomes), sum(outcomes)
    lat = {"p50": 2.0, "p90": 3.0, "p99": 4.0, "mean": 2.5, "n": n}
    episodes = [
        EpisodeOutcome(seed_start + i, ok, 3, float(ok), None if ok else "failed", [])
        for i, ok in enumerate(outcomes)
    ]
    return TaskSummary(
        episodes=n, successes=k, success_rate=k / n, ci95=(0.0, 1.0), mean_length=3.0,
        mean_reward=k / n, truncated=0, failed_seeds=[], batch_size=1, policy_latency_ms=lat,
        env_latency_ms=dict(lat), env_steps=3 * n, env_steps_per_s=10.0, wall_time_s=1.0,
        per_episode=episodes,
    )  # fmt: skip


def _info(policy: str, tasks: dict[str, TaskSummary]) -> EvalInfo:
    return EvalInfo(
        policy=policy, device="cpu", episodes_per_task=20, seeds={"start": 100, "stop": 119},
        seed_check=SeedCheck(), workers=1, tasks=tasks,
    )  # fmt: skip


def test_mcnemar_exact_p_values():
    assert mcnemar_p(0, 0) == 1.0
    assert mcnemar_p(0, 5) == pytest.approx(2 / 32)
    assert mcnemar_p(6, 0) == pytest.approx(2 / 64)
    assert mcnemar_p(3, 7) == mcnemar_p(7, 3) == pytest.approx(2 * 176 / 1024)
    assert mcnemar_p(5, 5) == 1.0


def test_newcombe_interval_matches_the_published_example():
    # Newcombe (1998), method 10: 56/70 against 48/80 -> [0.0524, 0.3339]
    old, new = _task([True] * 48 + [False] * 32), _task([True] * 56 + [False] * 14)
    lo, hi = newcombe_interval(old, new)
    assert (lo, hi) == (pytest.approx(0.0524, abs=1e-4), pytest.approx(0.3339, abs=1e-4))


def test_shared_seeds_are_paired_and_flips_counted():
    base = [True] * 10 + [False] * 10
    better = [True] * 19 + [False]  # seeds 10-18 flip to success, none the other way
    old = _info("old", {"a": _task(base), "b": _task(base), "gone": _task(base)})
    new = _info("new", {"a": _task(better), "b": _task(base), "added": _task(base)})
    result = compare(old, new)
    a, b = result.changes
    assert (a.env_id, a.paired, a.flips) == ("a", True, (0, 9))
    assert a.p == pytest.approx(2 / 512) and a.significant and a.delta == pytest.approx(0.45)
    assert (b.flips, b.p, b.significant) == ((0, 0), 1.0, False)
    assert result.only_old == ["gone"] and result.only_new == ["added"]
    assert result.same_seeds and result.counts() == (1, 0)
    assert result.mean_new - result.mean_old == pytest.approx(0.225)
    lo, hi = result.mean_ci95()
    assert lo < 0.225 < hi


def test_the_same_rate_on_other_seeds_is_unpaired_and_judged_by_its_interval():
    old = _info("old", {"a": _task([True] * 10 + [False] * 10)})
    new = _info("new", {"a": _task([False] * 10 + [True] * 10, seed_start=500)})
    (a,) = compare(old, new).changes
    assert not a.paired and a.p is None and a.flips is None
    assert a.ci95[0] < 0 < a.ci95[1] and not a.significant
    # seeds that flip both ways cancel: 10 each way is no evidence either
    (same,) = compare(old, _info("new", {"a": _task([False] * 10 + [True] * 10)})).changes
    assert same.flips == (10, 10) and same.p == 1.0


def test_a_shorter_screen_is_paired_on_the_seeds_it_shares():
    """40 seeds against 100 (here 10 against 20): judged on the 10 both ran, not on rates
    over different seeds."""
    old = _info("old", {"a": _task([False] * 10 + [True] * 10)})  # seeds 100-119: 50%
    new = _info("new", {"a": _task([True] * 8 + [False] * 2)})  # seeds 100-109
    (a,) = compare(old, new).changes
    assert a.paired and a.episodes == (10, 10) and (a.old, a.new) == (0.0, 0.8)
    assert a.flips == (0, 8) and a.p == pytest.approx(2 / 256) and a.significant
    assert compare(old, new).same_seeds


def test_cli_prints_the_table_marks_changes_and_draws_a_plot(tmp_path):
    old = _info("old", {"vla/x-v0": _task([False] * 20), "vla/y-v0": _task([True] * 20)})
    new = _info("new", {"vla/x-v0": _task([True] * 20), "vla/y-v0": _task([True] * 19 + [False])})
    (tmp_path / "old").mkdir()
    (tmp_path / "old" / "eval_info.json").write_text(json.dumps(old.to_dict()))
    (tmp_path / "new.json").write_text(json.dumps(new.to_dict()))
    page = tmp_path / "cmp" / "compare.html"
    res = CliRunner().invoke(
        main, ["compare", str(tmp_path / "old"), str(tmp_path / "new.json"), "--html", str(page)]
    )
    assert res.exit_code == 0, res.output
    rows = {line.split()[0]: line for line in res.output.splitlines() if line.startswith("vla/")}
    assert rows["vla/x-v0"].endswith("*") and "+100%" in rows["vla/x-v0"]
    assert not rows["vla/y-v0"].endswith("*")
    assert "50.0% -> 97.5%" in res.output and "1 task(s) better, 0 worse" in res.output
    assert "<svg" in page.read_text() and "vla/x-v0" in page.read_text()
    md = CliRunner().invoke(main, ["compare", str(tmp_path / "old"), str(tmp_path / "new.json"),
                                   "--markdown"])  # fmt: skip
    assert "| `vla/x-v0` | 0% | 100% | **+100%** |" in md.output


def test_cli_errors_are_one_line(tmp_path):
    res = CliRunner().invoke(main, ["compare", str(tmp_path / "none"), "vla-browser-tiny"])
    assert res.exit_code == 2
    assert res.output.strip().splitlines() == [
        f"Error: {tmp_path / 'none'} has no eval_info.json; pass a `vla eval --out` folder, "
        "its eval_info.json or a shipped checkpoint's name"
    ]
    (tmp_path / "bad.json").write_text("{}")
    with pytest.raises(ValueError, match=r"is not an eval_info\.json"):
        load_eval_info(tmp_path / "bad.json")
    res = CliRunner().invoke(main, ["compare", "vla-robot-tiny", "vla-browser-tiny"])
    assert res.exit_code == 2 and "share no task" in res.output
