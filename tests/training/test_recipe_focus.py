"""A two-pass (``focus``) recipe evaluates and ships its locator together with a copy of the
actor checkpoint and ``focus.json``, so the shipped folder loads as the FocusPolicy that was
measured; its card says how to load it and what each collection's env options were."""

from __future__ import annotations

import json
import shutil

from vla.release import recipes
from vla.release.model_card import _commands, model_card
from vla.release.recipes import RECIPES, stage_eval, stage_ship
from vla.rollout import load_policy
from vla.rollout.focus import FocusPolicy


def test_focus_recipe_evaluates_and_ships_locator_with_its_actor(
    tiny_policy_dir, tmp_path, monkeypatch
):
    import vla.evaluation

    recipe = RECIPES["vla-desktop-tiny"]
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
