"""Views of a screen for coarse-to-fine locating (issue 19): crops around a box, one size.

A *view* is ``(x, y, width, height)``, integer pixels of the screen image. A policy that reads
a 1920x1080 screen through an 80x80 input sees a 20-px button as a speck, but it can still say
where the task is; a view ``factor`` times that box's size, cut from the screen and resized to
one ``size``, shows the same region larger, and the next answer is finer. The same functions
build the views for training (:class:`~vla.envs.desktop.locate.DesktopLocateEnv`) and at
inference (:class:`vla.rollout.focus.FocusPolicy`), so both see the same pixels.

Boxes are ``(x0, y0, x1, y1)`` floats, the corners of a ``Drag``. Points map exactly:
``view_to_screen(screen_to_view(p)) == p`` up to float rounding.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from typing import Any

import numpy as np

from vla.actions import POINT_FIELDS, Action

__all__ = [
    "action_to_screen",
    "action_to_view",
    "box_view",
    "full_view",
    "map_action",
    "page_view",
    "render_view",
    "screen_to_view",
    "shift_action",
    "view_to_screen",
    "zoom_view",
]

View = tuple[int, int, int, int]
Box = tuple[float, float, float, float]
#: The smallest box side (pixels) a view is built around: a degenerate answer (both corners
#: on one pixel) still gives a view of some size.
MIN_BOX_PX = 16.0
#: The scales a page is shown at on a screen: the device pixel ratios of common displays.
PAGE_SCALES = (0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 4.0)


def full_view(image_size: tuple[int, int]) -> View:
    """The whole screen: ``image_size = (width, height)``."""
    return (0, 0, int(image_size[0]), int(image_size[1]))


def zoom_view(box: Box, factor: float, image_size: tuple[int, int]) -> View:
    """The view ``factor`` times ``box``'s size around its centre, moved inside the screen
    (and no larger than it). Sides shorter than :data:`MIN_BOX_PX` count as that long."""
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    w = round(max(x1 - x0, MIN_BOX_PX) * factor)
    h = round(max(y1 - y0, MIN_BOX_PX) * factor)
    return _centred(((x0 + x1) / 2, (y0 + y1) / 2), (w, h), image_size)


def page_view(box: Box, page_size: tuple[int, int], image_size: tuple[int, int]) -> View:
    """A crop of ``page_size = (width, height)`` (the pages an actor was trained on) times the
    box's scale, centred on ``box`` and moved inside the screen. The scale is the one of
    :data:`PAGE_SCALES` nearest to the box's (the square root of its area over the page's): a
    box whose sides are up to ~12% off changes neither the crop's size nor its shape."""
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    area = max(x1 - x0, MIN_BOX_PX) * max(y1 - y0, MIN_BOX_PX)
    raw = np.sqrt(area / (page_size[0] * page_size[1]))
    scale = min(PAGE_SCALES, key=lambda s: abs(np.log(raw / s)))
    w, h = round(page_size[0] * scale), round(page_size[1] * scale)
    return _centred(((x0 + x1) / 2, (y0 + y1) / 2), (w, h), image_size)


def _centred(
    centre: tuple[float, float], size: tuple[int, int], image_size: tuple[int, int]
) -> View:
    """The view of ``size`` (no larger than the screen) around ``centre``, inside the screen."""
    width, height = int(image_size[0]), int(image_size[1])
    w, h = min(width, max(1, size[0])), min(height, max(1, size[1]))
    x = min(max(round(centre[0] - w / 2), 0), width - w)
    y = min(max(round(centre[1] - h / 2), 0), height - h)
    return (x, y, w, h)


def box_view(box: Box, image_size: tuple[int, int]) -> View:
    """The pixels ``box`` covers (its corners rounded outwards), clipped to the screen: the
    crop a policy acting inside the box is shown."""
    width, height = int(image_size[0]), int(image_size[1])
    x0, x1 = sorted((box[0], box[2]))
    y0, y1 = sorted((box[1], box[3]))
    left = min(max(int(np.floor(x0)), 0), width - 1)
    top = min(max(int(np.floor(y0)), 0), height - 1)
    right = max(min(int(np.ceil(x1)), width), left + 1)
    bottom = max(min(int(np.ceil(y1)), height), top + 1)
    return (left, top, right - left, bottom - top)


