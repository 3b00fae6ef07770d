"""Image augmentation that respects what the action means in each domain.

* UI (an action with pixel coordinates): a small random scale and translation applied to the
  image *and* to the action's coordinates, then a mild colour jitter. A sample whose moved
  coordinates would leave the image keeps its original geometry. Never a flip: "the button on
  the left" must stay on the left. The strip the move uncovers takes the page border's colour,
  or (:meth:`AugmentConfig.screen`, for an actor shown crops of a larger screen) a random
  colour half of the time: a crop a few pixels off shows another window's edge there.
* Robot (:class:`~vla.actions.EEDelta`, :class:`~vla.actions.JointTarget`): a small random crop
  resized back to the original size (the action is in the robot base frame and does not move),
  then a mild colour jitter. Instructions name colours ("the red cube"), so the jitter changes
  brightness and contrast only, never hue.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

import numpy as np

from vla.actions import POINT_FIELDS, ROBOT_ACTIONS, Action

__all__ = ["AugmentConfig", "augment", "augment_point", "augment_sample"]


@dataclass(frozen=True)
class AugmentConfig:
    """Strengths of the augmentations. Pixel amounts are in pixels of the stored image."""

    p_geometric: float = 0.5
    max_translate_px: float = 6.0
    max_scale_delta: float = 0.06
    p_color: float = 0.5
    max_brightness_delta: float = 0.08
    max_contrast_delta: float = 0.08
    min_crop_fraction: float = 0.9
    #: share of moved UI samples whose uncovered strip is a random colour, not the border's
    p_random_fill: float = 0.0

    @classmethod
    def screen(cls) -> AugmentConfig:
        """For an actor that acts on page-sized crops of a whole screen: moves of up to 12 px
        (a located box's error) whose uncovered strip is a random colour half of the time."""
        return cls(max_translate_px=12.0, p_random_fill=0.5)

    def __post_init__(self) -> None:
        for name in ("p_geometric", "p_color", "min_crop_fraction", "p_random_fill"):
            value = getattr(self, name)
            if not 0 <= value <= 1:
                raise ValueError(f"Got {value!r} for `{name}`; it must be in [0, 1]")
        for name in ("max_translate_px", "max_scale_delta"):
            if getattr(self, name) < 0:
                raise ValueError(f"Got {getattr(self, name)!r} for `{name}`; it must be >= 0")


def augment(
    image: np.ndarray, action: Action, rng: np.random.Generator, cfg: AugmentConfig | None = None
) -> tuple[np.ndarray, Action]:
    """Return an augmented copy of ``(image uint8[H, W, 3], action)``; the inputs are not changed."""
    image, action, _ = augment_point(image, action, None, rng, cfg)
    return image, action


def augment_point(
    image: np.ndarray,
    action: Action,
    point: tuple[float, float] | None,
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, Action, tuple[float, float] | None]:
    """:func:`augment`, also moving ``point`` (``(x, y)`` image pixels, e.g. where the named
    object is) with a robot sample's crop; a UI sample's point becomes None when the image
    moves (UI points are the action's own coordinates)."""
    image, action, point, _ = augment_sample(image, action, point, None, rng, cfg)
    return image, action, point


def augment_sample(
    image: np.ndarray,
    action: Action,
    point: tuple[float, float] | None,
    boxes: np.ndarray | None,
    rng: np.random.Generator,
    cfg: AugmentConfig | None = None,
) -> tuple[np.ndarray, Action, tuple[float, float] | None, np.ndarray | None]:
    """:func:`augment_point`, also moving ``boxes`` ((N, 4) ``[left, top, width, height]``
    image pixels, e.g. the page's words) with the image in either domain."""
    cfg = cfg or AugmentConfig()
    if isinstance(action, ROBOT_ACTIONS):
        if rng.random() < cfg.p_geometric:
            image, point, boxes = _random_crop(image, rng, cfg.min_crop_fraction, point, boxes)
    elif rng.random() < cfg.p_geometric:
        moved = _ui_affine(image, action, rng, cfg)
        if moved is not None:
            image, action, (s, c, t) = moved
            point = None
            if boxes is not None:  # p' = s (p - c) + c + t; sizes scale by s
                boxes = np.concatenate([s * (boxes[:, :2] - c) + c + t, s * boxes[:, 2:]], 1)
    if rng.random() < cfg.p_color:
        image = _color_jitter(image, rng, cfg)
    return image, action, point, boxes


def _ui_affine(
    image: np.ndarray, action: Action, rng: np.random.Generator, cfg: AugmentConfig
) -> tuple[np.ndarray, Action, tuple[float, np.ndarray, np.ndarray]] | None:
    """Scale by ``s`` about the image centre ``c`` and translate by ``t``:
    ``p' = s (p - c) + c + t``. Returns the image, the action and ``(s, c, t)``; None when the
    action's point would leave the image (the sample then keeps its geometry)."""
    from PIL import Image

    h, w = image.shape[:2]
    s = 1.0 + rng.uniform(-cfg.max_scale_delta, cfg.max_scale_delta)
    tx, ty = rng.uniform(-cfg.max_translate_px, cfg.max_translate_px, size=2)
    cx, cy = w / 2.0, h / 2.0
    moved = {}
    for fx, fy in POINT_FIELDS.get(type(action), ()):
        # pixel centres: a click at integer x covers [x, x+1), so map x + 0.5
        x = s * (getattr(action, fx) + 0.5 - cx) + cx + tx - 0.5
        y = s * (getattr(action, fy) + 0.5 - cy) + cy + ty - 0.5
        if not (0 <= x <= w - 1 and 0 <= y <= h - 1):
            return None  # the target would leave the image: keep this sample as is
        moved[fx], moved[fy] = float(x), float(y)
    # PIL's affine maps output -> input pixels: p = (p' - c - t) / s + c
    inv = (1 / s, 0.0, cx - (cx + tx) / s, 0.0, 1 / s, cy - (cy + ty) / s)
    fill = tuple(int(v) for v in np.median(_border(image), axis=0))
    if cfg.p_random_fill and rng.random() < cfg.p_random_fill:  # (no draw: streams kept)
        fill = tuple(int(v) for v in rng.integers(0, 256, size=3))
    out = Image.fromarray(image).transform(
        (w, h), Image.Transform.AFFINE, inv, resample=Image.Resampling.BILINEAR, fillcolor=fill
    )
    action = dataclasses.replace(action, **moved) if moved else action
    return np.asarray(out), action, (s, np.array([cx, cy]), np.array([tx, ty]))


def _border(image: np.ndarray) -> np.ndarray:
    """The outermost ring of pixels as an (N, 3) array: the colour to pad with."""
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]]).reshape(-1, 3)


