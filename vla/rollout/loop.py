"""The single-episode loop: one agent acting in one env, step by step.

``vla run``, ``vla collect`` (scripted experts, recorded through ``on_step``) and DAgger all run
their episodes here; :mod:`vla.rollout.vector` is the batched loop that ``vla eval`` uses.

```python
import gymnasium as gym, vla, vla.envs
from vla.rollout import PolicyAgent, run_episode

env = gym.make("vla/miniwob-click-test-v0")
agent = PolicyAgent(vla.Policy.from_pretrained("vla-browser-tiny"), env.action_space.spec)
result = run_episode(agent, env, seed=1, on_step=lambda s: print(s.t, s.action),
                     record="episode.gif")
```
"""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from vla.actions import Action
from vla.rollout.agents import Agent
from vla.rollout.records import Episode, StepRecord

__all__ = ["DEFAULT_MAX_STEPS", "run_episode"]

#: The step cap of ``vla collect`` and ``vla eval`` on top of the env's own limit, so that a
#: user's env that never truncates cannot run one episode forever.
DEFAULT_MAX_STEPS = 500


def run_episode(
    agent: Agent,
    env: Any,
    instruction: str | None = None,
    max_steps: int | None = None,
    seed: int | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
    record: str | Path | None = None,
    *,
    on_reset: Callable[[dict[str, Any], dict[str, Any]], None] | None = None,
    keep_frames: bool = False,
) -> Episode:
    """Run one episode of ``env`` with ``agent`` and return how it went.

    Args:
        agent: anything with ``reset()`` and ``act(obs, info) -> Action``: a scripted expert
            from :func:`vla.datasets.make_expert`, or a policy wrapped in
            :class:`vla.rollout.PolicyAgent` (which never passes ``info`` on).
        env: a gymnasium env of this project (see :func:`vla.envs.make`).
        instruction: replaces the env's instruction in what the agent reads (also passed
            to ``reset`` as ``options={"instruction": ...}`` for envs that take one, such as
            ``vla/desktop-v0``).
        max_steps: stop after this many steps (the env's own limit applies too); the last
            step then counts as truncated unless the env terminated it.
        seed: the reset seed.
        on_reset: called with the first ``(obs, info)`` before the agent acts.
        on_step: called after every step with a :class:`StepRecord` (``vla run`` prints it;
            ``vla collect`` records it).
        record: write the frames the agent saw, with each action drawn, to this ``.gif`` or
            ``.mp4`` file (see :mod:`vla.render`).
        keep_frames: keep the observed images in ``Episode.frames`` (several camera views side
            by side, :func:`vla.render.views_frame`).

    Ctrl+C stops the episode at once: the result has ``interrupted=True`` (and the recording
    is still written); the env is left open for the caller to close.
    """
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"Got {max_steps!r} for `max_steps`; it must be >= 1")
    options = {"instruction": instruction} if instruction else None
    obs, info = env.reset(seed=seed, options=options)
    agent.reset()
    if on_reset is not None:
        on_reset(obs, info)
    result = Episode(seed=seed, instruction=instruction or str(obs.get("instruction", "")))
    drawn: list[Any] = []
    try:
        while max_steps is None or result.length < max_steps:
            if instruction:
                obs = {**obs, "instruction": instruction}
            capped = max_steps is not None and result.length + 1 >= max_steps
            step, next_obs = _step(agent, env, obs, info, result.length + 1, capped)
            info = step.info
            if record is not None:
                drawn.append(_frame(obs, step.action, result.instruction))
            if keep_frames:
                result.frames.append(_views(obs))
            result.add(step)
            obs = next_obs
            if on_step is not None:
                on_step(step)
            if step.terminated or step.truncated:
                break
        if record is not None:
            drawn.append(_frame(obs, None, result.instruction))  # where it ended
        if keep_frames:
            result.frames.append(_views(obs))
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if record is not None and drawn:
            from vla.render import save_animation

            result.record_path = save_animation(drawn, record)
    return result


def _step(
    agent: Agent, env: Any, obs: dict[str, Any], info: dict[str, Any], t: int, capped: bool
) -> tuple[StepRecord, dict[str, Any]]:
    """Step ``t``: the agent acts on ``(obs, info)`` and the env executes it; ``capped`` marks
    the loop's last allowed step (truncated unless the env terminated it)."""
    t0 = time.perf_counter()
    action = agent.act(obs, info)
    t1 = time.perf_counter()
    next_obs, reward, terminated, truncated, next_info = env.step(action)
    step = StepRecord(
        t=t,
        obs=obs,
        action=action,
        reward=float(reward),
        terminated=bool(terminated),
        truncated=bool(truncated) or (capped and not terminated),
        info=next_info,
        act_s=t1 - t0,
        step_s=time.perf_counter() - t1,
    )
    return step, next_obs


def _views(obs: dict[str, Any]) -> Any:
    """The frame a replay keeps: the image, or every camera view side by side."""
    from vla.render import views_frame

    return views_frame(obs)


def _frame(obs: dict[str, Any], action: Action | None, caption: str) -> Any:
    from vla.render import draw_action

    return draw_action(_views(obs), action, caption=caption)
