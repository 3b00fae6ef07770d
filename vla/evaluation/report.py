"""Writing an evaluation to disk: ``eval_info.json``, GIF replays with the actions drawn on the
frames, and a self-contained ``report.html`` (a table, then per task its replays).

The renderers themselves live beside the data in :mod:`vla.evaluation.info`
(``EvalInfo.to_text`` / ``to_markdown`` / ``to_html``); :func:`format_table` and
:func:`render_html` take either an :class:`EvalInfo` or the ``eval_info`` dict that
:func:`vla.evaluation.evaluate` returns.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

from vla.actions import ROBOT_ACTIONS
from vla.evaluation.info import EvalInfo, Replay
from vla.rollout.records import Episode
from vla.rollout.vector import RolloutResult

__all__ = [
    "format_table",
    "remove_old_replays",
    "render_html",
    "safe_file_name",
    "write_replays",
    "write_report",
]


#: The replay file names this module writes (see ``_write_gif``); nothing else is ever removed.
_REPLAY = re.compile(r"^[A-Za-z0-9._-]+-seed-?\d+-(success|failure)\.gif$")


def write_replays(out: Path, result: RolloutResult) -> list[Replay]:
    """Write the GIF replays of one task's episodes that kept their frames; returns them with
    their paths relative to ``out``."""
    return [_write_gif(out, result.env_id, ep) for ep in result.episodes if ep.frames]


def write_report(out: Path, info: EvalInfo) -> Path:
    """Write ``eval_info.json`` and ``report.html`` under ``out`` (the replays each task lists
    are already there: :func:`write_replays`); returns the path of ``report.html``."""
    out.mkdir(parents=True, exist_ok=True)
    (out / "eval_info.json").write_text(json.dumps(info.to_dict(), indent=2) + "\n")
    path = out / "report.html"
    path.write_text(info.to_html())
    return path


def remove_old_replays(out: Path) -> list[Path]:
    """Delete the replay GIFs of an earlier report in ``out/replays/`` (and the folder when it
    is left empty); returns what was removed."""
    folder = out / "replays"
    if not folder.is_dir():
        return []
    removed = [p for p in folder.iterdir() if p.is_file() and _REPLAY.match(p.name)]
    for p in removed:
        p.unlink()
    if not any(folder.iterdir()):
        folder.rmdir()
    return removed


def safe_file_name(env_id: str) -> str:
    """``env_id`` as a file name that every OS accepts: runs of anything but letters, digits,
    ``.``, ``_`` and ``-`` become ``_`` (``/`` of gym ids, ``:`` of ``module:Class`` ids, which
    Windows forbids)."""
    return re.sub(r"[^A-Za-z0-9._-]+", "_", env_id)


def _write_gif(out: Path, env_id: str, ep: Episode) -> Replay:
    from vla.render import draw_action, save_gif

    outcome = "success" if ep.success else "failure"
    rel = Path("replays") / f"{safe_file_name(env_id)}-seed{ep.seed}-{outcome}.gif"
    (out / rel.parent).mkdir(parents=True, exist_ok=True)
    robot = bool(ep.actions) and isinstance(ep.actions[0], ROBOT_ACTIONS)
    frames = [
        draw_action(f, a, caption=f"{ep.instruction} [{t + 1}]")
        for t, (f, a) in enumerate(zip(ep.frames, ep.actions, strict=False))
    ]
    last = draw_action(ep.frames[-1], None, caption=f"{ep.instruction} [{outcome}]")
    frames += [last] * (4 if robot else 2)  # hold the final observation a little
    save_gif(frames, out / rel, fps=8.0 if robot else 2.0)
    # as_posix: the path is a URL in report.html and JSON data, the same on every OS
    return Replay(seed=ep.seed, success=ep.success, length=ep.length, path=rel.as_posix())


def _typed(info: EvalInfo | dict[str, Any]) -> EvalInfo:
    return info if isinstance(info, EvalInfo) else EvalInfo.from_dict(info)


def render_html(info: EvalInfo | dict[str, Any]) -> str:
    """The report page (:meth:`EvalInfo.to_html`)."""
    return _typed(info).to_html()


def format_table(info: EvalInfo | dict[str, Any]) -> str:
    """A plain-text table of success rate and 95% interval per task (:meth:`EvalInfo.to_text`)."""
    return _typed(info).to_text()
