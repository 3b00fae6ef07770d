"""``report.html`` of a training run: loss, learning-rate and validation curves as inline SVG.

The page is self-contained (no script, no CDN, no network), so it opens from a run folder copied
anywhere. It is drawn from ``metrics.jsonl`` alone, which makes it reproducible after the fact
(``write_training_report(run_folder)``); the trainer rewrites it at each validation and at the
end of the run. A resumed run logs some steps twice; the later event of a step wins.
"""

from __future__ import annotations

import html
import json
import math
import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

__all__ = ["read_metrics", "render_training_report", "write_training_report"]

Series = dict[str, list[tuple[float, float]]]

# one colour per line of a plot (colour-blind friendly: Okabe-Ito)
_COLOURS = ("#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#000000")
_W, _H = 560, 260
_LEFT, _RIGHT, _TOP, _BOTTOM = 64, 16, 30, 36


def read_metrics(path: str | Path) -> list[dict[str, Any]]:
    """The events of a ``metrics.jsonl``, in file order; a torn last line (a killed run) is
    skipped, any other bad line raises ``ValueError`` naming the line."""
    lines = Path(path).read_text().splitlines() if Path(path).is_file() else []
    events = []
    for i, line in enumerate(lines):
        try:
            events.append(json.loads(line))
        except json.JSONDecodeError as e:
            if i == len(lines) - 1:
                break
            raise ValueError(f"{path}: line {i + 1} is not JSON: {e}") from None
    return events


def _series(events: Sequence[dict[str, Any]], key: str) -> list[tuple[float, float]]:
    """(step, value) of ``key``, one per step (the last event wins), sorted by step."""
    by_step: dict[float, float] = {}
    for e in events:
        v = e.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v):
            by_step[float(e["step"])] = float(v)
    return sorted(by_step.items())


def _per_dim(events: Sequence[dict[str, Any]], key: str) -> Series:
    """A list-valued metric (one value per action dimension) as one series per dimension."""
    by_step: dict[float, list[float]] = {}
    for e in events:
        if isinstance(e.get(key), list):
            by_step[float(e["step"])] = e[key]
    dims = max((len(v) for v in by_step.values()), default=0)
    return {
        f"dim {d}": [(s, float(v[d])) for s, v in sorted(by_step.items()) if len(v) > d]
        for d in range(dims)
    }


def _ticks(lo: float, hi: float, integer: bool = False, n: int = 5) -> list[float]:
    """About ``n`` round tick values (1, 2, 2.5 or 5 times a power of ten) within [lo, hi]."""
    if hi <= lo:
        return [lo]
    raw = (hi - lo) / (n - 1)
    mag = 10 ** math.floor(math.log10(raw))
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    if integer:
        step = max(1.0, float(round(step)))
    first = math.ceil(lo / step - 1e-9) * step
    return [first + i * step for i in range(int((hi - first) / step + 1e-9) + 1)]


def _fmt(v: float, percent: bool) -> str:
    if percent:
        return f"{v:.0%}"
    return f"{v:.2g}" if abs(v) < 0.01 and v != 0 else f"{v:.3g}"


def svg_plot(title: str, series: Series, percent: bool = False) -> str:
    """One line plot as an ``<svg class="plot">`` element: x is the optimizer step, one coloured
    polyline (with dots) per entry of ``series``, a legend when there are several."""
    points = [p for line in series.values() for p in line]
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    x0, x1 = min(xs), max(xs)
    y0, y1 = min(ys), max(ys)
    if percent:
        y0, y1 = min(y0, 0.0), max(y1, 1.0)
    if y1 - y0 < 1e-12:  # a flat line: give it room
        y0, y1 = y0 - (abs(y0) * 0.1 or 1.0), y1 + (abs(y1) * 0.1 or 1.0)
    if x1 == x0:
        x0, x1 = x0 - 1, x1 + 1
    pw, ph = _W - _LEFT - _RIGHT, _H - _TOP - _BOTTOM

    def sx(x: float) -> float:
        return _LEFT + (x - x0) / (x1 - x0) * pw

    def sy(y: float) -> float:
        return _TOP + (1 - (y - y0) / (y1 - y0)) * ph

    e = html.escape
    out = [
        f'<svg class="plot" data-title="{e(title)}" xmlns="http://www.w3.org/2000/svg" '
        f'width="{_W}" height="{_H}" viewBox="0 0 {_W} {_H}">',
        f'<text x="{_LEFT}" y="18" class="title">{e(title)}</text>',
        f'<rect x="{_LEFT}" y="{_TOP}" width="{pw}" height="{ph}" class="frame"/>',
    ]
    for t in _ticks(y0, y1):
        out.append(f'<line x1="{_LEFT}" x2="{_LEFT + pw}" y1="{sy(t):.1f}" y2="{sy(t):.1f}" '
                   'class="grid"/>')  # fmt: skip
        out.append(
            f'<text x="{_LEFT - 6}" y="{sy(t) + 4:.1f}" class="yt">{_fmt(t, percent)}</text>'
        )
    for t in _ticks(x0, x1, integer=True):
        out.append(f'<text x="{sx(t):.1f}" y="{_H - 14}" class="xt">{t:.0f}</text>')
    out.append(f'<text x="{_LEFT + pw / 2:.0f}" y="{_H - 2}" class="xt">step</text>')
    for i, (name, line) in enumerate(series.items()):
        colour = _COLOURS[i % len(_COLOURS)]
        pts = " ".join(f"{sx(x):.1f},{sy(y):.1f}" for x, y in line)
        out.append(f'<polyline points="{pts}" stroke="{colour}" class="line"/>')
        if len(line) <= 60:
            out += [f'<circle cx="{sx(x):.1f}" cy="{sy(y):.1f}" r="2.5" fill="{colour}"/>'
                    for x, y in line]  # fmt: skip
        if len(series) > 1:
            ly = _TOP + 12 + 14 * i
            out.append(f'<text x="{_LEFT + pw - 4}" y="{ly}" fill="{colour}" class="legend">'
                       f"{e(name)}</text>")  # fmt: skip
    out.append("</svg>")
    return "\n".join(out)


