"""Reproducible recipes for the shipped checkpoints: collect -> train -> eval -> ship.

``python -m vla.release.recipes vla-robot-tiny`` reruns every stage and rewrites
``vla/checkpoints/vla-robot-tiny/`` (weights, training record, eval results, model card).
``--stages collect,train`` runs a subset; stages read what earlier ones wrote under ``--root``.
``make checkpoints`` runs every recipe.

A recipe may add DAgger rounds (stage ``dagger``, after ``train``): the latest policy drives,
the expert labels every state it visits (``vla collect --dagger``), and training continues from
that policy on every dataset so far. Evaluation and shipping take the last round's model.

A recipe with ``focus`` trains the locator of a two-pass whole-screen policy
(:class:`vla.rollout.focus.FocusPolicy`); its evaluation and checkpoint are the locator with a
``focus.json`` and a copy of the shipped actor checkpoint in ``actor/``, or with
``Focus.actor_tune`` that actor trained further by stage ``actor``
(:mod:`vla.release.recipe_actor`; the other recipes skip that stage).

Seeds: collection ``c`` of a recipe records episodes ``seed_c + k``; evaluation uses
``eval_seed_start + k`` (100000 and up), disjoint from all of them and checked by ``vla eval``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

from vla.hub import CHECKPOINTS_DIR
from vla.release.recipe_actor import ship_actor, tune_actor
from vla.release.recipe_book import RECIPES, Collection, DaggerRound, Recipe

__all__ = ["RECIPES", "Collection", "DaggerRound", "Recipe", "run_recipe"]

STAGES = ("collect", "train", "dagger", "actor", "eval", "ship")
#: Files copied from a training run into a shipped checkpoint.
SHIPPED_FILES = (
    "config.json",
    "model.safetensors",
    "action_tokenizer.json",
    "vla_processor.json",
    "vla_auto.py",
    "train_config.json",
    "training_data.json",
    "training_summary.json",
)
MAX_SHIPPED_MB = 25.0


def _paths(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Folders of a recipe's stages under ``root``; ``final`` is the model that is evaluated and
    shipped (the last DAgger round's, else ``train``)."""
    base = root / recipe.name
    rounds = range(len(recipe.dagger))
    return {
        "data": [base / f"data-{i}" for i in range(len(recipe.collections))],
        "train": base / "train",
        "dagger_data": [base / f"dagger-{r}" for r in rounds],
        "dagger_train": [base / f"train-dagger-{r}" for r in rounds],
        "final": base / (f"train-dagger-{len(recipe.dagger) - 1}" if recipe.dagger else "train"),
        "focus": base / "focus",
        "eval": base / "eval",
        "log": base / "stages.json",
    }


def _collect_each(env_ids: tuple[str, ...], out: Path, **settings: Any) -> dict[str, Any]:
    """One ``collect`` per env into ``out`` (an interrupted run resumes). An env whose collection
    fails is reported in the summary (and on stderr) and the others go on; :func:`run_recipe`
    then stops before the next stage."""
    import sys

    from vla.datasets import CollectConfig, collect

    summary: dict[str, Any] = {}
    for env_id in env_ids:
        try:
            result = collect(CollectConfig(env_ids=[env_id], out=str(out), **settings))
        except Exception as err:  # reported on stderr and in stages.json
            print(f"collect {env_id} into {out} failed: {err!r}", file=sys.stderr)
            summary[f"{out.name}/{env_id}"] = {"error": repr(err)}
            continue
        summary[f"{out.name}/{env_id}"] = {
            "seconds": round(result.seconds, 1),
            **result.per_env.get(env_id, {}),
        }
    return summary


def _collect_env(
    recipe: Recipe, c: Collection, env_id: str, seed: int, path: Path
) -> dict[str, Any]:
    """One env of collection ``c``, from ``seed``, into ``path`` (see :func:`_collect_each`)."""
    env_kwargs = {**recipe.env_kwargs, **c.env_kwargs}
    settings = {"episodes": c.episodes, "workers": recipe.workers, "seed": seed}
    return _collect_each(
        (env_id,), path, env_kwargs=env_kwargs, expert_kwargs=dict(c.expert_kwargs), **settings
    )


