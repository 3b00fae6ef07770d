"""A recipe end to end, tiny: collect, train, one DAgger round (the trained policy drives, the
expert labels), evaluate the last round's model, ship it with a card that names every command.
It reads two cameras and acts in chunks, as the robot recipe does (issue 14)."""

from __future__ import annotations

import dataclasses
import json

import pytest

from vla import Policy

pytestmark = [pytest.mark.slow, pytest.mark.robot]


def test_recipe_with_a_dagger_round_ships_the_last_rounds_model(tmp_path, monkeypatch):
    from vla.release import recipes
    from vla.release.model_card import _commands
    from vla.release.recipes import Collection, DaggerRound, Recipe, run_recipe

    recipe = Recipe(
        name="test-recipe",
        summary="tiny",
        collections=(Collection(("vla/panda-reach-v0",), episodes=2),),
        train={
            "config": "vla-tiny",
            "model_overrides": {
                "view_names": ["scene", "wrist"],
                "chunk_size": 2,
                "parallel_decoding": True,
            },
            "steps": 2,
            "batch_size": 4,
            "warmup_steps": 1,
            "val_fraction": 0.5,
            "progress": False,
            "log_with": "none",
        },
        eval_env_ids=("vla/panda-reach-v0",),
        eval_episodes=1,
        eval_max_steps=3,
        workers=1,
        dagger=(DaggerRound(episodes=2, steps=3, seed=500, max_steps=4),),
        env_kwargs={"cameras": ["scene", "wrist"], "image_size": 48},
        execution="receding:2",
    )
    monkeypatch.setitem(recipes.RECIPES, recipe.name, recipe)
    monkeypatch.setattr(recipes, "CHECKPOINTS_DIR", tmp_path / "shipped")
    log = run_recipe(recipe.name, root=str(tmp_path / "runs"))

    base = tmp_path / "runs" / recipe.name
    assert log["dagger"]["rounds"]["round-0"]["steps"] == 3
    labelled = [json.loads(x) for x in (base / "dagger-0/meta/vla/episodes.jsonl").open()]
    assert len(labelled) == 2 and all(500 <= e["seed"] < 502 for e in labelled)
    record = json.loads((base / "train-dagger-0/training_data.json").read_text())
    assert len(record["datasets"]) == 2  # the expert data and the DAgger round
    collected = json.loads((base / "dagger-0/meta/info.json").read_text())
    assert collected["collection"]["dagger"]["execution"] == "receding:2"
    assert {"observation.images.scene", "observation.images.wrist"} <= set(collected["features"])
    info = json.loads((base / "eval/eval_info.json").read_text())
    assert info["policy"].endswith("train-dagger-0")
    assert info["execution"]["horizon"] == 2 and info["env_kwargs"] == recipe.env_kwargs
    # the stage's time is its tasks' own (a resumed evaluation counts the finished tasks too)
    task_seconds = sum(t["wall_time_s"] for t in info["tasks"].values())
    assert log["eval"]["seconds"] == pytest.approx(task_seconds, abs=0.05)
    shipped = tmp_path / "shipped" / recipe.name
    summary = json.loads((shipped / "training_summary.json").read_text())
    assert summary["steps"] == 3
    card = (shipped / "README.md").read_text()
    assert _commands(recipe) in card and "vla collect --dagger --policy" in card
    # how to run its chunks (the usage note), then the DAgger round's and the eval's commands
    assert card.count("--execution receding:2") == 3
    assert "PolicyAgent(policy, env.action_space.spec)  # runs the chunks as receding:2" in card
    # the checkpoint names its execution, so vla run / demo / eval run its chunks that way
    assert Policy.from_pretrained(shipped).execution == "receding:2"
    assert card.count("""--env-kwargs '{"cameras": ["scene", "wrist"], "image_size": 48}'""") == 3

    # A rerun of a finished collection records nothing and keeps the first run's record and time
    collected_first = log["collect"]
    log = run_recipe(recipe.name, stages=("collect",), root=str(tmp_path / "runs"))
    assert log["collect"]["collections"] == collected_first["collections"]
    assert log["collect"]["seconds"] == collected_first["seconds"] > 0

    # A round added to the recipe later runs alone; the first round keeps its record.
    longer = dataclasses.replace(
        recipe,
        dagger=(*recipe.dagger, DaggerRound(episodes=1, steps=4, seed=600, max_steps=3, lr=5e-4)),
    )
    monkeypatch.setitem(recipes.RECIPES, recipe.name, longer)
    first = log["dagger"]["rounds"]["round-0"]
    log = run_recipe(recipe.name, stages=("dagger",), root=str(tmp_path / "runs"))
    rounds = log["dagger"]["rounds"]
    assert rounds["round-0"] == first and rounds["round-1"]["steps"] == 4
    assert log["dagger"]["seconds"] == pytest.approx(
        first["seconds"] + rounds["round-1"]["seconds"]
    )
    record = json.loads((base / "train-dagger-1/training_data.json").read_text())
    assert len(record["datasets"]) == 3
    labelled = [json.loads(x) for x in (base / "dagger-1/meta/vla/episodes.jsonl").open()]
    assert [e["seed"] for e in labelled] == [600]
    # a round's own learning rate; a round without one trains at the recipe's
    lrs = [
        json.loads((base / f"train-dagger-{r}/train_config.json").read_text())["lr"] for r in (0, 1)
    ]
    assert lrs == [1e-3, 5e-4]
