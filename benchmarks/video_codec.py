"""Pixel error and size of camera video codecs on real episodes (the choice behind
``vla collect --video``, see docs/datasets.md).

For every camera of the first episodes of each dataset given (PNG datasets recorded by
``vla collect``), the frames are encoded with each candidate codec through
:func:`vla.datasets.video.encode_video`, decoded back with PyAV
(:func:`vla.datasets.video.decode_frames`) and, with ``--venv`` (the lerobot venv of
benchmarks/lerobot_compat.py), with LeRobot's own torchcodec decoder as ``LeRobotDataset``
does. Prints one JSON line per (dataset, camera, codec): the max and mean absolute error per
pixel value (0..255) and the bytes of the MP4 against the PNG bytes.

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/video_codec.py ROBOT_DS BROWSER_DS \
        --venv /work/lerobot/venv
"""

from __future__ import annotations

import argparse
import json
import subprocess
import tempfile
from pathlib import Path

import numpy as np

CANDIDATES = {
    "h264-rgb-crf0 (default)": dict(encoder="libx264rgb", pix_fmt="rgb24", crf=0),
    "h264-yuv444p-crf0": dict(encoder="libx264", pix_fmt="yuv444p", crf=0),
    "h264-yuv420p-crf23": dict(encoder="libx264", pix_fmt="yuv420p", crf=23),
    "av1-yuv420p-crf30 (LeRobot's)": dict(encoder="libsvtav1", pix_fmt="yuv420p", crf=30, gop=2),
}

TORCHCODEC = r"""
import sys, numpy as np
from torchcodec.decoders import VideoDecoder
d = VideoDecoder(sys.argv[1], seek_mode="approximate")
n = int(sys.argv[3])
frames = d.get_frames_at(indices=list(range(n))).data.permute(0, 2, 3, 1).numpy()
np.save(sys.argv[2], frames)
"""


def _frames(root: Path, episodes: int) -> dict[str, tuple[np.ndarray, int]]:
    """camera -> (uint8[T, H, W, 3] of the first ``episodes`` episodes, PNG bytes)."""
    import pyarrow.parquet as pq

    from vla.datasets import format as fmt
    from vla.datasets.reader import read_episodes

    eps = read_episodes(root)[:episodes]
    out: dict[str, tuple[list[np.ndarray], int]] = {}
    for e in eps:
        table = pq.read_table(root / e["data/path"]).slice(e["file_from_row"], e["length"])
        for name in e["cameras"]:
            column = table[f"observation.images.{name}"].combine_chunks().field("bytes")
            pngs = [column[i].as_py() for i in range(len(column))]
            frames, size = out.setdefault(name, ([], 0))
            out[name] = (frames + [fmt.decode_image(p) for p in pngs], size + sum(map(len, pngs)))
    return {k: (np.stack(f), s) for k, (f, s) in out.items()}


def _error(a: np.ndarray, b: np.ndarray) -> dict[str, float]:
    diff = np.abs(a.astype(np.int16) - b.astype(np.int16))
    return {"max_abs": int(diff.max()), "mean_abs": round(float(diff.mean()), 4)}


def main() -> None:
    from vla.datasets.video import VideoCodec, decode_frames, encode_video

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("datasets", nargs="+", type=Path)
    parser.add_argument("--episodes", type=int, default=3, help="first episodes of each")
    parser.add_argument("--venv", type=Path, default=None, help="lerobot venv (torchcodec)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        for root in args.datasets:
            for camera, (frames, png_bytes) in _frames(root, args.episodes).items():
                for label, kwargs in CANDIDATES.items():
                    path = Path(tmp) / "v.mp4"
                    encode_video([list(frames)], path, 10, VideoCodec(**kwargs))
                    row = {"dataset": root.name, "camera": camera, "codec": label,
                           "frames": len(frames), "shape": list(frames.shape[1:]),
                           "mp4_bytes": path.stat().st_size, "png_bytes": png_bytes,
                           "pyav": _error(decode_frames(path, 0.0, len(frames), 10), frames)}  # fmt: skip
                    if args.venv is not None:
                        npy = Path(tmp) / "tc.npy"
                        cmd = [str(args.venv / "bin/python"), "-c", TORCHCODEC, str(path), str(npy)]
                        subprocess.run([*cmd, str(len(frames))], check=True)
                        row["torchcodec"] = _error(np.load(npy), frames)
                    print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
