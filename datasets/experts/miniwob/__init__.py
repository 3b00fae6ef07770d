"""Scripted experts for the MiniWoB++ envs (``vla/miniwob-<task>-v0``).

Each submodule in :data:`_MODULES` defines ``EXPERTS = {"task-name": ExpertClass}``; an expert
class takes ``(env, **kwargs)``, has ``reset()`` and ``act(obs, info) -> Action`` and re-reads
the page from ``info`` (``elements``, ``utterance``, ``fields``) at every step, so it emits the
same pixel actions a model would: clicks at element centres in image pixels, typing, keys.
"""

from __future__ import annotations

import importlib
import re
from typing import Any

import gymnasium as gym

__all__ = ["EXPERTS", "has_expert", "make_miniwob_expert", "task_of"]

_MODULES = (
    "basic",
    "forms",
    "widgets",
    "visual",
    "navigation",
    "sequences",
    "drag",
    "scroll",
    "inbox",
)
_ID = re.compile(r"^vla/miniwob-(?P<task>.+)-v\d+$")


def _collect() -> dict[str, type]:
    experts: dict[str, type] = {}
    for name in _MODULES:
        full = f"{__name__}.{name}"
        try:
            module = importlib.import_module(full)
        except ModuleNotFoundError as e:
            if e.name == full:  # that submodule is not written yet
                continue
            raise
        experts.update(module.EXPERTS)
    return experts


#: task name -> expert class, merged from the submodules.
EXPERTS: dict[str, type] = _collect()


def task_of(env_id: str) -> str:
    """``"vla/miniwob-click-test-v0"`` -> ``"click-test"``; ValueError for other ids."""
    m = _ID.match(env_id)
    if m is None:
        raise ValueError(f"not a MiniWoB env id (vla/miniwob-<task>-v<N>): {env_id!r}")
    return m.group("task")


def has_expert(env_id: str) -> bool:
    """Whether a scripted expert exists for this MiniWoB env id."""
    try:
        return task_of(env_id) in EXPERTS
    except ValueError:
        return False


def make_miniwob_expert(env: gym.Env, **kwargs: Any) -> Any:
    """The expert for ``env`` (made with ``gymnasium.make("vla/miniwob-<task>-v0")``)."""
    spec = getattr(env, "spec", None) or env.unwrapped.spec
    task = task_of(spec.id)
    if task not in EXPERTS:
        raise ValueError(
            f"no scripted expert for MiniWoB task {task!r}; tasks with one: {sorted(EXPERTS)}"
        )
    return EXPERTS[task](env, **kwargs)
