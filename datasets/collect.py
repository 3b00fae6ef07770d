"""Parallel collection of scripted-expert demonstrations: the library behind ``vla collect``.

Seeds: attempt ``k`` of an env (k = 0, 1, ...) resets it with ``seed + k``. With
``keep_failures=False`` (the default) failed attempts are skipped and attempts continue until
``episodes`` successes are recorded, so the recorded seeds are the successful ones among the
shortest prefix ``seed, seed + 1, ...`` holding that many (whatever the worker timing). With
``keep_failures=True`` episode ``k`` is exactly seed ``seed + k``, success or not (flagged by
the ``success`` column). Every recorded seed is in the data and ``meta/episodes.jsonl``;
``meta/info.json["envs"][env_id]`` holds the seed range tried and the failed seeds, so an
evaluation can pick disjoint seeds.

Rerunning the same call resumes: seeds already recorded (or failed) are skipped.
"""

from __future__ import annotations

import atexit
import importlib
import json
import os
import time
from concurrent.futures import FIRST_COMPLETED, Future, ProcessPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.datasets.writer import DatasetWriter, EpisodeRecord, build_episode

__all__ = [
    "CollectConfig",
    "CollectResult",
    "ContractWrapper",
    "check_observation",
    "collect",
    "make_env",
    "run_episode",
]


