"""The goal's pointer label (``info["goal_pixels"]``, ``VLAConfig.point_goal``): recorded per
step by ``vla collect``, handed to the model as ``goal_points`` beside ``target_points``, and
moved with the same crop as the target point, in a single image and in the first named view."""

from __future__ import annotations

import numpy as np
import pytest
from vla_training_fakes import TINY, recorded

from vla.model import VLAConfig, VLAProcessor
from vla.training.augment import AugmentConfig
from vla.training.data import Collator
from vla.training.grounding import TargetPoints

pytestmark = [pytest.mark.robot]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    cameras = {"cameras": ["front", "scene"], "image_size": 64}
    out = tmp_path_factory.mktemp("push")
    return recorded(
        out, "vla/panda-push-v0", 2, env_kwargs=cameras, max_steps=6, keep_failures=True
    )


def _processor(dataset, **overrides):
    from vla.datasets import load_stats

    cfg = VLAConfig.from_preset("vla-tiny", **TINY, point_loss=1.0, **overrides)
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(load_stats([dataset.roots[0]]))
    return proc


def test_every_step_keeps_its_goal_and_the_batch_has_it(dataset):
    items = [TargetPoints(dataset)[i] for i in range(len(dataset))]
    assert all(set(item["goal_pixels"]) == {"front", "scene"} for item in items)
    batch = Collator(_processor(dataset))(items[:3])
    want = [c / 64 for item in items[:3] for c in item["goal_pixels"]["front"]]
    assert batch["goal_points"].flatten().tolist() == pytest.approx(want)
    for item in items[:3]:
        item["goal_pixels"] = None  # a reach step: no goal, no goal_points
    assert "goal_points" not in Collator(_processor(dataset))(items[:3])


@pytest.mark.parametrize("views", [(), ("scene", "front")])
def test_the_goal_moves_with_the_same_crop_as_the_target(dataset, views):
    """Both points go through the crop of the image the model sees first: their offset is
    scaled by the crop's zoom (>= 1, the same on both axes of a square image)."""
    proc = _processor(dataset, view_names=list(views))
    items = [TargetPoints(dataset)[i] for i in range(len(dataset))]
    plain = Collator(proc)(items)
    crop = AugmentConfig(p_geometric=1.0, p_color=0.0, min_crop_fraction=0.7)
    moved = Collator(proc, crop, seed=3)(items)
    before = (plain["goal_points"] - plain["target_points"]).numpy()
    after = (moved["goal_points"] - moved["target_points"]).numpy()
    keep = (np.abs(before) > 0.05).all(-1)
    assert keep.sum() >= 3
    zoom = after[keep] / before[keep]
    assert np.allclose(zoom[:, 0], zoom[:, 1], atol=1e-4) and (zoom > 1 - 1e-4).all()
    assert (zoom > 1.01).any()  # the crops did zoom in
    assert not np.allclose(moved["goal_points"], plain["goal_points"])
