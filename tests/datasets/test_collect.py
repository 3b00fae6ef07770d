"""`collect`: seeds, success filtering, resume without duplicates, parallel workers, bring your
own env through `module:Class` and `ContractWrapper`."""

from __future__ import annotations

import json
from pathlib import Path

import gymnasium as gym
import numpy as np
import pytest
from vla_dataset_helpers import ROBOT, ROBOT_EXPERT, UI, UI_EXPERT, record

from vla.datasets import CollectConfig, collect, verify
from vla.datasets.reader import read_episodes, read_info


def _keys(root: Path) -> list[tuple[str, int]]:
    return [(e["env_id"], e["seed"]) for e in read_episodes(root)]


def test_failures_are_skipped_and_their_seeds_recorded(ui_dataset: Path) -> None:
    # Seeds 3 and 7 fail in FakeUIEnv (seed % 4 == 3): 8 successes need seeds 0..9.
    episodes = read_episodes(ui_dataset)
    assert [e["seed"] for e in episodes] == [0, 1, 2, 4, 5, 6, 8, 9]
    assert all(e["success"] for e in episodes)
    env = read_info(ui_dataset)["envs"][UI]
    assert env["failed_seeds"] == [3, 7]
    assert env["seed_range"] == [0, 9]
    assert verify(ui_dataset).ok


def test_keep_failures_records_seed_plus_k(tmp_path: Path) -> None:
    record(tmp_path, UI, UI_EXPERT, 5, keep_failures=True, seed=100)
    episodes = read_episodes(tmp_path)
    assert [e["seed"] for e in episodes] == [100, 101, 102, 103, 104]
    assert [e["success"] for e in episodes] == [True, True, True, False, True]
    failed = episodes[3]
    assert failed["length"] == 4  # truncated by the env after max_steps=4
    with pytest.raises(ValueError, match="keep_failures"):
        record(tmp_path, UI, UI_EXPERT, 6, keep_failures=False, seed=100)
    with pytest.raises(ValueError, match="seed"):
        record(tmp_path, UI, UI_EXPERT, 6, keep_failures=True, seed=0)


def test_rerun_resumes_without_duplicates(tmp_path: Path) -> None:
    record(tmp_path, UI, UI_EXPERT, 3)
    first = _keys(tmp_path)
    record(tmp_path, UI, UI_EXPERT, 3)  # nothing to do
    assert _keys(tmp_path) == first
    record(tmp_path, UI, UI_EXPERT, 5)  # two more
    keys = _keys(tmp_path)
    assert keys[:3] == first and len(keys) == len(set(keys)) == 5
    assert read_info(tmp_path)["total_episodes"] == 5
    assert verify(tmp_path).ok


def test_parallel_workers_record_the_same_episodes(tmp_path: Path) -> None:
    from vla.datasets import EpisodeDataset

    cfg = dict(env_ids=[ROBOT], episodes=4, expert=ROBOT_EXPERT, progress=False)
    result = collect(CollectConfig(out=tmp_path / "par", workers=2, **cfg))
    collect(CollectConfig(out=tmp_path / "seq", workers=0, **cfg))
    assert result.recorded == 4 and result.errors == 0
    par = list(EpisodeDataset(tmp_path / "par", split="all"))
    seq = list(EpisodeDataset(tmp_path / "seq", split="all"))
    assert len(par) == len(seq) > 0
    for a, b in zip(par, seq, strict=True):
        assert a["action"] == b["action"] and a["seed"] == b["seed"]
        np.testing.assert_array_equal(a["image"], b["image"])
    assert verify(tmp_path / "par").ok


def test_several_envs_in_one_dataset(tmp_path: Path) -> None:
    record(tmp_path, UI, UI_EXPERT, 2)
    record(tmp_path, ROBOT, ROBOT_EXPERT, 2)
    info = read_info(tmp_path)
    assert info["env_ids"] == sorted([UI, ROBOT])
    assert {e: info["envs"][e]["episodes"] for e in info["env_ids"]} == {UI: 2, ROBOT: 2}
    assert "action.ee_delta" in json.loads((tmp_path / "meta/vla/stats.json").read_text())