def stage_collect(
    recipe: Recipe,
    root: Path,
    previous: dict[str, Any] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict[str, Any]:
    """Record every collection, one env at a time (see :func:`_collect_each`). A collection
    that was already complete (a rerun recorded nothing) keeps its record from ``previous``
    (the stage's last log entry), so the stage's seconds stay those of the work done.
    ``progress`` receives the stage's summary so far after each env (an interrupted stage
    keeps it)."""
    before = (previous or {}).get("collections", {})
    out: dict[str, Any] = {}
    for c, path in zip(recipe.collections, _paths(recipe, root)["data"], strict=True):
        for env_id, seed in c.seeds():
            done = _collect_env(recipe, c, env_id, seed, path)
            for key, record in done.items():
                kept = before.get(key)
                rerun = not record.get("recorded") and "error" not in record
                out[key] = dict(kept) if rerun and kept and "error" not in kept else record
            if progress:
                progress(_collect_summary(out))
    return _collect_summary(out)


def _collect_summary(records: dict[str, Any]) -> dict[str, Any]:
    """The collections' records and the sum of their seconds."""
    return {
        "seconds": sum(float(r.get("seconds", 0.0)) for r in records.values()),
        "collections": records,
    }


def stage_dagger(
    recipe: Recipe,
    root: Path,
    previous: dict[str, Any] | None = None,
    progress: Callable[[dict[str, Any]], None] | None = None,
) -> dict:
    """Every DAgger round in turn: label the latest policy's states with the expert, then
    continue training from that policy on every dataset so far. A finished round (its model
    saved) is skipped, so an interrupted run resumes and a round added to a recipe runs alone;
    a skipped round keeps its record from ``previous`` (the stage's last log entry).
    ``progress`` receives the stage's summary so far after each round."""
    from vla.training import TrainConfig, train

    p = _paths(recipe, root)
    before = (previous or {}).get("rounds", {})
    policy, out = p["train"], {}
    settings = {k: v for k, v in recipe.train.items() if k not in ("config", "model_overrides")}
    for r, round_ in enumerate(recipe.dagger):
        data, run = p["dagger_data"][r], p["dagger_train"][r]
        if (run / "training_summary.json").is_file():
            if f"round-{r}" in before:
                out[f"round-{r}"] = dict(before[f"round-{r}"])
                if "seconds" not in out[f"round-{r}"] and len(before) == 1:
                    out[f"round-{r}"]["seconds"] = previous.get("seconds")  # type: ignore[union-attr]
        else:
            t0 = time.time()
            labelled = _collect_each(
                recipe.env_ids,
                data,
                episodes=round_.episodes,
                workers=recipe.workers,
                seed=round_.seed,
                max_steps=round_.max_steps,
                policy=str(policy),
                beta=round_.beta,
                env_kwargs=dict(recipe.env_kwargs),
                execution=recipe.execution,
            )
            datasets = [str(d) for d in [*p["data"], *p["dagger_data"][: r + 1]]]
            result = train(
                TrainConfig(
                    datasets=datasets,
                    out=str(run),
                    config=str(policy),
                    resume=True,
                    **round_.train_settings(settings),
                )
            )
            out[f"round-{r}"] = {
                "seconds": round(time.time() - t0, 1),
                "steps": result.steps,
                "val": result.metrics,
                "collections": labelled,
            }
        policy = run
        if progress:
            progress(_dagger_summary(out))
    return _dagger_summary(out)


def _dagger_summary(rounds: dict[str, Any]) -> dict[str, Any]:
    """The rounds' records, and their seconds when every round has its own."""
    seconds = [float(r["seconds"]) for r in rounds.values() if r.get("seconds") is not None]
    return ({"seconds": sum(seconds)} if len(seconds) == len(rounds) else {}) | {"rounds": rounds}


def stage_train(recipe: Recipe, root: Path, resume: bool = True) -> dict[str, Any]:
    """Train on every collection; resumes from the run's newest checkpoint when there is one."""
    from vla.training import TrainConfig, train

    p = _paths(recipe, root)
    cfg = TrainConfig(
        datasets=[str(d) for d in p["data"]], out=str(p["train"]), resume=resume, **recipe.train
    )
    result = train(cfg)
    return {
        "steps": result.steps,
        "wall_time_s": round(result.wall_time_s, 1),
        "val": result.metrics,
    }


def stage_actor(recipe: Recipe, root: Path) -> dict[str, Any]:
    """The shipped actor of a focus recipe with ``actor_tune``, trained further on its own
    recipe's datasets under ``root``, then evaluated headless (:mod:`.recipe_actor`)."""
    assert recipe.focus is not None
    source = RECIPES[recipe.focus.actor]
    p = _paths(source, root)
    data = [*p["data"], *p["dagger_data"]]
    return tune_actor(recipe, root, CHECKPOINTS_DIR / source.name, source, data, _collect_env)


def stage_eval(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Closed-loop evaluation of the trained run on unseen seeds. Its seconds are the tasks'
    own wall times, so a rerun that resumes an interrupted evaluation counts the tasks an
    earlier run finished too."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.rollout.chunk_execution import parse_execution

    p = _paths(recipe, root)
    policy = _focus_folder(recipe, root, p) if recipe.focus else p["final"]
    info = evaluate(
        EvalConfig(
            policy=str(policy),
            env_ids=list(recipe.eval_env_ids),
            episodes=recipe.eval_episodes,
            seed_start=recipe.eval_seed_start,
            workers=recipe.workers,
            max_steps=recipe.eval_max_steps,
            still_waits=recipe.eval_still_waits,
            out=str(p["eval"]),
            env_kwargs=dict(recipe.env_kwargs),
            execution=parse_execution(recipe.execution) if recipe.execution else None,
        )
    )
    times = [task.get("wall_time_s") for task in info["tasks"].values()]
    seconds = {"seconds": sum(times)} if None not in times else {}
    return seconds | {"mean_success_rate": info["overall"]["mean_success_rate"]}


def _focus_folder(recipe: Recipe, root: Path, p: dict[str, Any]) -> Path:
    """The two-pass policy a ``focus`` recipe evaluates and ships: the trained locator's files,
    ``focus.json``, and in ``actor/`` a copy of the shipped actor checkpoint (with
    ``actor_tune``: of stage ``actor``'s model and its headless evaluation)."""
    from vla.rollout.focus import write_focus_file

    assert recipe.focus is not None
    folder = p["focus"]
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    for name in SHIPPED_FILES:
        shutil.copy(p["final"] / name, folder / name)
    if recipe.focus.actor_tune:
        ship_actor(recipe, root, folder / "actor", SHIPPED_FILES)
    else:
        shutil.copytree(CHECKPOINTS_DIR / recipe.focus.actor, folder / "actor")
    f = recipe.focus
    write_focus_file(folder, "actor", f.zooms, f.view_size, f.page_size, f.locate_once)
    return folder


def stage_ship(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Copy the trained model and its records into ``vla/checkpoints/<name>/`` with a model card."""
    from vla.release.model_card import write_model_card

    p = _paths(recipe, root)
    dest = CHECKPOINTS_DIR / recipe.name
    dest.mkdir(parents=True, exist_ok=True)
    source = p["focus"] if recipe.focus else p["final"]
    for name in SHIPPED_FILES:
        shutil.copy(source / name, dest / name)
    if recipe.focus:
        from vla.rollout.focus import FOCUS_FILE

        shutil.copy(source / FOCUS_FILE, dest / FOCUS_FILE)
        shutil.rmtree(dest / "actor", ignore_errors=True)
        shutil.copytree(source / "actor", dest / "actor")
    name_execution(dest, recipe.execution)
    if (p["eval"] / "eval_info.json").is_file():
        shutil.copy(p["eval"] / "eval_info.json", dest / "eval_info.json")
    record = json.loads((dest / "training_data.json").read_text())
    record["datasets"] = [Path(d).name for d in record["datasets"]]  # no machine paths
    (dest / "training_data.json").write_text(json.dumps(record, indent=1) + "\n")
    size = sum(f.stat().st_size for f in dest.rglob("*") if f.is_file()) / 2**20
    if size > MAX_SHIPPED_MB:
        raise ValueError(
            f"{dest} is {size:.1f} MB; shipped checkpoints must be <= {MAX_SHIPPED_MB}"
        )
    stages = json.loads(p["log"].read_text()) if p["log"].is_file() else {}
    write_model_card(recipe, dest, stages)
    return {"path": str(dest), "size_mb": round(size, 2)}


def name_execution(checkpoint: Path, execution: str | None) -> None:
    """Write the chunk execution the recipe evaluated with into the checkpoint's
    ``config.json`` (``VLAConfig.execution``), so ``vla run``, ``vla demo`` and ``PolicyAgent``
    run its chunks the way its numbers were measured."""
    path = checkpoint / "config.json"
    config = json.loads(path.read_text())
    config["execution"] = execution
    path.write_text(json.dumps(config, indent=2, sort_keys=True) + "\n")


def _write_log(log: dict[str, Any], path: Path) -> None:
    path.write_text(json.dumps(log, indent=1) + "\n")


def _save(log: dict[str, Any], path: Path, stage: str, summary: dict[str, Any]) -> None:
    """Write an unfinished ``stage``'s summary so far (its records and seconds) to the log at
    ``path``, where a card or a rerun reads it as any stage's."""
    log[stage] = {"unfinished": True, **summary}
    _write_log(log, path)


def run_recipe(name: str, stages: tuple[str, ...] = STAGES, root: str = "runs/recipes") -> dict:
    """Run ``stages`` of recipe ``name`` in order; each stage's timing and summary is appended
    to ``<root>/<name>/stages.json`` (the model card reads it)."""
    if name not in RECIPES:
        raise ValueError(f"unknown recipe {name!r}; known recipes: {sorted(RECIPES)}")
    bad = [s for s in stages if s not in STAGES]
    if bad:
        raise ValueError(f"unknown stage(s) {bad}; stages are {STAGES}")
    recipe, base = RECIPES[name], Path(root)
    log_path = _paths(recipe, base)["log"]
    log_path.parent.mkdir(parents=True, exist_ok=True)
    log = json.loads(log_path.read_text()) if log_path.is_file() else {}
    runners = {
        "collect": stage_collect,
        "train": stage_train,
        "dagger": stage_dagger,
        "actor": stage_actor,
        "eval": stage_eval,
        "ship": stage_ship,
    }
    tunes_actor = bool(recipe.focus and recipe.focus.actor_tune)
    for stage in STAGES:
        if stage not in stages or (stage == "actor" and not tunes_actor):
            continue
        t0 = time.time()
        if stage == "ship":
            _write_log(log, log_path)
        # a rerun keeps the records and times of finished collections and DAgger rounds, also
        # those an interrupted run finished (saved as it goes)
        extra = {}
        if stage in ("collect", "dagger"):
            extra = {"previous": log.get(stage), "progress": partial(_save, log, log_path, stage)}
        summary = runners[stage](recipe, base, **extra)
        log[stage] = {
            "seconds": round(summary.pop("seconds", time.time() - t0), 1),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            **summary,
        }
        _write_log(log, log_path)
        failed = [k for k, v in summary.get("collections", {}).items() if "error" in v]
        if failed:  # a model trained on part of the recipe's data would ship silently
            raise RuntimeError(
                f"recipe {name}: {len(failed)} collection(s) failed ({failed[0]}: "
                f"{summary['collections'][failed[0]]['error']}); fix the cause and rerun the same "
                f"command: finished collections are kept ({log_path} lists the errors)"
            )
    return log


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        prog="python -m vla.release.recipes", description=__doc__.split("\n")[0]
    )
    parser.add_argument("name", choices=sorted(RECIPES))
    parser.add_argument(
        "--stages", default=",".join(STAGES), help=f"comma-separated subset of {STAGES}"
    )
    parser.add_argument("--root", default="runs/recipes", help="where data, runs and evals go")
    args = parser.parse_args(argv)
    log = run_recipe(args.name, tuple(s for s in args.stages.split(",") if s), args.root)
    print(json.dumps({k: {"seconds": v["seconds"]} for k, v in log.items()}, indent=1))


if __name__ == "__main__":
    main()