def _random_crop(
    image: np.ndarray,
    rng: np.random.Generator,
    min_fraction: float,
    point: Any = None,
    boxes: np.ndarray | None = None,
) -> tuple[np.ndarray, Any, np.ndarray | None]:
    """A random crop of at least ``min_fraction`` of each side, resized back; ``point``
    (``(x, y)`` pixels or None) and ``boxes`` ((N, 4) ``[left, top, width, height]`` or None)
    move with it (continuous coordinates: a pixel's left edge is ``x``, its centre ``x + 0.5``)."""
    from PIL import Image

    h, w = image.shape[:2]
    frac = rng.uniform(min_fraction, 1.0)
    ch, cw = max(1, round(h * frac)), max(1, round(w * frac))
    top, left = int(rng.integers(0, h - ch + 1)), int(rng.integers(0, w - cw + 1))
    crop = Image.fromarray(image[top : top + ch, left : left + cw])
    if point is not None:
        point = ((point[0] - left) * w / cw, (point[1] - top) * h / ch)
    if boxes is not None:
        scale = np.array([w / cw, h / ch] * 2)
        boxes = (boxes - np.array([left, top, 0, 0])) * scale
    return np.asarray(crop.resize((w, h), Image.Resampling.BILINEAR)), point, boxes


def _color_jitter(image: np.ndarray, rng: np.random.Generator, cfg: AugmentConfig) -> np.ndarray:
    brightness = 1.0 + rng.uniform(-cfg.max_brightness_delta, cfg.max_brightness_delta)
    contrast = 1.0 + rng.uniform(-cfg.max_contrast_delta, cfg.max_contrast_delta)
    img = image.astype(np.float32) * brightness
    mean = img.mean()
    img = (img - mean) * contrast + mean
    return np.clip(img + 0.5, 0, 255).astype(np.uint8)
