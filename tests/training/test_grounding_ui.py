"""The grounding loss on UI data (``VLAConfig.point_loss``): a step without a recorded target
points where its action acts, and the point follows the action through augmentation."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from vla_training_fakes import TINY

from vla.actions import Click, Drag, Type
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.training.augment import AugmentConfig
from vla.training.data import Collator


def _item(action, image_size=(64, 48)) -> dict:
    h, w = image_size
    image = np.full((h, w, 3), 255, np.uint8)
    image[10:20, 5:15] = (255, 0, 0)
    return {"image": image, "instruction": "click the red square", "action": action,
            "state": None, "target_pixels": None}  # fmt: skip


CONFIG = VLAConfig.from_preset("vla-tiny", **TINY, point_loss=1.0)


@pytest.fixture(scope="module")
def processor():
    return VLAProcessor.from_config(CONFIG)


def test_a_ui_step_points_at_its_click_or_drag_start_and_type_at_nothing(processor):
    items = [_item(Click(9, 14)), _item(Drag(30, 40, 2, 3)), _item(Type("hi"))]
    points = Collator(processor)(items)["target_points"]
    assert points[0].tolist() == pytest.approx([9.5 / 48, 14.5 / 64])
    assert points[1].tolist() == pytest.approx([30.5 / 48, 40.5 / 64])
    assert torch.isnan(points[2]).all()
    plain = {k: v for k, v in _item(Click(9, 14)).items() if k != "target_pixels"}
    assert "target_points" not in Collator(processor)([plain])  # no grounding batch asked


def test_the_point_follows_the_augmented_click(processor):
    items = [_item(Click(9, 14)) for _ in range(16)]
    cfg = AugmentConfig(p_geometric=1.0, p_color=0.0)
    collator = Collator(processor, cfg, seed=3)
    moved = []
    for item in items:
        _, action, _, point, _, _ = collator._sample(item)
        assert point == pytest.approx(((action.x + 0.5) / 48, (action.y + 0.5) / 64))
        moved.append(action != Click(9, 14))
    assert any(moved)


def test_the_ui_point_adds_the_grounding_loss(processor):
    torch.manual_seed(0)
    model = VLAForActionPrediction(CONFIG)
    batch = Collator(processor)([_item(Click(9, 14)), _item(Click(40, 60))])
    points = batch.pop("target_points")
    with torch.no_grad():
        plain = float(model(**batch).loss)
        with_points = float(model(**batch, target_points=points).loss)
    assert with_points - plain == pytest.approx(math.log(16), rel=0.3)  # 4x4 patches at 32 px
