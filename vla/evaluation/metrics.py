"""Summary statistics for closed-loop evaluation: success rates with Wilson intervals and
latency percentiles."""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

__all__ = ["Z95", "latency_summary", "wilson_interval"]

#: the normal quantile of a two-sided 95% interval
Z95 = 1.959964


def wilson_interval(successes: int, n: int, z: float = Z95) -> tuple[float, float]:
    """The Wilson score interval for a binomial proportion (95% for the default ``z``).

    Unlike the normal approximation it stays inside [0, 1] and is sensible at 0/n and n/n,
    which is where good policies live. ``(0.0, 1.0)`` when ``n`` is 0.
    """
    if n < 0 or not 0 <= successes <= max(n, 0):
        raise ValueError(f"need 0 <= successes <= n; got successes={successes}, n={n}")
    if n == 0:
        return 0.0, 1.0
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return max(0.0, centre - half), min(1.0, centre + half)


def latency_summary(samples_s: Sequence[float]) -> dict[str, float]:
    """Percentiles (p50, p90, p99) and mean of durations given in seconds, reported in ms."""
    if not samples_s:
        return {"p50": math.nan, "p90": math.nan, "p99": math.nan, "mean": math.nan, "n": 0}
    ms = np.asarray(samples_s, dtype=np.float64) * 1000.0
    p50, p90, p99 = np.percentile(ms, [50, 90, 99])
    return {
        "p50": round(float(p50), 3),
        "p90": round(float(p90), 3),
        "p99": round(float(p99), 3),
        "mean": round(float(ms.mean()), 3),
        "n": len(ms),
    }
