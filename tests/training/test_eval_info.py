"""``EvalInfo``: every shipped ``eval_info.json`` reads and writes back unchanged; merge and the
three renderers; replay file names that every OS accepts."""

from __future__ import annotations

import copy
import json
import math

import pytest

from vla.evaluation.info import EvalInfo, Replay, SeedCheck, TaskSummary
from vla.hub import CHECKPOINTS_DIR, shipped_checkpoints

SHIPPED = [n for n in shipped_checkpoints() if (CHECKPOINTS_DIR / n / "eval_info.json").is_file()]


def _shipped(name: str) -> dict:
    return json.loads((CHECKPOINTS_DIR / name / "eval_info.json").read_text())


def _task(rate: float, n: int = 10, replays=None) -> TaskSummary:
    k = round(rate * n)
    lat = {"p50": 2.0, "p90": 3.0, "p99": 4.0, "mean": 2.5, "n": n}
    return TaskSummary(
        episodes=n, successes=k, success_rate=k / n, ci95=(0.1, 0.9), mean_length=2.0,
        mean_reward=k / n, truncated=0, failed_seeds=[], batch_size=1, policy_latency_ms=lat,
        env_latency_ms=dict(lat), env_steps=2 * n, env_steps_per_s=10.0, wall_time_s=2.0,
        replays=replays,
    )  # fmt: skip


def _info(policy: str, tasks: dict, disjoint: bool | None = True) -> EvalInfo:
    return EvalInfo(
        policy=policy, device="cpu", episodes_per_task=10, seeds={"start": 100, "stop": 109},
        seed_check=SeedCheck(training_data=disjoint is not None, disjoint=disjoint),
        workers=1, tasks=tasks,
    )  # fmt: skip


def test_there_are_shipped_evaluations_to_read():
    assert len(SHIPPED) >= 2


@pytest.mark.parametrize("name", SHIPPED)
def test_every_shipped_eval_info_round_trips_unchanged(name):
    raw = _shipped(name)
    info = EvalInfo.from_dict(raw)
    assert info.to_dict() == raw
    assert info.overall["episodes"] == raw["overall"]["episodes"]


@pytest.mark.parametrize("name", SHIPPED)
def test_the_model_card_table_is_the_markdown_renderer(name):
    card = (CHECKPOINTS_DIR / name / "README.md").read_text()
    assert EvalInfo.from_dict(_shipped(name)).to_markdown() in card


def test_unknown_keys_survive_and_missing_ones_are_named():
    raw = _shipped(SHIPPED[0])
    raw["added_later"] = {"x": 1}
    first = next(iter(raw["tasks"]))
    raw["tasks"][first]["also_new"] = 3
    assert EvalInfo.from_dict(raw).to_dict() == raw
    broken = copy.deepcopy(raw)
    del broken["tasks"][first]["ci95"]
    with pytest.raises(ValueError, match=r"tasks\[.*\] is missing `ci95`"):
        EvalInfo.from_dict(broken)
    with pytest.raises(ValueError, match="missing `seed_check`"):
        EvalInfo.from_dict({k: v for k, v in raw.items() if k != "seed_check"})
    with pytest.raises(ValueError, match="must be a JSON object"):
        EvalInfo.from_dict([])  # type: ignore[arg-type]


def test_merge_prefixes_tasks_and_replays_and_ands_the_seed_check():
    a = _info("ck-a", {"env/x": _task(1.0, replays=[Replay(1, True, 2, "replays/x.gif")])})
    b = _info("ck-b", {"env/y": _task(0.0)})
    merged = EvalInfo.merge([("ck-a", a), ("ck-b", b)])
    assert merged.policy == "ck-a + ck-b"
    assert list(merged.tasks) == ["ck-a: env/x", "ck-b: env/y"]
    assert merged.tasks["ck-a: env/x"].replays[0].path == "ck-a/replays/x.gif"
    assert a.tasks["env/x"].replays[0].path == "replays/x.gif"  # the parts are left alone
    assert merged.overall == {"mean_success_rate": 0.5, "tasks": 2, "episodes": 20}
    assert merged.seed_check.disjoint is True
    unchecked = _info("ck-c", {"env/z": _task(0.5)}, disjoint=None)
    assert EvalInfo.merge([("a", a), ("c", unchecked)]).seed_check.disjoint is None
    assert EvalInfo.merge([]).to_dict()["overall"]["tasks"] == 0


def test_renderers_show_the_numbers_and_survive_unmeasured_latency():
    task = _task(0.5)
    task.policy_latency_ms = {"p50": math.nan, "n": 0}
    info = _info("<ck>", {"env/a": task, "env/b": _task(1.0)}, disjoint=False)
    text = info.to_text()
    assert "env/a" in text and "50.0%" in text and "75.0%" in text
    md = info.to_markdown()
    assert "| `env/a` | 50% |" in md and "| - / - |" in md and "**75.0%**" in md
    assert "| 2 / 2.5 |" in md  # the median and the mean (a chunked policy's amortised cost)
    page = info.to_html()
    assert "&lt;ck&gt;" in page and "WARNING" in page and "100..109" in page
    assert (
        json.loads(json.dumps(info.to_dict()))["tasks"]["env/a"]["policy_latency_ms"]["p50"] is None
    )
    assert _info("x", {}).to_markdown() == "_Not evaluated yet._\n"


def test_replay_names_of_module_class_envs_have_no_colon(tmp_path):
    from vla_training_fakes import RedClicker

    from vla.evaluation import EvalConfig, evaluate
    from vla.evaluation.report import format_table

    env_id = "vla_training_fakes:ColorClickEnv"
    cfg = EvalConfig(
        policy="scripted", env_ids=[env_id], episodes=4, seed_start=0, replays=1,
        out=str(tmp_path), progress=False,
    )  # fmt: skip
    info = evaluate(cfg, policy=RedClicker())
    replays = info["tasks"][env_id]["replays"]
    assert replays and all(":" not in r["path"] for r in replays)
    assert all((tmp_path / r["path"]).is_file() for r in replays)
    saved = json.loads((tmp_path / "eval_info.json").read_text())
    assert saved == info and env_id in format_table(info)
