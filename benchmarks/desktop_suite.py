"""Desktop suite numbers (issue 19): MiniWoB++ tasks on a whole 1920x1080 screen.

Per task of ``vla/desktop-miniwob-<task>-v0``, over the same unseen seeds:

* the scripted expert's success through the screen;
* a policy's success (and the same policy's success on the headless page
  ``vla/miniwob-<task>-v0``, same seeds and step limit, for comparison);
* the policy's click error: at every step where the policy clicks, the distance in screen
  pixels between its click and the expert's click on the same state (the expert labels the
  states the policy visits, as in DAgger);
* batch-1 latency of ``policy.act`` on the full screenshot (what ``vla run`` spends per action),
  each episode's first action apart (a ``FocusPolicy`` with ``locate_once`` locates then), on
  ``--threads`` torch threads (default 1, as ``vla run``).

Every env starts its own Xvfb, so no screen is needed:

    .venv/bin/python benchmarks/desktop_suite.py [--tasks click-test click-dialog focus-text]
        [--seeds 10] [--policy vla-browser-tiny] [--max-steps 5] [--hidpi]

Prints a Markdown table and writes ``runs/bench/desktop_suite[-hidpi].json``. With
``--budgets 0 256 1024`` it only times batch-1 ``act`` of random ``vla-tiny`` models reading a
1080p screen within those image-token budgets (``runs/bench/desktop_suite_budgets.json``).
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
SEED0 = 100_000  # evaluation seeds, disjoint from data collection (as in tests and eval)


class Labelled:
    """An agent that acts with ``policy`` and asks ``expert`` what it would do on the same
    state; keeps both clicks (image pixels) and the policy's own act time."""

    def __init__(self, policy: Any, expert: Any) -> None:
        self.policy, self.expert = policy, expert
        self.pairs: list[tuple[Any, Any]] = []
        self.act_ms: list[float] = []

    def reset(self) -> None:
        self.policy.reset()
        self.expert.reset()

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Any:
        label = self.expert.act(obs, info)
        t = time.perf_counter()
        action = self.policy.act(obs, info)  # PolicyAgent: the policy never sees info
        self.act_ms.append((time.perf_counter() - t) * 1000)
        self.pairs.append((action, label))
        return action


def click_errors(pairs: list[tuple[Any, Any]], mapping: Any) -> list[float]:
    """Screen-pixel distances between policy and expert clicks (both must be clicks)."""
    from vla.actions import Click

    out = []
    for action, label in pairs:
        if isinstance(action, Click) and isinstance(label, Click):
            (ax, ay), (bx, by) = (
                mapping.to_screen(action.x, action.y),
                mapping.to_screen(label.x, label.y),
            )
            out.append(math.hypot(ax - bx, ay - by))
    return out


def run_task(task: str, seeds: list[int], policy: Any, args: argparse.Namespace) -> dict:
    import gymnasium as gym

    from vla.datasets import make_expert
    from vla.rollout import PolicyAgent, run_episode

    kwargs: dict[str, Any] = {"hidpi": args.hidpi}
    env = gym.make(f"vla/desktop-miniwob-{task}-v0", max_steps=args.max_steps, **kwargs)
    try:
        expert_wins = (
            []
            if args.skip_expert
            else [run_episode(make_expert(env), env, seed=s).success for s in seeds]
        )
        agent = PolicyAgent.for_env(policy, env.action_space)
        wins, errors, act_ms, first_ms, later_ms = [], [], [], [], []
        for seed in seeds:
            labelled = Labelled(agent, make_expert(env))
            wins.append(run_episode(labelled, env, seed=seed).success)
            errors += click_errors(labelled.pairs, env.unwrapped.mapping)
            act_ms += labelled.act_ms
            first_ms += labelled.act_ms[:1]  # a FocusPolicy locates at an episode's first
            later_ms += labelled.act_ms[1:]
        screen = env.unwrapped.mapping.image_size
    finally:
        env.close()
    headless = gym.make(f"vla/miniwob-{task}-v0", max_steps=args.max_steps)
    try:
        # a two-pass FocusPolicy's actor is the policy of the headless page
        agent = PolicyAgent.for_env(getattr(policy, "actor", policy), headless.action_space)
        headless_wins = [run_episode(agent, headless, seed=s).success for s in seeds]
    finally:
        headless.close()
    return {
        "task": task,
        "screen": list(screen),
        "seeds": len(seeds),
        "expert_success": float(np.mean(expert_wins)) if expert_wins else None,
        "policy_success": float(np.mean(wins)),
        "headless_success": float(np.mean(headless_wins)),
        "clicks_compared": len(errors),
        "median_click_error_px": statistics.median(errors) if errors else None,
        "click_errors_px": [round(e, 3) for e in errors],
        "act_median_ms": statistics.median(act_ms) if act_ms else None,
        "act_p90_ms": float(np.percentile(act_ms, 90)) if act_ms else None,
        "first_act_ms": [round(m, 2) for m in first_ms],
        "later_act_ms": [round(m, 2) for m in later_ms],
    }


