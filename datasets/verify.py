"""``vla dataset verify``: check every data file, the metadata and the episode index.

Each problem names the file (relative to the dataset root) and, where it applies, the
episode or row, e.g. ``ERROR data/chunk-000/file-001.parquet: cannot read Parquet: ...``.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from vla.datasets import format as fmt

__all__ = ["Problem", "VerifyReport", "check_data_files", "verify"]


@dataclass(frozen=True)
class Problem:
    """One finding: ``level`` is ``"error"`` (the data is wrong) or ``"warning"``."""

    level: str
    path: str
    message: str

    def __str__(self) -> str:
        return f"{self.level.upper()} {self.path}: {self.message}"


@dataclass
class VerifyReport:
    """All findings for one dataset; ``ok`` when there is no error."""

    root: Path
    problems: list[Problem] = field(default_factory=list)
    episodes: int = 0
    frames: int = 0
    files: int = 0
    all_episodes: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(p.level == "error" for p in self.problems)

    def add(self, level: str, path: str, message: str) -> None:
        self.problems.append(Problem(level, path, message))

    def __str__(self) -> str:
        head = (
            f"{self.root}: {self.episodes} episodes, {self.frames} frames, {self.files} files: "
            + ("OK" if self.ok else f"{sum(p.level == 'error' for p in self.problems)} error(s)")
        )
        return "\n".join([head, *map(str, self.problems)])


def verify(root: str | Path, decode_images: bool = True) -> VerifyReport:
    """Check the dataset at ``root``; ``decode_images`` also decodes every PNG or video
    frame (slower)."""
    report = VerifyReport(Path(root))
    episodes = _check_episode_index(report)
    if episodes is None:
        return report
    report.episodes = len(episodes)
    report.all_episodes = episodes
    report.frames = sum(e.get("length", 0) for e in episodes)
    by_file: dict[str, list[dict[str, Any]]] = {}
    for e in episodes:
        by_file.setdefault(e["data/path"], []).append(e)
    report.files = len(by_file)
    for rel, eps in sorted(by_file.items()):
        _check_file(report, rel, eps, decode_images)
    _check_leftovers(report, set(by_file))
    _check_meta(report, episodes)
    return report


def check_data_files(root: str | Path, episodes: list[dict[str, Any]]) -> list[Problem]:
    """The quick check behind ``vla dataset info``: every data file that ``episodes`` (the
    committed ``meta/vla/episodes.jsonl`` rows) names exists, its Parquet footer reads, and it holds
    as many rows as its episodes, and every video file exists. Reads no row data;
    :func:`verify` checks everything."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows: dict[str, int] = {}
    for e in episodes:
        rows[e["data/path"]] = rows.get(e["data/path"], 0) + e["length"]
    problems = []
    for rel, want in sorted(rows.items()):
        path = Path(root) / rel
        if not path.is_file():
            problems.append(Problem("error", rel, "missing"))
            continue
        try:
            have = pq.read_metadata(path).num_rows
        except (OSError, pa.ArrowException) as err:
            problems.append(Problem("error", rel, f"cannot read Parquet: {err}"))
            continue
        if have != want:
            problems.append(Problem("error", rel, f"has {have} rows; its episodes hold {want}"))
    videos = sorted({v["path"] for e in episodes for v in e.get("videos", {}).values()})
    problems += [
        Problem("error", rel, "missing") for rel in videos if not (Path(root) / rel).is_file()
    ]
    return problems


_EPISODE_KEYS: tuple[str, ...] = ("episode_index", "env_id", "seed", "tasks", "task_index")
_EPISODE_KEYS += ("length", "success", "cameras", "action_verbs")
_EPISODE_KEYS += ("data/path", "file_from_row", "dataset_from_index", "dataset_to_index")


def _check_episode_index(report: VerifyReport) -> list[dict[str, Any]] | None:
    path = report.root / fmt.EPISODES_PATH
    if not path.exists():
        report.add("error", fmt.EPISODES_PATH, "missing: not a dataset, or nothing committed")
        return None
    episodes = []
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        report.add("error", fmt.EPISODES_PATH, f"cannot read: {err}")
        return None
    for n, line in enumerate(text.splitlines(), 1):
        try:
            e = json.loads(line)
        except json.JSONDecodeError as err:
            report.add("error", fmt.EPISODES_PATH, f"line {n} is not JSON: {err}")
            return None
        if not isinstance(e, dict):
            report.add("error", fmt.EPISODES_PATH, f"line {n} is not a JSON object")
            return None
        missing = [k for k in _EPISODE_KEYS if k not in e]
        if missing:
            report.add("error", fmt.EPISODES_PATH, f"line {n} lacks {missing}")
            return None
        episodes.append(e)
    index = 0
    for i, e in enumerate(episodes):
        where = f"episode {e['episode_index']} (line {i + 1})"
        if e["episode_index"] != i:
            report.add("error", fmt.EPISODES_PATH, f"{where}: episode_index should be {i}")
        if (e["dataset_from_index"], e["dataset_to_index"]) != (index, index + e["length"]):
            report.add(
                "error",
                fmt.EPISODES_PATH,
                f"{where}: index range [{e['dataset_from_index']}, {e['dataset_to_index']}) "
                f"should be [{index}, {index + e['length']})",
            )
        index += e["length"]
    for (env_id, seed), n in Counter((e["env_id"], e["seed"]) for e in episodes).items():
        if n > 1:
            report.add("error", fmt.EPISODES_PATH, f"{env_id} seed {seed} is recorded {n} times")
    return episodes


