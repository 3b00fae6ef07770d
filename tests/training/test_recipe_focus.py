"""A two-pass (``focus``) recipe evaluates and ships its locator together with a copy of the
actor checkpoint and ``focus.json``, so the shipped folder loads as the FocusPolicy that was
measured; its card says how to load it and what each collection's env options were."""

from __future__ import annotations

import dataclasses
import json
import shutil
import types
from pathlib import Path
from typing import Any

import pytest

from vla.release import recipes
from vla.release.model_card import _commands, model_card
from vla.release.recipes import RECIPES, stage_eval, stage_ship
from vla.rollout import load_policy
from vla.rollout.focus import FocusPolicy


def test_focus_recipe_evaluates_and_ships_locator_with_its_actor(
    tiny_policy_dir, tmp_path, monkeypatch
):
    import vla.evaluation

    shipped_recipe = RECIPES["vla-desktop-tiny"]
    # the actor copied as it is (with ``actor_tune``: the next test)
    recipe = dataclasses.replace(
        shipped_recipe, focus=dataclasses.replace(shipped_recipe.focus, actor_tune=None)
    )
    run = tmp_path / "root" / recipe.name / "train"
    shutil.copytree(tiny_policy_dir, run)
    for name in ("train_config.json", "training_data.json", "training_summary.json"):
        (run / name).write_text(json.dumps({"datasets": ["/somewhere/data-0"]}))
    shipped = tmp_path / "shipped"
    shutil.copytree(tiny_policy_dir, shipped / recipe.focus.actor)  # the actor checkpoint
    monkeypatch.setattr(recipes, "CHECKPOINTS_DIR", shipped)
    seen = []

    def fake_evaluate(cfg):
        seen.append(load_policy(cfg.policy, device="cpu"))
        return {"tasks": {}, "overall": {"mean_success_rate": 0.25}}

    monkeypatch.setattr(vla.evaluation, "evaluate", fake_evaluate)
    assert stage_eval(recipe, tmp_path / "root") == {"seconds": 0, "mean_success_rate": 0.25}
    policy = seen[0]
    assert isinstance(policy, FocusPolicy) and policy.zooms == recipe.focus.zooms
    stage_ship(recipe, tmp_path / "root")
    dest = shipped / recipe.name
    assert json.loads((dest / "focus.json").read_text())["actor"] == "actor"
    assert (dest / "actor" / "model.safetensors").is_file()
    assert isinstance(load_policy(str(dest), device="cpu"), FocusPolicy)
    card = str(model_card(recipe, dest, {}))
    assert f'load_policy("{recipe.name}")' in card
    commands = _commands(recipe)
    assert f"vla eval --policy runs/recipes/{recipe.name}/focus" in commands
    assert '"hidpi": true' in commands and '"zooms": [3.0, 1.5]' in commands


def test_a_collection_with_a_seed_stride_gives_each_env_its_own_seeds(tmp_path, monkeypatch):
    import types

    import vla.datasets

    recipe = RECIPES["vla-desktop-tiny"]
    strided = [c for c in recipe.collections if c.seed_stride]
    assert strided, "the desktop recipe gives each task its own window layouts"
    seen = []

    def fake_collect(cfg):
        seen.append((cfg.env_ids[0], cfg.seed, cfg.env_kwargs))
        return types.SimpleNamespace(seconds=0.0, per_env={})

    monkeypatch.setattr(vla.datasets, "collect", fake_collect)
    recipes.stage_collect(recipe, tmp_path)
    c = strided[0]
    firsts = [(e, s) for e, s, kw in seen if kw == c.env_kwargs]
    assert firsts == [(e, c.seed + j * c.seed_stride) for j, e in enumerate(c.env_ids)]
    assert len({s for _, s in firsts}) == len(c.env_ids)
    lines = [
        line
        for line in _commands(recipe).splitlines()
        if f"--seed {c.seed + c.seed_stride} " in line
    ]
    assert len(lines) == 1 and f"--env {c.env_ids[1]} " in lines[0]


