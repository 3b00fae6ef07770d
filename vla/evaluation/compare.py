"""Two evaluations side by side: what changed per task, and whether the change is more than noise.

``compare(old, new)`` pairs the tasks two :class:`~vla.evaluation.EvalInfo` share. Where both
recorded the same seeds (``per_episode``), a task's change is tested on those pairs (McNemar's
exact test: only the seeds whose outcome flipped count); otherwise, or for the mean over tasks,
as independent samples (Newcombe's interval for a difference of two proportions). ``vla
compare OLD NEW`` prints it (docs/evaluation.md); ``to_html`` draws it.

Each task is tested at 5% on its own, with no correction for the number of tasks: over 60
tasks about three "significant" changes are expected from noise alone.
"""

from __future__ import annotations

import html
import json
import math
from dataclasses import dataclass
from pathlib import Path

from vla.evaluation.info import EvalInfo, TaskSummary
from vla.evaluation.metrics import Z95, wilson_interval

__all__ = ["Comparison", "TaskChange", "compare", "load_eval_info", "mcnemar_p"]


def load_eval_info(path: str | Path) -> EvalInfo:
    """An ``eval_info.json``, the ``vla eval --out`` folder (or checkpoint) that holds one, or
    a shipped checkpoint's name (its card's evaluation).

    Raises:
        ValueError: one line naming the path and what to pass instead.
    """
    from vla.hub import find_checkpoint

    p = Path(path)
    if not p.exists():
        p = find_checkpoint(path) or p
    file = p / "eval_info.json" if p.is_dir() else p
    if not file.is_file():
        raise ValueError(
            f"{path} has no eval_info.json; pass a `vla eval --out` folder, its eval_info.json "
            "or a shipped checkpoint's name"
        )
    try:
        return EvalInfo.from_dict(json.loads(file.read_text()))
    except (json.JSONDecodeError, ValueError, TypeError) as e:
        raise ValueError(f"{file} is not an eval_info.json ({e})") from None


def mcnemar_p(old_only: int, new_only: int) -> float:
    """Two-sided exact McNemar p-value from the discordant pairs: seeds only the old policy
    solved, and seeds only the new one solved (1.0 when none flipped)."""
    n = old_only + new_only
    if n == 0:
        return 1.0
    k = min(old_only, new_only)
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
    return min(1.0, 2.0 * tail)


def newcombe_interval(old: TaskSummary, new: TaskSummary) -> tuple[float, float]:
    """95% interval of ``new - old`` success rate for independent samples (Newcombe's hybrid
    score method, from each side's Wilson interval)."""
    return _newcombe(old.successes, old.episodes, new.successes, new.episodes)


def _newcombe(k1: int, n1: int, k2: int, n2: int) -> tuple[float, float]:
    """:func:`newcombe_interval` from counts: ``k1`` of ``n1`` (old), ``k2`` of ``n2`` (new)."""
    p1, p2 = k1 / n1, k2 / n2
    l1, u1 = wilson_interval(k1, n1)
    l2, u2 = wilson_interval(k2, n2)
    d = p2 - p1
    return d - math.hypot(p2 - l2, u1 - p1), d + math.hypot(u2 - p2, p1 - l1)


@dataclass(frozen=True)
class TaskChange:
    """One task in both evaluations. ``paired``: both recorded seeds and share some; ``old``,
    ``new`` and ``episodes`` are then on the shared seeds only (a 40-seed screen against a
    100-seed evaluation compares those 40), with ``flips`` = (seeds only old solved, seeds only
    new solved). ``ci95`` is the unpaired interval of the difference; ``p`` is McNemar's when
    paired, else None (judge by ``ci95``)."""

    env_id: str
    old: float
    new: float
    episodes: tuple[int, int]
    ci95: tuple[float, float]
    paired: bool
    flips: tuple[int, int] | None
    p: float | None

    @property
    def delta(self) -> float:
        return self.new - self.old

    @property
    def significant(self) -> bool:
        """The change is beyond noise at 5% (paired test, else the interval excludes 0)."""
        if self.p is not None:
            return self.p < 0.05
        lo, hi = self.ci95
        return lo > 0 or hi < 0


