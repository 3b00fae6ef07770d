"""How an image of any size becomes a grid of patch tokens, and how its pixels map to the grid.

Two modes, chosen by :class:`GridSpec`:

* **fixed** (``max_tokens == 0``, every checkpoint before issue 13): the image is resized
  (bilinear, aspect not kept) to ``size x size`` pixels and cut into ``(size / patch) ** 2``
  patches.
* **native** (``max_tokens > 0``): the image keeps its own resolution. It is padded right and
  bottom to whole patches (the padding is masked, never attended) and cut into
  ``ceil(H / patch) x ceil(W / patch)`` patches. An image whose grid would exceed ``max_tokens``
  is shown twice, as in LLaVA-NeXT / Qwen2-VL dynamic resolution: a ``size x size`` thumbnail
  (the whole page at low resolution, ``(size / patch) ** 2`` tokens) plus a detail grid of the
  image downscaled by the largest factor whose grid fits the rest of the budget.

Frames: *caller pixels* are those of the image given to the processor (what an
:class:`~vla.actions.Action` is written in); *model pixels* are those of the (possibly resized)
detail image the tower sees. :meth:`ImageGrid.to_model` / :meth:`ImageGrid.to_caller` are the
only conversion between them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

__all__ = ["GridSpec", "ImageGrid"]


@dataclass(frozen=True)
class ImageGrid:
    """The patch grid of one image.

    Attributes:
        width, height: the caller's image size in pixels.
        model_width, model_height: size in pixels of the detail image the tower sees.
        rows, cols: detail patches (``ceil(model_height / patch)``, ``ceil(model_width / patch)``).
        patch: patch side in model pixels.
        thumbnail: side of the thumbnail grid in patches (0: no thumbnail).
    """

    width: int
    height: int
    model_width: int
    model_height: int
    rows: int
    cols: int
    patch: int
    thumbnail: int = 0

    @property
    def tokens(self) -> int:
        """Image tokens of this image: detail patches plus thumbnail patches."""
        return self.rows * self.cols + self.thumbnail**2

    def to_model(self, x: float, y: float) -> tuple[float, float]:
        """Caller pixels -> model pixels of the detail image."""
        return x * self.model_width / self.width, y * self.model_height / self.height

    def to_caller(self, x: float, y: float) -> tuple[float, float]:
        """Model pixels of the detail image -> caller pixels."""
        return x * self.width / self.model_width, y * self.height / self.model_height

    def grid_fraction(self, fx: float, fy: float) -> tuple[float, float]:
        """``(x, y)`` as fractions of the caller's image -> as fractions of the detail grid
        with its padding (``cols x rows`` whole patches): what the grounding loss points in."""
        return (
            fx * self.model_width / (self.cols * self.patch),
            fy * self.model_height / (self.rows * self.patch),
        )


def _check_int(name: str, value: Any, low: int) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < low:
        raise ValueError(f"Got {value!r} for `{name}`; it must be an int >= {low}")
    return value


@dataclass(frozen=True)
class GridSpec:
    """How the processor cuts images into patches (see the module doc).

    Args:
        patch: patch side in pixels (``vision_config.patch_size``).
        size: the fixed input side in pixels (``vision_config.image_size``); in native mode the
            thumbnail side.
        max_tokens: image-token budget of the native mode; 0 = fixed mode.
    """

    patch: int
    size: int
    max_tokens: int = 0

    def __post_init__(self) -> None:
        _check_int("patch", self.patch, 1)
        _check_int("size", self.size, self.patch)
        _check_int("max_tokens", self.max_tokens, 0)
        if self.size % self.patch:
            raise ValueError(
                f"Got size={self.size}, patch={self.patch}; size must be a whole number of patches"
            )
        if self.max_tokens and self.max_tokens <= 2 * self.thumbnail_tokens:
            raise ValueError(
                f"Got {self.max_tokens} for `max_image_tokens`; it must be > "
                f"{2 * self.thumbnail_tokens} (twice the {self.thumbnail_tokens}-token thumbnail "
                f"of a {self.size}-px input with {self.patch}-px patches)"
            )

    @property
    def native(self) -> bool:
        return self.max_tokens > 0

    @property
    def thumbnail_tokens(self) -> int:
        return (self.size // self.patch) ** 2

    @property
    def max_detail_tokens(self) -> int:
        """The most detail patches any image gets (the pointer's patch vocabulary)."""
        return self.max_tokens if self.native else self.thumbnail_tokens

    def plan(self, width: int, height: int) -> ImageGrid:
        """The grid of a ``width x height`` image (caller pixels)."""
        if width < 1 or height < 1:
            raise ValueError(f"image size must be >= 1 x 1 pixels; got {width} x {height}")
        p = self.patch
        if not self.native:
            side = self.size // p
            return ImageGrid(width, height, self.size, self.size, side, side, p)
        if math.ceil(width / p) * math.ceil(height / p) <= self.max_tokens:
            return ImageGrid(width, height, width, height, -(-height // p), -(-width // p), p)
        budget = self.max_tokens - self.thumbnail_tokens
        scale = math.sqrt(budget * p * p / (width * height))
        while True:  # the ceil of partial patches can overshoot: shrink until the grid fits
            w, h = max(1, math.floor(width * scale)), max(1, math.floor(height * scale))
            rows, cols = -(-h // p), -(-w // p)
            if rows * cols <= budget:
                return ImageGrid(width, height, w, h, rows, cols, p, self.size // p)
            scale *= 0.99

    def to_dict(self) -> dict[str, int]:
        return {"patch": self.patch, "size": self.size, "max_tokens": self.max_tokens}
