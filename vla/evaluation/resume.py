"""An evaluation that survives its interruption: each finished task is saved under
``<out>/tasks/`` the moment it ends, so rerunning the same evaluation (same weights, seeds, step
cap, workers, env kwargs, chunk execution and replays) evaluates only the tasks still missing.
A 62-task browser evaluation takes over an hour on 2 cores; a crash in its last task no longer
costs the first 61.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from pathlib import Path
from typing import Any

from vla.evaluation.config import EvalConfig
from vla.evaluation.info import TaskSummary

__all__ = ["TASKS_DIR", "finished_tasks", "run_key", "save_task"]

#: The folder under an evaluation's ``out`` that holds one JSON file per finished task.
TASKS_DIR = "tasks"


def _weights_digest(policy: Any) -> str:
    """A digest of the policy's parameters (a scripted policy without a model: its class). A
    policy made of two (``FocusPolicy``: ``locator`` and ``actor``) digests both and its own
    plain settings (zooms, sizes, ``locate_once``)."""
    inner = [getattr(policy, name) for name in ("locator", "actor") if hasattr(policy, name)]
    if inner:
        plain = (int, float, str, bool, tuple, type(None))
        settings = {k: v for k, v in sorted(vars(policy).items()) if isinstance(v, plain)}
        h = hashlib.sha256(repr((type(policy).__qualname__, settings)).encode())
        for part in inner:
            h.update(_weights_digest(part).encode())
        return h.hexdigest()
    model = getattr(policy, "model", None)
    if model is None or not hasattr(model, "state_dict"):
        return type(policy).__qualname__
    h = hashlib.sha256()
    for name, tensor in model.state_dict().items():
        h.update(name.encode())
        h.update(tensor.detach().cpu().contiguous().view(-1).numpy().tobytes())
    return h.hexdigest()


def run_key(cfg: EvalConfig, policy: Any) -> str:
    """What makes two evaluations' per-task numbers interchangeable: the policy's weights and
    every setting an episode's outcome depends on."""
    settings = {
        "weights": _weights_digest(policy),
        "seeds": [cfg.seed_start, cfg.episodes],
        "max_steps": cfg.max_steps,
        "workers": cfg.workers,
        "replays": cfg.replays,
        "env_kwargs": cfg.env_kwargs,
        "execution": dataclasses.asdict(cfg.execution) if cfg.execution is not None else None,
        **({"still_waits": cfg.still_waits} if cfg.still_waits is not None else {}),
    }
    text = json.dumps(settings, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def _task_file(out: Path, env_id: str) -> Path:
    from vla.evaluation.report import safe_file_name

    return out / TASKS_DIR / f"{safe_file_name(env_id)}.json"


def save_task(out: Path, key: str, env_id: str, summary: TaskSummary) -> Path:
    """Save one finished task (written to a temporary file, then renamed: a crash mid-write
    leaves the previous file or none, never half of one)."""
    path = _task_file(out, env_id)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".json.tmp")
    record = {"key": key, "env_id": env_id, "summary": summary.to_dict()}
    tmp.write_text(json.dumps(record) + "\n")
    tmp.replace(path)
    return path


def finished_tasks(out: Path, key: str, env_ids: list[str]) -> dict[str, TaskSummary]:
    """The tasks of ``env_ids`` that an earlier run with the same ``key`` finished in ``out``.
    A file from other settings, or one that does not parse, is not used (it is overwritten
    when that task is evaluated again)."""
    done: dict[str, TaskSummary] = {}
    for env_id in env_ids:
        path = _task_file(out, env_id)
        try:
            record = json.loads(path.read_text())
        except (OSError, ValueError):
            continue
        if record.get("key") == key and record.get("env_id") == env_id:
            try:
                done[env_id] = TaskSummary.from_dict(record["summary"], str(path))
            except (KeyError, TypeError, ValueError):
                continue
    return done
