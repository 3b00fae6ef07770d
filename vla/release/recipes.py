"""Reproducible recipes for the shipped checkpoints: collect -> train -> eval -> ship.

``python -m vla.release.recipes vla-robot-tiny`` reruns every stage and rewrites
``vla/checkpoints/vla-robot-tiny/`` (weights, training record, eval results, model card).
``--stages collect,train`` runs a subset; stages read what earlier ones wrote under ``--root``.
``make checkpoints`` runs every recipe.

A recipe may add DAgger rounds (stage ``dagger``, after ``train``): the latest policy drives,
the expert labels every state it visits (``vla collect --dagger``), and training continues from
that policy on every dataset so far. Evaluation and shipping take the last round's model.

Seeds: collection ``c`` of a recipe records episodes ``seed_c + k``; evaluation uses
``eval_seed_start + k`` (100000 and up), disjoint from all of them and checked by ``vla eval``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.evaluation.config import DEFAULT_SEED_START
from vla.hub import CHECKPOINTS_DIR
from vla.release.tasks import BROWSER_ENVS, BROWSER_PRIORITY, ROBOT_ENVS

__all__ = ["RECIPES", "Collection", "DaggerRound", "Recipe", "run_recipe"]

STAGES = ("collect", "train", "dagger", "eval", "ship")
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


@dataclass(frozen=True)
class Collection:
    """One ``vla collect`` call: successful expert episodes per env, first seed, expert options."""

    env_ids: tuple[str, ...]
    episodes: int
    seed: int = 0
    expert_kwargs: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class DaggerRound:
    """One DAgger round: the latest policy drives ``episodes`` episodes per env (seeds ``seed``
    and up, each at most ``max_steps`` steps; the env executes the expert's action with
    probability ``beta``), then training continues from that policy for ``steps`` optimizer
    steps on every dataset so far."""

    episodes: int
    steps: int
    seed: int
    beta: float = 0.0
    max_steps: int = 15


@dataclass(frozen=True)
class Recipe:
    """How a shipped checkpoint is made. ``train`` holds :class:`TrainConfig` fields (all but
    ``datasets`` and ``out``). ``env_kwargs`` go to every env the recipe makes (collection,
    DAgger and eval: the cameras the model reads). ``execution`` (``vla eval --execution``
    text, e.g. ``"receding:4"``) runs a chunked robot policy's chunks, in DAgger and in eval.
    ``eval_still_waits`` is ``vla eval --still-waits`` (UI policies; none: never overridden)."""

    name: str
    summary: str
    collections: tuple[Collection, ...]
    train: dict[str, Any]
    eval_env_ids: tuple[str, ...]
    eval_episodes: int = 100
    eval_seed_start: int = DEFAULT_SEED_START
    eval_max_steps: int | None = None
    eval_still_waits: int | None = None
    workers: int = 1
    dagger: tuple[DaggerRound, ...] = ()
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    execution: str | None = None

    @property
    def env_ids(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(e for c in self.collections for e in c.env_ids))


RECIPES: dict[str, Recipe] = {
    "vla-browser-tiny": Recipe(
        name="vla-browser-tiny",
        summary="vla-tiny trained on scripted-expert demonstrations of MiniWoB++ tasks",
        collections=(
            Collection(tuple(e for e in BROWSER_ENVS if e in BROWSER_PRIORITY), episodes=400),
            Collection(
                tuple(e for e in BROWSER_ENVS[:30] if e not in BROWSER_PRIORITY), episodes=100
            ),
            # the 32 tasks of issue 13 are mostly multi-step (4-9 actions an episode)
            Collection(BROWSER_ENVS[30:], episodes=50),
        ),
        train={
            "config": "vla-tiny",
            # 256 bins are 0.6-0.8 px on a 160x210 page, finer than the 80 px input resolves
            "model_overrides": {
                "coord_bins": 256,
                "bin_smoothing": 0.02,
                "conv_stem": True,
                "sincos_position_init": True,
                # issue 13: a pointer over the instruction's bytes for typing, and the last 4
                # actions of the episode in the prompt (docs/results.md, "What each change bought")
                "copy_instruction": True,
                "action_history": 4,
            },
            "steps": 4000,
            "batch_size": 32,
            "lr": 1e-3,
            "threads": 2,
        },
        eval_env_ids=BROWSER_ENVS,
        eval_max_steps=25,  # > the longest expert episode (form-sequence: 21); the env's is 30
        workers=2,
        # issue 13: the policy's own mistakes, labelled by the DOM experts
        dagger=(DaggerRound(episodes=20, steps=1000, seed=20_000, max_steps=20),),
    ),
    "vla-robot-tiny": Recipe(
        name="vla-robot-tiny",
        summary="vla-tiny trained on scripted IK demonstrations of Panda manipulation tasks",
        collections=(
            Collection(ROBOT_ENVS, episodes=150, seed=0),
            Collection(ROBOT_ENVS, episodes=150, seed=50_000, expert_kwargs={"noise": 0.3}),
        ),
        train={
            "config": "vla-tiny",
            "model_overrides": {
                "bin_smoothing": 0.01,
                "conv_stem": True,
                "sincos_position_init": True,
                # the next 8 actions decoded in one pass, run open-loop (receding horizon 8):
                # docs/results.md, "Robot"
                "chunk_size": 8,
                "parallel_decoding": True,
            },
            "steps": 1500,
            "batch_size": 32,
            "lr": 1e-3,
            "threads": 2,
            # a fixed camera: the crop augmentation moves the cube by centimetres while the
            # action stays (docs/results.md, "Robot": 13.8% without it against 6.2% with it)
            "augment": "none",
        },
        eval_env_ids=ROBOT_ENVS,
        execution="receding:8",
    ),
}


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
        "eval": base / "eval",
        "log": base / "stages.json",
    }


def _collect_each(env_ids: tuple[str, ...], out: Path, **settings: Any) -> dict[str, Any]:
    """One ``collect`` per env into ``out`` (an interrupted run resumes). An env whose collection
    fails is reported in the summary (and on stderr) and the others go on."""
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


def stage_collect(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Record every collection, one env at a time (see :func:`_collect_each`)."""
    out: dict[str, Any] = {}
    for c, path in zip(recipe.collections, _paths(recipe, root)["data"], strict=True):
        out |= _collect_each(
            c.env_ids,
            path,
            episodes=c.episodes,
            workers=recipe.workers,
            seed=c.seed,
            env_kwargs=dict(recipe.env_kwargs),
            expert_kwargs=dict(c.expert_kwargs),
        )
    return {"collections": out}


