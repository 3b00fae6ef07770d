"""Drawing actions on frames and writing replays (GIF, MP4): shared by ``vla dataset view`` and
the evaluation report. Imports only :mod:`vla.actions`, numpy and PIL.

:func:`draw_action` upscales a frame (nearest neighbour, integer factor) and draws:

* UI actions in image pixels: a ring at a click (a second ring for a double click; red for the
  left button, blue for right, green for middle), an arrow for a drag, a ring plus an arrow in
  the wheel direction for a scroll; typed text, key chords, ``wait`` and ``done`` in a two-line
  band at the bottom (always present, so frames keep one size);
* robot actions (no camera calibration is assumed, so nothing is projected into the scene):
  a gripper glyph (jaws apart = open, together = closed, with the opening value) and an inset
  showing the end-effector motion, an arrow for (dx, dy) seen from above and a bar for dz, or
  bars of joint targets;
* an optional caption (the instruction) in a band on top, in a larger font (15-24 px, by the
  frame's upscaled width) than the action band.

:func:`views_frame` turns an observation (or a dataset step) into the one frame to draw on:
its image, or every camera view side by side when it has several.
"""

from __future__ import annotations

import textwrap
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from vla.actions import Action, Click, Done, Drag, EEDelta, JointTarget, Key, Scroll, Type, Wait

__all__ = ["draw_action", "save_animation", "save_gif", "save_video", "views_frame"]

_BUTTON_COLOURS = {"left": (230, 30, 30), "right": (40, 90, 230), "middle": (30, 170, 60)}
_ARROW = (255, 140, 0)
_BANNER = (20, 20, 20)


def _font(size: int) -> Any:
    from PIL import ImageFont

    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1 has one bitmap size
        return ImageFont.load_default()


def _arrow(
    draw: Any, p0: tuple[float, float], p1: tuple[float, float], colour: tuple, w: int
) -> None:
    x0, y0 = p0
    x1, y1 = p1
    draw.line([p0, p1], fill=colour, width=w)
    angle = np.arctan2(y1 - y0, x1 - x0)
    head = 4 * w + 4
    for side in (-0.5, 0.5):
        a = angle + np.pi + side
        draw.line([p1, (x1 + head * np.cos(a), y1 + head * np.sin(a))], fill=colour, width=w)


def _ring(draw: Any, x: float, y: float, r: float, colour: tuple, w: int) -> None:
    draw.ellipse([x - r, y - r, x + r, y + r], outline=colour, width=w)


def _banner(image: Any, text: str, top: bool, font: Any, n_lines: int | None = None) -> Any:
    """A copy of ``image`` with a dark band holding ``text`` added above or below it.

    ``n_lines`` fixes the band height (text beyond it is cut), so frames keep one size."""
    from PIL import Image, ImageDraw

    width = image.width
    size = getattr(font, "size", 11)
    chars = max(8, int(width / (0.6 * size)))
    lines = textwrap.wrap(text, chars)[: n_lines or 4] or [""]
    band = int((n_lines or len(lines)) * size * 1.3 + 6)
    out = Image.new("RGB", (width, image.height + band), _BANNER)
    out.paste(image, (0, band if top else 0))
    draw = ImageDraw.Draw(out)
    y0 = 3 if top else image.height + 3
    for i, line in enumerate(lines):
        draw.text((4, y0 + i * size * 1.3), line, fill=(255, 255, 255), font=font)
    return out


