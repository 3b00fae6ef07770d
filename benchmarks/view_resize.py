"""What resizing a screen into a locator view costs (issue 19: the first action's 60 ms).

    .venv/bin/python benchmarks/view_resize.py [--repeats 30] [--threads 1]

Every desktop episode's first action shows the locator the whole screen resized to its
256x256 view (:func:`vla.envs.desktop.views.render_view`), then two zoomed views; a 2x HiDPI
page crop (320x420) is halved for the actor. For each of those resizes, on a synthetic screen
with hard edges (window-like blocks and one-pixel lines), it times PIL's bilinear resize (what
``render_view`` ran until 2026-12-07) and ``render_view`` itself (torch's antialiased uint8
kernel), batch 1 on ``--threads`` torch threads, and prints the largest and the mean difference
of their pixels in grey levels. Writes ``runs/bench/view_resize.json``.
"""

from __future__ import annotations

import argparse
import functools
import json
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]

#: (name, screen (width, height), view (x, y, w, h), size (w, h))
CASES = (
    ("1920x1080 screen -> 256x256", (1920, 1080), (0, 0, 1920, 1080), (256, 256)),
    ("3x zoom, 480x480 -> 256x256", (1920, 1080), (700, 300, 480, 480), (256, 256)),
    ("3840x2160 (2x HiDPI) screen -> 256x256", (3840, 2160), (0, 0, 3840, 2160), (256, 256)),
    ("2x HiDPI page, 320x420 -> 160x210", (3840, 2160), (1200, 600, 320, 420), (160, 210)),
)


def screen(size: tuple[int, int], seed: int = 0) -> np.ndarray:
    """A screen-like uint8 image: flat blocks of colour, with one-pixel dark lines like text."""
    rng = np.random.default_rng(seed)
    w, h = size
    image = np.full((h, w, 3), 235, np.uint8)
    for _ in range(300):
        x, y = int(rng.integers(0, w - 20)), int(rng.integers(0, h - 20))
        bw, bh = int(rng.integers(10, w // 6)), int(rng.integers(10, h // 5))
        image[y : y + bh, x : x + bw] = rng.integers(0, 256, 3)
    image[::9, ::2] = 20
    return image


def pil_view(image: np.ndarray, view: tuple[int, ...], size: tuple[int, int]) -> np.ndarray:
    """``view`` cut from ``image`` and resized by PIL's bilinear filter (the old way)."""
    from PIL import Image

    x, y, w, h = view
    crop = np.ascontiguousarray(image[y : y + h, x : x + w])
    return np.asarray(Image.fromarray(crop).resize(size, Image.Resampling.BILINEAR))


def timed(fn: Any, repeats: int) -> float:
    """Median milliseconds of ``fn()`` over ``repeats`` calls, after two warm-up calls."""
    fn(), fn()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        fn()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=30)
    parser.add_argument("--threads", type=int, default=1, help="torch threads (vla run: 1)")
    parser.add_argument("--out", type=Path, default=ROOT / "runs/bench/view_resize.json")
    args = parser.parse_args()

    import torch

    from vla.envs.desktop.views import render_view

    torch.set_num_threads(args.threads)
    rows = []
    print("| resize | PIL bilinear (ms) | render_view (ms) | pixel difference, max / mean |")
    print("|---|---:|---:|---|")
    for name, size, view, out in CASES:
        image = screen(size)
        pil = functools.partial(pil_view, image, view, out)
        ours = functools.partial(render_view, image, view, out)
        diff = np.abs(pil().astype(int) - ours().astype(int))
        row = {
            "resize": name,
            "pil_ms": round(timed(pil, args.repeats), 2),
            "render_view_ms": round(timed(ours, args.repeats), 2),
            "max_diff": int(diff.max()),
            "mean_diff": round(float(diff.mean()), 4),
        }
        rows.append(row)
        print(
            f"| {name} | {row['pil_ms']} | {row['render_view_ms']} | "
            f"{row['max_diff']} / {row['mean_diff']} |"
        )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"threads": args.threads, "rows": rows}, indent=1) + "\n")
    print(f"\nwrote {args.out}")


if __name__ == "__main__":
    main()
