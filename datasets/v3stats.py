"""LeRobot's statistics of a dataset (``meta/stats.json`` and the ``stats/<feature>/<stat>``
columns of ``meta/episodes/...parquet``), computed the way lerobot 0.4.4 computes them.

Per episode and feature: ``min, max, mean, std`` (population), ``count`` and the quantiles
``q01, q10, q50, q90, q99``. Vectors reduce over frames (shape ``[D]``, scalars ``[1]``).
Cameras reduce over sampled frames, height and width per channel, divided by 255 (shape
``[3, 1, 1]``); frames are sampled as LeRobot samples them (evenly spaced, at least
``min(100, n)``) and images of 300 px or more are strided down to about 150 px. The dataset
level is LeRobot's aggregation (count-weighted mean, pooled variance, count-weighted quantiles).
One difference: quantiles here are exact (``numpy.quantile``), LeRobot's come from a 5000-bin
histogram, so they differ by at most one bin (``(max - min) / 5000``).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["STAT_KEYS", "aggregate", "feature_stats", "image_stats", "sample_indices"]

QUANTILES = (0.01, 0.10, 0.50, 0.90, 0.99)
STAT_KEYS = ("min", "max", "mean", "std", "count", "q01", "q10", "q50", "q90", "q99")


def feature_stats(values: np.ndarray, axis: int | tuple[int, ...], keepdims: bool) -> dict:
    """Statistics of ``values`` over ``axis`` (numpy arrays; ``count`` is ``[n]``)."""
    values = np.asarray(values)
    if values.dtype == np.bool_:
        values = values.astype(np.float64)
    n = values.shape[0]
    as_float = values.astype(np.float64)
    out = {
        "min": np.min(values, axis=axis, keepdims=keepdims),
        "max": np.max(values, axis=axis, keepdims=keepdims),
        "mean": np.mean(as_float, axis=axis, keepdims=keepdims),
        "std": np.std(as_float, axis=axis, keepdims=keepdims),
        "count": np.array([n]),
    }
    quantiles = np.quantile(as_float, QUANTILES, axis=axis, keepdims=keepdims)  # (5, ...)
    for q, value in zip(QUANTILES, quantiles, strict=True):
        out[f"q{round(q * 100):02d}"] = value
    return out


def sample_indices(n: int) -> np.ndarray:
    """The frames of an ``n``-frame episode that image statistics use (LeRobot's rule)."""
    count = max(min(100, n), min(int(n**0.75), 10000))
    return np.round(np.linspace(0, n - 1, count)).astype(int)


def image_stats(frames: list[np.ndarray]) -> dict[str, np.ndarray]:
    """Per-channel statistics of sampled ``uint8[H, W, 3]`` frames, in ``[0, 1]``."""
    chw = np.stack([_downsample(f).transpose(2, 0, 1) for f in frames])
    stats = feature_stats(chw, axis=(0, 2, 3), keepdims=True)
    return {k: v if k == "count" else np.squeeze(v / 255.0, axis=0) for k, v in stats.items()}


def _downsample(image: np.ndarray) -> np.ndarray:
    h, w = image.shape[:2]
    if max(h, w) < 300:
        return image
    factor = int(w / 150) if w > h else int(h / 150)
    return image[::factor, ::factor]


def aggregate(per_episode: list[dict[str, dict[str, np.ndarray]]]) -> dict[str, dict[str, Any]]:
    """Dataset statistics from episode statistics (LeRobot's ``aggregate_stats``)."""
    out: dict[str, dict[str, Any]] = {}
    for key in sorted({k for s in per_episode for k in s}):
        parts = [s[key] for s in per_episode if key in s]
        means = np.stack([p["mean"] for p in parts])
        counts = np.stack([p["count"] for p in parts]).astype(np.float64)
        total = counts.sum(axis=0)
        while counts.ndim < means.ndim:
            counts = np.expand_dims(counts, -1)
        mean = (means * counts).sum(axis=0) / total
        var = ((np.stack([p["std"] for p in parts]) ** 2 + (means - mean) ** 2) * counts).sum(
            axis=0
        ) / total
        agg = {
            "min": np.min(np.stack([p["min"] for p in parts]), axis=0),
            "max": np.max(np.stack([p["max"] for p in parts]), axis=0),
            "mean": mean,
            "std": np.sqrt(var),
            "count": total.astype(np.int64),
        }
        for q in STAT_KEYS[5:]:
            agg[q] = (np.stack([p[q] for p in parts]) * counts).sum(axis=0) / total
        out[key] = agg
    return out


def to_json(stats: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """``stats`` with arrays as (nested) lists, keys in :data:`STAT_KEYS` order."""
    return {f: {k: np.asarray(v[k]).tolist() for k in STAT_KEYS} for f, v in stats.items()}


def from_json(stats: dict[str, dict[str, Any]]) -> dict[str, dict[str, np.ndarray]]:
    return {f: {k: np.asarray(v) for k, v in s.items()} for f, s in stats.items()}
