"""Cameras as MP4 video, in LeRobot's v3 ``videos/`` layout, encoded and decoded with PyAV.

With ``vla collect --video`` each camera is stored as
``videos/observation.images.<camera>/chunk-XXX/file-YYY.mp4`` instead of PNG in the data
files. A file holds the episodes of one commit back to back: frame ``i`` of the file is shown
at exactly ``i / fps`` seconds, and an episode occupies ``[from_timestamp, to_timestamp)``
of it (``meta/episodes`` columns ``videos/<key>/from_timestamp`` & co.), which is what
LeRobot's torchcodec decoder checks (``|pts - query| < 1e-4 s``).

The default codec, :data:`DEFAULT_CODEC`, is H.264 with RGB input (``libx264rgb``, planar
``rgb24`` input, ``crf 0``): lossless, so decoded frames equal the recorded ones bit for bit,
both through PyAV and through LeRobot's torchcodec (measured by
``benchmarks/video_codec.py``, docs/datasets.md). A YUV codec is smaller but lossy:
colour conversion alone moves pixels, and 4:2:0 chroma blurs the thin coloured edges of a
browser page. Every episode starts with a key frame, so one episode decodes with one seek.

PyAV is optional (``pip install 'vla[video]'``); :func:`require_av` names the extra when it is
missing.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = [
    "DEFAULT_CODEC",
    "VIDEO_PATH",
    "VideoCodec",
    "decode_frames",
    "encode_video",
    "require_av",
    "video_path",
]

VIDEO_PATH = "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4"


def video_path(video_key: str, file_number: int, chunks_size: int = 1000) -> str:
    """Relative path of the ``file_number``-th video file of ``video_key``."""
    return VIDEO_PATH.format(
        video_key=video_key,
        chunk_index=file_number // chunks_size,
        file_index=file_number % chunks_size,
    )


def require_av() -> Any:
    """The ``av`` module, or an ``ImportError`` naming the extra that installs it."""
    try:
        import av
    except ImportError:
        raise ImportError(
            "video cameras need PyAV, which is not installed: pip install 'vla[video]'"
        ) from None
    return av


@dataclass(frozen=True)
class VideoCodec:
    """How cameras are encoded. ``encoder``: a PyAV/FFmpeg encoder name; ``pix_fmt``: the
    stream's pixel format; ``crf``: constant rate factor (0 is lossless for x264); ``gop``:
    most frames between key frames (LeRobot seeks to a key frame for every frame it reads);
    ``preset``: x264's speed/size trade-off (``medium``, x264's default, made Panda camera
    files 8-16% smaller than ``veryfast`` at about the same speed)."""

    encoder: str = "libx264rgb"
    pix_fmt: str = "rgb24"
    crf: int = 0
    gop: int = 10
    preset: str = "medium"

    def __post_init__(self) -> None:
        if self.crf < 0:
            raise ValueError(f"Got {self.crf!r} for `crf`; it must be >= 0")
        if self.gop < 1:
            raise ValueError(f"Got {self.gop!r} for `gop`; it must be >= 1")

    def options(self) -> dict[str, str]:
        opts = {"crf": str(self.crf), "g": str(self.gop)}
        if "x264" in self.encoder or "x265" in self.encoder:
            opts["preset"] = self.preset
        return opts


#: The codec ``vla collect --video`` uses (lossless; see the module docstring).
DEFAULT_CODEC = VideoCodec()


def _rate(fps: float) -> Fraction:
    rate = Fraction(fps).limit_denominator(1001)
    if rate <= 0:
        raise ValueError(f"Got {fps!r} for `fps`; it must be > 0")
    return rate


def encode_video(
    episodes: Iterable[Iterable[np.ndarray]],
    path: Path,
    fps: float,
    codec: VideoCodec = DEFAULT_CODEC,
) -> dict[str, Any]:
    """Write the frames (``uint8[H, W, 3]`` RGB) of ``episodes`` back to back into one MP4 at
    ``path`` (atomically: temporary name, fsync, rename); each episode starts with a key
    frame. Returns ``{"lengths": [frames per episode], "info": LeRobot's video ``info``}``."""
    av = require_av()
    rate = _rate(fps)
    # LeRobot's files use time_base 1/(1024 fps): frame i at pts 1024 i, exactly i / fps s.
    time_base = Fraction(1, 1024) / rate
    tmp = path.with_name(f".{path.name}.tmp-{os.getpid()}")
    path.parent.mkdir(parents=True, exist_ok=True)
    lengths: list[int] = []
    shape: tuple[int, ...] | None = None
    try:
        with av.open(str(tmp), mode="w", format="mp4") as container:
            stream = container.add_stream(codec.encoder, rate=rate, options=codec.options())
            stream.time_base = time_base
            index = 0
            for frames in episodes:
                lengths.append(0)
                for frame_array in frames:
                    array = np.ascontiguousarray(frame_array)
                    if shape is None:
                        shape = array.shape
                        stream.height, stream.width = shape[0], shape[1]
                        stream.pix_fmt = codec.pix_fmt
                    if array.shape != shape or array.dtype != np.uint8:
                        raise ValueError(
                            f"video frames must all be uint8{list(shape)}; got "
                            f"{array.dtype}{list(array.shape)} at frame {index} of {path.name}"
                        )
                    frame = av.VideoFrame.from_ndarray(array, format="rgb24")
                    frame.pts, frame.time_base = index * 1024, time_base
                    if lengths[-1] == 0:  # a key frame: an episode decodes from its own start
                        frame.pict_type = av.video.frame.PictureType.I
                    container.mux(stream.encode(frame))
                    lengths[-1] += 1
                    index += 1
            if shape is None:
                raise ValueError(f"no frames to encode into {path.name}")
            container.mux(stream.encode())
        with open(tmp, "rb") as f:
            os.fsync(f.fileno())
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return {"lengths": lengths, "info": stream_info(path, fps)}


def stream_info(path: Path, fps: float) -> dict[str, Any]:
    """LeRobot's ``features[<video key>]["info"]`` of the MP4 at ``path``."""
    av = require_av()
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        ctx = stream.codec_context
        fps_out = int(fps) if float(fps).is_integer() else float(fps)
        return {
            "video.height": ctx.height,
            "video.width": ctx.width,
            "video.codec": ctx.name,
            "video.pix_fmt": ctx.pix_fmt,
            "video.is_depth_map": False,
            "video.fps": fps_out,
            "video.channels": 3,
            "has_audio": bool(container.streams.audio),
        }


def decode_frames(path: Path, from_timestamp: float, length: int, fps: float) -> np.ndarray:
    """``uint8[length, H, W, 3]``: the frames of the MP4 at ``path`` shown at
    ``from_timestamp + i / fps`` (``i < length``), decoded with one seek.

    A frame is matched to its slot by its presentation time (nearest slot, within half a
    frame), so any constant-rate file works, ours or LeRobot's. Raises ``ValueError`` when a
    slot has no frame (a short or damaged file)."""
    av = require_av()
    out: np.ndarray | None = None
    filled = np.zeros(length, bool)
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        if from_timestamp > 0:
            # seek lands on the key frame at or before the target (ours: the episode start)
            target = round(from_timestamp / stream.time_base)
            container.seek(target, stream=stream, backward=True)
        for frame in container.decode(stream):
            if frame.pts is None:
                continue
            slot = round((float(frame.pts * stream.time_base) - from_timestamp) * fps)
            if slot < 0:
                continue
            if slot >= length:
                break
            image = frame.to_ndarray(format="rgb24")
            if out is None:
                out = np.empty((length, *image.shape), np.uint8)
            out[slot] = image
            filled[slot] = True
    if out is None or not filled.all():
        missing = np.flatnonzero(~filled)
        raise ValueError(
            f"{path}: no frame for {len(missing)} of {length} timestamps from "
            f"{from_timestamp:.4f} s (first missing: frame {int(missing[0])})"
        )
    return out
