"""Executing action chunks: a policy that predicts the next ``k`` actions at once
(``Policy.act_chunk``; a model trained with ``chunk_size = k``) need not be asked every step.

:class:`ChunkExecution` says how :class:`~vla.rollout.agents.PolicyAgent` turns chunks into
one action per step:

* ``"first"``: ask every step and execute the first action of each chunk (what ``act`` does);
* ``"receding"``: receding horizon; execute the first ``horizon`` actions of a chunk, then ask
  again (``horizon = k`` runs whole chunks open loop);
* ``"ensemble"``: temporal ensembling (ACT, Zhao et al. 2023, arXiv:2304.13705); ask every
  step and execute the weighted mean of every chunk's prediction for the current step, with
  weight ``exp(-decay * i)`` where ``i = 0`` is the oldest prediction. Robot actions only.

No numpy here: :mod:`vla.rollout` stays free of heavy imports.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass

from vla.actions import Action, EEDelta, JointTarget, RobotSpace

__all__ = ["EXECUTION_MODES", "ChunkExecution", "ChunkExecutor", "parse_execution"]

EXECUTION_MODES = ("first", "receding", "ensemble")


@dataclass(frozen=True)
class ChunkExecution:
    """How an agent executes chunks (see the module doc).

    Args:
        mode: ``"first"``, ``"receding"`` or ``"ensemble"``.
        horizon: ``"receding"``: actions executed from each chunk before the policy is asked
            again; 1 <= horizon <= the chunk's length (checked when the first chunk comes).
        decay: ``"ensemble"``: ACT's ``m`` (0.01 in ACT); 0 weighs every prediction equally,
            a larger value favours the older predictions (smoother, slower to react).
    """

    mode: str = "first"
    horizon: int = 1
    decay: float = 0.01

    def __post_init__(self) -> None:
        if self.mode not in EXECUTION_MODES:
            raise ValueError(f"Got {self.mode!r} for `mode`; it must be one of {EXECUTION_MODES}")
        if isinstance(self.horizon, bool) or not isinstance(self.horizon, int) or self.horizon < 1:
            raise ValueError(f"Got {self.horizon!r} for `horizon`; it must be an int >= 1")
        if not (isinstance(self.decay, (int, float)) and math.isfinite(self.decay)) or (
            self.decay < 0
        ):
            raise ValueError(f"Got {self.decay!r} for `decay`; it must be a finite float >= 0")


def parse_execution(text: str) -> ChunkExecution:
    """``"first"``, ``"receding:H"`` or ``"ensemble[:DECAY]"`` (the ``--execution`` flag) ->
    a :class:`ChunkExecution`; a ``ValueError`` naming the accepted forms otherwise."""
    mode, _, arg = text.partition(":")
    forms = "'first', 'receding:H' (H actions of each chunk) or 'ensemble[:DECAY]'"
    try:
        if mode == "receding" and arg:
            return ChunkExecution("receding", horizon=int(arg))
        if mode == "ensemble":
            return ChunkExecution("ensemble", decay=float(arg)) if arg else ChunkExecution(mode)
        if mode == "first" and not arg:
            return ChunkExecution("first")
    except ValueError as e:
        raise ValueError(f"Got {text!r} for `execution` ({e}); use {forms}") from None
    raise ValueError(f"Got {text!r} for `execution`; use {forms}")


class ChunkExecutor:
    """The per-episode state of a :class:`ChunkExecution`: :meth:`step` is called once per env
    step with a function that asks the policy for a chunk, and returns the action to execute."""

    def __init__(self, cfg: ChunkExecution) -> None:
        self.cfg = cfg
        self.queries = 0  # chunks asked for since the last reset
        self.reset()

    def reset(self) -> None:
        """Forget every chunk (a new episode)."""
        self._t = 0
        self._queue: list[Action] = []
        self._chunks: list[tuple[int, list[Action]]] = []  # (step it was asked at, chunk)
        self.queries = 0

    def needs_chunk(self) -> bool:
        """Whether the next :meth:`step` asks the policy (receding horizon: when the executed
        part of the last chunk is used up; the other modes: every step)."""
        return self.cfg.mode != "receding" or not self._queue

    def step(self, ask: Callable[[], list[Action]]) -> Action:
        """The action for the current step; ``ask()`` returns a chunk (a non-empty list)."""
        mode, t = self.cfg.mode, self._t
        self._t += 1
        if mode == "receding":
            if not self._queue:
                chunk = self._ask(ask)
                if self.cfg.horizon > len(chunk):
                    raise ValueError(
                        f"ChunkExecution.horizon={self.cfg.horizon} exceeds the policy's chunk "
                        f"of {len(chunk)} action(s)"
                    )
                self._queue = list(chunk[: self.cfg.horizon])
            return self._queue.pop(0)
        chunk = self._ask(ask)
        if mode == "first":
            return chunk[0]
        self._chunks = [(t0, c) for t0, c in self._chunks if t - t0 < len(c)]
        self._chunks.append((t, chunk))
        return self._ensemble([c[t - t0] for t0, c in self._chunks])

    def _ask(self, ask: Callable[[], list[Action]]) -> list[Action]:
        chunk = list(ask())
        if not chunk:
            raise ValueError("the policy returned an empty chunk")
        self.queries += 1
        return chunk

    def _ensemble(self, predictions: list[Action]) -> Action:
        """Weighted mean of the predictions for one step, oldest first (weight exp(-m i))."""
        space = _robot_space(predictions[0])
        if any(_robot_space(a) != space for a in predictions):
            raise ValueError(f"cannot average different robot actions: {predictions!r}")
        weights = [math.exp(-self.cfg.decay * i) for i in range(len(predictions))]
        total = sum(weights)
        vectors = [a.vector for a in predictions if isinstance(a, (EEDelta, JointTarget))]
        mean = [
            sum(w * v[d] for w, v in zip(weights, vectors, strict=True)) / total
            for d in range(space.dims)
        ]
        return space.from_vector(mean)


def _robot_space(action: Action) -> RobotSpace:
    if isinstance(action, EEDelta):
        return RobotSpace("ee_delta")
    if isinstance(action, JointTarget):
        return RobotSpace("joint_target", len(action.positions))
    raise ValueError(
        f"temporal ensembling averages robot actions (EEDelta, JointTarget); got {action!r}"
    )
