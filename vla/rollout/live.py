"""``vla run``: one live episode of a policy in an env or on the desktop, printed step by step.

:class:`RunConfig` is what ``vla run`` parses its flags into and :func:`run_live` is what it
calls; the episode itself runs in :func:`vla.rollout.run_episode`.
"""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from vla.actions import Action
from vla.rollout.agents import PolicyLike
from vla.rollout.records import Episode, StepRecord
from vla.rollout.still_waits import check_still_waits

__all__ = [
    "RunConfig",
    "format_action",
    "format_intro",
    "format_step",
    "make_run_env",
    "resolve_seed",
    "run_live",
]


def format_action(action: Action) -> str:
    """An action as one short line, e.g. ``click x=12.0 y=40.0`` or ``ee_delta dxyz=[+1.2, -0.4,
    +0.0] cm gripper=1.00``.

    Robot deltas are shown in cm, or in mm when every component is under 1 cm (the metres of
    :class:`~vla.actions.EEDelta` round to zero at one decimal); rotations in degrees, only
    when one is at least 0.05 degrees. Joint targets are absolute radians.
    """
    return f"{action.verb} {_fields(action)}".rstrip()


def _fields(action: Action) -> str:
    from vla.actions import EEDelta, JointTarget, to_dict

    if isinstance(action, EEDelta):
        cm = max(abs(v) for v in action.xyz) >= 0.01
        scale, unit = (100.0, "cm") if cm else (1000.0, "mm")
        text = f"dxyz={_signed([v * scale for v in action.xyz])} {unit}"
        degrees = [math.degrees(v) for v in action.rpy]
        if any(round(v, 1) for v in degrees):
            text += f" drpy={_signed(degrees)} deg"
        return text + f" gripper={action.gripper:.2f}"
    if isinstance(action, JointTarget):
        return f"q={_signed(action.positions, 2)} rad gripper={action.gripper:.2f}"
    return " ".join(f"{k}={_short(v)}" for k, v in to_dict(action).items() if k != "verb")


def _signed(values: Sequence[float], digits: int = 1) -> str:
    # a tiny negative delta rounds to -0.0; its sign is noise, so it prints as +0.0
    rounded = [round(v, digits) or 0.0 for v in values]
    return "[" + ", ".join(f"{v:+.{digits}f}" for v in rounded) + "]"


