"""The ``actor`` stage of a two-pass (``focus``) recipe with ``Focus.actor_tune``.

The actor recipe's shipped checkpoint (``vla/checkpoints/<actor>``) is trained further on that
recipe's own datasets (``<root>/<actor>/data-*`` and ``dagger-*``, which its recipe run wrote
under the same ``--root``) with the ``actor_tune`` settings, e.g. ``augment="screen"``: a
whole-screen policy shows its actor page crops that are a few pixels off, with another window's
edge where the page ends. The tuned actor is then evaluated headless on the suite's own tasks
(same seeds and step cap), and the checkpoint ships it with that evaluation in ``actor/``, so
the desktop numbers stand beside the headless numbers of the same actor. ``actor_collections``
(e.g. ``vla/desktop-page-miniwob-<task>-v0``: the page crops a real screen shows the actor,
with headful Chromium's own pop-up lists) are collected first, into ``actor-data-<i>``, and
join those datasets.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["actor_paths", "collect_actor_data", "headless_env_id", "ship_actor", "tune_actor"]


def actor_paths(recipe: Any, root: Path) -> dict[str, Path]:
    """Where the stage trains (``tune``) and evaluates (``eval``) the tuned actor."""
    base = root / recipe.name
    return {"tune": base / "actor-tune", "eval": base / "actor-eval"}


def collect_actor_data(
    recipe: Any, root: Path, collect_env: Callable[..., dict[str, Any]]
) -> tuple[list[Path], dict[str, Any]]:
    """Record ``recipe.focus.actor_collections`` into ``<root>/<name>/actor-data-<i>`` with
    ``collect_env(recipe, collection, env_id, seed, path)`` (the recipe's own collect, one env at
    a time; an interrupted run resumes). Returns the datasets and their records; a failed
    collection raises, naming its env."""
    base, paths, records = root / recipe.name, [], {}
    for i, c in enumerate(recipe.focus.actor_collections):
        path = base / f"actor-data-{i}"
        for env_id, seed in c.seeds():
            records |= collect_env(recipe, c, env_id, seed, path)
        paths.append(path)
    failed = {key: r["error"] for key, r in records.items() if "error" in r}
    if failed:
        raise RuntimeError(f"the actor's collections failed ({failed}); rerun the stage to resume")
    return paths, records


def headless_env_id(env_id: str) -> str:
    """The headless page env of a desktop-suite env: ``vla/desktop-miniwob-X-v0`` ->
    ``vla/miniwob-X-v0``."""
    return env_id.replace("vla/desktop-miniwob-", "vla/miniwob-", 1)


def _check_datasets(recipe: Any, root: Path, source: Any, datasets: list[Path]) -> None:
    """A clear error, naming the recipe run that writes them, when a dataset is missing."""
    missing = [d for d in datasets if not (d / "meta" / "info.json").is_file()]
    if missing:
        raise FileNotFoundError(
            f"{recipe.name}'s actor stage trains {source.name} further on its recipe's datasets, "
            f"and {missing[0]} is missing: run `python -m vla.release.recipes {source.name} "
            f"--root {root} --stages collect,train,dagger` first (make checkpoints runs it before)"
        )


def tune_actor(
    recipe: Any,
    root: Path,
    actor: Path,
    source: Any,
    datasets: list[Path],
    collect_env: Callable[..., dict[str, Any]] | None = None,
) -> dict[str, Any]:
    """Train the ``actor`` checkpoint further on ``datasets`` (its recipe ``source``'s, under
    ``root``) and on ``recipe``'s actor collections (recorded first with ``collect_env``, see
    :func:`collect_actor_data`; an interrupted run resumes), then evaluate it headless on the
    headless twins of ``recipe``'s eval envs, as ``source`` evaluates."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.training import TrainConfig, train

    _check_datasets(recipe, root, source, datasets)  # before an actor collection's minutes
    own, records = [], {}
    if recipe.focus.actor_collections:
        assert collect_env is not None, "actor_collections need the recipe's collect_env"
        own, records = collect_actor_data(recipe, root, collect_env)
    paths = actor_paths(recipe, root)
    result = train(
        TrainConfig(
            datasets=[str(d) for d in [*datasets, *own]],
            out=str(paths["tune"]),
            config=str(actor),
            resume=True,
            **recipe.focus.actor_tune,
        )
    )
    info = evaluate(
        EvalConfig(
            policy=str(paths["tune"]),
            env_ids=[headless_env_id(e) for e in recipe.eval_env_ids],
            episodes=recipe.eval_episodes,
            seed_start=recipe.eval_seed_start,
            workers=recipe.workers,
            max_steps=recipe.eval_max_steps,
            still_waits=source.eval_still_waits,  # as the actor's own evaluation
            out=str(paths["eval"]),
        )
    )
    return {
        "steps": result.steps,
        "wall_time_s": round(result.wall_time_s, 1),
        "headless_mean_success_rate": info["overall"]["mean_success_rate"],
    } | ({"collections": records} if records else {})


def ship_actor(recipe: Any, root: Path, folder: Path, files: tuple[str, ...]) -> None:
    """Copy the tuned actor's ``files`` and its headless ``eval_info.json`` into ``folder``
    (the focus checkpoint's ``actor/``), its datasets named without machine paths."""
    paths = actor_paths(recipe, root)
    folder.mkdir(parents=True)
    for name in files:
        shutil.copy(paths["tune"] / name, folder / name)
    shutil.copy(paths["eval"] / "eval_info.json", folder / "eval_info.json")
    record = json.loads((folder / "training_data.json").read_text())
    record["datasets"] = [f"{Path(d).parent.name}/{Path(d).name}" for d in record["datasets"]]
    (folder / "training_data.json").write_text(json.dumps(record, indent=1) + "\n")
