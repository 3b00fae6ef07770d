"""Closed-loop episodes over a gymnasium vector env with batched policy inference.

Each of the ``workers`` env copies runs whole episodes with the seeds it is handed; the policy
acts on every copy in one ``act_batch`` call per step. The vector env runs with autoreset
disabled, so each episode starts from exactly the seed the evaluation assigned it. When the
seeds run out, copies still running episodes keep going; idle copies step through spare
episodes whose results are discarded (a vector env steps all of its copies together).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vla.actions import Action

__all__ = ["Episode", "RolloutResult", "make_vector_env", "run_episodes"]


@dataclass
class Episode:
    """One finished (or in-flight) episode. ``frames[t]`` is the observation the policy saw
    before ``actions[t]``; frames are kept only for episodes chosen for replay."""

    seed: int
    instruction: str = ""
    success: bool = False
    length: int = 0
    total_reward: float = 0.0
    truncated: bool = False
    actions: list[Action] = field(default_factory=list)
    frames: list[np.ndarray] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


@dataclass
class RolloutResult:
    """All episodes of one env, in seed order, with per-call timings in seconds: one
    ``act_batch`` call (``policy_s``) and one vector-env step (``env_s``) per loop iteration."""

    env_id: str
    episodes: list[Episode]
    policy_s: list[float]
    env_s: list[float]
    batch_size: int
    wall_time_s: float
    env_steps: int


def _make_env(env_id: str, kwargs: dict[str, Any]) -> Any:
    """Build one env (module level so that worker processes can unpickle the factory).

    ``env_id`` is anything ``vla collect`` accepts: a gymnasium id, or ``"module:Class"``
    for a user's own env (see :func:`vla.datasets.make_env`)."""
    from vla.datasets import make_env

    return make_env(env_id, **kwargs)


def make_vector_env(env_id: str, workers: int, env_kwargs: dict[str, Any] | None = None) -> Any:
    """A vector env of ``workers`` copies with autoreset disabled: in-process for one copy,
    one worker process per copy otherwise (one browser or simulator each)."""
    from gymnasium.vector import AsyncVectorEnv, AutoresetMode, SyncVectorEnv

    fns = [functools.partial(_make_env, env_id, dict(env_kwargs or {}))] * workers
    if workers == 1:
        return SyncVectorEnv(fns, autoreset_mode=AutoresetMode.DISABLED)
    return AsyncVectorEnv(fns, shared_memory=False, autoreset_mode=AutoresetMode.DISABLED)


class _Slots:
    """Which episode each env copy is running, and which seeds are still to be handed out."""

    def __init__(self, seeds: Sequence[int], n: int, spare_start: int, replays: int) -> None:
        self.queue = list(seeds)[::-1]  # pop() from the end gives seeds in order
        self.spare = spare_start
        self.replays = replays
        self.kept = {True: 0, False: 0}
        self.active: list[Episode | None] = [None] * n
        self.done: list[Episode] = []

    def next_seed(self, i: int) -> int:
        """Assign copy ``i`` its next evaluation seed, or a spare seed when none is left."""
        if self.queue:
            seed = self.queue.pop()
            self.active[i] = Episode(seed=seed)
            return seed
        self.active[i], self.spare = None, self.spare + 1
        return self.spare - 1

    def recording(self) -> bool:
        return min(self.kept.values()) < self.replays

    def finish(self, i: int) -> None:
        ep = self.active[i]
        assert ep is not None
        if self.kept[ep.success] < self.replays:
            self.kept[ep.success] += 1
        else:
            ep.frames = []
        self.done.append(ep)
        self.active[i] = None


def run_episodes(
    policy: Any,
    env_id: str,
    seeds: Sequence[int],
    workers: int = 1,
    env_kwargs: dict[str, Any] | None = None,
    max_steps: int | None = None,
    replays: int = 2,
    on_episode: Callable[[Episode], None] | None = None,
) -> RolloutResult:
    """Run one episode per seed of ``env_id`` in closed loop with ``policy`` (``act_batch``).

    Up to ``replays`` successful and ``replays`` failed episodes keep their frames.
    ``on_episode`` is called as each episode ends (e.g. to advance a progress bar).
    """
    n = max(1, min(workers, len(seeds)))
    envs = make_vector_env(env_id, n, env_kwargs)
    try:
        return _loop(policy, envs, env_id, seeds, n, max_steps, replays, on_episode)
    finally:
        envs.close()


def _loop(policy, envs, env_id, seeds, n, max_steps, replays, on_episode) -> RolloutResult:
    space = envs.single_action_space.spec
    slots = _Slots(seeds, n, spare_start=max(seeds) + 1_000_000, replays=replays)
    t_start = time.perf_counter()
    obs, _ = envs.reset(seed=[slots.next_seed(i) for i in range(n)])
    policy_s: list[float] = []
    env_s: list[float] = []
    steps = 0
    while any(slots.active) or slots.queue:
        record = slots.recording()
        images = list(obs["image"])
        states = list(obs["state"]) if "state" in obs else None
        t0 = time.perf_counter()
        actions = policy.act_batch(
            images, list(obs["instruction"]), states=states, spaces=[space] * n
        )
        t1 = time.perf_counter()
        obs_next, rewards, terminated, truncated, infos = envs.step(tuple(actions))
        policy_s.append(t1 - t0)
        env_s.append(time.perf_counter() - t1)
        finished = np.zeros(n, dtype=bool)
        for i, ep in enumerate(slots.active):
            if ep is None:
                finished[i] = bool(terminated[i] or truncated[i])
                continue
            steps += 1
            if record:
                ep.frames.append(images[i])
            ep.instruction = ep.instruction or str(obs["instruction"][i])
            ep.actions.append(actions[i])
            ep.length += 1
            ep.total_reward += float(rewards[i])
            ep.success = bool(_info(infos, "is_success", i, False))
            error = _info(infos, "error", i, None)
            if error:
                ep.errors.append(f"step {ep.length}: {error}")
            capped = max_steps is not None and ep.length >= max_steps
            if terminated[i] or truncated[i] or capped:
                ep.truncated = bool(truncated[i] or (capped and not terminated[i]))
                if record:
                    ep.frames.append(np.asarray(obs_next["image"][i]))
                slots.finish(i)
                finished[i] = True
                if on_episode is not None:
                    on_episode(slots.done[-1])
        obs = obs_next
        if finished.any():
            reset_seeds = [slots.next_seed(i) if finished[i] else None for i in range(n)]
            obs, _ = envs.reset(seed=reset_seeds, options={"reset_mask": finished})
    episodes = sorted(slots.done, key=lambda e: e.seed)
    wall = time.perf_counter() - t_start
    return RolloutResult(env_id, episodes, policy_s, env_s, n, wall, steps)


def _info(infos: dict[str, Any], key: str, i: int, default: Any) -> Any:
    """Entry ``i`` of a vector env's batched info dict (``infos[key][i]`` where ``_key`` marks it)."""
    if key not in infos:
        return default
    mask = infos.get(f"_{key}")
    if mask is not None and not mask[i]:
        return default
    return infos[key][i]
