"""One live episode: a policy (or a scripted expert) acting in one env, step by step.

This is what ``vla run`` and the examples call. For many episodes in parallel with batched
inference and metrics, use :mod:`vla.evaluation` instead.

```python
import gymnasium as gym, vla, vla.envs
from vla.rollout import run_episode

env = gym.make("vla/miniwob-click-test-v0")
result = run_episode(vla.Policy.from_pretrained("vla-browser-tiny"), env, seed=1,
                     on_step=lambda s: print(s.t, s.action), record="episode.gif")
```
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.actions import Action

__all__ = [
    "EpisodeResult",
    "RunConfig",
    "StepRecord",
    "format_step",
    "make_run_env",
    "run_episode",
    "run_live",
]


@dataclass
class StepRecord:
    """One step as it happened. ``act_s`` and ``step_s`` are seconds spent choosing the action
    and executing it; ``info`` is the env's info after the step."""

    t: int
    action: Action
    reward: float
    terminated: bool
    truncated: bool
    info: dict[str, Any]
    act_s: float
    step_s: float


@dataclass
class EpisodeResult:
    """How the episode ended. ``interrupted`` is True when Ctrl+C stopped it."""

    instruction: str
    success: bool = False
    steps: int = 0
    total_reward: float = 0.0
    terminated: bool = False
    truncated: bool = False
    interrupted: bool = False
    actions: list[Action] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    record_path: Path | None = None


def _is_expert(agent: Any) -> bool:
    # A scripted expert (vla.datasets.Expert) acts on (obs, info); a vla.Policy acts on pixels.
    return not hasattr(agent, "act_batch") and hasattr(agent, "reset")


def _decide(agent: Any, obs: dict[str, Any], info: dict[str, Any], space: Any) -> Action:
    if _is_expert(agent):
        return agent.act(obs, info)
    return agent.act(obs["image"], obs["instruction"], obs.get("state"), space=space)


def run_episode(
    policy: Any,
    env: Any,
    instruction: str | None = None,
    max_steps: int | None = None,
    seed: int | None = None,
    on_step: Callable[[StepRecord], None] | None = None,
    record: str | Path | None = None,
) -> EpisodeResult:
    """Run one episode of ``env`` with ``policy`` and return how it went.

    Args:
        policy: a :class:`vla.Policy` (acts on ``obs["image"]`` and the instruction, with the
            env's ``action_space.spec`` as the decoding grammar) or a scripted expert from
            :func:`vla.datasets.make_expert` (acts on ``obs`` and ``info``).
        env: a gymnasium env of this project (made with ``gymnasium.make``).
        instruction: replaces the env's instruction in what the policy reads (also passed
            to ``reset`` as ``options={"instruction": ...}`` for envs that take one, such as
            ``vla/desktop-v0``).
        max_steps: stop after this many steps (the env's own limit applies too).
        seed: the reset seed.
        on_step: called after every step with a :class:`StepRecord` (``vla run`` prints it).
        record: write the frames the policy saw, with each action drawn, to this ``.gif`` or
            ``.mp4`` file (see :mod:`vla.render`).

    Ctrl+C stops the episode at once: the result has ``interrupted=True`` (and the recording
    is still written); the env is left open for the caller to close.
    """
    if max_steps is not None and max_steps < 1:
        raise ValueError(f"max_steps must be >= 1; got {max_steps!r}")
    space = getattr(env.action_space, "spec", None)
    options = {"instruction": instruction} if instruction else None
    obs, info = env.reset(seed=seed, options=options)
    if _is_expert(policy):
        policy.reset()
    result = EpisodeResult(instruction=instruction or str(obs.get("instruction", "")))
    frames: list[Any] = []
    try:
        while max_steps is None or result.steps < max_steps:
            if instruction:
                obs = {**obs, "instruction": instruction}
            t0 = time.perf_counter()
            action = _decide(policy, obs, info, space)
            t1 = time.perf_counter()
            if record is not None:
                frames.append(_frame(obs["image"], action, result.instruction))
            obs, reward, terminated, truncated, info = env.step(action)
            t2 = time.perf_counter()
            result.steps += 1
            result.total_reward += float(reward)
            result.actions.append(action)
            if info.get("error"):
                result.errors.append(str(info["error"]))
            result.success = bool(info.get("is_success", False))
            result.terminated, result.truncated = bool(terminated), bool(truncated)
            if on_step is not None:
                flags = (result.terminated, result.truncated)
                on_step(
                    StepRecord(result.steps, action, float(reward), *flags, info, t1 - t0, t2 - t1)
                )
            if terminated or truncated:
                break
        if record is not None:
            frames.append(_frame(obs["image"], None, result.instruction))  # where it ended
    except KeyboardInterrupt:
        result.interrupted = True
    finally:
        if record is not None and frames:
            from vla.render import save_animation

            result.record_path = save_animation(frames, record)
    return result


def _frame(image: Any, action: Action | None, caption: str) -> Any:
    import numpy as np

    from vla.render import draw_action

    return draw_action(np.asarray(image, np.uint8), action, caption=caption)


