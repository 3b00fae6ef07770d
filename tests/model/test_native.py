"""Issue 13: native-resolution vision (grids, thumbnails, masks), FiLM / early fusion, pointing."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_model_helpers import tiny_overrides

from vla.actions import Click, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.decoding import ActionGrammar, constrained_decode
from vla.model.image_grid import GridSpec

SIZES = [(64, 64), (160, 210), (300, 50), (1024, 768), (1920, 1080)]  # (width, height)


def build(**overrides):
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **{**tiny_overrides(), **overrides})
    return cfg, VLAForActionPrediction(cfg).eval(), VLAProcessor.from_config(cfg)


def image(width: int, height: int, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).integers(0, 256, (height, width, 3), np.uint8)


@pytest.mark.parametrize(("width", "height"), [*SIZES, (1, 1), (7, 3000)])
def test_grid_fits_the_budget_and_is_native_when_it_can(width, height):
    spec = GridSpec(patch=8, size=32, max_tokens=200)
    g = spec.plan(width, height)
    assert g.tokens <= spec.max_tokens
    assert g.rows * 8 >= g.model_height and g.cols * 8 >= g.model_width
    if -(-width // 8) * -(-height // 8) <= 200:
        assert (g.model_width, g.model_height, g.thumbnail) == (width, height, 0)
    else:
        assert g.thumbnail == 4 and g.model_width < width
    x, y = g.to_caller(*g.to_model(width / 3, height / 5))
    assert x == pytest.approx(width / 3) and y == pytest.approx(height / 5)


@pytest.mark.parametrize("budget", [0, 600, 80])  # fixed resize, native, native + thumbnail
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_coordinates_round_trip_through_processor_and_tokenizer_within_1px(budget, width, height):
    cfg = VLAConfig.from_preset(
        "vla-tiny", **tiny_overrides(), vision_patch_size=8, max_image_tokens=budget
    )
    assert cfg.coord_bins >= 1024  # the default: <= 2 px bins at 1920 x 1080
    proc = VLAProcessor.from_config(cfg)
    rng = np.random.default_rng(width)
    clicks = [Click(float(rng.uniform(0, width)), float(rng.uniform(0, height))) for _ in range(8)]
    batch = proc([image(width, height)] * 8, ["click"] * 8, actions=clicks)
    for click, labels, size in zip(clicks, batch["labels"], batch["image_sizes"], strict=True):
        decoded = proc.tokenizer.decode([t for t in labels.tolist() if t != -100], tuple(size))
        assert abs(decoded.x - click.x) <= 1 and abs(decoded.y - click.y) <= 1


@pytest.mark.parametrize("budget", [0, 600, 80])
@pytest.mark.parametrize(("width", "height"), SIZES)
def test_pointer_clicks_round_trip_within_half_a_cell(budget, width, height):
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        **tiny_overrides(),
        vision_patch_size=8,
        max_image_tokens=budget,
        pointer_subdivisions=4,
    )
    proc = VLAProcessor.from_config(cfg)
    tok, grid = proc.tokenizer, cfg.grid_spec.plan(width, height)
    half_cell = (8 / 4 / 2) * max(width / grid.model_width, height / grid.model_height)
    rng = np.random.default_rng(height)
    for _ in range(50):
        click = Click(float(rng.uniform(0, width)), float(rng.uniform(0, height)), "right")
        ids = tok.encode(click, (width, height))
        assert tok.patch_offset <= ids[2] < tok.cell_offset <= ids[3] < tok.vocab_size
        back = tok.decode(ids, (width, height))
        assert back.button == "right"
        assert abs(back.x - click.x) <= half_cell + 1e-6
        assert abs(back.y - click.y) <= half_cell + 1e-6


def test_native_batches_pad_to_the_largest_grid_and_padding_changes_nothing():
    _, model, proc = build(vision_patch_size=8, max_image_tokens=200, conv_stem=True)
    small, big = image(40, 24, 1), image(72, 200, 2)
    alone = proc([small], ["click it"])
    assert alone["pixel_values"].shape[-2:] == (24, 40)
    assert alone["image_grids"].tolist() == [[3, 5, 0]]
    both = proc([small, big], ["click it", "a longer instruction"])
    assert "thumbnail_values" in both  # 9 x 25 = 225 patches > 200: thumbnail + downscale
    assert both["image_grids"][0].tolist() == [3, 5, 0]
    with torch.no_grad():
        a = model(**alone).logits[0, -1]
        b = model(**both).logits[0, -1]
    torch.testing.assert_close(a, b, atol=1e-4, rtol=1e-4)


def test_native_model_trains_decodes_and_saves(tmp_path):
    _, model, proc = build(vision_patch_size=8, max_image_tokens=120, pointer_subdivisions=2)
    images = [image(160, 210, 3), image(32, 32, 4)]
    batch = proc(images, ["click a", "click b"], actions=[Click(5, 200), Click(30, 1)])
    model.train()
    model(**batch).loss.backward()
    model.eval()
    batch = proc(images, ["click a", "click b"])
    sizes = batch.pop("image_sizes").tolist()
    grammar = ActionGrammar(proc.tokenizer, UISpace(verbs=("click",)))
    tokens = constrained_decode(model, batch, [grammar] * 2)
    for t, (w, h) in zip(tokens, sizes, strict=True):
        click = proc.tokenizer.decode(t, (w, h))
        assert 0 <= click.x <= w and 0 <= click.y <= h
    model.save_pretrained(tmp_path)
    proc.save_pretrained(tmp_path)
    proc2 = VLAProcessor.from_pretrained(tmp_path)
    assert proc2.grid == proc.grid and proc2.tokenizer.to_dict() == proc.tokenizer.to_dict()
    loaded = VLAForActionPrediction.from_pretrained(tmp_path).eval()
    with torch.no_grad():
        assert torch.equal(model(**batch).logits, loaded(**batch).logits)


@pytest.mark.parametrize("budget", [0, 120])
def test_film_starts_as_the_identity(budget):
    _, model, proc = build(vision_film=True, max_image_tokens=budget, vision_patch_size=8)
    batch = proc([image(48, 40)], ["click the OK button"])
    with torch.no_grad():
        film = model(**batch).logits
        model.vision_conditioning.film = None
        plain = model(**batch).logits
    torch.testing.assert_close(film, plain)


@pytest.mark.parametrize(
    ("overrides", "reads"),
    [({}, False), ({"vision_early_fusion": True}, True), ({"vision_film": True}, True)],
)
def test_instruction_reaches_the_image_tokens_only_with_fusion_or_film(overrides, reads):
    _, model, proc = build(**overrides)
    if overrides.get("vision_film"):  # move FiLM off the identity, as training would
        torch.nn.init.normal_(model.vision_conditioning.film.weight, std=0.1)
    img = image(32, 32)
    feats = []
    for text in ("click OK", "click Cancel"):
        b = proc([img], [text])
        with torch.no_grad():
            embeds, _, _ = model.build_inputs(b["pixel_values"], b["input_ids"])
        feats.append(embeds[:, : model.config.num_image_tokens])
    assert (not torch.allclose(feats[0], feats[1])) == reads


def test_early_fusion_leaves_out_only_text_positions_the_tower_would_mask(monkeypatch):
    # every text position in the tower, the other ones masked: the features must not change
    from vla.model.vision_vla import BYTE_OFFSET, instruction_bytes

    def every_position(self, input_ids, attention_mask):
        keep = instruction_bytes(input_ids, attention_mask)
        index = (keep.long().cumsum(-1) - 1).clamp(0, self.byte_pos.num_embeddings - 1)
        ids = (input_ids - BYTE_OFFSET).clamp(0, 255)
        return self.byte_embed(ids) + self.byte_pos(index), keep

    _, model, proc = build(vision_early_fusion=True)
    texts = ["click OK", "type the name Kanesha in the field", "go"]
    actions = [Click(3, 4), Click(10, 20), Click(1, 1)]
    b = proc([image(32, 32, seed=i) for i in range(3)], texts, actions=actions)
    with torch.no_grad():
        cond = model.vision_conditioning
        width = cond.byte_tokens(b["input_ids"], b["attention_mask"])[0].shape[1]
        assert width == len(texts[1]) < b["input_ids"].shape[1]  # the longest instruction
        left_out = model.build_inputs(b["pixel_values"], b["input_ids"], b["attention_mask"])[0]
        monkeypatch.setattr(type(cond), "byte_tokens", every_position)
        every = model.build_inputs(b["pixel_values"], b["input_ids"], b["attention_mask"])[0]
    n = model.config.num_image_tokens
    assert torch.allclose(left_out[:, :n], every[:, :n], atol=1e-5)


def test_fixed_mode_without_new_options_has_no_new_weights():
    _, model, _ = build()
    assert not hasattr(model, "vision_conditioning")


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"max_image_tokens": 10}, "Got 10 for `max_image_tokens`"),
        ({"max_image_tokens": -1}, "Got -1 for `max_image_tokens`"),
        ({"max_image_tokens": "many"}, "Got 'many' for `max_image_tokens`"),
        ({"pointer_subdivisions": -2}, "Got -2 for `pointer_subdivisions`"),
        ({"vision_film": "yes"}, "Got 'yes' for `vision_film`"),
        ({"vision_early_fusion": 1}, "Got 1 for `vision_early_fusion`"),
    ],
)
def test_config_rejects_bad_new_fields_naming_field_and_value(overrides, message):
    with pytest.raises(ValueError, match=message):
        VLAConfig.from_preset("vla-tiny", **tiny_overrides(), **overrides)
