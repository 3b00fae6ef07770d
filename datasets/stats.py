"""Per-dimension statistics of robot actions and states (``meta/vla/stats.json``; LeRobot's
per-feature ``meta/stats.json`` is :mod:`vla.datasets.v3stats`).

Format, read by the model's action tokenizer for normalisation (OpenVLA-style, 1st and 99th
percentiles)::

    {"action.ee_delta":     {"min": [..], "max": [..], "mean": [..], "std": [..],
                             "q01": [..], "q99": [..], "count": N},
     "action.joint_target": {...},
     "observation.state":   {...}}

Keys appear only for what the data holds. Vectors are ``action.vector`` (gripper last) grouped
by verb, and ``observation.state``; UI actions have no continuous statistics.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np

from vla.datasets import format as fmt

__all__ = ["compute_dataset_stats", "compute_stats", "load_stats"]


def compute_stats(values: np.ndarray) -> dict[str, Any]:
    """Statistics of ``values`` of shape ``(N, D)``: lists of D floats, and ``count`` N."""
    values = np.asarray(values, np.float64)
    if values.ndim != 2 or len(values) == 0:
        raise ValueError(
            f"compute_stats expects a non-empty (N, D) array; got shape {values.shape}"
        )
    q01, q99 = np.quantile(values, [0.01, 0.99], axis=0)
    return {
        "min": values.min(0).tolist(),
        "max": values.max(0).tolist(),
        "mean": values.mean(0).tolist(),
        "std": values.std(0).tolist(),
        "q01": q01.tolist(),
        "q99": q99.tolist(),
        "count": len(values),
    }


def _collect_vectors(root: Path, episodes: list[dict[str, Any]]) -> dict[str, list[np.ndarray]]:
    """``{"action.<verb>" | "observation.state": [arrays (n_i, D)]}`` read from the data files
    of ``episodes`` (states cut to each episode's own ``state_dim``)."""
    import pyarrow.parquet as pq

    from vla.datasets.v3io import file_layout, v3_actions

    groups: dict[str, list[Any]] = {}
    by_file: dict[str, list[dict[str, Any]]] = {}
    for e in episodes:
        by_file.setdefault(e["data/path"], []).append(e)
    for rel, eps in sorted(by_file.items()):
        path = Path(root) / rel
        layout = file_layout(pq.read_schema(path))
        names = [n for n in pq.read_schema(path).names if n.startswith("action")]
        has_state = fmt.STATE_KEY in pq.read_schema(path).names
        table = pq.read_table(path, columns=names + ([fmt.STATE_KEY] if has_state else []))
        actions = v3_actions(table, layout) if layout.groups else []
        states = table[fmt.STATE_KEY].to_pylist() if has_state else []
        for e in eps:
            rows = range(e["file_from_row"], e["file_from_row"] + e["length"])
            vectors: dict[str, list[Any]] = {}
            for r in rows:
                vec = getattr(actions[r], "vector", None)
                if vec is not None:
                    vectors.setdefault(f"action.{actions[r].verb}", []).append(list(vec))
            for label, vecs in vectors.items():
                groups.setdefault(label, []).append(_stack(label, vecs, path))
            if e.get("state_dim"):
                rows_s = [states[r][: e["state_dim"]] for r in rows]
                groups.setdefault(fmt.STATE_KEY, []).append(_stack(fmt.STATE_KEY, rows_s, path))
    return groups


def _stack(label: str, rows: list[Any], path: Path) -> np.ndarray | list[np.ndarray]:
    dims = {len(r) for r in rows}
    if len(dims) == 1:
        return np.asarray(rows, np.float64)
    return [np.asarray([r for r in rows if len(r) == d], np.float64) for d in sorted(dims)]


def _finish(groups: dict[str, list[Any]]) -> dict[str, Any]:
    """Stats per key. Vectors of one key with different lengths (e.g. states of two robots)
    cannot share per-dimension statistics: the most frequent length wins, with a warning."""
    import warnings

    out = {}
    for label, parts in sorted(groups.items()):
        arrays = [a for p in parts for a in (p if isinstance(p, list) else [p])]
        by_dim: dict[int, list[np.ndarray]] = {}
        for a in arrays:
            by_dim.setdefault(a.shape[1], []).append(a)
        counts = {d: sum(len(a) for a in arrs) for d, arrs in by_dim.items()}
        dim = max(counts, key=lambda d: (counts[d], d))
        if len(counts) > 1:
            warnings.warn(
                f"`{label}` vectors have different lengths {counts} (length: rows); statistics "
                f"use the {counts[dim]} rows of length {dim} only",
                stacklevel=3,
            )
        out[label] = compute_stats(np.concatenate(by_dim[dim]))
    return out


def compute_dataset_stats(root: str | Path, episodes: list[dict[str, Any]]) -> dict[str, Any]:
    """Statistics over every data file referenced by ``episodes`` of the dataset at ``root``."""
    return _finish(_collect_vectors(Path(root), episodes))


def load_stats(paths: str | Path | Iterable[str | Path]) -> dict[str, Any]:
    """Statistics of one or several datasets (format in the module docstring).

    One dataset: its ``meta/vla/stats.json``. Several: recomputed exactly over all of their
    data (percentiles cannot be merged from per-dataset summaries).
    """
    from vla.datasets.jsonfiles import read_jsonl

    roots = [Path(paths)] if isinstance(paths, (str, Path)) else [Path(p) for p in paths]
    if not roots:
        raise ValueError("load_stats needs at least one dataset path")
    for root in roots:
        if not (root / fmt.EPISODES_PATH).exists():
            raise FileNotFoundError(f"{root} is not a dataset: {fmt.EPISODES_PATH} is missing")
    if len(roots) == 1 and (roots[0] / fmt.VLA_STATS_PATH).exists():
        return json.loads((roots[0] / fmt.VLA_STATS_PATH).read_text())
    groups: dict[str, list[Any]] = {}
    for root in roots:
        for label, parts in _collect_vectors(root, read_jsonl(root / fmt.EPISODES_PATH)).items():
            groups.setdefault(label, []).extend(parts)
    return _finish(groups)
