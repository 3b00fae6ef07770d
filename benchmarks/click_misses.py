"""Where a checkpoint's first click lands on one-click MiniWoB++ tasks, against the DOM expert's.

    .venv/bin/python benchmarks/click_misses.py --checkpoint vla-browser-tiny \\
        --task click-link --task click-option --episodes 40

It reads the clicks from an evaluation that already ran (the checkpoint's ``eval_info.json`` or
``--eval DIR``; nothing is decoded again), replays each seed's first page, asks the expert where
it would click, and sorts the policy's first click into:

* ``target``: inside the element the expert clicks (the smallest one under its point);
* ``same kind``: inside another element of the target's tag and class (a reading error: another
  link, another option);
* ``near``: otherwise within ``--margin`` px of the target (a grounding error: the right word,
  slightly off);
* ``elsewhere``: none of these.

Per task it prints the counts and the median distance to the expert's point, in x and in y
(docs/results.md, "Why the targets are missed").
"""

from __future__ import annotations

import argparse
import json
import statistics
from pathlib import Path
from typing import Any

KINDS = ("target", "same kind", "near", "elsewhere")


def _inside(el: dict[str, Any], x: float, y: float, margin: float = 0.0) -> bool:
    return any(
        left - margin <= x <= left + w + margin and top - margin <= y <= top + h + margin
        for left, top, w, h in el.get("rects") or [el["bbox"]]
    )


def _area(el: dict[str, Any]) -> float:
    return el["bbox"][2] * el["bbox"][3]


def classify(elements: list[dict[str, Any]], expert: tuple[float, float], click, margin: float):
    """The kind of ``click`` (x, y) against the element under the ``expert``'s point."""
    under = [e for e in elements if _inside(e, *expert)]
    if not under:
        return "elsewhere"
    target = min(under, key=_area)
    if _inside(target, *click):
        return "target"
    kind = (target.get("tag"), set((target.get("classes") or "").split()))
    others = [e for e in elements if e is not target and e.get("tag") == kind[0]]
    if any(set((e.get("classes") or "").split()) == kind[1] and _inside(e, *click) for e in others):
        return "same kind"
    return "near" if _inside(target, *click, margin) else "elsewhere"


def first_click(actions: list[str]) -> tuple[float, float] | None:
    """``(x, y)`` of the first ``click`` in an episode's action texts."""
    for text in actions:
        words = text.split()
        if words[0] == "click":
            return float(words[1][2:]), float(words[2][2:])
    return None


def run(task: str, episodes: list[dict[str, Any]], margin: float) -> dict[str, Any]:
    """Replay each episode's seed with the expert and sort the policy's first click."""
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla.actions import Click
    from vla.datasets import make_expert

    env = gym.make(f"vla/miniwob-{task}-v0")
    counts, dx, dy = dict.fromkeys(KINDS, 0), [], []
    try:
        expert = make_expert(env)
        for ep in episodes:
            click = first_click(ep["actions"])
            obs, info = env.reset(seed=ep["seed"])
            expert.reset()
            action = expert.act(obs, info)
            if click is None or not isinstance(action, Click):
                continue
            counts[classify(info["elements"], (action.x, action.y), click, margin)] += 1
            dx.append(abs(click[0] - action.x))
            dy.append(abs(click[1] - action.y))
    finally:
        env.close()
    return counts | {"dx": statistics.median(dx or [0]), "dy": statistics.median(dy or [0])}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--checkpoint", default="vla-browser-tiny")
    p.add_argument("--eval", help="an evaluation folder (its eval_info.json) instead")
    p.add_argument("--task", action="append", required=True, help="MiniWoB task name")
    p.add_argument("--episodes", type=int, default=40, help="the first N seeds of the eval")
    p.add_argument("--margin", type=float, default=6.0, help="px around the target for 'near'")
    args = p.parse_args()

    from vla.hub import resolve_checkpoint

    folder = Path(args.eval) if args.eval else Path(resolve_checkpoint(args.checkpoint))
    tasks = json.loads((folder / "eval_info.json").read_text())["tasks"]
    print(f"{'task':18s} {'won':>4s} " + " ".join(f"{k:>9s}" for k in KINDS) + "  dx px  dy px")
    for task in args.task:
        summary = tasks[f"vla/miniwob-{task}-v0"]
        episodes = summary["per_episode"][: args.episodes]
        r = run(task, episodes, args.margin)
        won = sum(e["success"] for e in episodes)
        counts = " ".join(f"{r[k]:9d}" for k in KINDS)
        print(f"{task:18s} {won:4d} {counts}  {r['dx']:5.1f}  {r['dy']:5.1f}")


if __name__ == "__main__":
    main()
