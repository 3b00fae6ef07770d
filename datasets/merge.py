"""``vla dataset merge A B --out C``: one dataset from several (browser and robot data can then
train one model). Episodes are renumbered, tasks re-indexed, statistics recomputed; an episode
whose ``(env_id, seed)`` is already in an earlier input is skipped, so merging never duplicates
a demonstration. The output is built in a temporary folder and renamed when complete. Video
datasets merge with video datasets of the same cameras and fps (their MP4 files are copied)."""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from vla.datasets import format as fmt
from vla.datasets.v3 import Layout
from vla.datasets.v3io import to_v3
from vla.datasets.v3meta import task_ids

__all__ = ["MergeResult", "merge"]


@dataclass
class MergeResult:
    """Where the merged dataset is and what went in."""

    out: Path
    episodes: int
    frames: int
    skipped_duplicates: int


def merge(inputs: list[str | Path], out: str | Path) -> MergeResult:
    """Merge the datasets ``inputs`` (in order) into a new dataset at ``out``."""
    from vla.datasets.reader import read_episodes, read_info

    out = Path(out)
    if len(inputs) < 1:
        raise ValueError("merge needs at least one input dataset")
    if out.exists() and any(out.iterdir()):
        raise FileExistsError(f"--out {out} exists and is not empty; merge writes a new dataset")
    for src in inputs:
        if (Path(src) / fmt.STAGING_DIR).exists() and any((Path(src) / fmt.STAGING_DIR).iterdir()):
            raise ValueError(
                f"{src} has staged, uncommitted episodes (an interrupted collection); "
                "rerun its `vla collect` command first"
            )
    tmp = out.with_name(f".{out.name}.tmp-{os.getpid()}")
    shutil.rmtree(tmp, ignore_errors=True)
    envs: dict[str, dict[str, Any]] = {}
    kept: list[tuple[Path, dict[str, Any], list[str]]] = []
    seen: set[tuple[str, int]] = set()
    for src in inputs:
        for env_id, meta in read_info(src).get("envs", {}).items():
            merged = envs.setdefault(env_id, dict(meta))
            failed = set(merged.get("failed_seeds", [])) | set(meta.get("failed_seeds", []))
            merged["failed_seeds"] = sorted(failed)
        src_episodes = read_episodes(src)
        src_tasks = list(task_ids(src_episodes))
        for e in src_episodes:
            if (e["env_id"], e["seed"]) not in seen:
                seen.add((e["env_id"], e["seed"]))
                kept.append((Path(src), e, src_tasks))
    episodes = _renumber([e for _, e, _ in kept])
    layout = Layout.of(episodes)  # refuses a mix of video and PNG datasets
    if layout.video:
        _check_same_cameras(episodes)
    tasks = task_ids(episodes)
    by_file: dict[tuple[Path, str], list[int]] = {}
    for k, (src, e, _) in enumerate(kept):
        by_file.setdefault((src, e["data/path"]), []).append(k)
    for number, ((src, rel), ks) in enumerate(by_file.items()):
        _copy_file(src / rel, [(kept[k][1], episodes[k], kept[k][2]) for k in ks], tmp, number,
                   layout, tasks)  # fmt: skip
    _finish(tmp, out, episodes, envs, [str(p) for p in inputs])
    frames = sum(e["length"] for e in episodes)
    skipped = sum(len(read_episodes(src)) for src in inputs) - len(episodes)
    return MergeResult(out, len(episodes), frames, skipped)


def _renumber(episodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    out, index = [], 0
    for k, e in enumerate(episodes):
        out.append(dict(e) | {"episode_index": k, "dataset_from_index": index,
                              "dataset_to_index": index + e["length"]})  # fmt: skip
        index += e["length"]
    return out


def _copy_file(
    path: Path,
    pairs: list[tuple[dict[str, Any], dict[str, Any], list[str]]],
    tmp: Path,
    number: int,
    layout: Layout,
    tasks: dict[str, int],
) -> None:
    """Copy episodes (``(old entry, new entry, old task list)``) of one data file into output
    file ``number`` with the merged ``layout``; fills in the new entries' file fields."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from vla.datasets.writer import write_parquet_atomic

    table = pq.read_table(path)
    parts, row = [], 0
    for old, new, old_tasks in pairs:
        n = old["length"]
        part = to_v3(table.slice(old["file_from_row"], n), layout)
        ids = {
            "episode_index": [new["episode_index"]] * n,
            "index": list(range(new["dataset_from_index"], new["dataset_to_index"])),
            "task_index": [tasks[old_tasks[t]] for t in part["task_index"].to_pylist()],
        }
        for name, values in ids.items():
            field = part.schema.get_field_index(name)
            part = part.set_column(field, part.schema.field(name), pa.array(values, pa.int64()))
        parts.append(part)
        new |= {
            "task_index": tasks[new["tasks"][0]],
            "data/chunk_index": number // fmt.CHUNKS_SIZE,
            "data/file_index": number % fmt.CHUNKS_SIZE,
            "data/path": fmt.data_path(number),
            "file_from_row": row,
        }
        row += n
    write_parquet_atomic(pa.concat_tables(parts), tmp / fmt.data_path(number))
    if layout.video:
        _copy_videos(path.parents[2], pairs, tmp, number)  # root of data/chunk-XXX/file-YYY


def _check_same_cameras(episodes: list[dict[str, Any]]) -> None:
    first = episodes[0]
    for e in episodes:
        if e["cameras"] != first["cameras"] or e["fps"] != first["fps"]:
            raise ValueError(
                f"{e['env_id']} has cameras {e['cameras']} at {e['fps']} fps, "
                f"{first['env_id']} {first['cameras']} at {first['fps']} fps: video datasets "
                "merge only with the same cameras and fps"
            )


def _copy_videos(
    root: Path,
    pairs: list[tuple[dict[str, Any], dict[str, Any], list[str]]],
    tmp: Path,
    number: int,
) -> None:
    """Copy the video files of one source data file (a data file and its videos are written
    together, so its episodes share one file per camera) as video file ``number``; the
    episodes keep their timestamps in it (a skipped duplicate leaves unused frames)."""
    from vla.datasets.v3 import camera_column
    from vla.datasets.video import video_path

    for name in pairs[0][0]["videos"]:
        sources = {old["videos"][name]["path"] for old, _, _ in pairs}
        if len(sources) != 1:
            raise ValueError(f"{root}: the episodes of one data file span videos {sorted(sources)}")
        rel = video_path(camera_column(name), number, fmt.CHUNKS_SIZE)
        (tmp / rel).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(root / sources.pop(), tmp / rel)
        for old, new, _ in pairs:
            where = dict(old["videos"][name], path=rel, chunk_index=number // fmt.CHUNKS_SIZE,
                         file_index=number % fmt.CHUNKS_SIZE)  # fmt: skip
            new["videos"] = dict(new["videos"]) | {name: where}


def _finish(
    tmp: Path,
    out: Path,
    episodes: list[dict[str, Any]],
    envs: dict[str, dict[str, Any]],
    sources: list[str],
) -> None:
    from vla.datasets.writer import atomic_write_text, write_meta

    atomic_write_text(tmp / fmt.EPISODES_PATH, "".join(json.dumps(e) + "\n" for e in episodes))
    write_meta(tmp, episodes, envs, {"merged_from": sources})
    if out.exists():
        out.rmdir()  # empty (checked above)
    os.replace(tmp, out)
