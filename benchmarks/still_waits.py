"""What ``--still-waits N`` changes for a checkpoint, against its own shipped evaluation.

    python benchmarks/still_waits.py --checkpoint vla-browser-tiny --limit 2

The limit acts only after N waits in a row, so only the tasks where some episode of the
checkpoint's ``eval_info.json`` waited N times in a row can change. Those tasks are evaluated
again with the same seeds, step cap and workers plus ``--still-waits N`` (into ``--out``; an
interrupted run resumes), the others keep their numbers, and the per-task changes and both
means are printed (docs/results.md, "A limit on waiting at a still page").
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any


def waits_in_a_row(actions: list[str]) -> int:
    """The longest run of ``wait`` actions in an episode's action texts."""
    best = run = 0
    for text in actions:
        run = run + 1 if text.split()[0] == "wait" else 0
        best = max(best, run)
    return best


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", default="vla-browser-tiny")
    p.add_argument("--limit", type=int, default=2)
    p.add_argument("--out", default="runs/still-waits")
    args = p.parse_args()

    from vla.evaluation import EvalConfig, evaluate
    from vla.hub import resolve_checkpoint

    shipped: dict[str, Any] = json.loads(
        (Path(resolve_checkpoint(args.checkpoint)) / "eval_info.json").read_text()
    )
    tasks = shipped["tasks"]
    touched = [
        env_id
        for env_id, t in tasks.items()
        if any(waits_in_a_row(e["actions"]) >= args.limit for e in t["per_episode"])
    ]
    cfg = EvalConfig(
        policy=args.checkpoint,
        env_ids=touched,
        episodes=shipped["episodes_per_task"],
        seed_start=shipped["seeds"]["start"],
        max_steps=shipped["max_steps"],
        workers=shipped["workers"],
        still_waits=args.limit,
        out=args.out,
    )
    again = evaluate(cfg)["tasks"] if touched else {}
    before = {env_id: t["success_rate"] for env_id, t in tasks.items()}
    after = before | {env_id: again[env_id]["success_rate"] for env_id in touched}
    for env_id in touched:
        print(f"{env_id}: {100 * before[env_id]:.0f}% -> {100 * after[env_id]:.0f}%")
    mean = sum(after.values()) / len(after)
    print(
        f"mean over {len(after)} tasks: {100 * sum(before.values()) / len(before):.1f}% -> "
        f"{100 * mean:.1f}% ({len(touched)} tasks evaluated again with --still-waits "
        f"{args.limit}; the others cannot change)"
    )


if __name__ == "__main__":
    main()