def render_view(
    image: np.ndarray, view: View, size: tuple[int, int] | None, resample: str = "bilinear"
) -> np.ndarray:
    """``view`` cut from ``image`` (uint8[H, W, 3]) and resized to ``size = (width, height)``;
    ``None`` keeps the native pixels. ``resample``: ``"bilinear"`` (the default) or ``"box"``,
    each output pixel the mean of the screen pixels it covers (tried for HiDPI page crops: it
    did not lower the click error; docs/benchmarks.md, "Desktop suite").

    Bilinear runs torch's antialiased uint8 kernel, which gives PIL's bilinear resize to within
    one grey level at about a sixth of its time (a whole 1080p screen into 256x256: 1.2 ms
    instead of 6.8 on one thread; ``benchmarks/view_resize.py``): the locator's first view is
    on every episode's first action.
    """
    x, y, w, h = view
    crop = np.ascontiguousarray(image[y : y + h, x : x + w])
    if size is None or (w, h) == tuple(size):
        return crop
    if resample == "bilinear":
        return _bilinear(crop, (int(size[0]), int(size[1])))
    if resample != "box":
        raise ValueError(f"resample={resample!r}; choose one of ['bilinear', 'box']")
    from PIL import Image

    return np.asarray(Image.fromarray(crop).resize(tuple(size), Image.Resampling.BOX))


def _bilinear(crop: np.ndarray, size: tuple[int, int]) -> np.ndarray:
    """PIL's antialiased bilinear resize of a uint8 RGB ``crop`` to ``size = (width, height)``,
    by torch (the HWC array read in place as a channels-last image, never written to)."""
    import warnings

    import torch
    from torch.nn.functional import interpolate

    with warnings.catch_warnings():  # a screenshot may be read-only; it is only read
        warnings.filterwarnings("ignore", "The given NumPy array is not writable")
        pixels = torch.from_numpy(crop).permute(2, 0, 1).unsqueeze(0)
    out = interpolate(pixels, size=(size[1], size[0]), mode="bilinear", antialias=True)
    return np.ascontiguousarray(out[0].permute(1, 2, 0).numpy())


def view_to_screen(
    point: tuple[float, float], view: View, size: tuple[int, int] | None
) -> tuple[float, float]:
    """A point in pixels of the rendered view -> screen-image pixels."""
    x, y, w, h = view
    sx, sy = (1.0, 1.0) if size is None else (w / size[0], h / size[1])
    return (x + point[0] * sx, y + point[1] * sy)


def screen_to_view(
    point: tuple[float, float], view: View, size: tuple[int, int] | None
) -> tuple[float, float]:
    """A screen-image point -> pixels of the rendered view (the inverse of
    :func:`view_to_screen`)."""
    x, y, w, h = view
    sx, sy = (1.0, 1.0) if size is None else (size[0] / w, size[1] / h)
    return ((point[0] - x) * sx, (point[1] - y) * sy)


def map_action(
    action: Action, point: Callable[[tuple[float, float]], tuple[float, float]]
) -> Action:
    """``action`` with each of its pixel points ``p`` replaced by ``point(p)``, kept >= 0
    (clicks, scrolls and both ends of a drag; other actions are returned as they are)."""
    fields: dict[str, Any] = {}
    for fx, fy in POINT_FIELDS.get(type(action), ()):
        x, y = point((getattr(action, fx), getattr(action, fy)))
        fields[fx], fields[fy] = max(x, 0.0), max(y, 0.0)
    return dataclasses.replace(action, **fields) if fields else action


def action_to_view(action: Action, view: View, size: tuple[int, int] | None) -> Action:
    """A screen-image action in pixels of ``view`` rendered at ``size`` (None: native)."""
    return map_action(action, lambda p: screen_to_view(p, view, size))


def action_to_screen(action: Action, view: View, size: tuple[int, int] | None) -> Action:
    """An action in pixels of ``view`` rendered at ``size`` back in screen-image pixels."""
    return map_action(action, lambda p: view_to_screen(p, view, size))


def shift_action(action: Action, dx: float, dy: float) -> Action:
    """``action`` with its pixel coordinates moved by ``(dx, dy)`` and kept >= 0."""
    return map_action(action, lambda p: (p[0] + dx, p[1] + dy))
