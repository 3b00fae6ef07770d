"""Closed-loop evaluation over vector envs, on a tiny fake env with a scripted policy."""

from __future__ import annotations

import functools
import json

import pytest

from vla.evaluation import EvalConfig, evaluate
from vla.rollout import PolicyAgent, run_episodes


def _agent(policy):
    return functools.partial(PolicyAgent.for_env, policy)


def _outcomes(result):
    return [(e.seed, e.success, e.length) for e in result.episodes]


def test_rollout_gives_each_seed_its_own_episode_whatever_the_worker_count(fake_env_id):
    from vla_training_fakes import RedClicker

    seeds = list(range(40, 52))
    one = run_episodes(_agent(RedClicker()), fake_env_id, seeds, workers=1, replays=0)
    three = run_episodes(_agent(RedClicker()), fake_env_id, seeds, workers=3, replays=0)
    assert [e.seed for e in one.episodes] == seeds
    assert _outcomes(one) == _outcomes(three)
    # the red clicker solves red episodes in one step and fails blue ones after 3 misses
    assert {(ok, n) for _, ok, n in _outcomes(one)} <= {(True, 1), (False, 3)}
    assert 0 < sum(ok for _, ok, _ in _outcomes(one)) < len(seeds)
    assert three.batch_size == 3 and len(three.policy_s) < len(one.policy_s)


def test_replays_keep_frames_for_a_few_successes_and_failures(fake_env_id):
    from vla_training_fakes import RedClicker

    r = run_episodes(_agent(RedClicker()), fake_env_id, list(range(20)), workers=2, replays=2)
    kept = [e for e in r.episodes if e.frames]
    assert sum(e.success for e in kept) == 2 and sum(not e.success for e in kept) == 2
    for e in kept:
        assert len(e.frames) == e.length + 1  # every observation, the final one included


def test_evaluate_writes_eval_info_and_report(fake_env_id, tmp_path):
    from vla_training_fakes import RedClicker

    cfg = EvalConfig(
        policy="scripted", env_ids=[fake_env_id], episodes=10, seed_start=500, workers=2,
        out=str(tmp_path), progress=False,
    )  # fmt: skip
    info = evaluate(cfg, policy=RedClicker())
    saved = json.loads((tmp_path / "eval_info.json").read_text())
    task = saved["tasks"][fake_env_id]
    assert task["episodes"] == 10 and saved["seeds"] == {"start": 500, "stop": 509}
    lo, hi = task["ci95"]
    assert lo <= task["success_rate"] <= hi
    assert task["policy_latency_ms"]["n"] > 0 and task["env_latency_ms"]["p50"] > 0
    assert saved["overall"]["mean_success_rate"] == pytest.approx(
        info["overall"]["mean_success_rate"]
    )
    assert len(task["replays"]) == 4
    for r in task["replays"]:
        assert (tmp_path / r["path"]).stat().st_size > 0
    html = (tmp_path / "report.html").read_text()
    assert "500..509" in html and fake_env_id in html and ".gif" in html


def test_seeds_overlapping_the_training_data_are_refused(fake_env_id, tmp_path):
    from vla.training.data import summarize_episodes

    record = summarize_episodes([(fake_env_id, s) for s in range(100)], [])
    (tmp_path / "training_data.json").write_text(json.dumps(record))
    from vla.evaluation.closed_loop import seed_check

    with pytest.raises(ValueError, match="overlap the training seeds"):
        seed_check(
            EvalConfig(policy=str(tmp_path), env_ids=[fake_env_id], episodes=5, seed_start=98)
        )
    ok = seed_check(
        EvalConfig(policy=str(tmp_path), env_ids=[fake_env_id], episodes=5, seed_start=100)
    )
    assert ok["disjoint"] is True and ok["training_data"] is True


def test_eval_config_errors_name_the_field():
    with pytest.raises(ValueError, match="episodes"):
        EvalConfig(policy="x", env_ids=["a"], episodes=0)
    with pytest.raises(ValueError, match="env_ids"):
        EvalConfig(policy="x", env_ids=[])


