"""The vectorised loop: closed-loop episodes over a gymnasium vector env, batched inference.

Each of the ``workers`` env copies runs whole episodes with the seeds it is handed; the agent
acts on every copy in one ``act_batch`` call per step. The vector env runs with autoreset
disabled, so each episode starts from exactly the seed assigned to it. When the seeds run out,
copies still running episodes keep going; idle copies step through spare episodes whose
results are discarded (a vector env steps all of its copies together).
"""

from __future__ import annotations

import functools
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from vla.render import views_frame
from vla.rollout.agents import BatchAgent
from vla.rollout.records import Episode, StepRecord

__all__ = ["RolloutResult", "make_vector_env", "run_episodes"]


@dataclass
class RolloutResult:
    """All episodes of one env, in seed order, with per-call timings in seconds: one
    ``act_batch`` call (``policy_s``) and one vector-env step (``env_s``) per loop iteration;
    ``env_steps`` counts the steps of evaluated (not spare) episodes."""

    env_id: str
    episodes: list[Episode]
    policy_s: list[float]
    env_s: list[float]
    batch_size: int
    wall_time_s: float
    env_steps: int


def make_vector_env(env_id: str, workers: int, env_kwargs: dict[str, Any] | None = None) -> Any:
    """A vector env of ``workers`` copies of ``vla.envs.make(env_id, **env_kwargs)`` with
    autoreset disabled: in-process for one copy, one worker process per copy otherwise (one
    browser or simulator each)."""
    from gymnasium.vector import AsyncVectorEnv, AutoresetMode, SyncVectorEnv

    from vla.envs.make import make

    fns = [functools.partial(make, env_id, **dict(env_kwargs or {}))] * workers
    if workers == 1:
        return SyncVectorEnv(fns, autoreset_mode=AutoresetMode.DISABLED)
    return AsyncVectorEnv(fns, shared_memory=False, autoreset_mode=AutoresetMode.DISABLED)


class _Slots:
    """Which episode each env copy is running, and which seeds are still to be handed out."""

    def __init__(self, seeds: Sequence[int], n: int, replays: int) -> None:
        self.queue = list(seeds)[::-1]  # pop() from the end gives seeds in order
        self.spare = max(seeds) + 1_000_000
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

    def finish(self, ep: Episode, i: int) -> None:
        if self.kept[ep.success] < self.replays:
            self.kept[ep.success] += 1
        else:
            ep.frames = []
        self.done.append(ep)
        self.active[i] = None


def run_episodes(
    make_agent: Callable[[Any], BatchAgent],
    env_id: str,
    seeds: Sequence[int],
    workers: int = 1,
    env_kwargs: dict[str, Any] | None = None,
    max_steps: int | None = None,
    replays: int = 2,
    on_episode: Callable[[Episode], None] | None = None,
) -> RolloutResult:
    """Run one episode per seed of ``env_id`` in closed loop with batched inference.

    ``make_agent(action_space)`` builds the agent once the env's single-copy action space is
    known, e.g. ``functools.partial(PolicyAgent.for_env, policy)`` (the space carries the
    decoding grammar). ``env_id`` is anything :func:`vla.envs.make` builds. Up to ``replays`` successful and
    ``replays`` failed episodes keep their frames. ``max_steps`` caps an episode (it then
    counts as truncated). ``on_episode`` is called as each episode ends.
    """
    if not seeds:
        raise ValueError("Got [] for `seeds`; run_episodes needs at least one seed")
    n = max(1, min(workers, len(seeds)))
    envs = make_vector_env(env_id, n, env_kwargs)
    try:
        agent = make_agent(envs.single_action_space)
        loop = _VectorLoop(agent, envs, _Slots(seeds, n, replays), max_steps, on_episode)
        return loop.run(env_id)
    finally:
        envs.close()


class _VectorLoop:
    def __init__(
        self,
        agent: BatchAgent,
        envs: Any,
        slots: _Slots,
        max_steps: int | None,
        on_episode: Callable[[Episode], None] | None,
    ) -> None:
        self.agent, self.envs, self.slots = agent, envs, slots
        self.max_steps, self.on_episode = max_steps, on_episode
        self.n = envs.num_envs
        self.policy_s: list[float] = []
        self.env_s: list[float] = []
        self.steps = 0

    def run(self, env_id: str) -> RolloutResult:
        t_start = time.perf_counter()
        slots = self.slots
        obs, batched = self.envs.reset(seed=[slots.next_seed(i) for i in range(self.n)])
        infos = [_unbatch(batched, i) for i in range(self.n)]
        while any(slots.active) or slots.queue:
            obs, infos = self._step(obs, infos)
        episodes = sorted(slots.done, key=lambda e: e.seed or 0)
        wall = time.perf_counter() - t_start
        return RolloutResult(env_id, episodes, self.policy_s, self.env_s, self.n, wall, self.steps)

    def _step(self, obs: dict[str, Any], infos: list[dict[str, Any]]) -> tuple[Any, Any]:
        """One batched step of every copy; returns the next (batched obs, per-copy infos)."""
        record = self.slots.recording()
        per_obs = [_unbatch(obs, i) for i in range(self.n)]
        t0 = time.perf_counter()
        actions = self.agent.act_batch(per_obs, infos)
        t1 = time.perf_counter()
        obs_next, rewards, terminated, truncated, batched = self.envs.step(tuple(actions))
        t2 = time.perf_counter()
        self.policy_s.append(t1 - t0)
        self.env_s.append(t2 - t1)
        infos_next = [_unbatch(batched, i) for i in range(self.n)]
        finished = np.zeros(self.n, dtype=bool)
        for i, ep in enumerate(self.slots.active):
            if ep is None:  # a spare episode: only its end matters
                finished[i] = bool(terminated[i] or truncated[i])
                continue
            self.steps += 1
            capped = self.max_steps is not None and ep.length + 1 >= self.max_steps
            step = StepRecord(
                t=ep.length + 1,
                obs=per_obs[i],
                action=actions[i],
                reward=float(rewards[i]),
                terminated=bool(terminated[i]),
                truncated=bool(truncated[i]) or (capped and not terminated[i]),
                info=infos_next[i],
                act_s=t1 - t0,  # the batched call that chose every copy's action
                step_s=t2 - t1,
            )
            ep.instruction = ep.instruction or str(per_obs[i]["instruction"])
            if record:
                ep.frames.append(views_frame(per_obs[i]))
            ep.add(step)
            if step.terminated or step.truncated:
                if record:
                    ep.frames.append(views_frame(_unbatch(obs_next, i)))
                self.slots.finish(ep, i)
                finished[i] = True
                if self.on_episode is not None:
                    self.on_episode(ep)
        if not finished.any():
            return obs_next, infos_next
        seeds = [self.slots.next_seed(i) if finished[i] else None for i in range(self.n)]
        obs_next, batched = self.envs.reset(seed=seeds, options={"reset_mask": finished})
        self.agent.reset_copies(finished.tolist())
        for j in np.flatnonzero(finished).tolist():  # the others keep the info of their step
            infos_next[j] = _unbatch(batched, j)
        return obs_next, infos_next


def _unbatch(batched: dict[str, Any], i: int) -> dict[str, Any]:
    """Entry ``i`` of a vector env's batched dict (keys whose ``_key`` mask excludes ``i``, and
    the masks themselves, are left out)."""
    out: dict[str, Any] = {}
    for key, value in batched.items():
        if key.startswith("_"):
            continue
        mask = batched.get(f"_{key}")
        if mask is not None and not mask[i]:
            continue
        out[key] = _unbatch(value, i) if isinstance(value, dict) else value[i]
    return out