def budget_latency(budgets: list[int], repeats: int) -> list[dict]:
    """Batch-1 ``Policy.act`` on a 1080p screenshot for ``vla-tiny`` models that read it at
    native resolution within ``max_image_tokens`` (16-px patches, 64-px thumbnail). The
    weights are random: the cost of a click does not depend on them (the grammar fixes its
    length)."""
    from vla.actions import UISpace
    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.model.image_grid import GridSpec
    from vla.policy import Policy

    screen = np.random.default_rng(0).integers(0, 255, (1080, 1920, 3), dtype=np.uint8)
    rows = []
    for budget in budgets:
        overrides = {"vision_image_size": 64, "vision_patch_size": 16}
        if budget:
            overrides["max_image_tokens"] = budget
        config = VLAConfig.from_preset("vla-tiny", **overrides)
        policy = Policy(VLAForActionPrediction(config), VLAProcessor.from_config(config), "cpu")
        space = UISpace(("click",))
        policy.act(screen, "Click OK.", space=space)  # warm up
        times = []
        for _ in range(repeats):
            t = time.perf_counter()
            policy.act(screen, "Click OK.", space=space)
            times.append((time.perf_counter() - t) * 1000)
        grid = GridSpec(16, 64, budget).plan(1920, 1080)
        rows.append(
            {
                "max_image_tokens": budget,
                "image_tokens": grid.tokens,
                "detail": f"{grid.model_width}x{grid.model_height}",
                "act_median_ms": statistics.median(times),
                "act_p90_ms": float(np.percentile(times, 90)),
            }
        )
        print(json.dumps(rows[-1]), flush=True)
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--tasks", nargs="+", default=["click-test", "click-dialog", "focus-text"])
    parser.add_argument("--seeds", type=int, default=10)
    parser.add_argument("--policy", default="vla-browser-tiny")
    parser.add_argument("--max-steps", type=int, default=5)
    parser.add_argument("--hidpi", action="store_true", help="2x screen: 3840x2160 pixels")
    parser.add_argument("--device", default="cpu")
    parser.add_argument(
        "--threads", type=int, default=1, help="torch CPU threads (0: torch's default), as vla run"
    )
    parser.add_argument(
        "--budgets",
        type=int,
        nargs="*",
        default=[],
        help="only time vla-tiny at these max_image_tokens (0: fixed 64x64) on a 1080p screen",
    )
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument(
        "--page-resample",
        choices=["box", "bilinear"],
        help="a FocusPolicy's reduction of HiDPI page crops (default: the policy's own)",
    )
    parser.add_argument("--skip-expert", action="store_true", help="do not run the expert")
    parser.add_argument("--out", type=Path, help="the JSON file [runs/bench/desktop_suite.json]")
    args = parser.parse_args()
    if args.threads:
        import torch

        torch.set_num_threads(args.threads)
    if args.budgets:
        rows = budget_latency(args.budgets, args.repeats)
        print("\n| max_image_tokens | image tokens | detail grid image | act median / p90 (ms) |")
        print("|---|---|---|---|")
        for r in rows:
            print(
                f"| {r['max_image_tokens']} | {r['image_tokens']} | {r['detail']} | "
                f"{r['act_median_ms']:.1f} / {r['act_p90_ms']:.1f} |"
            )
        out = ROOT / "runs" / "bench" / "desktop_suite_budgets.json"
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2))
        return

    import vla.envs  # noqa: F401
    from vla.rollout import load_policy

    policy = load_policy(args.policy, device=args.device)
    if args.page_resample:
        policy.page_resample = args.page_resample
    side = 2 if args.hidpi else 1
    policy.act(np.zeros((1080 * side, 1920 * side, 3), np.uint8), "warm up")  # first-call costs
    seeds = list(range(SEED0, SEED0 + args.seeds))
    rows = []
    for task in args.tasks:
        rows.append(run_task(task, seeds, policy, args))
        print(json.dumps(rows[-1]), flush=True)

    def pct(v: float) -> str:
        return f"{100 * v:.0f}%"

    def num(v: float | None, digits: int = 1) -> str:
        return "-" if v is None else f"{v:.{digits}f}"

    print(
        f"\n| task | screen | expert | {args.policy} | same policy headless | clicks | "
        "median click error (px) | act median / p90 (ms) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for r in rows:
        print(
            f"| {r['task']} | {r['screen'][0]}x{r['screen'][1]} | "
            f"{'-' if r['expert_success'] is None else pct(r['expert_success'])} | "
            f"{pct(r['policy_success'])} | {pct(r['headless_success'])} | "
            f"{r['clicks_compared']} | {num(r['median_click_error_px'])} | "
            f"{num(r['act_median_ms'])} / {num(r['act_p90_ms'])} |"
        )
    pooled = [e for r in rows for e in r["click_errors_px"]]
    if pooled:
        print(
            f"| all | | | {pct(float(np.mean([r['policy_success'] for r in rows])))} | "
            f"{pct(float(np.mean([r['headless_success'] for r in rows])))} | {len(pooled)} | "
            f"{num(statistics.median(pooled))} (p90 {num(float(np.percentile(pooled, 90)))}) | |"
        )
    first = [m for r in rows for m in r["first_act_ms"]]
    later = [m for r in rows for m in r["later_act_ms"]]
    if first:
        print(
            f"\nact: an episode's first action median {num(statistics.median(first))} ms (p90 "
            f"{num(float(np.percentile(first, 90)))}), the others "
            f"{num(statistics.median(later)) if later else '-'} ms; mean per action "
            f"{num(float(np.mean(first + later)))} ms"
        )
    out = (
        args.out or ROOT / "runs" / "bench" / f"desktop_suite{'-hidpi' if args.hidpi else ''}.json"
    )
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"args": vars(args), "rows": rows}, indent=2, default=str))
    print(f"\nwrote {out}")


if __name__ == "__main__":
    main()
