"""What happened in each evaluated episode: its outcome, why it failed, and its actions.

These are the ``per_episode`` entries of ``eval_info.json`` (schema in docs/evaluation.md).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any

__all__ = ["EpisodeOutcome", "failure_reason"]


def failure_reason(ep: Any, max_steps: int | None) -> str | None:
    """Why an episode (:class:`vla.rollout.Episode`) failed, in words; None when it succeeded.

    In order: stopped by Ctrl+C; ended at the loop's step cap ``max_steps``; truncated by the
    env's own time limit; terminated without success; ended otherwise. Failed actions (the
    env's ``info["error"]``: a refused or impossible action) are appended with the last one.
    """
    if ep.success:
        return None
    if ep.interrupted:
        reason = "interrupted (Ctrl+C)"
    elif ep.truncated and max_steps is not None and ep.length >= max_steps:
        reason = f"truncated at the step cap ({max_steps} steps)"
    elif ep.truncated:
        reason = f"truncated by the env's time limit after {ep.length} steps"
    elif ep.terminated:
        reason = f"terminated without success after {ep.length} steps"
    else:
        reason = f"ended without success after {ep.length} steps"
    if ep.errors:
        n = len(ep.errors)
        reason += f"; {n} env error{'s' if n > 1 else ''}, last: {ep.errors[-1]}"
    return reason


@dataclass
class EpisodeOutcome:
    """One evaluated episode: its seed, outcome, length (steps), total reward, ``failure``
    (:func:`failure_reason`; None for a success) and ``actions``, one short line per step
    (:func:`vla.rollout.live.format_action`: pixels for UI, cm or mm and degrees for robots)."""

    seed: int | None
    success: bool
    length: int
    reward: float
    failure: str | None
    actions: list[str]

    @classmethod
    def from_episode(cls, ep: Any, max_steps: int | None) -> EpisodeOutcome:
        from vla.rollout.live import format_action

        return cls(
            seed=ep.seed,
            success=bool(ep.success),
            length=ep.length,
            reward=round(float(ep.total_reward), 4),
            failure=failure_reason(ep, max_steps),
            actions=[format_action(a) for a in ep.actions],
        )

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "episode") -> EpisodeOutcome:
        if not isinstance(d, dict):
            raise ValueError(f"{where} must be a JSON object; got {type(d).__name__}")
        missing = [f.name for f in fields(cls) if f.name not in d]
        if missing:
            raise ValueError(f"{where} is missing `{missing[0]}`")
        return cls(**{f.name: d[f.name] for f in fields(cls)})

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in fields(self)}
