"""Which model change buys browser success? Train each variant on the same data, seed and step
budget, then evaluate each closed loop on the same tasks and unseen seeds (issue 13).

    python benchmarks/browser_ablation.py \\
        --dataset runs/recipes/vla-browser-tiny/data-0 --dataset runs/recipes/vla-browser-tiny/data-1 \\
        --steps 500 --episodes 25 --task click-button --task click-link --task click-test-2 \\
        --variant fixed80:conv_stem=true,sincos_position_init=true \\
        --variant native16:conv_stem=true,vision_patch_size=16,max_image_tokens=140

A variant is ``NAME:KEY=VALUE,...``: ``vla-tiny`` preset overrides (JSON values) on top of
``coord_bins=256, bin_smoothing=0.02``, the browser recipe's. Each variant trains into
``--out/NAME`` and evaluates into ``--out/NAME/eval``; a variant whose evaluation exists is
not rerun, so an interrupted ablation resumes. Variants that differ in data are separate calls,
each with its own ``--dataset`` flags, into the same ``--out``. Printed at the end (and written
to ``--out/ablation.json``, beside the rows of variants an earlier call ran there): per task
success, the mean, training samples per second and the policy's median latency per call (a
batch of the 2 eval workers' envs). ``--max-steps`` caps each eval episode (15 by default;
multi-step tasks need the recipe's 25).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

COMMON = {"coord_bins": 256, "bin_smoothing": 0.02}


def parse_variant(text: str) -> tuple[str, dict[str, Any]]:
    """``"name:a=1,b=true"`` -> ``("name", {"a": 1, "b": True})`` (values parsed as JSON)."""
    name, _, rest = text.partition(":")
    overrides: dict[str, Any] = {}
    for item in filter(None, rest.split(",")):
        key, sep, value = item.partition("=")
        if not sep:
            raise SystemExit(f"variant {text!r}: {item!r} is not KEY=VALUE")
        try:
            overrides[key] = json.loads(value)
        except json.JSONDecodeError:
            overrides[key] = value
    return name, overrides


def run_variant(name: str, overrides: dict[str, Any], args: argparse.Namespace) -> dict[str, Any]:
    """Train (or resume) one variant, evaluate it, and return its row."""
    envs = [f"vla/miniwob-{t}-v0" for t in args.task]
    row = train_and_evaluate(
        Path(args.out) / name,
        args,
        {**COMMON, **overrides},
        envs,
        workers=2,
        max_steps=args.max_steps,
    )
    return {"variant": name, "overrides": overrides, "datasets": args.dataset} | row


def train_and_evaluate(
    run: Path,
    args: argparse.Namespace,
    model_overrides: dict[str, Any],
    env_ids: list[str],
    augment: str = "auto",
    **eval_settings: Any,
) -> dict[str, Any]:
    """Train ``vla-tiny`` with ``model_overrides`` into ``run`` (``args``: dataset, steps,
    batch_size, lr, threads, episodes) unless it is trained, evaluate it on ``env_ids`` into
    ``run/eval`` (``eval_settings``: more :class:`EvalConfig` fields) unless that exists, and
    return ``tasks`` (short task name -> success rate), ``mean``, ``samples_per_s``,
    ``policy_ms_p50`` and the final ``val`` metrics (``augment``: :class:`TrainConfig`'s).
    Shared by the robot ablation."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.training import TrainConfig, train

    if not (run / "training_summary.json").is_file():
        train(
            TrainConfig(
                datasets=args.dataset,
                out=str(run),
                config="vla-tiny",
                model_overrides=model_overrides,
                steps=args.steps,
                batch_size=args.batch_size,
                lr=args.lr,
                threads=args.threads,
                seed=0,
                resume=True,
                log_with="none",
                augment=augment,
            )
        )
    summary = json.loads((run / "training_summary.json").read_text())
    info_path = run / "eval" / "eval_info.json"
    if not info_path.is_file():
        evaluate(
            EvalConfig(
                policy=str(run),
                env_ids=env_ids,
                episodes=args.episodes,
                replays=1,
                out=str(run / "eval"),
                **eval_settings,
            )
        )
    info = json.loads(info_path.read_text())
    # vla/miniwob-click-test-v0 -> click-test, vla/panda-reach-v0 -> reach
    tasks = {env[4:-3].split("-", 1)[1]: t["success_rate"] for env, t in info["tasks"].items()}
    latency = [
        t["policy_latency_ms"]["p50"] for t in info["tasks"].values() if t.get("policy_latency_ms")
    ]
    return {
        "tasks": tasks,
        "mean": sum(tasks.values()) / len(tasks),
        "samples_per_s": summary["samples"] / summary["wall_time_s"],
        "policy_ms_p50": sorted(latency)[len(latency) // 2] if latency else None,
        "val": {k: v for k, v in summary.get("final_metrics", {}).items() if k.startswith("val/")},
    }


def table(rows: list[dict[str, Any]], tasks: list[str]) -> str:
    head = "| variant | " + " | ".join(tasks) + " | mean | train samples/s | policy p50 (ms) |"
    lines = [head, "|---" * (len(tasks) + 4) + "|"]
    for r in rows:
        cells = [f"{100 * r['tasks'].get(t, float('nan')):.0f}%" for t in tasks]
        ms = f"{r['policy_ms_p50']:.0f}" if r["policy_ms_p50"] else "-"
        lines.append(
            f"| {r['variant']} | "
            + " | ".join(cells)
            + f" | **{100 * r['mean']:.1f}%** | {r['samples_per_s']:.1f} | {ms} |"
        )
    return "\n".join(lines)


def parser(doc: str, task_help: str, steps: int, threads: int, episodes: int, out: str) -> Any:
    """The flags both ablations take (the robot one adds its own); ``doc``: the script's
    docstring, whose first line describes it."""
    p = argparse.ArgumentParser(description=doc.split("\n")[0])
    p.add_argument("--dataset", action="append", required=True)
    p.add_argument("--task", action="append", required=True, help=task_help)
    p.add_argument("--variant", action="append", required=True, help="NAME:KEY=VALUE,...")
    p.add_argument("--steps", type=int, default=steps)
    p.add_argument("--batch-size", type=int, default=32)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--threads", type=int, default=threads)
    p.add_argument("--episodes", type=int, default=episodes, help="unseen seeds per task")
    p.add_argument("--out", default=out)
    return p


def run_ablation(args: argparse.Namespace, run_variant: Any) -> None:
    """Run every ``--variant`` in turn; write ``--out/ablation.json`` and print the table.
    Rows already in ``ablation.json`` for variants not named this time are kept (first)."""
    record = Path(args.out, "ablation.json")
    names = {parse_variant(text)[0] for text in args.variant}
    earlier = json.loads(record.read_text()) if record.is_file() else []
    rows: list[dict[str, Any]] = []
    for text in args.variant:
        t0 = time.time()
        rows.append(run_variant(*parse_variant(text), args))
        print(
            f"{rows[-1]['variant']}: mean {100 * rows[-1]['mean']:.1f}% ({time.time() - t0:.0f} s)",
            flush=True,
        )
    kept = [r for r in earlier if r.get("variant") not in names]
    record.write_text(json.dumps(kept + rows, indent=1) + "\n")
    print(table(rows, args.task))


def main() -> None:
    p = parser(__doc__, "MiniWoB++ task name", 500, 2, 25, "runs/ablation/browser")
    p.add_argument("--max-steps", type=int, default=15, help="step cap of each eval episode")
    args = p.parse_args()
    run_ablation(args, run_variant)


if __name__ == "__main__":
    main()
