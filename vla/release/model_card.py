"""The model card (README.md) of a shipped checkpoint, written from the recipe and the records
that its stages left: training_data.json, training_summary.json, eval_info.json, stages.json.

The card is a ``huggingface_hub.ModelCard``: YAML metadata (license, library, tags, datasets,
and the measured closed-loop success rates as ``model-index`` results) above the Markdown text.
``python -m vla.release.refresh_cards NAME...`` regenerates the cards of shipped checkpoints.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from huggingface_hub import ModelCard, ModelCardData

__all__ = ["card_metadata", "eval_table", "model_card", "write_model_card"]

#: The project's license (pyproject.toml), as the Hub spells it.
LICENSE = "apache-2.0"
#: Hub tags per env family (the part of a ``vla/<family>-<task>-v0`` id before the first dash).
FAMILY_TAGS = {
    "miniwob": ("miniwob", "browser-automation", "web-agent"),
    "panda": ("robotics", "franka-panda", "pybullet"),
    "desktop": ("desktop-automation", "gui-agent", "miniwob"),
}


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def eval_table(info: dict[str, Any]) -> str:
    """The Markdown table of an ``eval_info`` dict (:meth:`EvalInfo.to_markdown`); a line
    saying so when there is no evaluation (an empty dict)."""
    if not info:
        return "_Not evaluated yet._\n"
    from vla.evaluation.info import EvalInfo

    return EvalInfo.from_dict(info).to_markdown()


def _env_flags(recipe: Any, execution: bool = False, extra: dict[str, Any] | None = None) -> str:
    """`` --env-kwargs '...'`` (the recipe's, updated with ``extra``: a collection's own) and
    `` --execution ...`` when they are set."""
    kwargs = {**recipe.env_kwargs, **(extra or {})}
    flags = f" --env-kwargs '{json.dumps(kwargs)}'" if kwargs else ""
    return flags + (f" --execution {recipe.execution}" if execution and recipe.execution else "")


def _collect_commands(recipe: Any, collections: Any, prefix: str) -> list[str]:
    """``vla collect`` of each of ``collections`` into ``runs/recipes/<name>/<prefix>-<i>``."""
    lines = []
    for i, c in enumerate(collections):
        kw = f" --expert-kwargs '{json.dumps(c.expert_kwargs)}'" if c.expert_kwargs else ""
        # one command for the collection, or one per env when each starts at its own seed
        calls = [(c.env_ids, c.seed)] if not c.seed_stride else [((e,), s) for e, s in c.seeds()]
        for env_ids, seed in calls:
            envs = " ".join(f"--env {e}" for e in env_ids)
            lines.append(
                f"vla collect {envs} --episodes {c.episodes} --seed {seed} "
                f"--workers {recipe.workers} --out runs/recipes/{recipe.name}/{prefix}-{i}"
                f"{_env_flags(recipe, extra=c.env_kwargs)}{kw}"
            )
    return lines


def _commands(recipe: Any) -> str:
    lines = [f"python -m vla.release.recipes {recipe.name}", "", "# which runs, stage by stage:"]
    lines += _collect_commands(recipe, recipe.collections, "data")
    t = recipe.train
    data = " ".join(
        f"--dataset runs/recipes/{recipe.name}/data-{i}" for i in range(len(recipe.collections))
    )
    flags = _train_flags(t)
    sets = "".join(f" --set {shlex.quote(item)}" for item in _override_items(t))
    lines.append(
        f"vla train {data} --config {t['config']} {flags}{sets} --out runs/recipes/{recipe.name}/train"
    )
    lines += _dagger_commands(recipe, data)
    final = f"train-dagger-{len(recipe.dagger) - 1}" if recipe.dagger else "train"
    if recipe.focus:
        lines += _focus_commands(recipe, final)
        final = "focus"
    policy = f"runs/recipes/{recipe.name}/{final}"
    lines.append(
        _eval_command(recipe, policy, recipe.eval_env_ids, recipe.eval_still_waits)
        + _env_flags(recipe, execution=True)
    )
    return "\n".join(lines)


def _eval_command(recipe: Any, policy: str, env_ids: Any, still_waits: int | None) -> str:
    """``vla eval`` of ``policy`` on ``env_ids`` with the recipe's episodes, seeds and caps."""
    envs = " ".join(f"--env {e}" for e in env_ids)
    return (
        f"vla eval --policy {policy} {envs} --episodes {recipe.eval_episodes} "
        f"--seed-start {recipe.eval_seed_start} --workers {recipe.workers}"
        + (f" --max-steps {recipe.eval_max_steps}" if recipe.eval_max_steps else "")
        + (f" --still-waits {still_waits}" if still_waits else "")
    )


