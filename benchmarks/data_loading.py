"""Data loading throughput: decoded frames per second from an EpisodeDataset.

Target (issue 6): >= 1500 decoded 128x128 frames/s on a 2-core CPU.

    python benchmarks/data_loading.py                      # synthetic 128x128 dataset
    python benchmarks/data_loading.py --dataset data/x     # an existing dataset
    python benchmarks/data_loading.py --video              # synthetic, cameras as MP4

Measures, over a seeded shuffled order (across shards): (1) ``ds[i]`` in this process (also
per CPU-second of the process, which other load on the machine does not change) and
(2) a ``DataLoader`` with ``--workers`` processes, batch ``--batch-size`` and
``vla.datasets.reader.collate`` (uint8 image batch). Synthetic frames look like renders
(gradients, shapes, a little noise) so that PNG sizes are realistic. With ``--video`` the
cameras are MP4 (``vla collect --video``): the timed pass starts with nothing decoded, so it
includes decoding each episode once per process (then served from the per-process cache).
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

import numpy as np


def synthetic_dataset(
    root: Path,
    frames: int,
    size: int,
    noise: bool = False,
    per_episode: int = 50,
    video: bool = False,
) -> Path:
    """Write ``frames`` steps of ``size`` x ``size`` render-like images (flat-shaded shapes on
    gradients, like the PyBullet and browser frames) with EEDelta actions. ``noise`` adds
    camera-like per-pixel noise, the worst case for PNG. ``video`` stores cameras as MP4."""
    from PIL import Image, ImageDraw

    from vla.actions import EEDelta
    from vla.datasets.writer import DatasetWriter, build_episode

    rng = np.random.default_rng(0)
    yy, xx = np.mgrid[0:size, 0:size] / size
    with DatasetWriter(root, video=video) as writer:
        for e in range(frames // per_episode):
            steps = []
            for t in range(per_episode):
                base = np.stack([200 * yy + 30, 180 * xx + 40, 120 + 60 * yy * xx], -1)
                image = Image.fromarray(base.astype(np.uint8))
                draw = ImageDraw.Draw(image)
                for _ in range(4):
                    x, y = rng.integers(0, size - 20, 2)
                    draw.rectangle([x, y, x + 18, y + 12], fill=tuple(rng.integers(0, 255, 3)))
                array = np.asarray(image).copy()
                if noise:
                    array += rng.integers(0, 3, array.shape, dtype=np.uint8)
                steps.append({
                    "image": array, "instruction": "put the red cube in the tray",
                    "state": rng.normal(size=8).astype(np.float32),
                    "action": EEDelta(rng.normal(0, 0.01, 3).tolist(), gripper=float(t % 2)),
                    "reward": 0.0, "terminated": t == per_episode - 1, "truncated": False,
                    "success": t == per_episode - 1,
                })  # fmt: skip
            writer.add(build_episode("synthetic", e, steps, fps=10))
    return root


def bench_getitem(ds, n: int) -> tuple[float, float]:
    """Frames per wall-clock second and per CPU second of this process (the latter is what
    one idle core would do; it does not depend on other load on the machine)."""
    order = ds.order(seed=0)[:n]
    start, cpu = time.perf_counter(), time.process_time()
    for i in order:
        ds[int(i)]
    return len(order) / (time.perf_counter() - start), len(order) / (time.process_time() - cpu)


def _cpu_seconds() -> float:
    """CPU time of this process and its live children (DataLoader workers), from /proc."""
    total = time.process_time()
    tick = os.sysconf("SC_CLK_TCK")
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == os.getpid():
            total += (int(fields[11]) + int(fields[12])) / tick  # utime + stime
    return total


def bench_loader(ds, workers: int, batch_size: int, n: int) -> tuple[float, float]:
    """Frames per wall-clock second, and per CPU second summed over the main process and the
    workers (divide by the cores to use to get what an idle machine would do)."""
    import torch

    from vla.datasets.reader import collate

    loader = torch.utils.data.DataLoader(
        ds, batch_size=batch_size, sampler=ds.sampler(seed=0), num_workers=workers,
        collate_fn=collate, persistent_workers=workers > 0, prefetch_factor=4 if workers else None,
    )  # fmt: skip
    it = iter(loader)
    next(it)  # start the workers, read the shards
    seen, start, cpu = 0, time.perf_counter(), _cpu_seconds()
    for batch in it:
        seen += len(batch["action"])
        if seen >= n:
            break
    return seen / (time.perf_counter() - start), seen / (_cpu_seconds() - cpu)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dataset", type=Path, default=None)
    parser.add_argument("--frames", type=int, default=6000, help="synthetic dataset size")
    parser.add_argument("--size", type=int, default=128)
    parser.add_argument("--noise", action="store_true", help="noisy synthetic frames")
    parser.add_argument("--video", action="store_true", help="synthetic cameras as MP4")
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--batch-size", type=int, default=64)
    parser.add_argument("--measure", type=int, default=5000, help="frames timed per setting")
    args = parser.parse_args()
    import torch

    from vla.datasets import EpisodeDataset

    torch.set_num_threads(1)
    with tempfile.TemporaryDirectory() as tmp:
        root = args.dataset
        if root is None:
            start = time.perf_counter()
            root = synthetic_dataset(
                Path(tmp) / "ds", args.frames, args.size, args.noise, video=args.video
            )
            kind = ("noisy synthetic" if args.noise else "synthetic") + " video" * args.video
            print(f"wrote {args.frames} {kind} {args.size}x{args.size} frames in "
                  f"{time.perf_counter() - start:.1f} s")  # fmt: skip
        files = [*Path(root).rglob("*.parquet"), *Path(root).rglob("*.mp4")]
        size = sum(p.stat().st_size for p in files)
        ds = EpisodeDataset(root, split="all").preload()
        print(f"dataset: {len(ds)} frames, {size / len(ds) / 1024:.1f} KiB per frame, "
              f"{os.cpu_count()} CPUs")  # fmt: skip
        n = min(args.measure, len(ds))
        wall, cpu = bench_getitem(ds, n)
        print(f"ds[i], 1 process:            {wall:8.0f} frames/s ({cpu:.0f} per CPU-second)")
        if any(e.get("videos") for e in ds.episodes):
            wall, cpu = bench_getitem(ds, n)
            print(f"ds[i] again (decoded cached): {wall:7.0f} frames/s ({cpu:.0f} per CPU-second)")
        for workers in sorted({0, args.workers}):
            ds = EpisodeDataset(root, split="all").preload()  # nothing decoded yet
            wall, cpu = bench_loader(ds, workers, args.batch_size, n)
            print(
                f"DataLoader workers={workers} batch={args.batch_size}: {wall:8.0f} frames/s "
                f"({cpu:.0f} per CPU-second, all processes)"
            )


if __name__ == "__main__":
    main()