def _check_file(
    report: VerifyReport, rel: str, episodes: list[dict[str, Any]], decode_images: bool
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vla.datasets.v3 import Layout

    path = report.root / rel
    if not path.exists():
        report.add("error", rel, f"missing (episodes {[e['episode_index'] for e in episodes]})")
        return
    try:
        table = pq.read_table(path)
    except (OSError, pa.ArrowException) as err:
        report.add("error", rel, f"cannot read Parquet: {err}")
        return
    expected = Layout.of(report.all_episodes).arrow_schema()
    if table.schema.names != expected.names:
        report.add("error", rel, f"columns {table.schema.names} are not {expected.names}")
    for f in expected:
        if f.name in table.schema.names and not table.schema.field(f.name).type.equals(f.type):
            report.add(
                "error", rel, f"column {f.name!r} has type {table.schema.field(f.name).type}"
            )
    if not report.ok:
        return
    rows = sum(e["length"] for e in episodes)
    if table.num_rows != rows:
        report.add("error", rel, f"has {table.num_rows} rows; its episodes hold {rows}")
    for e in episodes:
        _check_episode_rows(report, rel, table, e, decode_images)


def _check_episode_rows(
    report: VerifyReport, rel: str, table: Any, e: dict[str, Any], decode_images: bool
) -> None:
    from vla.datasets.v3io import file_layout, v3_actions

    start, n = e["file_from_row"], e["length"]
    rows = table.slice(start, n)
    where = f"episode {e['episode_index']} (rows {start}..{start + n - 1})"
    if rows.num_rows != n:
        report.add("error", rel, f"{where}: only {rows.num_rows} of {n} rows exist")
        return
    cols = {c: rows[c].to_pylist() for c in ("episode_index", "frame_index", "index")}
    want = {
        "episode_index": [e["episode_index"]] * n,
        "frame_index": list(range(n)),
        "index": list(range(e["dataset_from_index"], e["dataset_to_index"])),
    }
    for c, values in want.items():
        if cols[c] != values:
            bad = next(i for i, (a, b) in enumerate(zip(cols[c], values, strict=False)) if a != b)
            report.add("error", rel, f"{where}: `{c}` is {cols[c][bad]!r} at frame {bad}")
    if rows["task_index"][0].as_py() != e["task_index"]:
        report.add("error", rel, f"{where}: `task_index` disagrees with {fmt.EPISODES_PATH}")
    try:
        v3_actions(rows, file_layout(table.schema))
    except (ValueError, IndexError, KeyError, TypeError) as err:
        report.add("error", rel, f"{where}: an action does not decode: {err}")
    if e.get("videos"):
        _check_videos(report, e, where, decode_images)
    elif decode_images:
        for name, shape in e["cameras"].items():
            _check_images(report, rel, rows, where, name, shape)


def _check_videos(report: VerifyReport, e: dict[str, Any], where: str, decode: bool) -> None:
    """Each camera's MP4 exists and, with ``decode``, holds the episode's frames at its
    timestamps with the recorded shape."""
    from vla.datasets.video import decode_frames

    for name, v in e["videos"].items():
        path = report.root / v["path"]
        if not path.is_file():
            report.add("error", v["path"], f"missing (video of camera {name!r}, {where})")
            continue
        if not decode:
            continue
        try:
            frames = decode_frames(path, v["from_timestamp"], e["length"], e["fps"])
        except (OSError, ValueError) as err:  # av.FFmpegError is an OSError or ValueError
            report.add("error", v["path"], f"{where}: camera {name!r} does not decode: {err}")
            continue
        shape = e["cameras"].get(name)
        if shape is not None and list(frames.shape[1:]) != list(shape):
            report.add(
                "error", v["path"], f"{where}: frames are {list(frames.shape[1:])}, not {shape}"
            )


def _check_images(
    report: VerifyReport, rel: str, rows: Any, where: str, camera: str, shape: Any
) -> None:
    from vla.datasets.v3 import camera_column

    column = rows[camera_column(camera)].combine_chunks().field("bytes").to_pylist()
    for i, image in enumerate(column):
        try:
            decoded = fmt.decode_image(image)
        except (OSError, ValueError, TypeError) as err:
            report.add("error", rel, f"{where}: frame {i} image does not decode: {err}")
            continue
        if shape is not None and list(decoded.shape) != list(shape):
            report.add(
                "error", rel, f"{where}: frame {i} image is {list(decoded.shape)}, not {shape}"
            )


def _check_leftovers(report: VerifyReport, referenced: set[str]) -> None:
    videos = {v["path"] for e in report.all_episodes for v in e.get("videos", {}).values()}
    for folder in ("data", "videos"):
        found = (report.root / folder).rglob("*") if (report.root / folder).exists() else []
        for path in sorted(found):
            rel = path.relative_to(report.root).as_posix()
            if path.is_file() and rel not in referenced | videos:
                kind = (
                    "temporary file" if ".tmp-" in path.name else f"file not in {fmt.EPISODES_PATH}"
                )
                report.add("error", rel, f"{kind} (left by an interrupted write?)")
    staged = list((report.root / fmt.STAGING_DIR).glob("*.parquet"))
    if staged:
        report.add(
            "warning",
            fmt.STAGING_DIR,
            f"{len(staged)} finished episode(s) are staged but not committed: rerun the same "
            "`vla collect` command to commit them",
        )


def _check_meta(report: VerifyReport, episodes: list[dict[str, Any]]) -> None:
    from vla.datasets.jsonfiles import read_json
    from vla.datasets.stats import compute_dataset_stats
    from vla.datasets.v3meta import task_ids

    loaded = {}
    for rel in (fmt.INFO_PATH, fmt.STATS_PATH, fmt.VLA_STATS_PATH):
        try:
            loaded[rel] = read_json(report.root / rel)
        except (OSError, ValueError) as err:
            report.add("error", rel, f"cannot read: {err}")
    info = loaded.get(fmt.INFO_PATH)
    if info is not None:
        want = {
            "total_episodes": len(episodes),
            "total_frames": sum(e["length"] for e in episodes),
            "total_tasks": len(task_ids(episodes)),
        }
        for key, value in want.items():
            if info.get(key) != value:
                report.add(
                    "error", fmt.INFO_PATH, f"{key} is {info.get(key)!r}; the data has {value}"
                )
    _check_tasks(report, episodes)
    lerobot = loaded.get(fmt.STATS_PATH)
    if info is not None and lerobot is not None:
        want_keys = {n for n, f in info.get("features", {}).items() if f["dtype"] != "string"}
        if set(lerobot) != want_keys:
            report.add(
                "error", fmt.STATS_PATH, f"has keys {sorted(lerobot)}, not {sorted(want_keys)}"
            )
    stats = loaded.get(fmt.VLA_STATS_PATH)
    if stats is not None and report.ok:
        fresh = compute_dataset_stats(report.root, episodes)
        if set(fresh) != set(stats):
            report.add(
                "error",
                fmt.VLA_STATS_PATH,
                f"has keys {sorted(stats)}; the data has {sorted(fresh)}",
            )
        for key in set(fresh) & set(stats):
            for name, value in fresh[key].items():
                old = stats[key].get(name)
                same = (
                    old == value
                    if name == "count"
                    else old is not None
                    and len(old) == len(value)
                    and all(
                        math.isclose(a, b, rel_tol=1e-6, abs_tol=1e-9)
                        for a, b in zip(old, value, strict=True)
                    )
                )
                if not same:
                    report.add("error", fmt.VLA_STATS_PATH, f"{key}.{name} does not match the data")


def _check_tasks(report: VerifyReport, episodes: list[dict[str, Any]]) -> None:
    import pandas as pd

    try:
        frame = pd.read_parquet(report.root / fmt.TASKS_PATH)
        tasks = {int(i): str(t) for t, i in zip(frame.index, frame["task_index"], strict=True)}
    except (OSError, ValueError, KeyError, TypeError) as err:
        report.add("error", fmt.TASKS_PATH, f"cannot read: {err}")
        return
    for e in episodes:
        if tasks.get(e["task_index"]) != e["tasks"][0]:
            report.add(
                "error",
                fmt.TASKS_PATH,
                f"task_index {e['task_index']} of episode {e['episode_index']} is "
                f"{tasks.get(e['task_index'])!r}, not {e['tasks'][0]!r}",
            )