def _focus_commands(recipe: Any, final: str) -> list[str]:
    """A focus recipe's actor stage (with ``actor_tune``) and how its ``focus/`` is put together."""
    from vla.release.recipe_actor import headless_env_id
    from vla.release.recipe_book import RECIPES

    f, base, lines = recipe.focus, f"runs/recipes/{recipe.name}", []
    actor = f"a copy of vla/checkpoints/{f.actor}"
    if f.actor_tune:
        source = RECIPES[f.actor]
        names = [f"data-{i}" for i in range(len(source.collections))]
        names += [f"dagger-{r}" for r in range(len(source.dagger))]
        data = " ".join(f"--dataset runs/recipes/{f.actor}/{n}" for n in names)
        lines += _collect_commands(recipe, f.actor_collections, "actor-data")
        own = range(len(f.actor_collections))
        data += "".join(f" --dataset {base}/actor-data-{i}" for i in own)
        lines.append(
            f"vla train {data} --config vla/checkpoints/{f.actor} {_train_flags(f.actor_tune)} "
            f"--out {base}/actor-tune"
        )
        headless = [headless_env_id(e) for e in recipe.eval_env_ids]
        lines.append(
            _eval_command(recipe, f"{base}/actor-tune", headless, source.eval_still_waits)
            + f" --out {base}/actor-eval"
        )
        actor = "the actor-tune model's files with actor-eval's eval_info.json"
    lines.append(
        f"# {base}/focus: the {final} model's files, {actor} in actor/, and focus.json "
        f"(vla.rollout.focus.write_focus_file: zooms {list(f.zooms)}, "
        f"view size {list(f.view_size)}"
        + (f", page size {list(f.page_size)}" if f.page_size else "")
        + (", locate once)" if f.locate_once else ")")
    )
    return lines


def _train_flags(train: dict[str, Any]) -> str:
    """A recipe's training settings as ``vla train`` flags (not ``--config`` and ``--set``)."""
    return " ".join(
        f"--{k.replace('_', '-')} {v}"
        for k, v in train.items()
        if k not in ("config", "model_overrides")
    )


def _dagger_commands(recipe: Any, data: str) -> list[str]:
    """The ``vla collect --dagger`` and ``vla train`` calls of each DAgger round."""
    base, lines = f"runs/recipes/{recipe.name}", []
    envs = " ".join(f"--env {e}" for e in recipe.env_ids)
    policy = f"{base}/train"
    for r, d in enumerate(recipe.dagger):
        lines.append(
            f"vla collect --dagger --policy {policy} --beta {d.beta} {envs} --episodes "
            f"{d.episodes} --seed {d.seed} --max-steps {d.max_steps} --workers {recipe.workers} "
            f"--out {base}/dagger-{r}{_env_flags(recipe, execution=True)}"
        )
        data += f" --dataset {base}/dagger-{r}"
        round_flags = _train_flags(d.train_settings(recipe.train))  # a saved model: no --set
        lines.append(
            f"vla train {data} --config {policy} {round_flags} --out {base}/train-dagger-{r}"
        )
        policy = f"{base}/train-dagger-{r}"
    return lines


