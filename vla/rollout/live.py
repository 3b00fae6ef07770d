"""``vla run``: one live episode of a policy in an env or on the desktop, printed step by step.

:class:`RunConfig` is what ``vla run`` parses its flags into and :func:`run_live` is what it
calls; the episode itself runs in :func:`vla.rollout.run_episode`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from vla.rollout.agents import PolicyLike
from vla.rollout.records import Episode, StepRecord

__all__ = ["RunConfig", "format_step", "make_run_env", "run_live"]


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
        policy: a checkpoint folder, the name of a shipped checkpoint, or a ``ws://`` policy
            server (see :func:`vla.rollout.load_policy`).
        env_id: anything :func:`vla.envs.make` builds; exclusive with ``desktop``.
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
        desktop_only: dict[str, Any] = {"region": self.region, "image_size": self.image_size}
        desktop_only |= {"dry_run": self.dry_run, "yes": self.yes}
        for name, value in desktop_only.items():
            if value and not self.desktop:
                raise ValueError(f"`{name}` applies to --desktop only; got {value!r}")
        if self.max_steps < 1:
            raise ValueError(f"Got {self.max_steps!r} for `max_steps`; it must be >= 1")


def make_run_env(cfg: RunConfig, confirm: Callable[[str], bool] | None = None) -> Any:
    """The env for ``cfg``: ``vla/desktop-v0`` with its safety settings, or ``cfg.env_id``
    (anything :func:`vla.envs.make` builds)."""
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

    kwargs = {"headless": False} if cfg.headful else {}
    try:
        return make(str(cfg.env_id), **kwargs)
    except TypeError as e:
        if cfg.headful:
            raise ValueError(f"{cfg.env_id!r} has no headful mode (--headful): {e}") from None
        raise


def run_live(
    cfg: RunConfig,
    on_step: Callable[[StepRecord], None] | None = None,
    confirm: Callable[[str], bool] | None = None,
    policy: PolicyLike | None = None,
) -> Episode:
    """Load ``cfg.policy`` (see :func:`vla.rollout.load_policy`) unless ``policy`` is given
    already loaded, make the env and run one episode (what ``vla run`` calls)."""
    from vla.rollout.agents import PolicyAgent, load_policy
    from vla.rollout.loop import run_episode

    if policy is None:
        policy = load_policy(cfg.policy, device=cfg.device)
    env = make_run_env(cfg, confirm)
    try:
        return run_episode(
            PolicyAgent.for_env(policy, env.action_space),
            env,
            instruction=cfg.instruction,
            max_steps=cfg.max_steps,
            seed=cfg.seed,
            on_step=on_step,
            record=cfg.record,
        )
    finally:
        env.close()