@dataclass
class CollectConfig:
    """What ``collect`` records. ``episodes`` is per env (successes unless ``keep_failures``).

    ``env_ids``: gymnasium ids or ``"module:Class"`` / ``"module:factory"`` (see
    :func:`vla.datasets.make_env`). ``expert``: ``"module:callable"``, called as
    ``callable(env, **expert_kwargs)`` and returning an object with ``act(obs, info)`` (and
    optionally ``reset()``); None uses :func:`vla.datasets.make_expert`. ``workers``: worker
    processes (0 runs in this process). ``max_steps``: steps after which an episode is
    truncated if the env has not ended it. ``max_attempts``: seeds tried per env before giving
    up (default ``2 * episodes + 10``). ``max_file_mb``: size of a data file.
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
    max_steps: int = 500
    max_attempts: int | None = None
    max_file_mb: float = 64.0
    max_errors: int = 10
    progress: bool = True

    def __post_init__(self) -> None:
        if isinstance(self.env_ids, str):
            self.env_ids = [self.env_ids]
        if not self.env_ids or len(set(self.env_ids)) != len(self.env_ids):
            raise ValueError(f"`env_ids` must be non-empty and unique; got {self.env_ids!r}")
        for name in ("episodes", "max_steps", "max_file_mb"):
            if getattr(self, name) <= 0:
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be > 0")
        if self.workers < 0:
            raise ValueError(f"Got {self.workers!r} for `workers`; it must be >= 0")
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


# ----------------------------------------------------------------------- envs


def resolve_callable(spec: str) -> Any:
    """The object named by ``"module:attr"`` (``attr`` may be dotted)."""
    module, _, attr = spec.partition(":")
    if not module or not attr:
        raise ValueError(f"expected 'module:attr'; got {spec!r}")
    obj: Any = importlib.import_module(module)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj


def make_env(env_id: str, **kwargs: Any) -> Any:
    """Build an env from a gymnasium id or ``"module:attr"``.

    ``"module:Name"`` imports ``module``, then: a ``gymnasium.Env`` subclass ``Name`` is made
    through ``gymnasium.make`` under the id ``"module:Name"`` (so wrappers and ``env.spec``
    work); another callable ``Name`` is called as ``Name(**kwargs)`` and must return an env;
    otherwise ``Name`` is a gymnasium id that importing ``module`` registered (gymnasium's
    own ``"module:EnvId-v0"`` syntax). Importing :mod:`vla.envs` first registers the project's
    ids.
    """
    import gymnasium as gym

    import vla.envs  # noqa: F401 - registers the vla/... ids

    module, _, name = env_id.partition(":")
    obj = None
    if name and "/" not in module:
        obj = getattr(importlib.import_module(module), name.split(".")[0], None)
        for part in name.split(".")[1:]:
            obj = getattr(obj, part, None)
    if isinstance(obj, type) and issubclass(obj, gym.Env):
        spec = gym.envs.registration.EnvSpec(id=env_id, entry_point=obj, kwargs=kwargs)
        return gym.make(spec, disable_env_checker=True)
    if callable(obj):
        return obj(**kwargs)
    return gym.make(env_id, disable_env_checker=True, **kwargs)


def check_observation(obs: Any, env_id: str = "env") -> None:
    """Raise ``ValueError`` unless ``obs`` follows the observation contract:
    ``{"image": uint8[H, W, 3], "instruction": str}`` plus optional ``"state": float[D]``."""
    import numpy as np

    hint = "; wrap the env in vla.datasets.ContractWrapper (docs/datasets.md)"
    if not isinstance(obs, dict):
        raise ValueError(f"{env_id}: observation must be a dict; got {type(obs).__name__}{hint}")
    image = obs.get("image")
    if (
        not isinstance(image, np.ndarray)
        or image.dtype != np.uint8
        or image.ndim != 3
        or (image.shape[2] != 3)
    ):
        got = f"{image.dtype}{list(image.shape)}" if isinstance(image, np.ndarray) else repr(image)
        raise ValueError(f"{env_id}: obs['image'] must be uint8[H, W, 3]; got {got}{hint}")
    if not isinstance(obs.get("instruction"), str):
        raise ValueError(
            f"{env_id}: obs['instruction'] must be a str; got {obs.get('instruction')!r}{hint}"
        )
    state = obs.get("state")
    if state is not None and np.asarray(state).ndim != 1:
        raise ValueError(f"{env_id}: obs['state'] must be 1-D; got shape {np.shape(state)}{hint}")


def ContractWrapper(
    env: Any,
    image_key: str | None = "image",
    instruction: str | None = None,
    instruction_key: str | None = None,
    state_key: str | None = None,
) -> Any:
    """Adapt an env's observations to the contract (see :func:`check_observation`).

    ``image_key``: key of the RGB image in a dict observation, or None when the observation
    is the image itself. ``instruction``: a fixed instruction, or ``instruction_key``: where to
    read it in the observation. ``state_key``: where the proprioceptive state is (optional).
    """
    import gymnasium as gym
    import numpy as np

    from vla.envs.spaces import observation_space

    if (instruction is None) == (instruction_key is None):
        raise ValueError("ContractWrapper needs exactly one of `instruction` or `instruction_key`")

    class _Wrapper(gym.ObservationWrapper):
        def observation(self, obs: Any) -> dict[str, Any]:
            image = obs if image_key is None else obs[image_key]
            out = {
                "image": np.ascontiguousarray(image, dtype=np.uint8),
                "instruction": instruction
                if instruction is not None
                else str(obs[instruction_key]),
            }
            if state_key is not None:
                out["state"] = np.asarray(obs[state_key], np.float32)
            return out

    wrapped = _Wrapper(env)
    box = env.observation_space if image_key is None else env.observation_space[image_key]
    state_dim = None if state_key is None else env.observation_space[state_key].shape[0]
    wrapped.observation_space = observation_space(box.shape[0], box.shape[1], state_dim)
    return wrapped


# ----------------------------------------------------------------------- one episode


def run_episode(
    env: Any, expert: Any, env_id: str, seed: int, max_steps: int = 500
) -> EpisodeRecord:
    """Run ``expert`` in ``env`` for one episode from ``env.reset(seed=seed)`` and record it."""
    obs, info = env.reset(seed=seed)
    if hasattr(expert, "reset"):
        expert.reset()
    steps: list[dict[str, Any]] = []
    for t in range(max_steps):
        check_observation(obs, env_id)
        action = expert.act(obs, info)
        next_obs, reward, terminated, truncated, info = env.step(action)
        truncated = bool(truncated) or (t == max_steps - 1 and not terminated)
        steps.append(
            {
                "image": obs["image"],
                "instruction": obs["instruction"],
                "state": obs.get("state"),
                "action": action,
                "reward": float(reward),
                "terminated": bool(terminated),
                "truncated": truncated,
                "success": bool(info.get("is_success", False)),
            }
        )
        obs = next_obs
        if terminated or truncated:
            break
    fps = float((getattr(env, "metadata", None) or {}).get("render_fps") or 10.0)
    return build_episode(env_id, seed, steps, fps)


_WORKER: dict[str, Any] = {}


def _close_worker_env() -> None:
    env = _WORKER.pop("env", None)
    _WORKER.clear()
    if env is not None:
        env.close()


atexit.register(_close_worker_env)


def _worker_init(parent: int) -> None:
    """Worker start-up: if the collector dies (even by SIGKILL), close the env (hence its
    browser) and exit; otherwise an orphaned worker would wait on its task queue forever."""
    import contextlib
    import signal
    import threading

    def stop(*_: object) -> None:
        # An exception would be sent back as the task's result, and the worker would go on
        # waiting; so close here (in the main thread, where the env lives) and leave.
        with contextlib.suppress(Exception):  # best effort: nobody is left to report to
            _close_worker_env()
        os._exit(143)

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        signal.pthread_kill(main, signal.SIGTERM)  # interrupts a blocking read of the queue
        time.sleep(20)
        os._exit(143)  # the handler never ran (the main thread is stuck in C code)

    main = threading.main_thread().ident
    signal.signal(signal.SIGTERM, stop)
    threading.Thread(target=watch, daemon=True, name="vla-collect-watchdog").start()


def _episode_task(job: dict[str, Any]) -> EpisodeRecord | str:
    """Worker side: keep one env (browser or simulator) per process; run one episode.

    Returns the record, or the error text when the episode raised (the env is then rebuilt).
    """
    import traceback

    key = json.dumps({k: job[k] for k in ("env_id", "env_kwargs")})
    if _WORKER.get("key") != key:
        _close_worker_env()
        _WORKER.update(key=key, env=make_env(job["env_id"], **job["env_kwargs"]))
    env = _WORKER["env"]
    expert = _make_expert(env, job)  # a missing or broken expert stops the collection
    try:
        return run_episode(env, expert, job["env_id"], job["seed"], job["max_steps"])
    except Exception:  # an episode that crashes is data (counted, retried on resume)
        _close_worker_env()
        return f"{job['env_id']} seed {job['seed']}: {traceback.format_exc()}"


def _make_expert(env: Any, job: dict[str, Any]) -> Any:
    """A fresh expert per episode; a factory taking ``seed`` gets the episode's seed (unless
    the user set one), so noisy experts give the same episode whatever worker runs it."""
    import inspect

    from vla.datasets.experts import expert_entry_point, make_expert

    kwargs = dict(job["expert_kwargs"])
    if job["expert"]:
        factory = resolve_callable(job["expert"])
    else:
        entry = expert_entry_point(getattr(env.spec, "id", None) or job["env_id"])
        factory = resolve_callable(entry) if entry else None
    try:
        params = inspect.signature(factory).parameters if factory is not None else {}
    except (TypeError, ValueError):  # builtins without a signature
        params = {}
    if "seed" not in kwargs and "seed" in params:
        kwargs["seed"] = job["seed"]
    return factory(env, **kwargs) if job["expert"] else make_expert(env, **kwargs)


class _InlineExecutor:
    """Runs tasks in this process (``workers=0``): handy for debugging and tests."""

    def submit(self, fn: Any, job: dict[str, Any]) -> Future:
        future: Future = Future()
        future.set_result(fn(job))
        return future

    def __enter__(self) -> _InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        _close_worker_env()


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
    writer.collection |= {"keep_failures": cfg.keep_failures, "max_steps": cfg.max_steps}
    plans = []
    for env_id in cfg.env_ids:
        meta = writer.envs.setdefault(env_id, {})
        if meta.get("seed_base", cfg.seed) != cfg.seed:
            raise ValueError(
                f"{cfg.out} holds {env_id!r} collected from seed {meta['seed_base']}; got "
                f"seed={cfg.seed}. Resume with the same seed or write to another --out"
            )
        meta |= {"seed_base": cfg.seed, "expert": cfg.expert or "vla.datasets.make_expert"}
        meta |= {"env_kwargs": cfg.env_kwargs, "expert_kwargs": cfg.expert_kwargs}
        kept, failed = writer.done(env_id)
        kept = {s for s in kept if s >= cfg.seed}
        skip = kept | failed
        plans.append(_EnvPlan(env_id, cfg.seed, cfg.episodes, cfg.max_attempts, skip, len(kept)))
    return plans


def collect(cfg: CollectConfig) -> CollectResult:
    """Record ``cfg.episodes`` expert episodes per env into ``cfg.out`` (resumable)."""
    from tqdm import tqdm

    out = Path(cfg.out)
    result = CollectResult(out=out)
    start = time.perf_counter()
    with DatasetWriter(out, max_file_mb=cfg.max_file_mb) as writer:
        plans = _plan(cfg, writer)
        total = sum(p.target for p in plans)
        done0 = sum(min(p.kept, p.target) for p in plans)
        bar = tqdm(total=total, initial=done0, unit="ep", disable=not cfg.progress, smoothing=0)
        base_job = {"env_kwargs": cfg.env_kwargs, "expert": cfg.expert}
        base_job |= {"expert_kwargs": cfg.expert_kwargs, "max_steps": cfg.max_steps}
        executor: Any
        if cfg.workers == 0:
            executor = _InlineExecutor()
        else:
            import multiprocessing

            # spawn: workers inherit no file descriptors (the dataset lock) and no threads.
            ctx = multiprocessing.get_context("spawn")
            executor = ProcessPoolExecutor(
                cfg.workers, mp_context=ctx, initializer=_worker_init, initargs=(os.getpid(),)
            )
        with executor:
            _drive(cfg, executor, writer, plans, base_job, bar, result)
        bar.close()
        result.shortfall = {p.env_id: p.target - p.kept for p in plans if p.kept < p.target}
        result.total_episodes = len(writer.episodes) + len(writer.staged)
    result.seconds = time.perf_counter() - start
    return result


def _drive(
    cfg: CollectConfig,
    executor: Any,
    writer: DatasetWriter,
    plans: list[_EnvPlan],
    base_job: dict[str, Any],
    bar: Any,
    result: CollectResult,
) -> None:
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
                futures[executor.submit(_episode_task, job)] = plan
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
            bar.set_postfix(success=f"{result.successes}/{result.attempts}")
