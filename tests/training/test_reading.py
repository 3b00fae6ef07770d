"""The reading loss (``VLAConfig.read_loss``): each patch a word covers names the word's first
bytes, the boxes move with the augmentation, the loss reads only labelled bytes, and a real
MiniWoB page's words travel from the env through collect and the dataset to the labels."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from vla_training_fakes import TINY

from vla.actions import Click, EEDelta
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.reading_vla import READ_BYTES
from vla.training.augment import AugmentConfig, augment_sample
from vla.training.data import Collator

# 8-px patches, a 32-px thumbnail (16 tokens), 64 tokens: 48x64 and 40x17 fit natively,
# 200x100 gets a thumbnail plus a downscaled detail grid
CONFIG = VLAConfig.from_preset(
    "vla-tiny", **TINY, vision_patch_size=8, max_image_tokens=64, read_loss=1.0
)


def _item(width: int, height: int, words: list | None) -> dict:
    image = np.full((height, width, 3), 255, np.uint8)
    return {"image": image, "instruction": "click it", "action": Click(1, 1), "state": None,
            "page_words": words}  # fmt: skip


def _bytes(word: str) -> list[int]:
    data = list(word.encode())[:READ_BYTES]
    return data + [-100] * (READ_BYTES - len(data))


def test_each_patch_names_the_word_that_covers_most_of_it():
    proc = VLAProcessor.from_config(CONFIG)
    first = [
        ["hello", 8, 8, 16, 8],  # patches (1, 1) and (1, 2), whole
        ["a", 40, 56, 2, 2],  # 4 of 64 px: under a quarter of its patch
        ["top", 8, 29, 8, 6],  # 24 px of patch (3, 1) and 24 px of (4, 1) ...
        ["bottom", 8, 35, 8, 5],  # ... which this one covers more of (40 px)
    ]
    second = [["sollicitudin.", 0, 0, 16, 8]]  # 12 bytes: the first 8 are named
    batch = Collator(proc, words=True)([_item(48, 64, first), _item(40, 17, second)])
    labels = batch["word_labels"]
    cols = batch["pixel_values"].shape[-1] // 8  # the batch's padded grid: 8 x 6
    assert labels.shape == (2, 8 * cols, READ_BYTES)
    named = {(i, p // cols, p % cols) for i, p in (labels[..., 0] != -100).nonzero().tolist()}
    assert named == {(0, 1, 1), (0, 1, 2), (0, 3, 1), (0, 4, 1), (1, 0, 0), (1, 0, 1)}
    assert labels[0, 3 * cols + 1].tolist() == _bytes("top")
    assert labels[0, 1 * cols + 2].tolist() == _bytes("hello")
    assert labels[0, 4 * cols + 1].tolist() == _bytes("bottom")
    assert labels[1, 1].tolist() == list(b"sollicit")


def test_a_downscaled_image_names_its_words_in_the_detail_grid():
    proc = VLAProcessor.from_config(CONFIG)
    grid = proc.grid.plan(200, 100)
    assert grid.thumbnail and grid.model_width < 200  # shown as thumbnail + detail grid
    batch = Collator(proc, words=True)([_item(200, 100, [["wide", 100, 40, 100, 30]])])
    x, y = grid.to_model(150, 55)  # the word's centre, in the detail image
    cols = batch["pixel_values"].shape[-1] // 8
    assert batch["word_labels"][0, int(y // 8) * cols + int(x // 8)].tolist() == _bytes("wide")


def test_items_without_words_add_no_labels_and_a_fixed_resolution_model_is_refused():
    proc = VLAProcessor.from_config(CONFIG)
    batch = Collator(proc, words=True)([_item(48, 64, None), _item(40, 17, [])])
    assert (batch["word_labels"] == -100).all()
    with pytest.raises(ValueError, match="read_loss without max_image_tokens"):
        VLAConfig.from_preset("vla-tiny", **TINY, read_loss=1.0)
    with pytest.raises(ValueError, match="read_loss"):
        VLAConfig.from_preset("vla-tiny", **TINY, max_image_tokens=64, read_loss=-1.0)


def test_the_loss_reads_only_the_labelled_bytes():
    torch.manual_seed(0)
    model = VLAForActionPrediction(CONFIG)
    torch.nn.init.zeros_(model.word_reader.read.weight)  # every byte scores 0:
    torch.nn.init.zeros_(model.word_reader.read.bias)  # the loss is log(256) a byte
    proc = VLAProcessor.from_config(CONFIG)
    batch = Collator(proc, words=True)([_item(48, 64, [["hi", 8, 8, 8, 8]]), _item(40, 17, [])])
    labels = batch.pop("word_labels")
    assert int((labels != -100).sum()) == 2  # one patch, two bytes
    with torch.no_grad():
        plain = float(model(**batch).loss)
        read = float(model(**batch, word_labels=labels).loss)
    assert read - plain == pytest.approx(math.log(256), abs=1e-4)
    model(**batch, word_labels=labels).loss.backward()
    assert model.word_reader.read.weight.grad.abs().sum() > 0


def _dark_box(image: np.ndarray) -> np.ndarray:
    ys, xs = np.nonzero(image[..., 0] < 128)
    return np.array([xs.min(), ys.min(), xs.max() + 1 - xs.min(), ys.max() + 1 - ys.min()])


@pytest.mark.parametrize("action", [Click(80, 100), EEDelta((0.0, 0.0, 0.0))])
def test_word_boxes_move_with_the_image(action):
    cfg = AugmentConfig(p_geometric=1.0, p_color=0.0, max_translate_px=6.0)
    box = np.array([[40.0, 60.0, 48.0, 12.0]])
    image = np.full((210, 160, 3), 255, np.uint8)
    image[60:72, 40:88] = 0
    for seed in range(5):
        rng = np.random.default_rng(seed)
        moved, _, _, boxes = augment_sample(image, action, None, box, rng, cfg)
        assert np.abs(boxes[0] - _dark_box(moved)).max() <= 1.5, seed


@pytest.mark.browser
def test_a_collected_page_names_its_link_at_the_links_patches(tmp_path):
    from vla.datasets import CollectConfig, EpisodeDataset, collect
    from vla.training.grounding import TargetPoints

    env_id = "vla/miniwob-click-link-v0"
    kwargs = {"words": True}  # off by default: it costs the env a few ms a step
    collect(CollectConfig([env_id], 2, out=tmp_path, workers=0, progress=False, env_kwargs=kwargs))
    items = TargetPoints(EpisodeDataset(tmp_path, split="all"), words=True)
    config = VLAConfig.from_preset(
        "vla-tiny", **TINY, vision_patch_size=16, max_image_tokens=140, read_loss=1.0
    )
    collate = Collator(VLAProcessor.from_config(config), words=True)
    for i in range(len(items)):
        item = items[i]
        word = item["instruction"].split('"')[1]  # Click on the link "word".
        assert any(w[0] == word for w in item["page_words"])
        labels = collate([item])["word_labels"][0]
        x, y = item["action"].x, item["action"].y  # the expert clicks the link's middle
        assert labels[int(y // 16) * 10 + int(x // 16)].tolist() == _bytes(word)
