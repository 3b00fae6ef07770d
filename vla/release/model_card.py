"""The model card (README.md) of a shipped checkpoint, written from the recipe and the records
that its stages left: training_data.json, training_summary.json, eval_info.json, stages.json."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

__all__ = ["eval_table", "write_model_card"]


def _load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text()) if path.is_file() else {}


def eval_table(info: dict[str, Any]) -> str:
    """The Markdown table of an ``eval_info`` dict (:meth:`EvalInfo.to_markdown`); a line
    saying so when there is no evaluation (an empty dict)."""
    if not info:
        return "_Not evaluated yet._\n"
    from vla.evaluation.info import EvalInfo

    return EvalInfo.from_dict(info).to_markdown()


def _commands(recipe: Any) -> str:
    lines = [f"python -m vla.release.recipes {recipe.name}", "", "# which runs, stage by stage:"]
    for i, c in enumerate(recipe.collections):
        kw = f"--expert-kwargs '{json.dumps(c.expert_kwargs)}'" if c.expert_kwargs else ""
        envs = " ".join(f"--env {e}" for e in c.env_ids)
        lines.append(
            f"vla collect {envs} --episodes {c.episodes} --seed {c.seed} --workers {recipe.workers} "
            f"--out runs/recipes/{recipe.name}/data-{i} {kw}".rstrip()
        )
    t = recipe.train
    data = " ".join(
        f"--dataset runs/recipes/{recipe.name}/data-{i}" for i in range(len(recipe.collections))
    )
    flags = " ".join(
        f"--{k.replace('_', '-')} {v}"
        for k, v in t.items()
        if k not in ("config", "model_overrides")
    )
    flags += "".join(f" --set {item}" for item in _override_items(t))
    lines.append(
        f"vla train {data} --config {t['config']} {flags} --out runs/recipes/{recipe.name}/train"
    )
    envs = " ".join(f"--env {e}" for e in recipe.eval_env_ids)
    lines.append(
        f"vla eval --policy runs/recipes/{recipe.name}/train {envs} --episodes "
        f"{recipe.eval_episodes} --seed-start {recipe.eval_seed_start} --workers {recipe.workers}"
        + (f" --max-steps {recipe.eval_max_steps}" if recipe.eval_max_steps else "")
    )
    return "\n".join(lines)


def _override_items(train: dict[str, Any]) -> list[str]:
    """A recipe's preset overrides as ``KEY=JSON`` (the form ``vla train --set`` takes)."""
    return [f"{k}={json.dumps(v)}" for k, v in train.get("model_overrides", {}).items()]


def _overrides(train: dict[str, Any]) -> str:
    return ", ".join(f"`{item}`" for item in _override_items(train)) or "none"


def _training_facts(summary: dict[str, Any], stages: dict[str, Any]) -> str:
    """The bullet list of the card's Training section (steps, hardware, times, validation)."""
    hw = summary.get("hardware", {})
    val = {k: v for k, v in summary.get("final_metrics", {}).items() if k.startswith("val/")}
    collect_s = stages.get("collect", {}).get("seconds")
    return f"""\
- steps: {summary.get("steps")} ({summary.get("epochs", 0):.1f} epochs, {summary.get("samples")} samples)
- hardware: {hw.get("device")} ({hw.get("cpu_count")} cores, {hw.get("torch_threads")} torch thread(s)), {hw.get("platform")}; the machine was shared with other jobs, so times are upper bounds
- wall time: collection {collect_s} s, training {summary.get("wall_time_s")} s
- held-out validation (episodes never trained on): `{json.dumps(val)}`"""


def write_model_card(recipe: Any, dest: Path, stages: dict[str, Any]) -> Path:
    """Write ``dest/README.md`` for ``recipe`` from the records in ``dest`` and ``stages``."""
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
from vla import Policy
policy = Policy.from_pretrained("{recipe.name}")
```

## Model

`{recipe.train.get("config")}` preset: SigLIP-style vision tower ({cfg.get("vision_config", {}).get("image_size", "?")} px input)
and a Llama-style causal LM, trained from scratch; actions are tokens of the project's action
language (see docs/model.md). Preset overrides: {_overrides(recipe.train)}. Weights:
`model.safetensors` (fp32).

## Data

Scripted-expert demonstrations recorded with `vla collect` (successful episodes only); the
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
    path = dest / "README.md"
    path.write_text(text)
    return path
