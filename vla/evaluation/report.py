"""Writing an evaluation to disk: ``eval_info.json``, GIF replays with the actions drawn on the
frames, and a self-contained ``report.html`` (a table, then per task its replays)."""

from __future__ import annotations

import html
import json
import math
from pathlib import Path
from typing import Any

from vla.actions import ROBOT_ACTIONS
from vla.evaluation.rollout import Episode, RolloutResult

__all__ = ["format_table", "render_html", "write_report"]


def write_report(out: Path, info: dict[str, Any], results: list[RolloutResult]) -> Path:
    """Write everything under ``out``; adds each task's replay paths to ``info`` (relative to
    ``out``) and returns the path of ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    for result in results:
        replays = []
        for ep in result.episodes:
            if ep.frames:
                replays.append(_write_gif(out, result.env_id, ep))
        info["tasks"][result.env_id]["replays"] = replays
    (out / "eval_info.json").write_text(json.dumps(_jsonable(info), indent=2) + "\n")
    path = out / "report.html"
    path.write_text(render_html(info))
    return path


def _write_gif(out: Path, env_id: str, ep: Episode) -> dict[str, Any]:
    from vla.render import draw_action, save_gif

    name = env_id.replace("/", "_")
    rel = Path("replays") / f"{name}-seed{ep.seed}-{'success' if ep.success else 'failure'}.gif"
    (out / rel.parent).mkdir(parents=True, exist_ok=True)
    robot = bool(ep.actions) and isinstance(ep.actions[0], ROBOT_ACTIONS)
    frames = [
        draw_action(f, a, caption=f"{ep.instruction} [{t + 1}]")
        for t, (f, a) in enumerate(zip(ep.frames, ep.actions, strict=False))
    ]
    outcome = "success" if ep.success else "failure"
    last = draw_action(ep.frames[-1], None, caption=f"{ep.instruction} [{outcome}]")
    frames += [last] * (4 if robot else 2)  # hold the final observation a little
    save_gif(frames, out / rel, fps=8.0 if robot else 2.0)
    return {"seed": ep.seed, "success": ep.success, "length": ep.length, "path": str(rel)}


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    if hasattr(obj, "item"):  # numpy scalars
        return obj.item()
    return obj


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1100px; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { display: inline-block; margin: 6px; text-align: center; font-size: 12px; }
img { image-rendering: pixelated; border: 3px solid #ccc; }
img.ok { border-color: #2a2; } img.bad { border-color: #c22; }
"""


def render_html(info: dict[str, Any]) -> str:
    """The report page for an ``eval_info`` dict (replay paths relative to the page)."""
    e = html.escape
    seeds = info["seeds"]
    check = info["seed_check"]
    if check["disjoint"] is None:
        seed_line = "The checkpoint records no training seeds, so disjointness was not checked."
    elif check["disjoint"]:
        seed_line = "These seeds are disjoint from every seed of the training data (checked)."
    else:
        seed_line = f"WARNING: these seeds overlap the training data: {e(str(check['overlap']))}."
    rows = []
    for env_id, t in info["tasks"].items():
        lo, hi = t["ci95"]
        rows.append(
            f"<tr><td>{e(env_id)}</td><td class=num>{t['success_rate']:.1%}</td>"
            f"<td class=num>[{lo:.1%}, {hi:.1%}]</td><td class=num>{t['episodes']}</td>"
            f"<td class=num>{t['mean_length']:.1f}</td>"
            f"<td class=num>{t['policy_latency_ms']['p50']:.1f}</td>"
            f"<td class=num>{t['env_latency_ms']['p50']:.1f}</td></tr>"
        )
    overall = info["overall"]
    parts = [
        f"<!doctype html><html><head><meta charset=utf-8><title>vla eval: {e(info['policy'])}"
        f"</title><style>{_CSS}</style></head><body>",
        f"<h1>Closed-loop evaluation of <code>{e(info['policy'])}</code></h1>",
        f"<p>{overall['episodes']} episodes over {overall['tasks']} task(s); mean success "
        f"<b>{overall['mean_success_rate']:.1%}</b>. Device: {e(info['device'])}; "
        f"{info['workers']} env worker(s), batched inference.</p>",
        f"<p>Seeds {seeds['start']}..{seeds['stop']} for every task (episode k uses seed "
        f"start + k). {e(seed_line)}</p>",
        "<table><tr><th>env</th><th>success</th><th>95% Wilson CI</th><th>episodes</th>"
        "<th>mean length</th><th>policy p50 ms (batch)</th><th>env step p50 ms</th></tr>",
        *rows,
        "</table>",
    ]
    for env_id, t in info["tasks"].items():
        parts.append(f"<h2>{e(env_id)}</h2>")
        if not t.get("replays"):
            parts.append("<p>No replays recorded.</p>")
        for r in t.get("replays", []):
            cls, word = ("ok", "success") if r["success"] else ("bad", "failure")
            parts.append(
                f"<figure><img class={cls} src='{e(r['path'])}' width=240>"
                f"<figcaption>seed {r['seed']}: {word}, {r['length']} steps</figcaption></figure>"
            )
    parts.append("</body></html>\n")
    return "\n".join(parts)


def format_table(info: dict) -> str:
    """A plain-text table of an ``eval_info`` dict: success rate and 95% interval per task."""
    width = max(len(k) for k in info["tasks"]) + 2
    lines = [f"{'env':<{width}}{'success':>9}  {'95% CI':>15}  {'len':>5}"]
    for env_id, t in info["tasks"].items():
        lo, hi = t["ci95"]
        lines.append(
            f"{env_id:<{width}}{t['success_rate']:>9.1%}  [{lo:5.1%}, {hi:5.1%}]"
            f"  {t['mean_length']:>5.1f}"
        )
    lines.append(f"{'mean':<{width}}{info['overall']['mean_success_rate']:>9.1%}")
    return "\n".join(lines)
