"""Augmentation keeps actions true to the image: UI coordinates move with the pixels."""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from vla.actions import Click, Drag, EEDelta, Type
from vla.training.augment import AugmentConfig, augment

GEOMETRY_ONLY = AugmentConfig(p_geometric=1.0, p_color=0.0, max_translate_px=8, max_scale_delta=0.1)


def _dot_image(x: int, y: int) -> np.ndarray:
    img = np.full((210, 160, 3), 255, np.uint8)
    img[y - 2 : y + 3, x - 2 : x + 3] = (255, 0, 0)
    return img


def _red_centroid(img: np.ndarray) -> tuple[float, float]:
    red = (img[..., 0] > 150) & (img[..., 1] < 120) & (img[..., 2] < 120)
    ys, xs = np.nonzero(red)
    return float(xs.mean()), float(ys.mean())


@pytest.mark.parametrize("seed", range(8))
def test_ui_click_follows_the_target(seed):
    rng = np.random.default_rng(seed)
    x, y = int(rng.integers(30, 130)), int(rng.integers(30, 180))
    img, action = augment(_dot_image(x, y), Click(x, y), rng, GEOMETRY_ONLY)
    cx, cy = _red_centroid(img)
    assert abs(cx - action.x) <= 1.0 and abs(cy - action.y) <= 1.0
    assert img.shape == (210, 160, 3) and img.dtype == np.uint8


def test_ui_drag_moves_both_points_and_text_actions_pass_through():
    rng = np.random.default_rng(0)
    img = _dot_image(50, 60)
    _, drag = augment(img, Drag(50, 60, 100, 120), rng, GEOMETRY_ONLY)
    assert (drag.x0, drag.y0) != (50, 60) and (drag.x1, drag.y1) != (100, 120)
    _, typed = augment(img, Type("hello"), rng, GEOMETRY_ONLY)
    assert typed == Type("hello")


def test_ui_target_near_the_edge_is_never_pushed_out():
    for seed in range(30):
        rng = np.random.default_rng(seed)
        _, a = augment(_dot_image(2, 2), Click(0, 0), rng, GEOMETRY_ONLY)
        assert 0 <= a.x <= 159 and 0 <= a.y <= 209


def test_robot_action_unchanged_and_image_same_size():
    rng = np.random.default_rng(0)
    img = np.random.default_rng(1).integers(0, 255, (128, 128, 3), dtype=np.uint8)
    action = EEDelta((0.01, -0.02, 0.0), gripper=0.0)
    out, same = augment(img, action, rng, AugmentConfig(p_geometric=1.0, p_color=1.0))
    assert same == action and out.shape == img.shape and not np.array_equal(out, img)


def _uncovered_strip(img: np.ndarray) -> np.ndarray:
    """The rows or columns a move uncovered: the outermost ring's pixels that are not white."""
    ring = np.concatenate([img[0], img[-1], img[:, 0], img[:, -1]])
    return ring[(ring != 255).any(axis=1)]


def test_screen_augmentation_fills_the_uncovered_strip_with_random_colours_and_auto_never():
    """An actor shown crops of a whole screen meets other windows' edges where a crop is a few
    pixels off; ``screen`` shows it such edges, ``auto`` keeps the page border's colour."""
    cfg = AugmentConfig.screen()
    assert cfg.max_translate_px > AugmentConfig().max_translate_px
    screen_only = AugmentConfig(
        p_geometric=1.0, p_color=0.0, max_translate_px=8, max_scale_delta=0.0, p_random_fill=1.0
    )
    colours = set()
    for seed in range(8):
        img, _ = augment(
            _dot_image(80, 100), Click(80, 100), np.random.default_rng(seed), screen_only
        )
        strip = _uncovered_strip(img)
        if len(strip):  # a move under half a pixel uncovers nothing
            colours.add(tuple(strip[len(strip) // 2]))
        plain_cfg = dataclasses.replace(screen_only, p_random_fill=0.0)
        plain, _ = augment(
            _dot_image(80, 100), Click(80, 100), np.random.default_rng(seed), plain_cfg
        )
        assert not len(_uncovered_strip(plain)), "the border's colour (white) fills it"
    assert len(colours) >= 4, colours


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match="p_color"):
        AugmentConfig(p_color=2.0)


def test_collator_batches_native_resolution_images_of_different_sizes():
    """Native-resolution models (issue 13): augmented screenshots of several sizes collate into
    one padded batch whose loss trains, and the clicks stay where the augmented pixels put them."""
    import torch

    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.training.data import Collator

    cfg = VLAConfig.from_preset(
        "vla-tiny", vision_patch_size=16, max_image_tokens=140, coord_bins=1024
    )
    proc = VLAProcessor.from_config(cfg)
    items = [
        {"image": _dot_image(40, 50), "action": Click(40, 50), "instruction": "click the dot"},
        {"image": np.full((60, 90, 3), 200, np.uint8), "action": Type("hi"), "instruction": "type"},
        {
            "image": np.full((400, 640, 3), 90, np.uint8),
            "action": Click(600, 10),
            "instruction": "x",
        },
    ]
    batch = Collator(proc, GEOMETRY_ONLY, seed=0)(items)
    assert batch["image_grids"].tolist()[:2] == [[14, 10, 0], [4, 6, 0]]
    assert batch["image_grids"][2, 2] > 0 and "thumbnail_values" in batch  # over budget
    rows, cols = batch["image_grids"][:, :2].max(0).values.tolist()
    assert batch["pixel_values"].shape[-2:] == (rows * 16, cols * 16)
    loss = VLAForActionPrediction(cfg)(**batch).loss
    loss.backward()
    assert torch.isfinite(loss)
    click = proc.tokenizer.decode([t for t in batch["labels"][0].tolist() if t != -100], (160, 210))
    assert abs(click.x - 40) <= 10 and abs(click.y - 50) <= 10  # moved with the image, a little
