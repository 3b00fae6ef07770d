"""Scripted experts: oracles that read privileged ``info`` and emit the same typed actions a
model would. ``make_expert(env)`` finds the expert for an env by its gymnasium id."""

from __future__ import annotations

import importlib
from typing import Any, Protocol, runtime_checkable

import gymnasium as gym

from vla.actions import Action

__all__ = ["Expert", "has_expert", "make_expert", "register_expert"]


@runtime_checkable
class Expert(Protocol):
    """A scripted policy. ``act`` sees the observation *and* the privileged ``info``."""

    def reset(self) -> None:
        """Forget the previous episode (called after every ``env.reset``)."""

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        """Return the next action for the current step."""
        ...


# (id prefix, "module:factory"); factory(env, **kwargs) -> Expert. Longest prefix wins.
_REGISTRY: dict[str, str] = {
    "vla/miniwob-": "vla.datasets.experts.miniwob:make_miniwob_expert",
    "vla/panda-": "vla.datasets.experts.panda:make_panda_expert",
    "vla/desktop-": "vla.datasets.experts.desktop:make_desktop_expert",
    "vla/desktop-miniwob-": "vla.datasets.experts.desktop:make_desktop_suite_expert",
    "vla/desktop-locate-miniwob-": "vla.datasets.experts.desktop:make_desktop_locate_expert",
    "vla/desktop-page-miniwob-": "vla.datasets.experts.desktop:make_desktop_page_expert",
}


def register_expert(id_prefix: str, entry_point: str) -> None:
    """Register ``"module:factory"`` as the expert for env ids starting with ``id_prefix``."""
    if ":" not in entry_point:
        raise ValueError(f"entry_point must look like 'module:factory'; got {entry_point!r}")
    _REGISTRY[id_prefix] = entry_point


def _env_id(env: gym.Env) -> str:
    spec = getattr(env, "spec", None) or getattr(env.unwrapped, "spec", None)
    if spec is None:
        raise ValueError(
            "make_expert needs an env made with gymnasium.make (its spec names the task); "
            f"got {type(env.unwrapped).__name__} without a spec"
        )
    return spec.id


def expert_entry_point(env_id: str) -> str | None:
    """The registered ``"module:factory"`` for ``env_id``, or None."""
    matches = [p for p in _REGISTRY if env_id.startswith(p)]
    return _REGISTRY[max(matches, key=len)] if matches else None


def make_expert(env: gym.Env, **kwargs: Any) -> Expert:
    """The scripted expert for ``env`` (made with ``gymnasium.make``).

    Keyword arguments (e.g. ``noise=0.1, seed=0`` for robot experts) go to the factory.
    Raises ``ValueError`` when no expert exists for the env's id.
    """
    env_id = _env_id(env)
    entry = expert_entry_point(env_id)
    if entry is None:
        raise ValueError(f"no scripted expert is registered for {env_id!r}")
    module, attr = entry.split(":")
    return getattr(importlib.import_module(module), attr)(env, **kwargs)


def has_expert(env_id: str) -> bool:
    """Whether ``make_expert`` supports ``env_id``. An expert module may narrow its prefix
    with its own ``has_expert(env_id)``."""
    entry = expert_entry_point(env_id)
    if entry is None:
        return False
    try:
        module = importlib.import_module(entry.split(":")[0])
    except ModuleNotFoundError:
        return False
    check = getattr(module, "has_expert", None)
    return bool(check(env_id)) if check else True
