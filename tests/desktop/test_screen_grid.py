"""A whole screen through the processor's token budget, and a click back to the screen pixel.

The chain a desktop click goes through (pure functions, no display, no training):

    screen pixel -> image (ScreenMapping.to_image) -> model pixels of the budgeted grid
    (ImageGrid.to_model) -> action tokens -> image (decode) -> screen (ScreenMapping.to_screen)

At 1920x1080, 2560x1440 and a 2x HiDPI screen (3840x2160 physical pixels, seen as a
1920x1080 image of logical pixels), the geometric part is exact and a click decoded from
tokens lands within 1 (logical) pixel of the pixel it was encoded from.
"""

from __future__ import annotations

import math

import numpy as np
import pytest

from vla.actions import Click
from vla.controllers.screen_mapping import ScreenMapping
from vla.model.image_grid import GridSpec
from vla.model.tokenization_vla import ActionTokenizer

#: name -> (physical screen size, image size the policy sees, physical pixels per logical one)
SCREENS = {
    "1920x1080": ((1920, 1080), (1920, 1080), 1),
    "2560x1440": ((2560, 1440), (2560, 1440), 1),
    "2x HiDPI": ((3840, 2160), (1920, 1080), 2),
}
#: The budget: a 64-px thumbnail of 16-px patches (16 tokens) plus a detail grid (<= 1008).
GRID = GridSpec(patch=16, size=64, max_tokens=1024)


def screen_pixels(size: tuple[int, int], step: int = 7) -> list[tuple[int, int]]:
    """A lattice of screen pixels, the four edges included."""
    w, h = size
    xs = sorted({*range(0, w, step), w - 1})
    ys = sorted({*range(0, h, step * 5), h - 1})
    return [(x, y) for x in xs for y in ys]


def mapping_of(name: str) -> tuple[ScreenMapping, int]:
    screen, image, scale = SCREENS[name]
    # X11: screenshots and pointer events are both in physical pixels (ScreenMapping.scale 1).
    return ScreenMapping((0, 0, *screen), image), scale


@pytest.mark.parametrize("name", list(SCREENS))
def test_a_whole_screen_fits_the_budget_as_thumbnail_plus_scaled_grid(name: str) -> None:
    _, image, _ = SCREENS[name]
    grid = GRID.plan(*image)
    assert grid.tokens <= GRID.max_tokens and grid.thumbnail == 4
    assert grid.rows * grid.cols <= GRID.max_tokens - 16
    # the detail grid keeps the screen's aspect ratio (within a pixel of rounding)
    assert abs(grid.model_width / grid.model_height - image[0] / image[1]) < 0.01


@pytest.mark.parametrize("name", list(SCREENS))
def test_screen_to_model_and_back_is_exact(name: str) -> None:
    mapping, _ = mapping_of(name)
    grid = GRID.plan(*mapping.image_size)
    for x, y in screen_pixels(mapping.region[2:]):
        image_point = mapping.to_image(x + 0.5, y + 0.5)  # the pixel's centre
        model_point = grid.to_model(*image_point)
        assert 0 <= model_point[0] < grid.model_width and 0 <= model_point[1] < grid.model_height
        assert mapping.to_screen(*grid.to_caller(*model_point)) == (x, y)


def _worst_click_error(mapping: ScreenMapping, tokenizer: ActionTokenizer) -> float:
    """The largest distance, in physical screen pixels along an axis, between a pixel and
    where a click encoded at its centre lands after decoding."""
    worst = 0.0
    size = mapping.image_size
    for x, y in screen_pixels(mapping.region[2:]):
        click = Click(*mapping.to_image(x + 0.5, y + 0.5))
        decoded = tokenizer.decode(tokenizer.encode(click, size), size)
        assert isinstance(decoded, Click)
        sx, sy = mapping.to_screen(decoded.x, decoded.y)
        worst = max(worst, abs(sx - x), abs(sy - y))
    return worst


@pytest.mark.parametrize("name", list(SCREENS))
def test_coordinate_bins_land_within_a_pixel(name: str) -> None:
    """Bins are normalised by the image size, so the grid cannot move them: a click decodes
    to its bin's centre, at most half a bin (``width / coord_bins`` image pixels) away, and
    lands on the pixel holding that point. The default 1024 bins keep that within a pixel up
    to 2560 pixels across (and on a 2x screen seen in logical pixels)."""
    mapping, scale = mapping_of(name)
    assert _worst_click_error(mapping, ActionTokenizer(coord_bins=1024)) / scale <= 1


def test_coarser_bins_miss_by_more_than_a_pixel() -> None:
    mapping, _ = mapping_of("2560x1440")
    assert _worst_click_error(mapping, ActionTokenizer(coord_bins=512)) == 2


@pytest.mark.parametrize("name", list(SCREENS))
def test_pointer_tokens_through_the_budgeted_grid_land_within_a_pixel(name: str) -> None:
    """A pointer click is a patch of the downscaled detail grid and a cell in it; with
    ``S`` cells per patch side the error is half a cell, ``patch / (2 S)`` model pixels, times
    the downscale. ``S = 32`` keeps it under a pixel at these sizes with 1024 tokens."""
    mapping, scale = mapping_of(name)
    grid = GRID.plan(*mapping.image_size)
    cell = grid.patch / 32 * mapping.image_size[0] / grid.model_width  # image pixels
    assert cell / 2 <= 1.0, cell
    tokenizer = ActionTokenizer(pointer_grid=GRID, pointer_subdivisions=32)
    assert _worst_click_error(mapping, tokenizer) / scale <= 1


def test_pointer_error_grows_with_coarser_cells() -> None:
    mapping, _ = mapping_of("1920x1080")
    tokenizer = ActionTokenizer(pointer_grid=GRID, pointer_subdivisions=4)
    grid = GRID.plan(*mapping.image_size)
    half_cell = grid.patch / 8 * 1920 / grid.model_width
    assert 1 < _worst_click_error(mapping, tokenizer) <= math.ceil(half_cell + 0.5)


def test_a_1080p_screenshot_goes_through_the_processor_within_the_budget() -> None:
    from vla.model import VLAConfig, VLAProcessor

    config = VLAConfig.from_preset(
        "vla-tiny", vision_image_size=64, vision_patch_size=16, max_image_tokens=1024
    )
    processor = VLAProcessor.from_config(config)
    screen = np.zeros((1080, 1920, 3), dtype=np.uint8)
    out = processor.native_pixels([screen])
    rows, cols, thumb = (int(v) for v in out["image_grids"][0])
    grid = GRID.plan(1920, 1080)
    assert (rows, cols, thumb) == (grid.rows, grid.cols, 4)
    assert rows * cols + thumb**2 <= 1024
    assert tuple(out["thumbnail_values"].shape[-2:]) == (64, 64)