def format_step(step: StepRecord) -> str:
    """One line for a step: the action, timings, reward, and any refusal or error."""
    from vla.actions import to_dict

    fields = " ".join(f"{k}={_short(v)}" for k, v in to_dict(step.action).items() if k != "verb")
    line = (
        f"step {step.t:3d}  {step.action.verb:<12} {fields:<40} "
        f"act {step.act_s * 1000:6.1f} ms  env {step.step_s * 1000:6.1f} ms  "
        f"reward {step.reward:+.2f}"
    )
    if step.info.get("error"):
        line += f"  [{step.info['error']}]"
    if step.terminated or step.truncated:
        stopped = step.info.get("stopped_by")
        line += (
            "  (done)" if step.terminated else f"  (truncated{': ' + stopped if stopped else ''})"
        )
    return line


def _short(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:.1f}"
    if isinstance(value, list):
        return "[" + ",".join(_short(v) for v in value) + "]"
    return repr(value) if isinstance(value, str) else str(value)


@dataclass
class RunConfig:
    """What ``vla run`` does: one live episode of ``policy`` in ``env_id`` or on the desktop.

    Attributes:
        policy: a checkpoint folder or the name of a shipped checkpoint.
        env_id: a registered gymnasium id; exclusive with ``desktop``.
        desktop: act on the real screen (``vla/desktop-v0``); needs ``instruction``.
        instruction: the task; replaces the env's own instruction when given.
        headful: show the browser window (browser envs: ``headless=False``).
        record: write the frames with the actions drawn to this ``.gif`` / ``.mp4``.
        seed: reset seed; max_steps: step limit (the desktop env's own limit too).
        device: torch device for the policy (default: CUDA when available).
        region: desktop capture region ``(x, y, w, h)``; ``None`` = the whole ``monitor``.
        image_size: desktop observation size ``(w, h)``; ``None`` = the region's size.
        dry_run: desktop: send no event; write screenshots with the intended actions.
        dry_run_dir: where those screenshots go.
        yes: desktop: type risky text (passwords, shell commands) without asking.
        max_rate: desktop: the most actions per second.
    """

    policy: str
    env_id: str | None = None
    desktop: bool = False
    instruction: str | None = None
    headful: bool = False
    record: str | None = None
    seed: int | None = None
    max_steps: int = 30
    device: str | None = None
    region: tuple[int, int, int, int] | None = None
    monitor: int = 1
    image_size: tuple[int, int] | None = None
    dry_run: bool = False
    dry_run_dir: str = "runs/desktop-dry-run"
    yes: bool = False
    max_rate: float = 5.0

    def __post_init__(self) -> None:
        if self.desktop == (self.env_id is not None):
            raise ValueError("give exactly one of `env_id` (--env) and `desktop` (--desktop)")
        if self.desktop and not self.instruction:
            raise ValueError("`instruction` (--instruction) is required with --desktop")
        desktop_only = {"region": self.region, "image_size": self.image_size}
        desktop_only |= {"dry_run": self.dry_run, "yes": self.yes}
        for name, value in desktop_only.items():
            if value and not self.desktop:
                raise ValueError(f"`{name}` applies to --desktop only; got {value!r}")
        if self.max_steps < 1:
            raise ValueError(f"Got {self.max_steps!r} for `max_steps`; it must be >= 1")


def make_run_env(cfg: RunConfig, confirm: Callable[[str], bool] | None = None) -> Any:
    """The env for ``cfg``: ``vla/desktop-v0`` with its safety settings, or ``cfg.env_id``."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the ids)

    if cfg.desktop:
        return gym.make(
            "vla/desktop-v0",
            region=cfg.region,
            monitor=cfg.monitor,
            image_size=cfg.image_size,
            instruction=cfg.instruction or "",
            max_steps=cfg.max_steps,
            max_actions_per_s=cfg.max_rate,
            dry_run=cfg.dry_run,
            dry_run_dir=cfg.dry_run_dir,
            yes=cfg.yes,
            confirm=confirm,
        )
    if cfg.env_id not in gym.registry:
        raise ValueError(f"unknown env id {cfg.env_id!r}; `vla tasks` lists the registered ones")
    kwargs = {"headless": False} if cfg.headful else {}
    try:
        return gym.make(cfg.env_id, **kwargs)
    except TypeError as e:
        if cfg.headful:
            raise ValueError(f"{cfg.env_id!r} has no headful mode (--headful): {e}") from None
        raise


def run_live(
    cfg: RunConfig,
    on_step: Callable[[StepRecord], None] | None = None,
    confirm: Callable[[str], bool] | None = None,
) -> EpisodeResult:
    """Load ``cfg.policy``, make the env and run one episode (what ``vla run`` calls)."""
    from vla.policy import Policy

    policy = Policy.from_pretrained(cfg.policy, device=cfg.device)
    env = make_run_env(cfg, confirm)
    try:
        return run_episode(
            policy,
            env,
            instruction=cfg.instruction,
            max_steps=cfg.max_steps,
            seed=cfg.seed,
            on_step=on_step,
            record=cfg.record,
        )
    finally:
        env.close()