def _override_items(train: dict[str, Any]) -> list[str]:
    """A recipe's preset overrides as ``KEY=JSON`` (the form ``vla train --set`` takes)."""
    return [f"{k}={json.dumps(v)}" for k, v in train.get("model_overrides", {}).items()]


def _overrides(train: dict[str, Any]) -> str:
    return ", ".join(f"`{item}`" for item in _override_items(train)) or "none"


def _training_facts(summary: dict[str, Any], stages: dict[str, Any]) -> str:
    """The bullet list of the card's Training section (steps, hardware, times, validation)."""
    hw = summary.get("hardware", {})
    val = {k: v for k, v in summary.get("final_metrics", {}).items() if k.startswith("val/")}
    times = ", ".join(
        f"{name} {stages[name]['seconds']} s" for name in STAGE_NAMES if name in stages
    )
    return f"""\
- steps of the last training run: {summary.get("steps")} ({summary.get("epochs", 0):.1f} epochs, {summary.get("samples")} samples, {summary.get("wall_time_s")} s)
- hardware: {hw.get("device")} ({hw.get("cpu_count")} cores, {hw.get("torch_threads")} torch thread(s)), {hw.get("platform")}; the machine was shared with other jobs, so times are upper bounds
- wall time per recipe stage (`stages.json`; collections, DAgger rounds and evaluated tasks an earlier run finished keep that run's time, training counts only its last run): {times or "not recorded"}
- held-out validation (episodes never trained on): `{json.dumps(val)}`"""


def _dagger_data(recipe: Any) -> str:
    if not recipe.dagger:
        return ""
    rounds = (
        "one DAgger round" if len(recipe.dagger) == 1 else f"{len(recipe.dagger)} DAgger rounds"
    )
    return (
        f", and {rounds} (`dagger-<r>`: every episode the policy drove, failures included, each"
        " state labelled with the expert's action)"
    )


#: The recipe stages whose wall time the card lists, in order (vla.release.recipes.STAGES).
STAGE_NAMES = ("collect", "train", "dagger", "actor", "eval")


def _family(env_id: str) -> str:
    return env_id.removeprefix("vla/").split("-", 1)[0]


def card_metadata(recipe: Any, data: dict[str, Any], info: dict[str, Any]) -> ModelCardData:
    """The card's YAML: license, library, tags, the training datasets (the ``vla collect``
    folders named in ``training_data.json``, rebuilt by the recipe) and one ``model-index``
    result per evaluated task (closed-loop success rate, 0..1) plus their mean."""
    from huggingface_hub import EvalResult, ModelCardData

    families = sorted({_family(e) for e in recipe.env_ids})
    tags = ["vla", "vision-language-action", "action-tokens"]
    tags += [t for f in families for t in FAMILY_TAGS.get(f, (f,))]
    task_type = "robotics" if "panda" in families else "browser-automation"
    seeds = info.get("seeds", {})
    split = f"seeds {seeds.get('start')}..{seeds.get('stop')}" if seeds else None
    results = [
        EvalResult(
            task_type=task_type,
            task_name=env_id,
            dataset_type=env_id,
            dataset_name=env_id,
            dataset_split=split,
            metric_type="success_rate",
            metric_name="success rate",
            metric_value=task["success_rate"],
        )
        for env_id, task in info.get("tasks", {}).items()
    ]
    if info.get("overall"):
        results.append(
            EvalResult(
                task_type=task_type,
                task_name="mean over tasks",
                dataset_type="vla-eval",
                dataset_name=f"{len(results)} tasks",
                dataset_split=split,
                metric_type="mean_success_rate",
                metric_name="mean success rate",
                metric_value=info["overall"]["mean_success_rate"],
            )
        )
    return ModelCardData(
        model_name=recipe.name,
        license=LICENSE,
        library_name="vla",
        pipeline_tag="robotics" if task_type == "robotics" else None,
        tags=tags,
        datasets=[f"{recipe.name}/{d}" for d in data.get("datasets", [])] or None,
        metrics=["success_rate"],
        eval_results=results or None,
    )