def test_progress_bar_names_the_env_of_the_latest_episode(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    cfg = CollectConfig(env_ids=[UI], episodes=2, out=tmp_path, expert=UI_EXPERT, workers=0)
    collect(cfg)
    assert f"env={UI.removeprefix('vla/')}" in capsys.readouterr().err


class _PlainEnv(gym.Env):
    """A user's env whose observation is a bare RGB array (not the contract)."""

    def __init__(self) -> None:
        self.observation_space = gym.spaces.Box(0, 255, (8, 8, 3), np.uint8)
        self.action_space = gym.spaces.Discrete(2)

    def reset(self, *, seed=None, options=None):
        super().reset(seed=seed)
        return np.zeros((8, 8, 3), np.uint8), {}

    def step(self, action):
        return np.ones((8, 8, 3), np.uint8), 1.0, True, False, {"is_success": True}


def test_observation_contract_is_checked_and_wrapper_adapts(tmp_path: Path) -> None:
    from vla.actions import Done
    from vla.datasets import ContractWrapper, run_episode

    class Expert:
        def act(self, obs, info):
            return Done()

    with pytest.raises(ValueError, match="ContractWrapper"):
        run_episode(_PlainEnv(), Expert(), "plain", 0)
    env = ContractWrapper(_PlainEnv(), image_key=None, instruction="finish")
    record_ = run_episode(env, Expert(), "plain", 0)
    assert record_.success and record_.length == 1 and record_.task == "finish"


def test_bad_config_names_the_field() -> None:
    with pytest.raises(ValueError, match="`episodes`"):
        CollectConfig(env_ids=[UI], episodes=0, out="x")
    with pytest.raises(ValueError, match="module:callable"):
        CollectConfig(env_ids=[UI], episodes=1, out="x", expert="nocolon")
    with pytest.raises(ValueError, match="env_ids"):
        CollectConfig(env_ids=[UI, UI], episodes=1, out="x")


def test_missing_expert_fails_fast(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no scripted expert"):
        collect(CollectConfig(env_ids=[UI], episodes=1, out=tmp_path, workers=0, progress=False))


def test_shortfall_is_reported_when_attempts_run_out(tmp_path: Path) -> None:
    cfg = CollectConfig(
        env_ids=[UI], expert=UI_EXPERT, episodes=4, max_attempts=4, out=tmp_path, workers=0,
        progress=False,
    )  # fmt: skip
    result = collect(cfg)  # seed 3 fails: 3 of 4
    assert result.recorded == 3 and result.shortfall == {UI: 1}


def test_make_env_accepts_ids_classes_and_factories() -> None:
    from vla.datasets import make_env

    gym.register("vla_fake_envs_test/Registered-v0", entry_point="vla_fake_envs:FakeRobotEnv")
    env = make_env("vla_fake_envs:vla_fake_envs_test/Registered-v0")  # gymnasium's syntax
    assert env.spec.id == "vla_fake_envs_test/Registered-v0"
    env = make_env(UI, max_steps=2)  # a class: made through gymnasium.make
    assert env.spec.id == UI and env.unwrapped.max_steps == 2
    env = make_env("vla_fake_envs:make_ui_env", delay=0.5)  # a factory
    assert env.spec is None and env.delay == 0.5
    with pytest.raises(gym.error.Error):
        make_env("vla_fake_envs:NotThere-v0")


def test_resume_with_other_env_kwargs_is_refused_naming_the_difference(tmp_path: Path) -> None:
    record(tmp_path, UI, UI_EXPERT, 1, env_kwargs={"max_steps": 4})
    with pytest.raises(ValueError, match=r"--env-kwargs \(max_steps: 4 in the dataset, 3 now\)"):
        record(tmp_path, UI, UI_EXPERT, 2, env_kwargs={"max_steps": 3})
    with pytest.raises(ValueError, match=r"delay: '\(unset\)' in the dataset, 0.0 now"):
        record(tmp_path, UI, UI_EXPERT, 2, env_kwargs={"max_steps": 4, "delay": 0.0})
    record(tmp_path, UI, UI_EXPERT, 2, env_kwargs={"max_steps": 4})  # the same settings resume
    assert len(read_episodes(tmp_path)) == 2