def _fake_train_and_eval(monkeypatch: Any, tiny_policy_dir: Path) -> tuple[list, list]:
    """``vla.training.train`` and ``vla.evaluation.evaluate`` replaced by fakes that write what
    the stages read; returns the lists their configs are appended to."""
    import vla.evaluation
    import vla.training

    trained: list[Any] = []
    evaluated: list[Any] = []

    def fake_train(cfg):
        trained.append(cfg)
        shutil.copytree(tiny_policy_dir, cfg.out)
        for name in ("train_config.json", "training_summary.json"):
            (Path(cfg.out) / name).write_text("{}")
        (Path(cfg.out) / "training_data.json").write_text(json.dumps({"datasets": cfg.datasets}))
        return types.SimpleNamespace(steps=cfg.steps, wall_time_s=1.0)

    def fake_evaluate(cfg):
        evaluated.append(cfg)
        Path(cfg.out).mkdir(parents=True)
        info = {"policy": cfg.policy, "overall": {"mean_success_rate": 0.75}}
        (Path(cfg.out) / "eval_info.json").write_text(json.dumps(info))
        return info

    monkeypatch.setattr(vla.training, "train", fake_train)
    monkeypatch.setattr(vla.evaluation, "evaluate", fake_evaluate)
    return trained, evaluated


def _source_datasets(recipe: Any, root: Path) -> list[str]:
    """Empty stand-ins for the actor recipe's datasets under ``root``; returns their names."""
    source = RECIPES[recipe.focus.actor]
    names = [f"data-{i}" for i in range(len(source.collections))]
    names += [f"dagger-{r}" for r in range(len(source.dagger))]
    for name in names:
        (root / source.name / name / "meta").mkdir(parents=True)
        (root / source.name / name / "meta" / "info.json").write_text("{}")
    return names


def test_actor_stage_trains_the_shipped_actor_further_and_the_checkpoint_ships_that_actor(
    tiny_policy_dir, tmp_path, monkeypatch
):
    """With ``Focus.actor_tune`` the actor is the shipped one trained further on its own
    recipe's datasets, evaluated headless on the suite's tasks; the focus folder carries that
    model and that evaluation, and a missing dataset is an error naming the recipe to run."""
    import vla.evaluation
    from vla.release.recipe_book import Focus

    base = RECIPES["vla-desktop-tiny"]
    tune = {"steps": 7, "lr": 3e-4, "augment": "screen"}
    # without collections of its own (with them: the next test)
    focus = dataclasses.replace(base.focus, actor_tune=tune, actor_collections=())
    recipe = dataclasses.replace(base, focus=focus)
    assert isinstance(recipe.focus, Focus)
    root, shipped = tmp_path / "root", tmp_path / "shipped"
    shutil.copytree(tiny_policy_dir, shipped / recipe.focus.actor)
    monkeypatch.setattr(recipes, "CHECKPOINTS_DIR", shipped)
    source = RECIPES[recipe.focus.actor]
    with pytest.raises(FileNotFoundError, match=f"vla.release.recipes {source.name} --root"):
        recipes.stage_actor(recipe, root)
    names = _source_datasets(recipe, root)
    trained, evaluated = _fake_train_and_eval(monkeypatch, tiny_policy_dir)
    summary = recipes.stage_actor(recipe, root)
    assert summary == {"steps": 7, "wall_time_s": 1.0, "headless_mean_success_rate": 0.75}
    cfg = trained[0]
    assert cfg.config == str(shipped / source.name) and cfg.augment == "screen"
    assert [Path(d).name for d in cfg.datasets] == names and cfg.resume
    headless = evaluated[0]
    assert headless.env_ids == [e.replace("desktop-", "") for e in recipe.eval_env_ids]
    assert headless.still_waits == source.eval_still_waits
    assert headless.seed_start == recipe.eval_seed_start

    # the eval stage's focus folder: the locator, and the tuned actor with its headless numbers
    run = root / recipe.name / "train"
    shutil.copytree(tiny_policy_dir, run)
    for name in ("train_config.json", "training_data.json", "training_summary.json"):
        (run / name).write_text(json.dumps({"datasets": ["/somewhere/data-0"]}))
    monkeypatch.setattr(vla.evaluation, "evaluate", lambda cfg: {"tasks": {}, "overall": {}})
    monkeypatch.setitem(recipes.RECIPES, recipe.name, recipe)
    recipes._focus_folder(recipe, root, recipes._paths(recipe, root))
    actor = root / recipe.name / "focus" / "actor"
    assert json.loads((actor / "eval_info.json").read_text())["policy"].endswith("actor-tune")
    record = json.loads((actor / "training_data.json").read_text())
    assert record["datasets"] == [f"{source.name}/{n}" for n in names]  # no machine paths
    assert isinstance(load_policy(str(root / recipe.name / "focus"), device="cpu"), FocusPolicy)
    commands = _commands(recipe)
    assert f"--config vla/checkpoints/{source.name} --steps 7" in commands
    assert "--augment screen --out runs/recipes/vla-desktop-tiny/actor-tune" in commands
    assert (
        "vla eval --policy runs/recipes/vla-desktop-tiny/actor-tune --env vla/miniwob-" in commands
    )


