"""The typed configuration of a closed-loop evaluation (what ``vla eval`` parses into)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from vla.rollout.chunk_execution import ChunkExecution
from vla.rollout.loop import DEFAULT_MAX_STEPS
from vla.rollout.still_waits import check_still_waits

__all__ = ["DEFAULT_SEED_START", "EvalConfig"]

#: Default first evaluation seed: far above the seeds ``vla collect`` uses by default (0, 1, ...).
DEFAULT_SEED_START = 100_000


@dataclass
class EvalConfig:
    """Everything :func:`vla.evaluation.closed_loop` needs; it checks itself on construction.

    Episode ``k`` of every env uses seed ``seed_start + k`` (k = 0 .. episodes-1). These seeds
    must be disjoint from the seeds that produced the policy's training data (recorded in the
    checkpoint's ``training_data.json``); an overlap is an error unless ``allow_seed_overlap``.

    Attributes:
        policy: a checkpoint folder or the name of a shipped checkpoint.
        env_ids: gymnasium ids (``vla/miniwob-click-test-v0``, ``vla/panda-reach-v0``, ...).
        workers: env copies stepped in parallel (a vector env); the policy acts on all of them
            in one batch. 1 runs the env in this process.
        max_steps: a cap on steps per episode on top of the env's own limit (None: the env's
            only). The default, 500, is ``vla collect``'s: a user's env may never truncate.
        replays: GIF replays kept per task and outcome (successes and failures each).
        out: folder for ``eval_info.json``, ``report.html`` and the GIFs (None: write nothing).
        device: torch device for the policy (None: CUDA if available, else CPU).
        env_kwargs: keyword arguments for ``gymnasium.make`` of every env. A policy that reads
            camera views adds its cameras when these name none
            (:func:`vla.rollout.agents.camera_kwargs`).
        threads: torch CPU threads for the policy (0: torch's default). 1 is the default
            because the env workers need the other cores, and a loaded machine makes torch's
            threads spin against each other (measured: 27 ms vs 500 ms per robot action).
        execution: how a chunked robot policy's chunks are executed (receding horizon or
            temporal ensembling, :class:`~vla.rollout.chunk_execution.ChunkExecution`); None:
            the checkpoint's own (``VLAConfig.execution``) if it names one, else the policy is
            asked every step.
        still_waits: UI policies: after that many waits in a row at an unchanged screen, the
            next action is the policy's best that is not a wait
            (:class:`~vla.rollout.still_waits.StillWaits`); None: never overridden.
        resume: reuse the tasks that an interrupted evaluation with the same weights and
            settings finished in ``out`` (``out/tasks/``); False evaluates every task again.
    """

    policy: str
    env_ids: list[str] = field(default_factory=list)
    episodes: int = 100
    seed_start: int = DEFAULT_SEED_START
    workers: int = 1
    max_steps: int | None = DEFAULT_MAX_STEPS
    replays: int = 2
    out: str | None = "runs/eval"
    device: str | None = None
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    allow_seed_overlap: bool = False
    threads: int = 1
    progress: bool = True
    execution: ChunkExecution | None = None
    still_waits: int | None = None
    resume: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.env_ids, str):
            self.env_ids = [self.env_ids]
        self.env_ids = list(self.env_ids)
        if not self.env_ids:
            raise ValueError("EvalConfig.env_ids must name at least one env; got []")
        if len(set(self.env_ids)) != len(self.env_ids):
            raise ValueError(f"EvalConfig.env_ids repeats an env: {self.env_ids}")
        for name in ("episodes", "workers"):
            value = getattr(self, name)
            if not isinstance(value, int) or value < 1:
                raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= 1")
        if not isinstance(self.seed_start, int) or self.seed_start < 0:
            raise ValueError(f"Got {self.seed_start!r} for `seed_start`; it must be an int >= 0")
        if self.max_steps is not None and (
            not isinstance(self.max_steps, int) or self.max_steps < 1
        ):
            raise ValueError(f"Got {self.max_steps!r} for `max_steps`; it must be an int >= 1")
        if not isinstance(self.threads, int) or self.threads < 0:
            raise ValueError(f"Got {self.threads!r} for `threads`; it must be an int >= 0")
        if not isinstance(self.replays, int) or self.replays < 0:
            raise ValueError(f"Got {self.replays!r} for `replays`; it must be an int >= 0")
        check_still_waits(self.still_waits)

    @property
    def seeds(self) -> range:
        """The evaluation seeds used for every env."""
        return range(self.seed_start, self.seed_start + self.episodes)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)
