"""What ``locate_once`` changes for a two-pass desktop checkpoint, against its own shipped
evaluation on the same seeds.

    python benchmarks/desktop_locate_once.py --checkpoint vla-desktop-tiny --episodes 20

A copy of the checkpoint with ``"locate_once": true`` in its ``focus.json`` (``--out``/policy:
the locator runs at each episode's first action only, docs/desktop.md) is evaluated on the
shipped ``eval_info.json``'s tasks, step cap and workers, on its first ``--episodes`` seeds
(into ``--out``/eval; an interrupted run resumes). Per task it prints the successes of both on
those seeds, the episodes that changed either way, and the policy's median time per action.
"""

from __future__ import annotations

import argparse
import json
import shutil
from pathlib import Path
from typing import Any


def per_seed(task: dict[str, Any]) -> dict[int, bool]:
    return {int(e["seed"]): bool(e["success"]) for e in task["per_episode"]}


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--checkpoint", default="vla-desktop-tiny")
    p.add_argument("--episodes", type=int, default=20, help="the first N seeds of each task")
    p.add_argument("--out", type=Path, default=Path("runs/locate-once"))
    args = p.parse_args()

    from vla.evaluation import EvalConfig, evaluate
    from vla.hub import FOCUS_FILE, resolve_checkpoint

    source = Path(resolve_checkpoint(args.checkpoint))
    shipped: dict[str, Any] = json.loads((source / "eval_info.json").read_text())
    policy = args.out / "policy"
    if not (policy / FOCUS_FILE).is_file():
        shutil.copytree(source, policy, dirs_exist_ok=True)
        focus = json.loads((policy / FOCUS_FILE).read_text())
        (policy / FOCUS_FILE).write_text(json.dumps({**focus, "locate_once": True}, indent=1))
    cfg = EvalConfig(
        policy=str(policy),
        env_ids=list(shipped["tasks"]),
        episodes=args.episodes,
        seed_start=shipped["seeds"]["start"],
        max_steps=shipped["max_steps"],
        workers=shipped["workers"],
        out=str(args.out / "eval"),
    )
    again = evaluate(cfg)["tasks"]
    print("| task | every action | locate once | won / lost | ms per action, p50 |")
    print("|---|---:|---:|---:|---|")
    totals = [0, 0]
    for env_id, task in shipped["tasks"].items():
        new = per_seed(again[env_id])
        old = {s: ok for s, ok in per_seed(task).items() if s in new}
        won = sum(new[s] and not ok for s, ok in old.items())
        lost = sum(ok and not new[s] for s, ok in old.items())
        totals[0] += sum(old.values())
        totals[1] += sum(new.values())
        ms = (task["policy_latency_ms"]["p50"], again[env_id]["policy_latency_ms"]["p50"])
        print(
            f"| `{env_id}` | {sum(old.values())}/{len(old)} | {sum(new.values())}/{len(new)} | "
            f"{won} / {lost} | {ms[0]:.0f} -> {ms[1]:.0f} |"
        )
    n = args.episodes * len(shipped["tasks"])
    print(f"| **all** | {totals[0]}/{n} | {totals[1]}/{n} | | |")


if __name__ == "__main__":
    main()
