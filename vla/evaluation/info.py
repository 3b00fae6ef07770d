"""``EvalInfo``: the result of a closed-loop evaluation, typed, and every way it is shown.

It is what ``eval_info.json`` holds (schema in docs/evaluation.md): ``to_dict`` writes that
JSON object, ``from_dict`` reads any file written since the schema began (keys it does not know
are kept in ``extra`` and written back), and ``merge`` joins several checkpoints' evaluations
into one (``vla demo``). The renderers sit beside the data: ``to_text`` (terminal table),
``to_markdown`` (model cards, docs/results.md) and ``to_html`` (``report.html``).

Rates are fractions in [0, 1]; latencies are milliseconds; ``seeds.stop`` is inclusive.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field, fields
from typing import Any

from vla.evaluation.episodes import EpisodeOutcome

__all__ = ["EpisodeOutcome", "EvalInfo", "Replay", "SeedCheck", "TaskSummary"]


def _take(d: Any, key: str, where: str) -> Any:
    if not isinstance(d, dict):
        raise ValueError(f"{where} must be a JSON object; got {type(d).__name__}")
    if key not in d:
        raise ValueError(f"{where} is missing `{key}`")
    return d[key]


def _extra(d: dict[str, Any], cls: type, derived: tuple[str, ...] = ()) -> dict[str, Any]:
    """The keys of ``d`` that ``cls`` has no field for (kept so a round trip loses nothing),
    less the ``derived`` ones that ``to_dict`` recomputes."""
    known = {f.name for f in fields(cls) if f.name != "extra"} | set(derived)
    return {k: v for k, v in d.items() if k not in known}


def _jsonable(obj: Any) -> Any:
    """Plain JSON values: tuples as lists, numpy scalars as numbers, NaN/inf as null."""
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "item"):  # numpy scalars
        obj = obj.item()
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _ms(latency: dict[str, Any], key: str, digits: int) -> str:
    """A latency percentile for a table; ``-`` when none was measured (null or NaN)."""
    value = latency.get(key)
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "-"
    return f"{value:.{digits}f}"


@dataclass
class Replay:
    """One saved GIF replay; ``path`` is relative to the folder of ``eval_info.json``."""

    seed: int
    success: bool
    length: int
    path: str

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "replay") -> Replay:
        return cls(**{f.name: _take(d, f.name, where) for f in fields(cls)})

    def to_dict(self) -> dict[str, Any]:
        return {
            "seed": self.seed,
            "success": self.success,
            "length": self.length,
            "path": self.path,
        }


@dataclass
class SeedCheck:
    """The evaluation seeds against the checkpoint's ``training_data.json``.

    ``disjoint`` is None when the checkpoint records no training data; ``overlap`` counts the
    shared seeds per env id.
    """

    training_data: bool = False
    disjoint: bool | None = None
    overlap: dict[str, int] = field(default_factory=dict)
    training_envs: list[str] = field(default_factory=list)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> SeedCheck:
        return cls(
            training_data=bool(d.get("training_data", False)),
            disjoint=_take(d, "disjoint", "seed_check"),
            overlap=dict(d.get("overlap", {})),
            training_envs=list(d.get("training_envs", [])),
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "training_data": self.training_data,
            "disjoint": self.disjoint,
            "overlap": dict(self.overlap),
            "training_envs": list(self.training_envs),
        }


@dataclass
class TaskSummary:
    """The numbers of one env: outcomes, 95% Wilson interval ``ci95 = (lo, hi)``, mean episode
    length (steps) and reward, the seeds that failed, throughput, and latency percentiles
    (``{"p50", "p90", "p99", "mean": ms, "n": samples}``; policy latency is per batch)."""

    episodes: int
    successes: int
    success_rate: float
    ci95: tuple[float, float]
    mean_length: float
    mean_reward: float
    truncated: int
    failed_seeds: list[int]
    batch_size: int
    policy_latency_ms: dict[str, Any]
    env_latency_ms: dict[str, Any]
    env_steps: int
    env_steps_per_s: float
    wall_time_s: float
    #: Saved replays; None when none were written (no output folder), so the key stays absent.
    replays: list[Replay] | None = None
    #: Every episode in seed order with its failure reason and action list; None in files
    #: written before it existed (the key stays absent).
    per_episode: list[EpisodeOutcome] | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def from_dict(cls, d: dict[str, Any], where: str = "task") -> TaskSummary:
        optional = ("replays", "per_episode", "extra")
        names = [f.name for f in fields(cls) if f.name not in optional]
        values = {name: _take(d, name, where) for name in names}
        lo, hi = values["ci95"]
        values["ci95"] = (lo, hi)
        replays, episodes = d.get("replays"), d.get("per_episode")
        return cls(
            **values,
            replays=None
            if replays is None
            else [Replay.from_dict(r, f"{where}.replays[{i}]") for i, r in enumerate(replays)],
            per_episode=None
            if episodes is None
            else [
                EpisodeOutcome.from_dict(e, f"{where}.per_episode[{i}]")
                for i, e in enumerate(episodes)
            ],
            extra=_extra(d, cls),
        )

    def to_dict(self) -> dict[str, Any]:
        out = {f.name: getattr(self, f.name) for f in fields(self)}
        out.pop("extra")
        out["ci95"] = list(self.ci95)
        for key in ("replays", "per_episode"):
            if out[key] is None:
                out.pop(key)
            else:
                out[key] = [r.to_dict() for r in out[key]]
        return _jsonable(out | self.extra)


@dataclass
class EvalInfo:
    """One evaluation of ``policy`` (a checkpoint name or path) on ``tasks`` (env id -> summary).

    ``seeds`` is ``{"start", "stop"}`` (inclusive): episode k of every task used seed
    ``start + k``. ``max_steps`` is the step cap applied (None: each env's own limit).
    """

    policy: str
    device: str
    episodes_per_task: int
    seeds: dict[str, int]
    seed_check: SeedCheck
    workers: int
    tasks: dict[str, TaskSummary]
    max_steps: int | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> dict[str, Any]:
        """``{"mean_success_rate": mean over tasks (0.0 with none), "tasks", "episodes"}``."""
        rates = [t.success_rate for t in self.tasks.values()]
        return {
            "mean_success_rate": sum(rates) / len(rates) if rates else 0.0,
            "tasks": len(rates),
            "episodes": sum(t.episodes for t in self.tasks.values()),
        }

    # ------------------------------------------------------------------ JSON

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> EvalInfo:
        """Read an ``eval_info.json`` object. ``overall`` is recomputed from the tasks.

        Raises:
            ValueError: naming the missing or malformed field.
        """
        tasks = _take(d, "tasks", "eval_info")
        if not isinstance(tasks, dict):
            raise ValueError(f"eval_info `tasks` must be a JSON object; got {tasks!r}")
        seeds = _take(d, "seeds", "eval_info")
        return cls(
            policy=_take(d, "policy", "eval_info"),
            device=d.get("device", "unknown"),
            episodes_per_task=_take(d, "episodes_per_task", "eval_info"),
            seeds={"start": _take(seeds, "start", "seeds"), "stop": _take(seeds, "stop", "seeds")},
            seed_check=SeedCheck.from_dict(_take(d, "seed_check", "eval_info")),
            workers=d.get("workers", 1),
            tasks={k: TaskSummary.from_dict(v, f"tasks[{k!r}]") for k, v in tasks.items()},
            max_steps=d.get("max_steps"),
            extra=_extra(d, cls, derived=("overall",)),
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``eval_info.json`` object (plain JSON values; NaN written as null)."""
        return _jsonable(
            {
                "policy": self.policy,
                "device": self.device,
                "episodes_per_task": self.episodes_per_task,
                "seeds": dict(self.seeds),
                "seed_check": self.seed_check.to_dict(),
                "workers": self.workers,
                "max_steps": self.max_steps,
                "tasks": {k: t.to_dict() for k, t in self.tasks.items()},
                "overall": self.overall,
                **self.extra,
            }
        )

    @classmethod
    def merge(cls, named: list[tuple[str, EvalInfo]]) -> EvalInfo:
        """One evaluation over several checkpoints' evaluations (``[(name, info), ...]``).

        Tasks become ``"<name>: <env id>"`` and replay paths ``"<name>/<path>"`` (each
        checkpoint's report lives in its own subfolder). Device, seeds and workers are the
        first one's; ``seed_check.disjoint`` is True only when every part was checked disjoint.
        """
        from dataclasses import replace

        tasks: dict[str, TaskSummary] = {}
        for name, info in named:
            for env_id, t in info.tasks.items():
                replays = [replace(r, path=f"{name}/{r.path}") for r in t.replays or []]
                tasks[f"{name}: {env_id}"] = replace(t, replays=replays)
        first = named[0][1] if named else None
        disjoint = [info.seed_check.disjoint for _, info in named]
        return cls(
            policy=" + ".join(name for name, _ in named) or "(no checkpoint)",
            device=first.device if first else "n/a",
            episodes_per_task=first.episodes_per_task if first else 0,
            seeds=dict(first.seeds) if first else {"start": 0, "stop": -1},
            seed_check=SeedCheck(
                training_data=bool(named) and all(i.seed_check.training_data for _, i in named),
                disjoint=None if None in disjoint or not disjoint else all(disjoint),
            ),
            workers=first.workers if first else 1,
            tasks=tasks,
            max_steps=first.max_steps if first else None,
        )

    # ------------------------------------------------------------------ renderers

    def to_text(self) -> str:
        """A plain-text table: success rate, 95% interval and mean length per task."""
        width = max((len(k) for k in self.tasks), default=4) + 2
        lines = [f"{'env':<{width}}{'success':>9}  {'95% CI':>15}  {'len':>5}"]
        for env_id, t in self.tasks.items():
            lo, hi = t.ci95
            lines.append(
                f"{env_id:<{width}}{t.success_rate:>9.1%}  [{lo:5.1%}, {hi:5.1%}]"
                f"  {t.mean_length:>5.1f}"
            )
        lines.append(f"{'mean':<{width}}{self.overall['mean_success_rate']:>9.1%}")
        return "\n".join(lines)

    def to_markdown(self) -> str:
        """A Markdown table: success, 95% Wilson interval, episodes, length, policy latency per
        call, median and mean (the mean is a chunk-executing policy's amortised cost)."""
        if not self.tasks:
            return "_Not evaluated yet._\n"
        rows = [
            "| task | success | 95% CI | episodes | mean length | policy p50 / mean (ms) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for env_id, t in self.tasks.items():
            lo, hi = t.ci95
            rows.append(
                f"| `{env_id}` | {t.success_rate:.0%} | [{lo:.0%}, {hi:.0%}] | {t.episodes} "
                f"| {t.mean_length:.1f} | {_ms(t.policy_latency_ms, 'p50', 0)} / "
                f"{_ms(t.policy_latency_ms, 'mean', 1)} |"
            )
        overall = self.overall
        rows.append(
            f"| **mean** | **{overall['mean_success_rate']:.1%}** | | {overall['episodes']} | | |"
        )
        return "\n".join(rows) + "\n"

    def to_html(self) -> str:
        """The self-contained report page (replay paths relative to the page)."""
        e = html.escape
        overall = self.overall
        parts = [
            f"<!doctype html><html><head><meta charset=utf-8><title>vla eval: {e(self.policy)}"
            f"</title><style>{_CSS}</style></head><body>",
            f"<h1>Closed-loop evaluation of <code>{e(self.policy)}</code></h1>",
            f"<p>{overall['episodes']} episodes over {overall['tasks']} task(s); mean success "
            f"<b>{overall['mean_success_rate']:.1%}</b>. Device: {e(self.device)}; "
            f"{self.workers} env worker(s), batched inference.</p>",
            f"<p>Seeds {self.seeds['start']}..{self.seeds['stop']} for every task (episode k "
            f"uses seed start + k). {e(self._seed_line())}</p>",
            "<table><tr><th>env</th><th>success</th><th>95% Wilson CI</th><th>episodes</th>"
            "<th>mean length</th><th>policy p50 ms (batch)</th><th>env step p50 ms</th></tr>",
            *(_html_row(env_id, t) for env_id, t in self.tasks.items()),
            "</table>",
        ]
        for env_id, t in self.tasks.items():
            parts.append(f"<h2>{e(env_id)}</h2>")
            reasons = {o.seed: o.failure for o in t.per_episode or []}
            if not t.replays:
                parts.append("<p>No replays recorded.</p>")
            for r in t.replays or []:
                cls, word = ("ok", "success") if r.success else ("bad", "failure")
                reason = reasons.get(r.seed)
                why = f"<br>{e(reason)}" if reason else ""
                parts.append(
                    f"<figure><img class={cls} src='{e(r.path)}'>"
                    f"<figcaption>seed {r.seed}: {word}, {r.length} steps{why}</figcaption>"
                    "</figure>"
                )
            if t.per_episode:
                parts.append(_html_episodes(t.per_episode))
        parts.append("</body></html>\n")
        return "\n".join(parts)

    def _seed_line(self) -> str:
        check = self.seed_check
        if check.disjoint is None:
            return "The checkpoint records no training seeds, so disjointness was not checked."
        if check.disjoint:
            return "These seeds are disjoint from every seed of the training data (checked)."
        return f"WARNING: these seeds overlap the training data: {check.overlap}."


def _html_row(env_id: str, t: TaskSummary) -> str:
    lo, hi = t.ci95
    return (
        f"<tr><td>{html.escape(env_id)}</td><td class=num>{t.success_rate:.1%}</td>"
        f"<td class=num>[{lo:.1%}, {hi:.1%}]</td><td class=num>{t.episodes}</td>"
        f"<td class=num>{t.mean_length:.1f}</td>"
        f"<td class=num>{_ms(t.policy_latency_ms, 'p50', 1)}</td>"
        f"<td class=num>{_ms(t.env_latency_ms, 'p50', 1)}</td></tr>"
    )


def _html_episodes(episodes: list[EpisodeOutcome]) -> str:
    """A table of every episode: seed, outcome, steps, reward, failure reason, and its actions
    in a collapsed list."""
    e = html.escape
    rows = [
        "<table class=episodes><tr><th>seed</th><th>outcome</th><th>steps</th><th>reward</th>"
        "<th>failure reason</th><th>actions</th></tr>"
    ]
    for o in episodes:
        word = "<span class=ok>success</span>" if o.success else "<span class=bad>failure</span>"
        actions = "".join(f"<li><code>{e(a)}</code></li>" for a in o.actions)
        rows.append(
            f"<tr><td class=num>{o.seed}</td><td>{word}</td><td class=num>{o.length}</td>"
            f"<td class=num>{o.reward:+.2f}</td><td>{e(o.failure or '')}</td>"
            f"<td><details><summary>{len(o.actions)} actions</summary><ol>{actions}</ol>"
            "</details></td></tr>"
        )
    return "\n".join([*rows, "</table>"])


_CSS = """
body { font-family: system-ui, sans-serif; margin: 2em; max-width: 1100px; }
table { border-collapse: collapse; } td, th { padding: 4px 10px; border-bottom: 1px solid #ddd; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
figure { display: inline-block; margin: 6px; text-align: center; font-size: 12px;
         max-width: 330px; vertical-align: top; }
img { image-rendering: pixelated; border: 3px solid #ccc; max-width: 320px; }
img.ok { border-color: #2a2; } img.bad { border-color: #c22; }
span.ok { color: #2a2; } span.bad { color: #c22; }
table.episodes { margin-top: 1em; font-size: 13px; } table.episodes td { vertical-align: top; }
ol { margin: 4px 0; padding-left: 2.2em; }
"""
