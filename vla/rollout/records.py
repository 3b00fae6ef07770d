"""The records of an episode, the same for ``vla run``, ``vla eval`` and ``vla collect``."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.actions import Action

__all__ = ["Episode", "EpisodeResult", "StepRecord"]


@dataclass
class StepRecord:
    """One step as it happened.

    Attributes:
        t: the step number, from 1.
        obs: the observation the agent acted on (``image`` uint8[H, W, 3], ``instruction``,
            optional ``state``), with the run's instruction override applied.
        action: what the agent chose.
        reward, terminated, truncated: what ``env.step`` returned; ``truncated`` is also True
            on the step that reached the loop's ``max_steps`` without the env ending it.
        info: the env's info after the step (``info["is_success"]``, ``info["error"]``...).
        act_s, step_s: seconds spent choosing the action and executing it.
    """

    t: int
    obs: dict[str, Any]
    action: Action
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]
    act_s: float
    step_s: float


@dataclass
class Episode:
    """One episode, finished or in flight.

    Attributes:
        seed: the reset seed (None: unseeded).
        instruction: what the agent read (the override, or the env's first instruction).
        success: ``info["is_success"]`` after the last step.
        length: steps taken (``steps`` is the same number).
        total_reward: the sum of the step rewards.
        terminated, truncated: how it ended; ``truncated`` includes reaching ``max_steps``.
        interrupted: True when Ctrl+C stopped it.
        actions: one per step.
        frames: uint8[H, W, 3] images kept for replays: ``frames[t]`` is what the agent saw
            before ``actions[t]``, plus the final observation (empty unless asked for); several
            camera views side by side (:func:`vla.render.views_frame`).
        errors: ``"step t: <info['error']>"`` for each step whose action failed.
        act_s, step_s: per-step seconds to choose and to execute each action.
        record_path: the GIF / MP4 written for the episode, if any.
    """

    seed: int | None = None
    instruction: str = ""
    success: bool = False
    length: int = 0
    total_reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    interrupted: bool = False
    actions: list[Action] = field(default_factory=list)
    frames: list[Any] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    act_s: list[float] = field(default_factory=list)
    step_s: list[float] = field(default_factory=list)
    record_path: Path | None = None

    @property
    def steps(self) -> int:
        """Steps taken (the same as ``length``; the name ``vla run`` users know)."""
        return self.length

    def add(self, step: StepRecord) -> None:
        """Account for one step (``errors`` get the step number prepended)."""
        self.length = step.t
        self.total_reward += step.reward
        self.actions.append(step.action)
        self.act_s.append(step.act_s)
        self.step_s.append(step.step_s)
        self.success = bool(step.info.get("is_success", False))
        self.terminated, self.truncated = step.terminated, step.truncated
        if step.info.get("error"):
            self.errors.append(f"step {step.t}: {step.info['error']}")


#: The name :func:`vla.rollout.run_episode` results had before the records were unified.
EpisodeResult = Episode