def test_an_env_that_never_ends_is_capped_by_default_and_the_cap_reported(tmp_path):
    from vla_training_fakes import RedClicker

    from vla.rollout import DEFAULT_MAX_STEPS

    cfg = EvalConfig(
        policy="scripted", env_ids=["vla_training_fakes:EndlessEnv"], episodes=2, out=None,
        progress=False,
    )  # fmt: skip
    info = evaluate(cfg, policy=RedClicker())
    task = info["tasks"]["vla_training_fakes:EndlessEnv"]
    assert info["max_steps"] == DEFAULT_MAX_STEPS == 500
    assert task["mean_length"] == DEFAULT_MAX_STEPS and task["truncated"] == 2


def test_report_lists_each_episodes_actions_and_failure_reason(fake_env_id, tmp_path):
    from vla_training_fakes import RedClicker

    cfg = EvalConfig(
        policy="scripted", env_ids=[fake_env_id], episodes=10, seed_start=500, out=str(tmp_path),
        progress=False,
    )  # fmt: skip
    task = evaluate(cfg, policy=RedClicker())["tasks"][fake_env_id]
    episodes = task["per_episode"]
    assert [e["seed"] for e in episodes] == list(range(500, 510))
    for e in episodes:
        assert len(e["actions"]) == e["length"] and e["actions"][0].startswith("click x=")
        if e["success"]:
            assert e["failure"] is None
        else:  # the fake env ends a missed episode after 3 steps by itself
            assert e["failure"] == "truncated by the env's time limit after 3 steps"
    html = (tmp_path / "report.html").read_text()
    assert "failure reason" in html and "truncated by the env&#x27;s time limit" in html

    capped = EvalConfig(
        policy="scripted", env_ids=["vla_training_fakes:EndlessEnv"], episodes=1, max_steps=4,
        out=None, progress=False,
    )  # fmt: skip
    task = evaluate(capped, policy=RedClicker())["tasks"]["vla_training_fakes:EndlessEnv"]
    assert task["per_episode"][0]["failure"] == "truncated at the step cap (4 steps)"


def test_a_new_eval_in_the_same_out_removes_only_its_old_replays(fake_env_id, tmp_path):
    from vla_training_fakes import RedClicker

    def run(seed_start):
        cfg = EvalConfig(
            policy="scripted", env_ids=[fake_env_id], episodes=6, seed_start=seed_start,
            out=str(tmp_path), progress=False,
        )  # fmt: skip
        return evaluate(cfg, policy=RedClicker())["tasks"][fake_env_id]["replays"]

    first = run(500)
    mine = tmp_path / "replays" / "notes.gif"  # a user's file: not named like a replay
    mine.write_bytes(b"GIF89a")
    second = run(900)
    on_disk = {p.name for p in (tmp_path / "replays").iterdir()}
    assert on_disk == {r["path"].split("/")[-1] for r in second} | {"notes.gif"}
    assert not {r["path"] for r in first} & {r["path"] for r in second}


def test_an_interrupted_eval_resumes_with_the_tasks_it_finished(fake_env_id, tmp_path):
    """Each task is saved as it ends; a rerun with the same settings runs only the missing
    tasks and reports what a run from scratch reports; other settings start over."""
    from vla_training_fakes import RedClicker

    class Flaky(RedClicker):
        calls = 0
        crash_at: int | None = None

        def act_batch(self, images, instructions, states=None, spaces=None):
            Flaky.calls += 1
            if Flaky.calls == self.crash_at:
                raise KeyboardInterrupt  # killed in the second task
            return super().act_batch(images, instructions)

    endless = "vla_training_fakes:EndlessEnv"  # 4 episodes x the 3-step cap: 12 calls
    cfg = EvalConfig(
        policy="scripted", env_ids=[fake_env_id, endless], episodes=4, seed_start=500,
        max_steps=3, out=str(tmp_path), progress=False,
    )  # fmt: skip
    fresh = evaluate(EvalConfig(**{**cfg.to_dict(), "out": str(tmp_path / "fresh")}), Flaky())
    in_first_task = Flaky.calls - 12
    Flaky.calls, Flaky.crash_at = 0, in_first_task + 5
    with pytest.raises(KeyboardInterrupt):
        evaluate(cfg, policy=Flaky())
    assert not (tmp_path / "eval_info.json").exists()
    saved = list((tmp_path / "tasks").glob("*.json"))
    assert len(saved) == 1 and json.loads(saved[0].read_text())["env_id"] == fake_env_id

    Flaky.calls, Flaky.crash_at = 0, None
    resumed = evaluate(cfg, policy=Flaky())
    assert Flaky.calls == 12  # the endless task only
    for env_id in (fake_env_id, endless):
        assert resumed["tasks"][env_id]["per_episode"] == fresh["tasks"][env_id]["per_episode"]
    assert json.loads((tmp_path / "eval_info.json").read_text())["tasks"].keys() == {
        fake_env_id,
        endless,
    }

    Flaky.calls = 0
    evaluate(EvalConfig(**{**cfg.to_dict(), "max_steps": 2}), policy=Flaky())
    assert Flaky.calls > 8  # other settings: the first task again, then the 8 endless calls
    Flaky.calls = 0
    evaluate(EvalConfig(**{**cfg.to_dict(), "resume": False}), policy=Flaky())
    assert Flaky.calls == in_first_task + 12