def format_step(step: StepRecord) -> str:
    """One line for a step: the action, timings, reward, and any refusal or error."""
    line = (
        f"step {step.t:3d}  {step.action.verb:<12} {_fields(step.action):<40} "
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


def format_intro(seed: int | None, instruction: str, seed_given: bool) -> str:
    """The lines ``vla run`` prints before the first step: the instruction and the seed, with
    how to repeat the episode when the seed was drawn at random."""
    if seed is None:
        how = "none (the env is not seeded)"
    elif seed_given:
        how = str(seed)
    else:
        how = f"{seed} (random; --seed {seed} repeats this episode)"
    return f"instruction: {instruction!r}\nseed: {how}"


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
        policy: a checkpoint folder, the name of a shipped checkpoint, or a ``ws://`` policy
            server (see :func:`vla.rollout.load_policy`).
        env_id: anything :func:`vla.envs.make` builds; exclusive with ``desktop``.
        desktop: act on the real screen (``vla/desktop-v0``); needs ``instruction``.
        instruction: the task; replaces the env's own instruction when given.
        headful: show the browser window (browser envs: ``headless=False``).
        record: write the frames with the actions drawn to this ``.gif`` / ``.mp4``.
        seed: reset seed (``None``: :func:`run_live` draws one and records it in the episode,
            so any episode can be repeated; the desktop env is not seeded);
            max_steps: step limit (the desktop env's own limit too).
        device: torch device for the policy (default: CUDA when available).
        region: desktop capture region ``(x, y, w, h)``; ``None`` = the whole ``monitor``.
        image_size: desktop observation size ``(w, h)``; ``None`` = the region's size.
        dry_run: desktop: send no event; write screenshots with the intended actions.
        dry_run_dir: where those screenshots go.
        yes: desktop: type risky text (passwords, shell commands) without asking.
        max_rate: desktop: the most actions per second.
        still_waits: after that many waits in a row at an unchanged screen, the next action is
            the policy's best that is not a wait (:class:`vla.rollout.PolicyAgent`).
        threads: torch CPU threads for the policy (0: torch's default, one per core); 1 leaves
            the other cores to the browser, as ``vla eval`` does (on 2 busy cores two threads
            made an action cost 520-815 ms instead of 28-57 ms).
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
    still_waits: int | None = None
    threads: int = 1

    def __post_init__(self) -> None:
        if self.desktop == (self.env_id is not None):
            raise ValueError("give exactly one of `env_id` (--env) and `desktop` (--desktop)")
        if self.desktop and not self.instruction:
            raise ValueError("`instruction` (--instruction) is required with --desktop")
        check_still_waits(self.still_waits)
        desktop_only: dict[str, Any] = {"region": self.region, "image_size": self.image_size}
        desktop_only |= {"dry_run": self.dry_run, "yes": self.yes}
        for name, value in desktop_only.items():
            if value and not self.desktop:
                raise ValueError(f"`{name}` applies to --desktop only; got {value!r}")
        if self.max_steps < 1:
            raise ValueError(f"Got {self.max_steps!r} for `max_steps`; it must be >= 1")
        if self.threads < 0:
            raise ValueError(f"Got {self.threads!r} for `threads`; it must be >= 0")


def make_run_env(
    cfg: RunConfig,
    confirm: Callable[[str], bool] | None = None,
    env_kwargs: dict[str, Any] | None = None,
) -> Any:
    """The env for ``cfg``: ``vla/desktop-v0`` with its safety settings, or ``cfg.env_id``
    (anything :func:`vla.envs.make` builds) with ``env_kwargs`` (e.g. the policy's cameras,
    :func:`vla.rollout.agents.camera_kwargs`)."""
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
    from vla.envs.make import make

    kwargs = {**(env_kwargs or {}), **({"headless": False} if cfg.headful else {})}
    try:
        return make(str(cfg.env_id), **kwargs)
    except TypeError as e:
        if cfg.headful:
            raise ValueError(f"{cfg.env_id!r} has no headful mode (--headful): {e}") from None
        raise


def resolve_seed(cfg: RunConfig) -> int | None:
    """``cfg.seed``, or a fresh random one when it is None (the desktop env takes no seed, so
    None there): every episode of ``vla run`` has a seed that repeats it."""
    if cfg.seed is not None or cfg.desktop:
        return cfg.seed
    return random.SystemRandom().randrange(2**31)  # not the global RNG: no shared state


def run_live(
    cfg: RunConfig,
    on_step: Callable[[StepRecord], None] | None = None,
    confirm: Callable[[str], bool] | None = None,
    policy: PolicyLike | None = None,
) -> Episode:
    """Load ``cfg.policy`` (see :func:`vla.rollout.load_policy`) unless ``policy`` is given
    already loaded, make the env and run one episode (what ``vla run`` calls)."""
    from vla.rollout.agents import PolicyAgent, camera_kwargs, load_policy
    from vla.rollout.loop import run_episode

    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    if policy is None:
        policy = load_policy(cfg.policy, device=cfg.device)
    seed = resolve_seed(cfg)
    env = make_run_env(cfg, confirm, camera_kwargs(policy))  # the desktop ignores them
    try:
        return run_episode(
            PolicyAgent.for_env(policy, env.action_space, still_waits=cfg.still_waits),
            env,
            instruction=cfg.instruction,
            max_steps=cfg.max_steps,
            seed=seed,
            on_step=on_step,
            record=cfg.record,
        )
    finally:
        env.close()
