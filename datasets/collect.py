"""Parallel collection of scripted-expert demonstrations: the library behind ``vla collect``.

Seeds: attempt ``k`` of an env (k = 0, 1, ...) resets it with ``seed + k``. With
``keep_failures=False`` (the default) failed attempts are skipped and attempts continue until
``episodes`` successes are recorded, so the recorded seeds are the successful ones among the
shortest prefix ``seed, seed + 1, ...`` holding that many (whatever the worker timing). With
``keep_failures=True`` episode ``k`` is exactly seed ``seed + k``, success or not (flagged by
``success`` in ``meta/vla/episodes.jsonl``). Every recorded seed is in ``meta/vla/episodes.jsonl``;
``meta/info.json["envs"][env_id]`` holds the seed range tried and the failed seeds, so an
evaluation can pick disjoint seeds.

Rerunning the same call resumes: seeds already recorded (or failed) are skipped.
"""

from __future__ import annotations

import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from vla.datasets.writer import DatasetWriter
from vla.rollout.loop import DEFAULT_MAX_STEPS

__all__ = ["CollectConfig", "CollectResult", "collect"]


@dataclass
class CollectConfig:
    """What ``collect`` records. ``episodes`` is per env (successes unless ``keep_failures``).

    ``env_ids``: gymnasium ids or ``"module:Class"`` / ``"module:factory"`` (see
    :func:`vla.envs.make`). ``expert``: ``"module:callable"``, called as
    ``callable(env, **expert_kwargs)`` and returning an object with ``act(obs, info)`` (and
    optionally ``reset()``); None uses :func:`vla.datasets.make_expert`. ``workers``: worker
    processes (0 runs in this process). ``max_steps``: steps after which an episode is
    truncated if the env has not ended it. ``max_attempts``: seeds tried per env before giving
    up (default ``2 * episodes + 10``). ``max_file_mb``: size of a data file. ``video``: store
    every camera as MP4 video in LeRobot's ``videos/`` layout (lossless H.264,
    :mod:`vla.datasets.video`; needs the ``video`` extra) instead of PNG in the data files.

    DAgger (:mod:`vla.datasets.dagger`): with ``policy`` (a checkpoint folder, a shipped name or
    a ``ws://`` policy server) the policy drives and the expert labels every visited state; the
    env executes the expert's action instead with probability ``beta``. ``device``: the
    policy's torch device. ``execution`` (``vla eval --execution`` text: ``receding:4``,
    ``ensemble`` ...) runs a chunked robot policy's chunks as it will act. ``threads``: torch
    CPU threads of the policy in each worker (0: torch's default, one per core): 1 leaves the
    other cores to the envs, as ``vla eval --threads`` does (two workers whose policies each
    ran two threads beside their browsers on 2 cores took 3x as long). DAgger keeps every
    episode (``keep_failures`` is set): the policy's failures are the states it needs labels
    for. A policy that reads camera views (a two-camera checkpoint, local or served) is rolled
    out with those cameras unless ``env_kwargs`` names a camera
    (:func:`vla.rollout.agents.camera_kwargs`).
    """

    env_ids: list[str]
    episodes: int
    out: str | Path
    workers: int = 2
    seed: int = 0
    keep_failures: bool = False
    expert: str | None = None
    env_kwargs: dict[str, Any] = field(default_factory=dict)
    expert_kwargs: dict[str, Any] = field(default_factory=dict)
    max_steps: int = DEFAULT_MAX_STEPS
    max_attempts: int | None = None
    max_file_mb: float = 64.0
    max_errors: int = 10
    progress: bool = True
    policy: str | None = None
    beta: float = 0.0
    device: str | None = None
    execution: str | None = None
    threads: int = 1
    video: bool = False

    def __post_init__(self) -> None:
        if isinstance(self.env_ids, str):
            self.env_ids = [self.env_ids]
        if not self.env_ids or len(set(self.env_ids)) != len(self.env_ids):
            raise ValueError(f"`env_ids` must be non-empty and unique; got {self.env_ids!r}")
        for name in ("episodes", "max_steps", "max_file_mb"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be > 0")
        for name in ("workers", "threads"):
            if getattr(self, name) < 0:
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be >= 0")
        if not 0.0 <= self.beta <= 1.0:
            raise ValueError(f"Got {self.beta!r} for `beta`; it must be in [0, 1]")
        if self.beta and self.policy is None:
            raise ValueError(f"Got beta={self.beta!r} without `policy`; beta applies to DAgger")
        if self.execution is not None:
            from vla.rollout.chunk_execution import parse_execution

            if self.policy is None:
                raise ValueError(
                    f"Got execution={self.execution!r} without `policy`; it applies to DAgger"
                )
            parse_execution(self.execution)  # a bad text fails here, not in every worker
        if self.policy is not None:
            self.keep_failures = True
        if self.max_attempts is None:
            self.max_attempts = self.episodes if self.keep_failures else 2 * self.episodes + 10
        if self.max_attempts < self.episodes:
            raise ValueError(
                f"Got {self.max_attempts} for `max_attempts`; it must be >= episodes ({self.episodes})"
            )
        if self.expert is not None and ":" not in self.expert:
            raise ValueError(f"`expert` must look like 'module:callable'; got {self.expert!r}")


@dataclass
class CollectResult:
    """Counts of one ``collect`` call (this run only; the dataset may hold earlier episodes)."""

    out: Path
    recorded: int = 0
    successes: int = 0
    attempts: int = 0
    errors: int = 0
    seconds: float = 0.0
    total_episodes: int = 0
    per_env: dict[str, dict[str, int]] = field(default_factory=dict)
    #: env id -> episodes still missing after ``max_attempts`` seeds (empty when complete)
    shortfall: dict[str, int] = field(default_factory=dict)


# ----------------------------------------------------------------------- scheduling


@dataclass
class _EnvPlan:
    env_id: str
    base: int
    target: int
    limit: int
    skip: set[int]
    kept: int
    next_k: int = 0
    inflight: int = 0

    def next_seed(self) -> int | None:
        """The next seed to try, or None when enough are done or in flight."""
        if self.kept + self.inflight >= self.target:  # (failures count as kept if kept)
            return None
        while self.next_k < self.limit and self.base + self.next_k in self.skip:
            self.next_k += 1
        if self.next_k >= self.limit:
            return None
        self.next_k += 1
        return self.base + self.next_k - 1


def _plan(cfg: CollectConfig, writer: DatasetWriter) -> list[_EnvPlan]:
    stored = writer.collection
    if "keep_failures" in stored and stored["keep_failures"] != cfg.keep_failures:
        raise ValueError(
            f"{cfg.out} was collected with keep_failures={stored.get('keep_failures')}; "
            f"got keep_failures={cfg.keep_failures}. Use the same setting or another --out"
        )
    dagger = {"policy": cfg.policy, "beta": cfg.beta} if cfg.policy is not None else None
    if cfg.execution is not None:
        dagger = (dagger or {}) | {"execution": cfg.execution}
    if "dagger" in stored and stored["dagger"] != dagger:
        raise ValueError(
            f"{cfg.out} was collected with dagger={stored['dagger']}; got dagger={dagger}. "
            "Use the same --policy/--beta/--execution or another --out (and `vla dataset merge` them)"
        )
    writer.collection |= {"keep_failures": cfg.keep_failures, "max_steps": cfg.max_steps}
    writer.collection |= {"dagger": dagger}
    plans = []
    for env_id in cfg.env_ids:
        meta = writer.envs.setdefault(env_id, {})
        if meta.get("seed_base", cfg.seed) != cfg.seed:
            raise ValueError(
                f"{cfg.out} holds {env_id!r} collected from seed {meta['seed_base']}; got "
                f"seed={cfg.seed}. Resume with the same seed or write to another --out"
            )
        _check_same_kwargs(cfg, env_id, meta)
        meta |= {"seed_base": cfg.seed, "expert": cfg.expert or "vla.datasets.make_expert"}
        meta |= {"env_kwargs": cfg.env_kwargs, "expert_kwargs": cfg.expert_kwargs}
        kept, failed = writer.done(env_id)
        kept = {s for s in kept if s >= cfg.seed}
        skip = kept | failed
        plans.append(_EnvPlan(env_id, cfg.seed, cfg.episodes, cfg.max_attempts, skip, len(kept)))
    return plans


def _check_same_kwargs(cfg: CollectConfig, env_id: str, meta: dict[str, Any]) -> None:
    """A resumed collection must build its env (and expert) as the recorded episodes were
    built: other kwargs (e.g. another image size) would mix two kinds of episode."""
    for name, flag in (("env_kwargs", "--env-kwargs"), ("expert_kwargs", "--expert-kwargs")):
        if name not in meta:
            continue
        old, new = meta[name], json.loads(json.dumps(getattr(cfg, name)))  # as stored
        if old == new:
            continue
        keys = sorted(set(old) | set(new), key=str)
        diff = ", ".join(
            f"{k}: {old.get(k, '(unset)')!r} in the dataset, {new.get(k, '(unset)')!r} now"
            for k in keys
            if old.get(k, _UNSET) != new.get(k, _UNSET)
        )
        raise ValueError(
            f"{cfg.out} holds {env_id!r} episodes collected with other {flag} ({diff}); "
            f"resume with {flag} '{json.dumps(old)}' or write to another --out"
        )


_UNSET = object()


def collect(cfg: CollectConfig) -> CollectResult:
    """Record ``cfg.episodes`` expert episodes per env into ``cfg.out`` (resumable)."""
    from tqdm import tqdm

    from vla.datasets.workers import InlineExecutor, worker_init

    if cfg.policy is not None:
        cfg = _with_policy_cameras(cfg)
    out = Path(cfg.out)
    result = CollectResult(out=out)
    start = time.perf_counter()
    if cfg.video:
        from vla.datasets.video import require_av

        require_av()  # fail before any episode runs
    with DatasetWriter(out, max_file_mb=cfg.max_file_mb, video=cfg.video) as writer:
        plans = _plan(cfg, writer)
        total = sum(p.target for p in plans)
        done0 = sum(min(p.kept, p.target) for p in plans)
        bar = tqdm(total=total, initial=done0, unit="ep", disable=not cfg.progress, smoothing=0)
        base_job = {"env_kwargs": cfg.env_kwargs, "expert": cfg.expert}
        base_job |= {"expert_kwargs": cfg.expert_kwargs, "max_steps": cfg.max_steps}
        base_job |= {"policy": cfg.policy, "beta": cfg.beta, "device": cfg.device}
        base_job |= {"execution": cfg.execution, "threads": cfg.threads}
        executor: Any
        if cfg.workers == 0:
            executor = InlineExecutor()
        else:
            import multiprocessing

            # spawn: workers inherit no file descriptors (the dataset lock) and no threads.
            ctx = multiprocessing.get_context("spawn")
            executor = ProcessPoolExecutor(
                cfg.workers, mp_context=ctx, initializer=worker_init, initargs=(os.getpid(),)
            )
        with executor:
            _drive(cfg, executor, writer, plans, base_job, bar, result)
        bar.close()
        result.shortfall = {p.env_id: p.target - p.kept for p in plans if p.kept < p.target}
        result.total_episodes = len(writer.episodes) + len(writer.staged)
    result.seconds = time.perf_counter() - start
    return result


def _with_policy_cameras(cfg: CollectConfig) -> CollectConfig:
    """``cfg`` with the DAgger policy's cameras in ``env_kwargs`` (:func:`camera_kwargs`)."""
    if "cameras" in cfg.env_kwargs or "camera" in cfg.env_kwargs:
        return cfg
    from vla.rollout.agents import camera_kwargs, load_policy

    policy = load_policy(cfg.policy, device="cpu")  # type: ignore[arg-type]
    try:
        return replace(cfg, env_kwargs=camera_kwargs(policy, cfg.env_kwargs))
    finally:
        getattr(policy, "close", lambda: None)()  # a served policy's connection


def _drive(
    cfg: CollectConfig,
    executor: Any,
    writer: DatasetWriter,
    plans: list[_EnvPlan],
    base_job: dict[str, Any],
    bar: Any,
    result: CollectResult,
) -> None:
    from vla.datasets.workers import episode_task

    futures: dict[Future, _EnvPlan] = {}
    slots = max(cfg.workers, 1)
    last_error = ""
    while True:
        for plan in plans:
            while len(futures) < slots:
                seed = plan.next_seed()
                if seed is None:
                    break
                plan.inflight += 1
                job = base_job | {"env_id": plan.env_id, "seed": seed}
                futures[executor.submit(episode_task, job)] = plan
        if not futures:
            return
        finished, _ = wait(list(futures), return_when=FIRST_COMPLETED)
        for future in finished:
            plan = futures.pop(future)
            plan.inflight -= 1
            record = future.result()
            counts = result.per_env.setdefault(plan.env_id, {"recorded": 0, "successes": 0})
            result.attempts += 1
            if isinstance(record, str):
                result.errors += 1
                last_error = record
                bar.write(f"episode failed with an error: {record.splitlines()[0]}")
                if result.errors >= cfg.max_errors:
                    raise RuntimeError(f"{result.errors} episodes raised; the last:\n{last_error}")
                continue
            keep = record.success or cfg.keep_failures
            writer.add(record, keep=keep)
            result.successes += record.success
            counts["successes"] += record.success
            if keep:
                plan.kept += 1
                result.recorded += 1
                counts["recorded"] += 1
                bar.update(1)
            # the env of the latest episode: DAgger's success is the policy's, and differs by env
            env = plan.env_id.removeprefix("vla/")
            bar.set_postfix(env=env, success=f"{result.successes}/{result.attempts}")