def _load_snippet(recipe: Any) -> str:
    """The card's first code lines: load the checkpoint (and, for a two-pass one, act)."""
    if not recipe.focus:
        return f'from vla import Policy\npolicy = Policy.from_pretrained("{recipe.name}")'
    return (
        "from vla.rollout import load_policy\n"
        f'policy = load_policy("{recipe.name}")  # FocusPolicy: this locator + actor/ '
        f"({recipe.focus.actor})\n"
        "action = policy.act(screenshot, instruction)  # pixels of the whole screen"
    )


def _execution_usage(recipe: Any) -> str:
    """How to run a chunked checkpoint the way it was evaluated (empty for the others)."""
    if not recipe.execution:
        return ""
    return f"""
It predicts chunks of actions and was evaluated executing them as `{recipe.execution}`
(`vla eval --execution {recipe.execution}`). Its `config.json` names that execution, so
`vla run`, `vla demo`, `vla eval` and `PolicyAgent` run its chunks that way unless told
otherwise (`--execution first` asks it every step); `policy.act` alone asks it every step and
executes the first action of each chunk. In a loop of your own:

```python
from vla.rollout import PolicyAgent
agent = PolicyAgent(policy, env.action_space.spec)  # runs the chunks as {recipe.execution}
obs, info = env.reset(seed=0)
action = agent.act(obs, info)  # call agent.reset() when a new episode starts
```
"""


def write_model_card(recipe: Any, dest: Path, stages: dict[str, Any]) -> Path:
    """Write ``dest/README.md`` for ``recipe`` from the records in ``dest`` and ``stages``."""
    path = dest / "README.md"
    model_card(recipe, dest, stages).save(path)
    return path


def model_card(recipe: Any, dest: Path, stages: dict[str, Any]) -> ModelCard:
    """The ``huggingface_hub.ModelCard`` of ``recipe`` from the records in ``dest`` and
    ``stages`` (``stages["collect"]["seconds"]``: the collection time)."""
    from huggingface_hub import ModelCard

    data = _load(dest / "training_data.json")
    summary = _load(dest / "training_summary.json")
    info = _load(dest / "eval_info.json")
    cfg = _load(dest / "config.json")
    episodes = data.get("episodes", {})
    data_rows = "\n".join(f"| `{k}` | {v} |" for k, v in episodes.items())
    seeds = info.get("seeds", {})
    text = f"""# {recipe.name}

{recipe.summary}. Load it by name:

```python
{_load_snippet(recipe)}
```
{_execution_usage(recipe)}
## Model

`{recipe.train.get("config")}` preset: SigLIP-style vision tower ({cfg.get("vision_config", {}).get("image_size", "?")} px input)
and a Llama-style causal LM, trained from scratch; actions are tokens of the project's action
language (see docs/model.md). Preset overrides: {_overrides(recipe.train)}. Weights:
`model.safetensors` (fp32).

## Data

Scripted-expert demonstrations recorded with `vla collect` (successful episodes only){_dagger_data(recipe)}; the
seeds of every episode are in `training_data.json`.

| env | episodes |
|---|---:|
{data_rows}

## Training

Command (reproduces this folder; `make checkpoints` runs every recipe):

```bash
{_commands(recipe)}
```

{_training_facts(summary, stages)}

## Evaluation

Closed loop, {info.get("episodes_per_task", "?")} episodes per task, seeds {seeds.get("start")}..{seeds.get("stop")}
(disjoint from every training seed: {info.get("seed_check", {}).get("disjoint")}), `vla eval`.

{eval_table(info)}
Full numbers: `eval_info.json` in this folder. Limitations: trained only on the tasks above,
from scripted demonstrations; other pages or scenes are out of distribution.
"""
    meta = card_metadata(recipe, data, info)
    return ModelCard(f"---\n{meta.to_yaml()}\n---\n{text}")