def _robot_inset(draw: Any, action: EEDelta | JointTarget, x: int, y: int, s: int) -> None:
    """Gripper glyph and motion inset in the ``s``-pixel box at ``(x, y)``."""
    d = draw
    d.rectangle([x, y, x + s, y + s], fill=(30, 30, 30), outline=(200, 200, 200))
    g = action.gripper
    gap = 2 + g * s * 0.3  # jaw gap grows with the opening
    cx, top, bot = x + s * 0.22, y + s * 0.2, y + s * 0.6
    colour = (60, 220, 60) if g >= 0.5 else (240, 80, 60)
    for side in (-1, 1):
        d.rectangle([cx + side * gap / 2 - 2, top, cx + side * gap / 2 + 2, bot], fill=colour)
    d.text((x + 3, y + s * 0.68), f"{'open' if g >= 0.5 else 'closed'} {g:.2f}", fill=colour)
    ox, oy = x + s * 0.68, y + s * 0.4  # motion panel
    if isinstance(action, EEDelta):
        dx, dy, dz = action.xyz
        norm = max(float(np.hypot(dx, dy)), 1e-9)
        length = s * 0.25 * min(1.0, norm / 0.02)  # full length at 2 cm per step
        _ring(d, ox, oy, s * 0.27, (90, 90, 90), 1)
        if norm > 1e-6:  # top view: +x right, +y up
            _arrow(d, (ox, oy), (ox + dx / norm * length, oy - dy / norm * length), _ARROW, 2)
        bar = max(-1.0, min(1.0, dz / 0.02)) * s * 0.3
        bx = x + s * 0.94
        d.line([(bx, oy), (bx, oy - bar)], fill=(80, 180, 255), width=3)
    else:
        n = len(action.positions)
        for i, q in enumerate(action.positions):
            h = max(-1.0, min(1.0, q / np.pi)) * s * 0.25
            bx = x + s * 0.45 + i * (s * 0.5 / max(n, 1))
            d.line([(bx, oy), (bx, oy - h)], fill=_ARROW, width=2)


def views_frame(obs: Any, gap: int = 2) -> np.ndarray:
    """What an observation or a dataset step shows, as one ``uint8[H, W, 3]`` frame:
    ``obs["image"]``, or, when it carries several camera views (``obs["images"]``, e.g. front
    and wrist), the views left to right in their order, ``gap`` white columns apart (a shorter
    view is padded with black below). The first view is the leftmost, so image coordinates on
    it are unchanged."""
    views = obs.get("images") if isinstance(obs, dict) else None
    if not views or len(views) < 2:
        return np.asarray(obs["image"], np.uint8)
    frames = [np.asarray(v, np.uint8) for v in views.values()]
    h = max(f.shape[0] for f in frames)
    line = np.full((h, gap, 3), 255, np.uint8)
    padded = [np.pad(f, ((0, h - f.shape[0]), (0, 0), (0, 0))) for f in frames]
    return np.concatenate([part for f in padded for part in (line, f)][1:], axis=1)


