"""The one place where pixels of the image a policy saw become screen coordinates.

Three coordinate frames meet on a desktop:

* **image** pixels: the observation the policy saw, ``image_size = (width, height)``, origin at
  its top-left. Actions (:mod:`vla.actions`) are in this frame.
* **capture** coordinates: the frame in which the screenshot region is named. For ``mss`` this
  is the virtual desktop spanning every monitor; a monitor left of or above the primary one has
  a negative ``left``/``top``. ``region = (left, top, width, height)`` is in this frame.
* **input** coordinates: the frame in which mouse events are sent (``pyautogui``). It equals
  the capture frame on X11 and on DPI-aware Windows. Where screenshots are in physical pixels
  and input is in logical points (HiDPI, e.g. a 2x Retina display), ``input = capture /
  scale``; ``scale`` is physical pixels per logical point.

Coordinates are continuous, as in the DOM and in Playwright: pixel ``i`` covers ``[i, i + 1)``
and its centre is ``i + 0.5``. The map is affine (offset, resize, HiDPI scale) and exactly
invertible; the pixel that receives an event is the one containing the mapped point (``floor``).
So with no resizing, image pixel ``(x, y)`` is screen pixel ``(left + x, top + y)``. Everything
here is a pure function of numbers: no display is needed, and the tests cover it exhaustively.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = [
    "Region",
    "ScreenMapping",
    "check_region",
    "check_region_on_screen",
    "detect_scale",
    "parse_region",
    "region_contains",
]

#: ``(left, top, width, height)`` in whole pixels of the frame named where it is used.
Region = tuple[int, int, int, int]


def check_region(name: str, region: Region) -> Region:
    """``region`` as 4 whole pixels with width and height >= 1; ``ValueError`` naming ``name``."""
    if not isinstance(region, (tuple, list)) or len(region) != 4:
        raise ValueError(f"{name} must be (left, top, width, height); got {region!r}")
    try:
        out = tuple(int(v) for v in region)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must hold 4 integers; got {region!r}") from None
    if any(float(v) != o for v, o in zip(region, out, strict=True)):
        raise ValueError(f"{name} must hold whole pixels; got {region!r}")
    if out[2] < 1 or out[3] < 1:
        raise ValueError(f"{name} width and height must be >= 1; got {region!r}")
    return out  # type: ignore[return-value]


def parse_region(text: str) -> Region:
    """``"X,Y,W,H"`` (as given on the command line) -> ``(X, Y, W, H)``; raises ``ValueError``."""
    parts = [p.strip() for p in text.split(",")]
    if len(parts) != 4:
        raise ValueError(f"region must look like X,Y,W,H (4 integers); got {text!r}")
    try:
        values = tuple(int(p) for p in parts)
    except ValueError:
        raise ValueError(f"region must look like X,Y,W,H (4 integers); got {text!r}") from None
    return check_region("region", values)  # type: ignore[arg-type]


def check_region_on_screen(region: Region, monitors: list[dict[str, int]]) -> Region:
    """``region`` checked for shape and against the screen; ``ValueError`` otherwise.

    ``monitors`` is ``mss``'s list: index 0 is the box around every monitor, then one entry per
    monitor (``left``, ``top``, ``width``, ``height``, capture coordinates). The region must lie
    inside the box of all monitors (it may span several); capturing outside the screen fails
    deep in Xlib otherwise.
    """
    region = check_region("region", region)
    boxes = [(m["left"], m["top"], m["width"], m["height"]) for m in monitors]
    left, top, width, height = region
    bl, bt, bw, bh = boxes[0]
    if bl <= left and bt <= top and left + width <= bl + bw and top + height <= bt + bh:
        return region
    listed = ", ".join(f"{i}: {b}" for i, b in enumerate(boxes))
    raise ValueError(
        f"region {region} (left, top, width, height) is not on the screen; "
        f"the monitors are {{{listed}}} (0 = all of them)"
    )


def region_contains(region: Region, x: float, y: float) -> bool:
    """Whether point ``(x, y)`` lies in ``region`` (right and bottom edges excluded)."""
    left, top, width, height = region
    return left <= x < left + width and top <= y < top + height


@dataclass(frozen=True)
class ScreenMapping:
    """Maps image pixels to screen (input) coordinates and back.

    Args:
        region: ``(left, top, width, height)`` of the captured area, in capture coordinates
            (``mss`` virtual-desktop pixels; may be negative on multi-monitor set-ups).
        image_size: ``(width, height)`` of the image the policy saw: the capture resized.
        scale: capture pixels per input unit (HiDPI factor). ``1.0`` on X11; ``2.0`` when the
            capture is in physical pixels and input in logical points on a 2x display.
    """

    region: Region
    image_size: tuple[int, int]
    scale: float = 1.0

    def __post_init__(self) -> None:
        object.__setattr__(self, "region", check_region("ScreenMapping.region", self.region))
        if len(self.image_size) != 2 or any(int(v) != v or v < 1 for v in self.image_size):
            raise ValueError(
                f"ScreenMapping.image_size must be (width, height) >= 1; got {self.image_size!r}"
            )
        object.__setattr__(self, "image_size", (int(self.image_size[0]), int(self.image_size[1])))
        if not (isinstance(self.scale, (int, float)) and math.isfinite(self.scale)) or (
            self.scale <= 0
        ):
            raise ValueError(f"ScreenMapping.scale must be a number > 0; got {self.scale!r}")

    # capture units per image pixel, along x and y
    @property
    def _sx(self) -> float:
        return self.region[2] / self.image_size[0]

    @property
    def _sy(self) -> float:
        return self.region[3] / self.image_size[1]

    @property
    def input_region(self) -> tuple[float, float, float, float]:
        """The captured area in input coordinates: ``(left, top, width, height)``."""
        left, top, width, height = self.region
        s = self.scale
        return (left / s, top / s, width / s, height / s)

    def to_capture(self, x: float, y: float) -> tuple[float, float]:
        """Image point ``(x, y)`` -> the same point in continuous capture coordinates."""
        left, top, _, _ = self.region
        return (left + x * self._sx, top + y * self._sy)

    def to_screen(self, x: float, y: float) -> tuple[int, int]:
        """Image point ``(x, y)`` -> the integer input-coordinate pixel that receives the event.

        The event pixel is the one containing the mapped point. A point inside the image lands
        on an input pixel that overlaps the captured area (clamped against float rounding).
        """
        cx, cy = self.to_capture(x, y)
        left, top, width, height = self.region
        s = self.scale
        sx, sy = math.floor(cx / s), math.floor(cy / s)
        if 0 <= x < self.image_size[0]:
            sx = min(max(sx, math.floor(left / s)), math.ceil((left + width) / s) - 1)
        if 0 <= y < self.image_size[1]:
            sy = min(max(sy, math.floor(top / s)), math.ceil((top + height) / s) - 1)
        return sx, sy

    def to_image(self, x: float, y: float) -> tuple[float, float]:
        """Continuous input (screen) point ``(x, y)`` -> image point: the exact inverse of the
        affine part of :meth:`to_screen`. Pass ``X + 0.5`` to get the centre of pixel ``X``."""
        left, top, _, _ = self.region
        return ((x * self.scale - left) / self._sx, (y * self.scale - top) / self._sy)

    def in_image(self, x: float, y: float) -> bool:
        """Whether image pixel ``(x, y)`` lies inside the image."""
        return 0 <= x < self.image_size[0] and 0 <= y < self.image_size[1]


def detect_scale(capture_size: tuple[int, int], input_size: tuple[int, int]) -> float:
    """Capture pixels per input unit from the same monitor measured both ways.

    Raises ``ValueError`` when the two axes disagree (the sizes are of different monitors).
    """
    sx, sy = capture_size[0] / input_size[0], capture_size[1] / input_size[1]
    if abs(sx - sy) > 0.01 * max(sx, sy):
        raise ValueError(
            f"capture size {capture_size} and input size {input_size} do not differ by one "
            "scale factor; pass scale= explicitly"
        )
    return round(sx, 3)
