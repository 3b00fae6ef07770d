"""``run_demo``: the shipped checkpoints acting on a few browser tasks and robot tasks, in a few
minutes on a CPU, with one success table and one HTML report (what ``vla demo`` runs)."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.evaluation.config import DEFAULT_SEED_START, EvalConfig
from vla.evaluation.info import EvalInfo

__all__ = ["DEMO_PLAN", "DemoConfig", "run_demo"]

#: checkpoint name -> env ids it is shown on. Seeds differ from the default evaluation seeds
#: and from all training seeds.
DEMO_PLAN: dict[str, tuple[str, ...]] = {
    "vla-browser-tiny": (
        "vla/miniwob-click-test-v0",
        "vla/miniwob-click-button-v0",
        "vla/miniwob-focus-text-v0",
        "vla/miniwob-click-dialog-v0",
        "vla/miniwob-enter-text-v0",
    ),
    "vla-robot-tiny": ("vla/panda-reach-v0", "vla/panda-pick-place-v0"),
}


@dataclass
class DemoConfig:
    """What to run: ``episodes`` per env of :data:`DEMO_PLAN` (or ``plan``), results in ``out``."""

    out: str = "runs/demo"
    episodes: int = 5
    seed_start: int = DEFAULT_SEED_START + 50_000
    workers: int = 1
    plan: dict[str, tuple[str, ...]] = field(default_factory=lambda: dict(DEMO_PLAN))
    progress: bool = True

    def __post_init__(self) -> None:
        if not isinstance(self.episodes, int) or self.episodes < 1:
            raise ValueError(f"Got {self.episodes!r} for `episodes`; it must be an int >= 1")


def run_demo(cfg: DemoConfig) -> dict[str, Any]:
    """Evaluate each available shipped checkpoint on its envs; write ``out/report.html``.

    Returns ``{"info": the merged eval_info dict (:meth:`EvalInfo.merge`), "missing": [checkpoint
    names not found], "wall_time_s": float}``. A missing checkpoint or env is reported, not fatal.
    """
    import vla.envs  # noqa: F401  (registers the env ids)
    from vla.evaluation.closed_loop import evaluate
    from vla.hub import find_checkpoint

    t0 = time.time()
    out = Path(cfg.out)
    infos: list[tuple[str, EvalInfo]] = []
    missing: list[str] = []
    for name, env_ids in cfg.plan.items():
        envs = [e for e in env_ids if _registered(e)]
        if find_checkpoint(name) is None or not envs:
            missing.append(name if find_checkpoint(name) is None else f"{name} (no envs)")
            continue
        ecfg = EvalConfig(
            policy=name,
            env_ids=envs,
            episodes=cfg.episodes,
            seed_start=cfg.seed_start,
            workers=cfg.workers,
            replays=1,
            out=str(out / name),
            progress=cfg.progress,
        )
        infos.append((name, EvalInfo.from_dict(evaluate(ecfg))))
    merged = EvalInfo.merge(infos)
    if merged.tasks:
        out.mkdir(parents=True, exist_ok=True)
        (out / "report.html").write_text(merged.to_html())
    return {"info": merged.to_dict(), "missing": missing, "wall_time_s": time.time() - t0}


def _registered(env_id: str) -> bool:
    import gymnasium as gym

    return env_id in gym.registry
