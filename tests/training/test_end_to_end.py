"""The whole loop on real envs, tiny: collect expert episodes of one browser task and one robot
task, train vla-tiny a few steps (then resume), evaluate 2 episodes per task, and check that
every artifact exists and parses."""

from __future__ import annotations

import json

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.robot]

UI_ENV, ROBOT_ENV = "vla/miniwob-click-test-v0", "vla/panda-reach-v0"


def _collect(out, env_id, episodes):
    from vla.datasets import CollectConfig, collect

    collect(CollectConfig(env_ids=[env_id], episodes=episodes, out=out, workers=0, progress=False))
    return str(out)


def _check_run(run, steps):
    for name in ("config.json", "model.safetensors", "vla_processor.json", "action_tokenizer.json"):
        assert (run / name).stat().st_size > 0, name
    assert json.loads((run / "train_config.json").read_text())["steps"] == steps
    record = json.loads((run / "training_data.json").read_text())
    assert record["env_ids"] == sorted([UI_ENV, ROBOT_ENV])
    assert record["seed_ranges"][UI_ENV] == [[0, 2]] and record["seed_ranges"][ROBOT_ENV] == [
        [0, 1]
    ]
    summary = json.loads((run / "training_summary.json").read_text())
    assert summary["steps"] == steps and summary["wall_time_s"] > 0
    events = [json.loads(line) for line in (run / "metrics.jsonl").read_text().splitlines()]
    assert any("train/loss" in e for e in events) and any("val/token_accuracy" in e for e in events)
    assert any(p.name.startswith("events.out.tfevents") for p in (run / "tb").iterdir())
    report = (run / "report.html").read_text()  # curves of both runs, resumed steps included
    assert 'data-title="loss"' in report and f"val step {steps}: loss " in report
    return events


def test_collect_train_resume_eval(tmp_path):
    from vla.evaluation import EvalConfig, evaluate
    from vla.training import TrainConfig, train

    data = [_collect(tmp_path / "ui", UI_ENV, 3), _collect(tmp_path / "robot", ROBOT_ENV, 2)]
    run = tmp_path / "run"
    common = dict(
        datasets=data, out=str(run), batch_size=8, val_fraction=0.3, save_every=2,
        log_every=1, val_decode_samples=4, progress=False, warmup_steps=1,
    )  # fmt: skip
    result = train(TrainConfig(steps=3, **common))
    assert result.steps == 3 and "val/loss" in result.metrics
    assert (run / "checkpoint-2" / "trainer_state.json").is_file()
    _check_run(run, 3)

    state_file = run / "checkpoint-2" / "trainer_state.json"
    saved = json.loads(state_file.read_text())
    assert 0 < saved["seconds"] <= result.wall_time_s
    state_file.write_text(json.dumps({**saved, "seconds": 1000.0}))  # as if the first run was slow
    resumed = train(TrainConfig(steps=4, resume=True, **common))
    assert resumed.steps == 4
    assert resumed.wall_time_s > 1000  # the whole run's time, not the second process's
    summary = json.loads((run / "training_summary.json").read_text())
    assert summary["wall_time_s"] == round(resumed.wall_time_s, 1)
    events = _check_run(run, 4)
    train_steps = [e["step"] for e in events if "train/loss" in e]
    assert train_steps[-2:] == [3, 4]  # the second run logged only steps 3 and 4
    assert train_steps.count(3) == 2  # step 3 again: resumed from checkpoint-2

    out = tmp_path / "eval"
    cfg = EvalConfig(
        policy=str(run), env_ids=[UI_ENV, ROBOT_ENV], episodes=2, seed_start=100_000,
        max_steps=4, out=str(out), progress=False,
    )  # fmt: skip
    evaluate(cfg)
    info = json.loads((out / "eval_info.json").read_text())
    assert info["seed_check"]["disjoint"] is True
    for env_id in (UI_ENV, ROBOT_ENV):
        task = info["tasks"][env_id]
        assert task["episodes"] == 2 and 1 <= task["mean_length"] <= 4
        assert task["replays"] and all((out / r["path"]).is_file() for r in task["replays"])
    html = (out / "report.html").read_text()
    assert UI_ENV in html and ROBOT_ENV in html and "100000..100001" in html