def draw_action(
    frame: np.ndarray,
    action: Action | None,
    caption: str | None = None,
    scale: int | None = None,
    min_size: int = 256,
) -> np.ndarray:
    """``frame`` (``uint8[H, W, 3]``) upscaled by ``scale`` (default: the smallest integer
    making the shorter side >= ``min_size``) with ``action`` drawn on it (see module docstring)
    and ``caption`` in a band on top. Returns a new ``uint8`` RGB array."""
    from PIL import Image, ImageDraw

    frame = np.asarray(frame)
    if frame.dtype != np.uint8 or frame.ndim != 3 or frame.shape[2] != 3:
        raise ValueError(
            f"draw_action expects uint8[H, W, 3]; got {frame.dtype}{list(frame.shape)}"
        )
    h, w = frame.shape[:2]
    k = scale if scale is not None else max(1, -(-min_size // min(h, w)))
    if k < 1:
        raise ValueError(f"Got {scale!r} for `scale`; it must be >= 1")
    image = Image.fromarray(frame, "RGB").resize((w * k, h * k), Image.NEAREST)
    draw = ImageDraw.Draw(image)
    font = _font(max(11, min(w * k // 24, 18)))

    text = _mark(draw, action, k, (w, h), max(2, k // 2))
    # Always a band, so that every frame of an episode has the same size.
    image = _banner(image, text or "", top=False, font=font, n_lines=2)
    if caption:  # the instruction: larger than the action band, readable at the GIF's size
        image = _banner(image, caption, top=True, font=_font(max(15, min(w * k // 15, 24))))
    return np.asarray(image)


def _mark(draw: Any, action: Action | None, k: int, size: tuple[int, int], lw: int) -> str | None:
    """Draw ``action`` on an image upscaled ``k`` times from ``size`` = (W, H) pixels, with
    lines ``lw`` wide; return the text for the band below it (None: nothing to say)."""
    w, h = size

    def px(x: float, y: float) -> tuple[float, float]:
        return ((x + 0.5) * k, (y + 0.5) * k)  # the centre of the image pixel

    text = None
    if isinstance(action, Click):
        colour = _BUTTON_COLOURS[action.button]
        x, y = px(action.x, action.y)
        for i in range(action.count):
            _ring(draw, x, y, 3 * lw + 4 + 4 * i * lw, colour, lw)
        draw.line([(x - lw, y), (x + lw, y)], fill=colour, width=1)
        draw.line([(x, y - lw), (x, y + lw)], fill=colour, width=1)
    elif isinstance(action, Drag):
        _ring(draw, *px(action.x0, action.y0), 2 * lw + 3, _ARROW, lw)
        _arrow(draw, px(action.x0, action.y0), px(action.x1, action.y1), _ARROW, lw)
    elif isinstance(action, Scroll):
        x, y = px(action.x, action.y)
        _ring(draw, x, y, 2 * lw + 3, (160, 60, 200), lw)
        norm = max(float(np.hypot(action.dx, action.dy)), 1e-9)
        if norm > 1e-6:
            length = min(h, w) * k * 0.2
            end = (x + action.dx / norm * length, y + action.dy / norm * length)
            _arrow(draw, (x, y), end, (160, 60, 200), lw)
        text = f"scroll dx={action.dx:g} dy={action.dy:g}"
    elif isinstance(action, Type):
        text = f"type {action.text!r}"
    elif isinstance(action, Key):
        text = f"key {action.combo}"
    elif isinstance(action, (Wait, Done)):
        text = action.verb
    elif isinstance(action, (EEDelta, JointTarget)):
        s = max(64, min(w * k, h * k) // 3)
        _robot_inset(draw, action, w * k - s - 4, h * k - s - 4, s)
        if isinstance(action, EEDelta):
            text = "dxyz " + " ".join(f"{v * 100:+.1f}" for v in action.xyz) + " cm"
    elif action is not None:
        raise ValueError(f"draw_action got {type(action).__name__}, not a vla.actions action")
    return text


def _same_size(frames: Sequence[np.ndarray]) -> list[np.ndarray]:
    """Frames resized (nearest) to the first frame's size, so a GIF or video can hold them."""
    from PIL import Image

    if not frames:
        raise ValueError("no frames to write")
    h, w = np.asarray(frames[0]).shape[:2]
    out = []
    for f in frames:
        f = np.asarray(f, np.uint8)
        if f.shape[:2] != (h, w):
            f = np.asarray(Image.fromarray(f, "RGB").resize((w, h), Image.NEAREST))
        out.append(f)
    return out


def save_gif(frames: Sequence[np.ndarray], path: str | Path, fps: float = 4.0) -> Path:
    """Write ``uint8[H, W, 3]`` frames as a looping GIF (frames of another size are resized)."""
    from PIL import Image

    path = Path(path)
    images = [Image.fromarray(f, "RGB") for f in _same_size(frames)]
    path.parent.mkdir(parents=True, exist_ok=True)
    duration = max(20, round(1000 / fps))
    images[0].save(path, save_all=True, append_images=images[1:], duration=duration, loop=0)
    return path


def save_video(frames: Sequence[np.ndarray], path: str | Path, fps: float = 4.0) -> Path:
    """Write frames as an H.264 MP4 (needs the ``video`` extra: ``pip install 'vla[video]'``)."""
    try:
        import imageio.v2 as imageio
    except ImportError:
        raise ImportError(
            "writing MP4 needs imageio and imageio-ffmpeg: pip install 'vla[video]'"
        ) from None
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    frames = _same_size(frames)
    h, w = frames[0].shape[:2]
    pad = ((0, h % 2), (0, w % 2), (0, 0))  # yuv420p needs even sizes
    with imageio.get_writer(path, fps=fps, codec="libx264", macro_block_size=1) as writer:
        for f in frames:
            writer.append_data(np.pad(f, pad, mode="edge"))
    return path


def save_animation(frames: Sequence[np.ndarray], path: str | Path, fps: float = 4.0) -> Path:
    """:func:`save_gif` or :func:`save_video`, by the suffix of ``path`` (.gif or .mp4)."""
    suffix = Path(path).suffix.lower()
    if suffix == ".gif":
        return save_gif(frames, path, fps)
    if suffix == ".mp4":
        return save_video(frames, path, fps)
    raise ValueError(f"the output must end in .gif or .mp4; got {str(path)!r}")
