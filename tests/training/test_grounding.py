"""The grounding loss (``VLAConfig.point_loss``): the recorded target pixels reach the model as
``target_points`` that still sit on the named cube after augmentation, the loss points at the
right patch, and a training run with it learns to point."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from vla_training_fakes import TINY, recorded

from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.grounding_vla import PatchLayout
from vla.training.augment import AugmentConfig, augment_point
from vla.training.data import ChunkTargets, Collator
from vla.training.grounding import TargetPoints

pytestmark = [pytest.mark.robot]


@pytest.fixture(scope="module")
def dataset(tmp_path_factory):
    out = tmp_path_factory.mktemp("reach")
    return recorded(out, "vla/panda-reach-v0", 3, env_kwargs={"image_size": 64})


def _on_target(item: dict, point: tuple[float, float], image: np.ndarray) -> bool:
    """The pixel under ``point`` (or a neighbour) has the named cube's colour."""
    from vla.envs.robot.scene import COLORS

    color = next(c for c in COLORS if c in item["instruction"])
    x, y = int(point[0]), int(point[1])
    patch = image[max(0, y - 1) : y + 2, max(0, x - 1) : x + 2].reshape(-1, 3).astype(float)
    return bool(np.abs(patch - np.asarray(COLORS[color]) * 255).sum(-1).min() < 120)


def test_every_step_has_its_point_and_it_stays_on_the_cube_through_augmentation(dataset):
    points = TargetPoints(ChunkTargets(dataset, 4))
    rng = np.random.default_rng(0)
    cfg = AugmentConfig(p_geometric=1.0, p_color=0.0, min_crop_fraction=0.8)
    moved = 0
    for i in range(0, len(points), 3):
        item = points[i]
        assert isinstance(item["action"], list) and set(item["target_pixels"]) == {"front"}
        point = tuple(item["target_pixels"]["front"])
        assert _on_target(item, point, item["image"])
        image, _, new = augment_point(item["image"], item["action"][0], point, rng, cfg)
        assert new is not None and _on_target(item, new, image)
        moved += not np.allclose(new, point)
    assert moved > 0  # the crops did move the points


def test_the_collator_passes_points_as_fractions_and_nan_where_unknown(dataset):
    cfg = VLAConfig.from_preset("vla-tiny", **TINY, point_loss=1.0)
    proc = VLAProcessor.from_config(cfg)
    from vla.datasets import load_stats

    proc.tokenizer.set_stats(load_stats([dataset.roots[0]]))
    items = [TargetPoints(dataset)[i] for i in (0, 4)]
    items[1]["target_pixels"] = None
    batch = Collator(proc)(items)
    x, y = items[0]["target_pixels"]["front"]
    assert batch["target_points"][0].tolist() == pytest.approx([x / 64, y / 64])
    assert torch.isnan(batch["target_points"][1]).all()
    assert "target_points" not in Collator(proc)([dataset[0], dataset[4]])


def test_patch_index_and_the_loss_point_at_the_patch_under_the_target():
    points = torch.tensor([[0.0, 0.0], [0.99, 0.01], [0.5, 0.74], [math.nan, 0.5], [1.0, 0.2]])
    assert PatchLayout(0, 4, 4).target(points).tolist() == [0, 3, 2 * 4 + 2, -1, -1]

    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **TINY, point_loss=1.0)
    model = VLAForActionPrediction(cfg)
    proc = VLAProcessor.from_config(cfg)
    from vla.actions import Click

    batch = proc([np.zeros((32, 32, 3), np.uint8)] * 2, ["click", "click"],
                 actions=[Click(3, 4), Click(5, 6)])  # fmt: skip
    plain = model(**batch).loss
    there = torch.tensor([[0.1, 0.1], [0.9, 0.6]])
    with_points = model(**batch, target_points=there)
    assert with_points.loss > plain  # the grounding cross-entropy (~log 16) is added
    assert float(with_points.loss - plain) == pytest.approx(math.log(16), rel=0.3)
    with_points.loss.backward()
    assert model.target_pointer.query.weight.grad.abs().sum() > 0
    nowhere = torch.full((2, 2), math.nan)
    assert float(model(**batch, target_points=nowhere).loss) == pytest.approx(float(plain))


def test_a_negative_point_loss_is_refused():
    with pytest.raises(ValueError, match="point_loss"):
        VLAConfig.from_preset("vla-tiny", **TINY, point_loss=-1.0)


@pytest.mark.parametrize("names", [["front", "scene"], ["scene", "front"]])
def test_a_model_with_named_views_points_in_its_first_view(tmp_path, names):
    from vla.datasets import load_stats

    cameras = {"cameras": ["front", "scene"], "image_size": 48}
    dataset = recorded(
        tmp_path, "vla/panda-reach-v0", 1, env_kwargs=cameras, max_steps=3, keep_failures=True
    )
    cfg = VLAConfig.from_preset("vla-tiny", **TINY, point_loss=1.0, view_names=names)
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(load_stats([tmp_path]))
    items = [TargetPoints(dataset)[i] for i in range(3)]
    batch = Collator(proc)(items)
    expected = [c / 48 for it in items for c in it["target_pixels"][names[0]]]
    assert batch["target_points"].flatten().tolist() == pytest.approx(expected)
    rng_cfg = AugmentConfig(p_geometric=1.0, p_color=0.0, min_crop_fraction=0.8)
    moved = Collator(proc, rng_cfg, seed=1)(items)["target_points"]
    assert not torch.allclose(moved, batch["target_points"])  # the first view's crop moved it


def test_a_run_with_the_grounding_loss_learns_to_point(dataset, tmp_path):
    """150 steps on two reach episodes: the pointer's top patch is the cube's on the frames it
    trained on (chance: 1/16), and not without the loss; validation reports the rate on the
    held-out episode (a new cube position: too few episodes to generalise here)."""
    from vla.training import TrainConfig, train

    def run(weight: float, name: str) -> tuple[dict, float]:
        cfg = TrainConfig(
            datasets=[str(dataset.roots[0])], out=str(tmp_path / name), config="vla-tiny",
            model_overrides={**TINY, "point_loss": weight, "conv_stem": True}, steps=150,
            batch_size=16, lr=2e-3, val_fraction=0.34, progress=False, log_with="none",
            val_decode_samples=0, augment="none", warmup_steps=10, val_every=150,
        )  # fmt: skip
        metrics = train(cfg).metrics
        if not weight:
            return metrics, 0.0
        model = VLAForActionPrediction.from_pretrained(tmp_path / name)
        proc = VLAProcessor.from_pretrained(tmp_path / name)
        from vla.datasets import EpisodeDataset

        seen = TargetPoints(EpisodeDataset(dataset.roots, split="train", val_fraction=0.34))
        batch = Collator(proc)([seen[i] for i in range(len(seen))])
        return metrics, _pointer_hits(model, batch)

    metrics, hits = run(1.0, "point")
    assert hits > 0.5 and 0 <= metrics["val/point_accuracy"] <= 1, (hits, metrics)
    assert run(1e-9, "none")[1] < 0.3  # the pointer exists but learns nothing
    assert "val/point_accuracy" not in run(0.0, "off")[0]


def _pointer_hits(model, batch) -> float:
    """Fraction of items whose highest-scoring patch is the one under the target."""
    from vla.training.validation import teacher_forced_metrics

    return teacher_forced_metrics(model, [batch], "cpu")["val/point_accuracy"]
