"""A recipe's eval settings reach both the eval it runs and the command its card prints."""

from __future__ import annotations

import dataclasses
import json
import types

import pytest

from vla.release.model_card import _commands
from vla.release.recipes import RECIPES, stage_eval


@pytest.mark.parametrize("limit", [None, 2])
def test_recipe_eval_runs_and_prints_its_still_waits(limit, tmp_path, monkeypatch):
    import vla.evaluation

    recipe = dataclasses.replace(RECIPES["vla-browser-tiny"], eval_still_waits=limit)
    seen = []

    def fake_evaluate(cfg):
        seen.append(cfg)
        return {"tasks": {"e": {"wall_time_s": 1.5}}, "overall": {"mean_success_rate": 0.5}}

    monkeypatch.setattr(vla.evaluation, "evaluate", fake_evaluate)
    assert stage_eval(recipe, tmp_path) == {"seconds": 1.5, "mean_success_rate": 0.5}
    assert seen[0].still_waits == limit and seen[0].max_steps == recipe.eval_max_steps
    eval_line = _commands(recipe).splitlines()[-1]
    assert eval_line.startswith("vla eval --policy")
    assert ("--still-waits 2" in eval_line) == (limit == 2)


def test_a_failed_collection_stops_the_recipe_before_training(tmp_path, monkeypatch):
    import vla.datasets
    from vla.release import recipes

    recipe = dataclasses.replace(
        RECIPES["vla-browser-tiny"],
        name="two-envs",
        collections=(recipes.Collection(("vla/env-a", "vla/env-b"), episodes=1),),
    )
    monkeypatch.setitem(recipes.RECIPES, recipe.name, recipe)
    collected = []

    def fake_collect(cfg):
        if cfg.env_ids == ["vla/env-b"]:
            raise OSError("chromium crashed")
        collected.append(cfg.env_ids)
        return types.SimpleNamespace(seconds=1.0, per_env={})

    def no_training(*args, **kwargs):
        raise AssertionError("trained on part of the data")

    monkeypatch.setattr(vla.datasets, "collect", fake_collect)
    monkeypatch.setattr(recipes, "stage_train", no_training)
    with pytest.raises(RuntimeError, match=r"1 collection\(s\) failed \(data-0/vla/env-b: OSError"):
        recipes.run_recipe(recipe.name, stages=("collect", "train"), root=str(tmp_path))
    assert collected == [["vla/env-a"]]
    log = (tmp_path / recipe.name / "stages.json").read_text()
    assert "chromium crashed" in log  # the error is kept for the rerun


def test_an_interrupted_collect_keeps_the_time_of_the_collections_it_finished(
    tmp_path, monkeypatch
):
    import vla.datasets
    from vla.release import recipes

    recipe = dataclasses.replace(
        RECIPES["vla-browser-tiny"],
        name="two-envs",
        collections=(recipes.Collection(("vla/env-a", "vla/env-b"), episodes=1),),
    )
    monkeypatch.setitem(recipes.RECIPES, recipe.name, recipe)
    done: set[str] = set()
    calls: list[str] = []

    def fake_collect(cfg):
        (env_id,) = cfg.env_ids
        calls.append(env_id)
        if calls == ["vla/env-a", "vla/env-b"]:
            raise KeyboardInterrupt  # the session ends during the second env
        fresh = env_id not in done  # a complete collection records nothing when rerun
        done.add(env_id)
        counts = {env_id: {"recorded": 1}} if fresh else {}
        return types.SimpleNamespace(seconds=60.0 if fresh else 0.1, per_env=counts)

    monkeypatch.setattr(vla.datasets, "collect", fake_collect)
    with pytest.raises(KeyboardInterrupt):
        recipes.run_recipe(recipe.name, stages=("collect",), root=str(tmp_path))
    saved = json.loads((tmp_path / recipe.name / "stages.json").read_text())["collect"]
    assert saved["unfinished"] and saved["seconds"] == 60.0
    log = recipes.run_recipe(recipe.name, stages=("collect",), root=str(tmp_path))
    records = log["collect"]["collections"]
    assert records["data-0/vla/env-a"]["seconds"] == 60.0  # the first run's, not the rerun's
    assert records["data-0/vla/env-b"]["seconds"] == 60.0
    assert log["collect"]["seconds"] == 120.0 and "unfinished" not in log["collect"]