def stage_dagger(recipe: Recipe, root: Path, previous: dict[str, Any] | None = None) -> dict:
    """Every DAgger round in turn: label the latest policy's states with the expert, then
    continue training from that policy on every dataset so far. A finished round (its model
    saved) is skipped, so an interrupted run resumes and a round added to a recipe runs alone;
    a skipped round keeps its record from ``previous`` (the stage's last log entry)."""
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
            settings["steps"] = round_.steps
            result = train(
                TrainConfig(
                    datasets=datasets, out=str(run), config=str(policy), resume=True, **settings
                )
            )
            out[f"round-{r}"] = {
                "seconds": round(time.time() - t0, 1),
                "steps": result.steps,
                "val": result.metrics,
                "collections": labelled,
            }
        policy = run
    seconds = [float(r["seconds"]) for r in out.values() if r.get("seconds") is not None]
    return ({"seconds": sum(seconds)} if len(seconds) == len(out) else {}) | {"rounds": out}


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


def stage_eval(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Closed-loop evaluation of the trained run on unseen seeds."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.rollout.chunk_execution import parse_execution

    p = _paths(recipe, root)
    info = evaluate(
        EvalConfig(
            policy=str(p["final"]),
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
    return {"mean_success_rate": info["overall"]["mean_success_rate"]}


def stage_ship(recipe: Recipe, root: Path) -> dict[str, Any]:
    """Copy the trained model and its records into ``vla/checkpoints/<name>/`` with a model card."""
    from vla.release.model_card import write_model_card

    p = _paths(recipe, root)
    dest = CHECKPOINTS_DIR / recipe.name
    dest.mkdir(parents=True, exist_ok=True)
    for name in SHIPPED_FILES:
        shutil.copy(p["final"] / name, dest / name)
    name_execution(dest, recipe.execution)
    if (p["eval"] / "eval_info.json").is_file():
        shutil.copy(p["eval"] / "eval_info.json", dest / "eval_info.json")
    record = json.loads((dest / "training_data.json").read_text())
    record["datasets"] = [Path(d).name for d in record["datasets"]]  # no machine paths
    (dest / "training_data.json").write_text(json.dumps(record, indent=1) + "\n")
    size = sum(f.stat().st_size for f in dest.iterdir()) / 2**20
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
        "eval": stage_eval,
        "ship": stage_ship,
    }
    for stage in STAGES:
        if stage not in stages:
            continue
        t0 = time.time()
        if stage == "ship":
            log_path.write_text(json.dumps(log, indent=1) + "\n")
        # DAgger keeps its finished rounds' records and times (a round may run alone)
        extra = {"previous": log.get(stage)} if stage == "dagger" else {}
        summary = runners[stage](recipe, base, **extra)
        log[stage] = {
            "seconds": round(summary.pop("seconds", time.time() - t0), 1),
            "finished": time.strftime("%Y-%m-%d %H:%M:%S UTC", time.gmtime()),
            **summary,
        }
        log_path.write_text(json.dumps(log, indent=1) + "\n")
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
