"""The grounding loss at native resolution (``point_loss`` with ``max_image_tokens``): each
image's target lands on the detail patch under it, whatever the batch's padding and
thumbnails, and the loss chooses only among the patches an image really has."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from vla_training_fakes import TINY

from vla.actions import Click
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.grounding_vla import PatchLayout, patch_layout
from vla.training.data import Collator

# 8-px patches, a 32-px thumbnail (16 tokens), 64 tokens: 48x64 and 40x17 fit natively,
# 200x100 gets a thumbnail plus a downscaled detail grid
CONFIG = VLAConfig.from_preset(
    "vla-tiny", **TINY, vision_patch_size=8, max_image_tokens=64, point_loss=1.0
)
SIZES = [(48, 64), (40, 17), (200, 100)]  # (width, height)


def _item(width: int, height: int, click: Click) -> dict:
    image = np.full((height, width, 3), 255, np.uint8)
    return {"image": image, "instruction": "click it", "action": click, "state": None,
            "target_pixels": None}  # fmt: skip


def _expected_index(proc: VLAProcessor, width: int, height: int, click: Click, cols: int) -> int:
    """The row-major index, in a grid ``cols`` wide, of the detail patch the click's pixel
    centre falls in (model pixels of the detail image)."""
    g = proc.grid.plan(width, height)
    x, y = g.to_model(click.x + 0.5, click.y + 0.5)
    return int(y // g.patch) * cols + int(x // g.patch)


@pytest.mark.parametrize("rows", [SIZES[:2], SIZES, SIZES[1:]])
def test_each_native_image_points_at_the_detail_patch_under_its_click(rows):
    proc = VLAProcessor.from_config(CONFIG)
    clicks = [Click(w - 9, h - 3) for w, h in rows]  # bottom-right: padding shifts fractions
    batch = Collator(proc)([_item(w, h, c) for (w, h), c in zip(rows, clicks, strict=True)])
    layout = patch_layout(
        CONFIG, batch["pixel_values"], batch["image_grids"], batch.get("thumbnail_values")
    )
    assert layout.start == (16 if (200, 100) in rows else 0)
    pairs = zip(rows, clicks, strict=True)
    expected = [_expected_index(proc, w, h, c, layout.cols) for (w, h), c in pairs]
    assert layout.target(batch["target_points"]).tolist() == expected
    valid = layout.valid(len(rows), "cpu")
    assert valid[torch.arange(len(rows)), expected].all()  # never a padding patch


def test_a_layout_indexes_each_rows_own_corner_of_the_grid():
    points = torch.tensor([[0.0, 0.0], [0.99, 0.01], [0.5, 0.74], [math.nan, 0.5], [1.0, 0.2]])
    assert PatchLayout(0, 4, 4).target(points).tolist() == [0, 3, 2 * 4 + 2, -1, -1]
    sizes = torch.tensor([[2, 3]] * 5)  # each row has 2 x 3 of a 4 x 6 grid
    assert PatchLayout(0, 4, 6, sizes).target(points).tolist() == [0, 2, 6 + 1, -1, -1]
    assert PatchLayout(0, 4, 6, sizes).valid(5, "cpu")[0].nonzero().flatten().tolist() == [
        0, 1, 2, 6, 7, 8,
    ]  # fmt: skip


def test_the_native_loss_chooses_among_the_images_own_patches():
    torch.manual_seed(0)
    model = VLAForActionPrediction(CONFIG)
    torch.nn.init.zeros_(model.target_pointer.query.weight)  # every patch scores 0:
    torch.nn.init.zeros_(model.target_pointer.query.bias)  # the loss is log(patches)
    proc = VLAProcessor.from_config(CONFIG)
    batch = Collator(proc)([_item(48, 64, Click(3, 3)), _item(40, 17, Click(20, 10))])
    points = batch.pop("target_points")
    points[0] = math.nan  # only the 40x17 image (5 x 3 of the batch's 6 x 8 grid) points
    with torch.no_grad():
        plain = float(model(**batch).loss)
        with_points = float(model(**batch, target_points=points).loss)
    assert with_points - plain == pytest.approx(math.log(5 * 3), abs=1e-4)
    assert batch["pixel_values"].shape[-2:] == (64, 48)  # 48 patches, 33 of them padding
