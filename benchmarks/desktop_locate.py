"""How well a locator finds the task on a whole screen (issue 19, the coarse-to-fine pass).

For each zoom chain (``--chain 3`` is the whole screen then one 3x view; ``--chain 3,1.5`` adds
a 1.5x view; ``--chain ""`` is the whole screen alone), on the screens of
``vla/desktop-miniwob-<task>-v0`` (unseen seeds from 100000), the locator's last box against the
MiniWoB++ task area:

* the largest corner error in logical screen pixels (median, p90), and how often it is within
  4% of the task area's size (the success of ``vla/desktop-locate-miniwob-<task>-v0``);
* the centre error (logical pixels, median): how far a page crop centred on the box
  (``FocusPolicy(page_size=...)``) moves the actor's page;
* the time of the whole chain at batch 1 (what :class:`vla.rollout.focus.FocusPolicy` adds to
  every action before the actor's pass).

    .venv/bin/python benchmarks/desktop_locate.py --locator runs/locate/train \\
        --tasks click-test focus-text --seeds 20 --chain "" --chain 3 --chain 3,1.5 [--hidpi]

Prints a Markdown table and writes ``--out`` (``runs/bench/desktop_locate[-hidpi].json``).
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED0 = 100_000
TOLERANCE = 0.04  # DesktopLocateEnv's default


def corner_error(box: Any, truth: Any, scale: int) -> tuple[float, float]:
    """(largest corner error in logical pixels, the same as a fraction of the area's size)."""
    w, h = truth[2] - truth[0], truth[3] - truth[1]
    dx = max(abs(box[0] - truth[0]), abs(box[2] - truth[2]))
    dy = max(abs(box[1] - truth[1]), abs(box[3] - truth[3]))
    return max(dx, dy) / scale, max(dx / w, dy / h)


def centre_error(box: Any, truth: Any, scale: int) -> float:
    """Distance between the box's centre and the area's, in logical pixels."""
    dx = (box[0] + box[2] - truth[0] - truth[2]) / 2
    dy = (box[1] + box[3] - truth[1] - truth[3]) / 2
    return float(np.hypot(dx, dy)) / scale


def run_task(task: str, args: argparse.Namespace, policies: dict[str, Any]) -> dict[str, Any]:
    import gymnasium as gym

    from vla.envs.desktop.locate import task_box

    env = gym.make(f"vla/desktop-miniwob-{task}-v0", hidpi=args.hidpi)
    scale = 2 if args.hidpi else 1
    rows: dict[str, dict[str, list[float]]] = {
        k: {"px": [], "frac": [], "centre": [], "ms": []} for k in policies
    }
    try:
        for seed in range(SEED0, SEED0 + args.seeds):
            obs, info = env.reset(seed=seed)
            truth = task_box(info, env.unwrapped.mapping)
            for name, policy in policies.items():
                t = time.perf_counter()
                box = policy.locate_batch([obs["image"]], [obs["instruction"]])[0]
                rows[name]["ms"].append((time.perf_counter() - t) * 1000)
                px, frac = corner_error(box, truth, scale)
                rows[name]["px"].append(px)
                rows[name]["frac"].append(frac)
                rows[name]["centre"].append(centre_error(box, truth, scale))
    finally:
        env.close()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--locator", required=True, help="the locator's checkpoint folder")
    parser.add_argument("--tasks", nargs="+", default=["click-test", "focus-text"])
    parser.add_argument("--seeds", type=int, default=20)
    parser.add_argument("--chain", action="append", help="zoom factors, comma-separated")
    parser.add_argument("--view-size", type=int, nargs=2, default=[256, 256])
    parser.add_argument("--hidpi", action="store_true", help="2x screen: 3840x2160 pixels")
    parser.add_argument("--out", type=Path)
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (0: torch's default), as vla run"
    )
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)

    import vla.envs  # noqa: F401
    from vla.policy import Policy
    from vla.rollout.focus import FocusPolicy

    locator = Policy.from_pretrained(args.locator, device="cpu")
    chains = args.chain if args.chain is not None else ["3"]
    policies = {
        c or "screen only": FocusPolicy(
            locator, None, [float(z) for z in c.split(",") if z], tuple(args.view_size)
        )
        for c in chains
    }
    blank = np.zeros((1080, 1920, 3), np.uint8)
    for policy in policies.values():
        policy.locate_batch([blank], ["warm up"])
    merged: dict[str, dict[str, list[float]]] = {
        k: {"px": [], "frac": [], "centre": [], "ms": []} for k in policies
    }
    per_task = {}
    for task in args.tasks:
        rows = run_task(task, args, policies)
        per_task[task] = {k: statistics.median(v["px"]) for k, v in rows.items()}
        print(task, json.dumps(per_task[task]), flush=True)
        for k, v in rows.items():
            for key in v:
                merged[k][key] += v[key]
    summary = {
        k: {
            "median_px": statistics.median(v["px"]),
            "p90_px": float(np.percentile(v["px"], 90)),
            "within_tolerance": float(np.mean([f <= TOLERANCE for f in v["frac"]])),
            "centre_median_px": statistics.median(v["centre"]),
            "locate_median_ms": statistics.median(v["ms"]),
        }
        for k, v in merged.items()
    }
    screen = "3840x2160 (2x HiDPI)" if args.hidpi else "1920x1080"
    print(f"\n{screen}, {len(args.tasks)} tasks x {args.seeds} seeds")
    print(
        "| zoom chain | corner error median / p90 (logical px) | within 4% | centre error "
        "median (px) | locate median (ms) |"
    )
    print("|---|---|---|---|---|")
    for k, r in summary.items():
        print(
            f"| {k} | {r['median_px']:.1f} / {r['p90_px']:.1f} | "
            f"{100 * r['within_tolerance']:.0f}% | {r['centre_median_px']:.1f} | "
            f"{r['locate_median_ms']:.1f} |"
        )
    out = (
        args.out or ROOT / "runs" / "bench" / f"desktop_locate{'-hidpi' if args.hidpi else ''}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(
        json.dumps(
            {"args": vars(args), "summary": summary, "per_task": per_task}, indent=2, default=str
        )
    )
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