def _change(env_id: str, old: TaskSummary, new: TaskSummary) -> TaskChange:
    a = {o.seed: o.success for o in old.per_episode or [] if o.seed is not None}
    b = {o.seed: o.success for o in new.per_episode or [] if o.seed is not None}
    shared = a.keys() & b.keys()
    if shared:
        return _on_shared(env_id, a, b, shared)
    return TaskChange(
        env_id, old.success_rate, new.success_rate, (old.episodes, new.episodes),
        newcombe_interval(old, new), False, None, None,
    )  # fmt: skip


def _on_shared(env_id: str, a: dict, b: dict, shared: set) -> TaskChange:
    """The change on the seeds both evaluations ran, paired (all of them, or, when one side
    ran more, e.g. a 40-seed screen against a 100-seed evaluation, the ones they share)."""
    k1, k2, n = sum(a[s] for s in shared), sum(b[s] for s in shared), len(shared)
    flips = (sum(a[s] and not b[s] for s in shared), sum(b[s] and not a[s] for s in shared))
    return TaskChange(
        env_id, k1 / n, k2 / n, (n, n), _newcombe(k1, n, k2, n), True, flips, mcnemar_p(*flips)
    )


@dataclass(frozen=True)
class Comparison:
    """``old`` against ``new`` on their shared tasks (``changes``, in the old file's order);
    ``only_old`` / ``only_new``: tasks one side did not evaluate."""

    old_name: str
    new_name: str
    changes: list[TaskChange]
    only_old: list[str]
    only_new: list[str]

    @property
    def same_seeds(self) -> bool:
        """Every shared task was compared on seeds both evaluations ran (paired)."""
        return bool(self.changes) and all(c.paired for c in self.changes)

    @property
    def mean_old(self) -> float:
        return sum(c.old for c in self.changes) / max(len(self.changes), 1)

    @property
    def mean_new(self) -> float:
        return sum(c.new for c in self.changes) / max(len(self.changes), 1)

    def mean_ci95(self) -> tuple[float, float]:
        """95% interval of the change of the mean over shared tasks (normal approximation,
        tasks independent, each side's episodes independent: conservative for shared seeds)."""
        if not self.changes:
            return 0.0, 0.0
        var = (
            sum(
                c.old * (1 - c.old) / c.episodes[0] + c.new * (1 - c.new) / c.episodes[1]
                for c in self.changes
            )
            / len(self.changes) ** 2
        )
        d = self.mean_new - self.mean_old
        return d - Z95 * math.sqrt(var), d + Z95 * math.sqrt(var)

    def counts(self) -> tuple[int, int]:
        """(tasks significantly better, tasks significantly worse)."""
        up = sum(c.significant and c.delta > 0 for c in self.changes)
        return up, sum(c.significant and c.delta < 0 for c in self.changes)

    def summary(self) -> str:
        lo, hi = self.mean_ci95()
        up, down = self.counts()
        return (
            f"mean over {len(self.changes)} shared tasks: {self.mean_old:.1%} -> "
            f"{self.mean_new:.1%} ({self.mean_new - self.mean_old:+.1%}, 95% CI "
            f"[{lo:+.1%}, {hi:+.1%}]); {up} task(s) better, {down} worse at p < 0.05 "
            f"({'paired on the same seeds' if self.same_seeds else 'unpaired: seeds differ'})"
        )

    def _ordered(self) -> list[TaskChange]:
        return sorted(self.changes, key=lambda c: (c.delta, c.env_id))

    def to_text(self) -> str:
        """A table sorted by change, worst first; ``*`` marks a change beyond noise."""
        width = max((len(c.env_id) for c in self.changes), default=4) + 2
        lines = [f"{'task':<{width}}{'old':>7}{'new':>7}{'change':>9}  {'95% CI':>17}  flips  p"]
        for c in self._ordered():
            lo, hi = c.ci95
            flips = f"{c.flips[0]}/{c.flips[1]}" if c.flips else "-"
            p = f"{c.p:.3f}" if c.p is not None else "-"
            mark = " *" if c.significant else ""
            lines.append(
                f"{c.env_id:<{width}}{c.old:>7.0%}{c.new:>7.0%}{c.delta:>+9.0%}  "
                f"[{lo:+5.0%}, {hi:+5.0%}]  {flips:>5}  {p}{mark}"
            )
        lines += [f"only in old: {e}" for e in self.only_old]
        lines += [f"only in new: {e}" for e in self.only_new]
        return "\n".join([*lines, self.summary()])

    def to_markdown(self) -> str:
        rows = [
            f"| task | {self.old_name} | {self.new_name} | change | 95% CI | p |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for c in self._ordered():
            lo, hi = c.ci95
            p = f"{c.p:.3f}" if c.p is not None else "-"
            change = f"**{c.delta:+.0%}**" if c.significant else f"{c.delta:+.0%}"
            rows.append(
                f"| `{c.env_id}` | {c.old:.0%} | {c.new:.0%} | {change} | "
                f"[{lo:+.0%}, {hi:+.0%}] | {p} |"
            )
        return "\n".join([*rows, "", self.summary()]) + "\n"

    def to_html(self) -> str:
        """A page with a dot plot (each task's old and new rate, joined by a bar coloured by the
        change: green better, red worse, grey within noise) and the table."""
        e = html.escape
        rows, row_h, left, plot_w = self._ordered(), 18, 230, 420
        svg = [
            f"<svg xmlns='http://www.w3.org/2000/svg' width='{left + plot_w + 60}' "
            f"height='{row_h * (len(rows) + 2)}' font-family='sans-serif' font-size='12'>"
        ]
        for tick in range(0, 101, 25):
            x = left + plot_w * tick / 100
            svg.append(
                f"<line x1='{x}' x2='{x}' y1='0' y2='{row_h * len(rows)}' stroke='#ddd'/>"
                f"<text x='{x}' y='{row_h * (len(rows) + 1)}' text-anchor='middle'>{tick}%</text>"
            )
        for i, c in enumerate(rows):
            y = row_h * i + row_h / 2
            x0, x1 = left + plot_w * c.old, left + plot_w * c.new
            colour = "#888" if not c.significant else ("#2a2" if c.delta > 0 else "#c22")
            svg.append(
                f"<text x='{left - 8}' y='{y + 4}' text-anchor='end'>{e(c.env_id)}</text>"
                f"<line x1='{x0}' x2='{x1}' y1='{y}' y2='{y}' stroke='{colour}' "
                f"stroke-width='3'/><circle cx='{x0}' cy='{y}' r='4' fill='#fff' "
                f"stroke='#555'/><circle cx='{x1}' cy='{y}' r='4' fill='{colour}'/>"
            )
        svg.append("</svg>")
        table = e(self.to_text())
        return (
            f"<!doctype html><html><head><meta charset=utf-8><title>vla compare</title></head>"
            f"<body style='font-family: system-ui, sans-serif; margin: 2em'>"
            f"<h1>{e(self.old_name)} (open dots) against {e(self.new_name)} (filled)</h1>"
            f"<p>{e(self.summary())}</p>{''.join(svg)}<pre>{table}</pre></body></html>\n"
        )


def compare(
    old: EvalInfo, new: EvalInfo, old_name: str | None = None, new_name: str | None = None
) -> Comparison:
    """Every task both evaluated, old against new (see the module docstring)."""
    shared = [env for env in old.tasks if env in new.tasks]
    changes = [_change(env, old.tasks[env], new.tasks[env]) for env in shared]
    return Comparison(
        old_name=old_name or old.policy,
        new_name=new_name or new.policy,
        changes=changes,
        only_old=[env for env in old.tasks if env not in new.tasks],
        only_new=[env for env in new.tasks if env not in old.tasks],
    )