def test_actor_collections_are_collected_by_the_actor_stage_and_join_its_training(
    tiny_policy_dir, tmp_path, monkeypatch
):
    """``Focus.actor_collections`` (page crops of the desktop suite) are recorded into
    ``actor-data-<i>`` before the actor's training, which reads them after its recipe's own
    datasets; the card lists their commands; a failed collection stops the stage."""
    import vla.datasets
    from vla.release.recipe_book import Collection

    base = RECIPES["vla-desktop-tiny"]
    pages = Collection(("vla/desktop-page-miniwob-choose-list-v0",), episodes=3, seed=400_000)
    focus = dataclasses.replace(base.focus, actor_tune={"steps": 5}, actor_collections=(pages,))
    recipe = dataclasses.replace(base, focus=focus)
    root, shipped = tmp_path / "root", tmp_path / "shipped"
    shutil.copytree(tiny_policy_dir, shipped / recipe.focus.actor)
    monkeypatch.setattr(recipes, "CHECKPOINTS_DIR", shipped)
    names = _source_datasets(recipe, root)
    collected = []

    def fake_collect(cfg):
        collected.append(cfg)
        if cfg.env_ids == ["broken"]:
            raise OSError("no X server")
        return types.SimpleNamespace(seconds=2.0, per_env={cfg.env_ids[0]: {"recorded": 3}})

    monkeypatch.setattr(vla.datasets, "collect", fake_collect)
    trained, _ = _fake_train_and_eval(monkeypatch, tiny_policy_dir)
    summary = recipes.stage_actor(recipe, root)
    cfg = collected[0]
    assert cfg.env_ids == list(pages.env_ids) and (cfg.episodes, cfg.seed) == (3, 400_000)
    assert Path(cfg.out) == root / recipe.name / "actor-data-0"
    assert [Path(d).name for d in trained[0].datasets] == [*names, "actor-data-0"]
    key = "actor-data-0/vla/desktop-page-miniwob-choose-list-v0"
    assert summary["collections"] == {key: {"seconds": 2.0, "recorded": 3}}
    commands = _commands(recipe)
    assert (
        "vla collect --env vla/desktop-page-miniwob-choose-list-v0 --episodes 3 --seed 400000 "
        f"--workers {recipe.workers} --out runs/recipes/vla-desktop-tiny/actor-data-0"
    ) in commands
    assert "--dataset runs/recipes/vla-desktop-tiny/actor-data-0 --config" in commands

    broken = Collection(("broken",), episodes=1)
    focus = dataclasses.replace(focus, actor_collections=(broken,))
    with pytest.raises(RuntimeError, match="no X server"):
        recipes.stage_actor(dataclasses.replace(recipe, focus=focus), root)