def _plots(events: Sequence[dict[str, Any]]) -> list[str]:
    """Every plot that has data, in reading order."""
    specs: list[tuple[str, Series, bool]] = [
        ("loss", {"train": _series(events, "train/loss"), "val": _series(events, "val/loss")}, False),
        ("learning rate", {"lr": _series(events, "train/lr")}, False),
        (
            "validation accuracy",
            {
                "action token": _series(events, "val/token_accuracy"),
                "verb": _series(events, "val/verb_accuracy"),
                "exact action": _series(events, "val/exact_match"),
            },
            True,
        ),
        (
            "validation click error (px)",
            {
                "median": _series(events, "val/click_px_median"),
                "mean": _series(events, "val/click_px_mean"),
            },
            False,
        ),
        (
            "validation robot action error per dimension (abs, action units)",
            _per_dim(events, "val/action_abs_err"),
            False,
        ),
    ]  # fmt: skip
    plots = []
    for title, series, percent in specs:
        series = {k: v for k, v in series.items() if v}
        if series:
            plots.append(svg_plot(title, series, percent))
    return plots


def render_training_report(events: Sequence[dict[str, Any]], title: str = "training run") -> str:
    """The report page for ``events`` (``metrics.jsonl`` objects)."""
    plots = _plots(events)
    steps = [e["step"] for e in events if "step" in e]
    last_val = next((e for e in reversed(events) if "val/loss" in e), None)
    lines = [f"{len(steps)} events up to step {max(steps)}." if steps else "No events yet."]
    if last_val is not None:
        from vla.training.validation import format_validation

        lines.append(format_validation(int(last_val["step"]), last_val))
    e = html.escape
    return "\n".join(
        [
            "<!doctype html><html><head><meta charset=utf-8>",
            f"<title>vla train: {e(title)}</title><style>{_CSS}</style></head><body>",
            f"<h1>Training run <code>{e(title)}</code></h1>",
            *(f"<p>{e(line)}</p>" for line in lines),
            '<div class="plots">',
            *(plots or ["<p>No curves yet: nothing has been logged.</p>"]),
            "</div>",
            "<p class=note>Drawn from metrics.jsonl; TensorBoard logs are in tb/.</p>",
            "</body></html>\n",
        ]
    )


def write_training_report(out: str | Path) -> Path:
    """(Re)write ``out/report.html`` from ``out/metrics.jsonl``; returns its path. The file is
    replaced atomically, so a browser reloading it never sees half a page."""
    out = Path(out)
    path = out / "report.html"
    tmp = out / ".report.html.tmp"
    tmp.write_text(render_training_report(read_metrics(out / "metrics.jsonl"), out.name))
    os.replace(tmp, path)
    return path


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1200px; }
.plots { display: flex; flex-wrap: wrap; gap: 12px; }
svg.plot { background: #fff; border: 1px solid #ddd; }
svg .title { font-size: 14px; font-weight: 600; }
svg .frame { fill: none; stroke: #999; }
svg .grid { stroke: #eee; }
svg .yt { font-size: 11px; text-anchor: end; fill: #444; }
svg .xt { font-size: 11px; text-anchor: middle; fill: #444; }
svg .legend { font-size: 11px; text-anchor: end; }
svg .line { fill: none; stroke-width: 2; }
.note { color: #666; font-size: 12px; }
"""
