"""Former home of the batched loop, now :mod:`vla.rollout.vector`; these names stay
importable from here."""

from __future__ import annotations

from vla.rollout.records import Episode
from vla.rollout.vector import RolloutResult, make_vector_env, run_episodes

__all__ = ["Episode", "RolloutResult", "make_vector_env", "run_episodes"]
