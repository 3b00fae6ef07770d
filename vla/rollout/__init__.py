"""Episodes: an agent acting in an env, one episode at a time or batched over env copies.

* :mod:`vla.rollout.agents`: the one agent contract ``act(obs, info) -> Action`` (+
  ``reset()``); :class:`PolicyAgent` adapts a :class:`vla.Policy`; :func:`load_policy`.
* :mod:`vla.rollout.loop`: :func:`run_episode`, the single-episode loop (``vla run``,
  ``vla collect``, DAgger).
* :mod:`vla.rollout.vector`: :func:`run_episodes`, the batched loop over a gymnasium vector
  env (``vla eval``).
* :mod:`vla.rollout.records`: :class:`StepRecord` and :class:`Episode`, the records of both.
* :mod:`vla.rollout.live`: :class:`RunConfig` and :func:`run_live` (``vla run``).

Importing this package loads no torch and no env (numpy, for the still-screen check, it does).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from vla.rollout.agents import Agent, BatchAgent, PolicyAgent, load_policy
from vla.rollout.live import RunConfig, format_step, make_run_env, run_live
from vla.rollout.loop import DEFAULT_MAX_STEPS, run_episode
from vla.rollout.records import Episode, EpisodeResult, StepRecord

if TYPE_CHECKING:
    from vla.rollout.vector import RolloutResult, make_vector_env, run_episodes

__all__ = [
    "DEFAULT_MAX_STEPS",
    "Agent",
    "BatchAgent",
    "Episode",
    "EpisodeResult",
    "PolicyAgent",
    "RolloutResult",
    "RunConfig",
    "StepRecord",
    "format_step",
    "load_policy",
    "make_run_env",
    "make_vector_env",
    "run_episode",
    "run_episodes",
    "run_live",
]

_LAZY = {"RolloutResult", "make_vector_env", "run_episodes"}  # numpy and gymnasium.vector


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from vla.rollout import vector

        return getattr(vector, name)
    raise AttributeError(f"module 'vla.rollout' has no attribute {name!r}")
