"""The worker side of ``vla collect``: one env (browser or simulator) per worker process,
one expert episode per task, and a watchdog that closes the env if the collector dies."""

from __future__ import annotations

import atexit
import json
import os
import sys
import time
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import contextmanager
from typing import Any

from vla.datasets.format import EpisodeRecord
from vla.datasets.recording import run_episode
from vla.envs.make import make, resolve_callable

__all__ = ["InlineExecutor", "episode_task", "worker_init"]


_WORKER: dict[str, Any] = {}
_POLICY: dict[str, Any] = {}  # DAgger: {"key": (spec, device), "policy": ...}


def _close_worker_env() -> None:
    env = _WORKER.pop("env", None)
    _WORKER.clear()
    if env is not None:
        env.close()


atexit.register(_close_worker_env)


def worker_init(parent: int) -> None:
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


def episode_task(job: dict[str, Any]) -> EpisodeRecord | str:
    """Worker side: keep one env (browser or simulator) per process; run one episode.

    Returns the record, or the error text when the episode raised (the env is then rebuilt).
    """
    import traceback

    key = json.dumps({k: job[k] for k in ("env_id", "env_kwargs")})
    if _WORKER.get("key") != key:
        _close_worker_env()
        _WORKER.update(key=key, env=make(job["env_id"], **job["env_kwargs"]))
    env = _WORKER["env"]
    expert = _make_expert(env, job)  # a missing or broken expert stops the collection
    policy = _policy(job) if job.get("policy") else None  # so does a broken policy
    try:
        if policy is not None:
            from vla.datasets.dagger import run_dagger_episode

            args = (env, expert, policy, job["env_id"], job["seed"], job["max_steps"])
            with _torch_threads(job.get("threads", 0)):
                return run_dagger_episode(*args, beta=job["beta"], execution=job.get("execution"))
        return run_episode(env, expert, job["env_id"], job["seed"], job["max_steps"])
    except Exception:  # an episode that crashes is data (counted, retried on resume)
        _close_worker_env()
        return f"{job['env_id']} seed {job['seed']}: {traceback.format_exc()}"


def _policy(job: dict[str, Any]) -> Any:
    """The DAgger policy, loaded once per worker process (it outlives env changes)."""
    from vla.rollout.agents import load_policy

    key = (job["policy"], job.get("device"))
    if _POLICY.get("key") != key:
        _POLICY.update(key=key, policy=load_policy(job["policy"], device=job.get("device")))
    return _POLICY["policy"]


@contextmanager
def _torch_threads(threads: int) -> Iterator[None]:
    """torch's CPU threads set to ``threads`` (0: unchanged) for one episode, then restored (an
    inline collection runs in the caller's process)."""
    torch = sys.modules.get("torch")  # a remote (ws://) policy never imported it
    if not threads or torch is None:
        yield
        return
    before = torch.get_num_threads()
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.set_num_threads(before)


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


class InlineExecutor:
    """Runs tasks in this process (``workers=0``): handy for debugging and tests."""

    def submit(self, fn: Any, job: dict[str, Any]) -> Future:
        future: Future = Future()
        future.set_result(fn(job))
        return future

    def __enter__(self) -> InlineExecutor:
        return self

    def __exit__(self, *exc: object) -> None:
        _close_worker_env()
        _POLICY.clear()  # this process is the collector's own: keep no policy loaded