def test_a_wait_limit_is_recorded_and_keeps_its_own_resume_key(fake_env_id, tmp_path):
    """``still_waits`` changes outcomes, so eval_info.json says it was on and an evaluation
    without it does not reuse the tasks one with it finished (and the other way round)."""
    from vla_training_fakes import RedClicker

    from vla.evaluation.resume import run_key

    cfg = EvalConfig(
        policy="scripted", env_ids=[fake_env_id], episodes=2, seed_start=500,
        out=str(tmp_path), progress=False, still_waits=2,
    )  # fmt: skip
    evaluate(cfg, policy=RedClicker())
    assert json.loads((tmp_path / "eval_info.json").read_text())["still_waits"] == 2
    without = EvalConfig(**{**cfg.to_dict(), "still_waits": None})
    assert run_key(cfg, RedClicker()) != run_key(without, RedClicker())
    with pytest.raises(ValueError, match="still_waits"):
        EvalConfig(**{**cfg.to_dict(), "still_waits": 0})


def test_vla_eval_passes_env_kwargs_to_every_env(tiny_policy_dir, tmp_path):
    """``vla eval --env-kwargs`` builds the envs as ``vla collect --env-kwargs`` did (a policy
    trained on 48x48 collections is evaluated on 48x48 frames) and records them."""
    from click.testing import CliRunner

    from vla.cli import main
    from vla.policy import Policy

    policy = Policy.from_pretrained(tiny_policy_dir, device="cpu")  # untrained: pipeline only
    policy.processor.tokenizer.set_stats({
        "action.ee_delta": {"q01": [-0.05] * 6 + [0.0], "q99": [0.05] * 6 + [1.0]},
        "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
    })  # fmt: skip
    robot = policy.save_pretrained(tmp_path / "robot")
    args = ["eval", "--policy", str(robot), "--env", "vla/panda-reach-v0",
            "--episodes", "1", "--max-steps", "5", "--out", str(tmp_path / "eval")]  # fmt: skip
    result = CliRunner().invoke(
        main, [*args, "--env-kwargs", '{"image_size": 48, "max_episode_steps": 2}']
    )
    assert result.exit_code == 0, result.output
    info = json.loads((tmp_path / "eval" / "eval_info.json").read_text())
    assert info["env_kwargs"] == {"image_size": 48, "max_episode_steps": 2}
    assert info["tasks"]["vla/panda-reach-v0"]["mean_length"] == 2  # the env's limit, not 5
    # --against prints the comparison with another evaluation (here the shipped card's, which
    # holds reach too); a path without one stops before any episode
    again = CliRunner().invoke(
        main, [*args[:-1], str(tmp_path / "eval2"), "--against", "vla-robot-tiny",
               "--env-kwargs", '{"image_size": 48, "max_episode_steps": 2}'],
    )  # fmt: skip
    assert again.exit_code == 0, again.output
    from vla.hub import resolve_checkpoint

    card = json.loads((resolve_checkpoint("vla-robot-tiny") / "eval_info.json").read_text())
    first = card["tasks"]["vla/panda-reach-v0"]["per_episode"][0]
    assert first["seed"] == 100_000  # the one seed run here: compared paired, on it alone
    shipped = "100.0%" if first["success"] else "0.0%"
    assert f"mean over 1 shared tasks: {shipped} -> 0.0%" in again.output
    assert "(paired on the same seeds)" in again.output
    bad = CliRunner().invoke(main, [*args, "--against", str(tmp_path / "none")])
    assert bad.exit_code == 2 and "has no eval_info.json" in bad.output
    assert not (tmp_path / "none").exists()
