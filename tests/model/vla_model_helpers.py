"""Helpers for the model tests (importable as ``vla_model_helpers``; conftest puts this folder
on sys.path): tiny configs, synthetic images, robot statistics."""

from __future__ import annotations

import numpy as np

COLORS = {"red": (220, 30, 30), "green": (30, 180, 60), "blue": (40, 60, 220)}

#: Statistics in the format of a dataset's meta/stats.json.
ROBOT_STATS = {
    "action.ee_delta": {"q01": [-0.05] * 6 + [0.0], "q99": [0.05] * 6 + [1.0]},
    "action.joint_target": {"q01": [-2.9] * 7 + [0.0], "q99": [2.9] * 7 + [1.0]},
    "observation.state": {"q01": [-1.0] * 9, "q99": [1.0] * 9},
}


def tiny_overrides() -> dict:
    """Smaller than vla-tiny so that unit tests stay fast."""
    return {
        "vision_image_size": 32,
        "vision_hidden_size": 32,
        "vision_intermediate_size": 64,
        "text_hidden_size": 32,
        "text_intermediate_size": 64,
        "state_dim": 12,
        "max_text_bytes": 8,  # random models type long strings: keep their decodes short
    }


def square_scene(rng: np.random.Generator, width: int = 160, height: int = 210, size: int = 24):
    """An image with a red, a green and a blue square; returns (image, {color: (cx, cy)})."""
    img = np.full((height, width, 3), 235, np.uint8)
    centers: dict[str, tuple[float, float]] = {}
    boxes: list[tuple[int, int]] = []
    for name, rgb in COLORS.items():
        while True:
            x0, y0 = int(rng.integers(0, width - size)), int(rng.integers(0, height - size))
            if all(abs(x0 - a) > size or abs(y0 - b) > size for a, b in boxes):
                break
        boxes.append((x0, y0))
        img[y0 : y0 + size, x0 : x0 + size] = rgb
        centers[name] = (x0 + size / 2, y0 + size / 2)
    return img, centers
