"""VLAConfig / VLAForActionPrediction / VLAProcessor: shapes, loss masking, save/load, backbones."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_model_helpers import ROBOT_STATS, tiny_overrides

from vla.actions import Click, EEDelta, Type
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor


def build(**overrides):
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **{**tiny_overrides(), **overrides})
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(ROBOT_STATS)
    return cfg, VLAForActionPrediction(cfg), proc


def mixed_batch(proc: VLAProcessor, with_actions: bool = True):
    rng = np.random.default_rng(0)
    images = [
        rng.integers(0, 256, (210, 160, 3), np.uint8),
        rng.integers(0, 256, (128, 128, 3), np.uint8),
        rng.integers(0, 256, (50, 300, 3), np.uint8),
    ]
    texts = ["click the red square", "pick up the cube", "type hi"]
    states = [None, np.linspace(-1, 1, 9).astype(np.float32), None]
    actions = [Click(80, 100), EEDelta((0.01, 0, 0), (0, 0, 0), 1.0), Type("hi")]
    return proc(images, texts, states, actions if with_actions else None)


def test_presets_and_config_validation():
    for name in ("vla-tiny", "vla-small", "vla-base"):
        cfg = VLAConfig.from_preset(name)
        assert cfg.text_config.vocab_size == VLAProcessor.from_config(cfg).tokenizer.vocab_size
        assert cfg.image_size[0] % cfg.vision_config.patch_size == 0
    assert VLAConfig.from_preset("vla-tiny", vision_image_size=96).image_size == (96, 96)
    with pytest.raises(ValueError, match="value_bins"):
        VLAConfig.from_preset("vla-tiny", value_bins=1)
    with pytest.raises(ValueError, match="whole number of patches"):
        VLAConfig.from_preset("vla-tiny", vision_image_size=81)
    with pytest.raises(ValueError, match="unknown preset"):
        VLAConfig.from_preset("vla-huge")


def test_processor_builds_left_padded_batches_with_labels_on_action_tokens_only():
    cfg, _, proc = build()
    batch = mixed_batch(proc)
    assert batch["pixel_values"].shape == (3, 3, *cfg.image_size)
    assert batch["pixel_values"].min() >= -1 and batch["pixel_values"].max() <= 1
    assert batch["attention_mask"][:, -1].all()  # left padding: every row ends at the end
    assert batch["image_sizes"].tolist() == [[160, 210], [128, 128], [300, 50]]
    assert batch["state_mask"].tolist() == [False, True, False]
    assert batch["states"].shape == (3, cfg.state_dim)
    tok = proc.tokenizer
    for i, (action, size) in enumerate(
        [(Click(80, 100), (160, 210)), (EEDelta((0.01, 0, 0)), None), (Type("hi"), None)]
    ):
        target = tok.encode(action, size)
        labels = batch["labels"][i]
        assert labels[labels != -100].tolist() == target
        assert batch["input_ids"][i, -len(target) :].tolist() == target
    # coordinates are normalised by each image's own size
    assert tok.decode(tok.encode(Click(80, 100), (160, 210)), (160, 210)).x == pytest.approx(
        80, abs=0.1
    )


def test_processor_rejects_bad_input():
    _, _, proc = build()
    img = np.zeros((10, 10, 3), np.uint8)
    with pytest.raises(ValueError, match="uint8"):
        proc([img.astype(np.float32)], ["x"])
    with pytest.raises(ValueError, match=r"\(H, W, 3\)"):
        proc([np.zeros((10, 10), np.uint8)], ["x"])
    with pytest.raises(ValueError, match="non-empty"):
        proc([img], ["  "])
    with pytest.raises(ValueError, match="must be a str"):
        proc([img], [3])
    with pytest.raises(ValueError, match="states"):
        proc([img], ["x"], states=[np.zeros(99, np.float32)])


def test_forward_backward_and_loss_only_on_action_tokens():
    cfg, model, proc = build()
    batch = mixed_batch(proc)
    out = model(**batch)
    assert out.logits.shape == (*batch["input_ids"].shape, cfg.text_config.vocab_size)
    assert torch.isfinite(out.loss)
    out.loss.backward()
    grads = {n: p.grad for n, p in model.named_parameters()}
    assert all(g is not None for n, g in grads.items() if "no_state" not in n)
    assert grads["state_projector.0.weight"].abs().sum() > 0  # the robot row's state was used
    # changing the instruction bytes of a row must not change which tokens carry the loss
    labels = batch["labels"]
    assert ((labels != -100).sum(-1) == torch.tensor([4, 9, 4])).all()


def test_bin_smoothing_prefers_near_misses_and_leaves_other_tokens_alone():
    cfg, model, proc = build(bin_smoothing=0.02)
    tok = proc.tokenizer
    verb = tok.verb_id("click")
    x = tok.coord_offset + 100
    targets = torch.tensor([x, x, verb])
    logits = torch.full((3, cfg.text_config.vocab_size), -10.0)
    logits[0, x + 2] = 10.0  # predicts a neighbouring bin
    logits[1, x + 80] = 10.0  # predicts a far bin
    logits[2, verb] = 10.0
    near, far, exact = (model.action_loss(logits[i : i + 1], targets[i : i + 1]) for i in range(3))
    assert near < far
    # a non-bin target keeps plain cross-entropy
    torch.testing.assert_close(exact, torch.nn.functional.cross_entropy(logits[2:], targets[2:]))
    # without smoothing a near miss costs as much as a far one
    cfg.bin_smoothing = 0.0
    plain = [model.action_loss(logits[i : i + 1], targets[i : i + 1]) for i in range(2)]
    torch.testing.assert_close(plain[0], plain[1])
    with pytest.raises(ValueError, match="bin_smoothing"):
        VLAConfig.from_preset("vla-tiny", bin_smoothing=1.5)


def test_sincos_position_init_encodes_patch_row_and_column():
    _, model, _ = build(sincos_position_init=True)
    table = model.vision_tower.embeddings.position_embedding.weight.detach()
    side, dim = round(table.shape[0] ** 0.5), table.shape[1]
    rows, cols = table[:, : dim // 2], table[:, dim // 2 :]
    # patches in the same row share the row half; patches in the same column the column half
    torch.testing.assert_close(rows[0], rows[side - 1])
    torch.testing.assert_close(cols[0], cols[side])
    assert not torch.allclose(rows[0], rows[side])
    assert table[0, : dim // 4].abs().max() == 0  # sin(0) in the first quarter
    assert model.vision_tower.embeddings.position_embedding.weight.requires_grad
    _, plain, _ = build()
    assert not torch.allclose(plain.vision_tower.embeddings.position_embedding.weight, table)


def test_conv_stem_keeps_the_token_grid_and_round_trips(tmp_path):
    cfg, model, proc = build(conv_stem=True)
    stem = model.vision_tower.embeddings.patch_embedding
    assert isinstance(stem[0], torch.nn.Conv2d) and stem[0].stride == (2, 2)
    model.eval()
    batch = mixed_batch(proc, with_actions=False)
    feats = model.encode_image(batch["pixel_values"])
    assert feats.shape[1] == cfg.num_image_tokens
    model.save_pretrained(tmp_path)
    again = VLAForActionPrediction.from_pretrained(tmp_path).eval()
    torch.testing.assert_close(again.encode_image(batch["pixel_values"]), feats)
    with pytest.raises(ValueError, match="power of two"):
        VLAConfig.from_preset(
            "vla-tiny", conv_stem=True, vision_patch_size=10, vision_image_size=80
        )


def test_padding_does_not_change_a_rows_prediction():
    _, model, proc = build()
    model.eval()
    rng = np.random.default_rng(1)
    img = rng.integers(0, 256, (64, 64, 3), np.uint8)
    alone = model(**proc([img], ["short"])).logits[0, -1]
    padded = model(**proc([img, img], ["short", "a much longer instruction here"])).logits[0, -1]
    torch.testing.assert_close(alone, padded, atol=1e-4, rtol=1e-4)


def test_save_load_gives_identical_outputs_and_auto_classes(tmp_path):
    from transformers import AutoConfig, AutoModel

    _, model, proc = build()
    model.eval()
    model.save_pretrained(tmp_path)
    proc.save_pretrained(tmp_path)
    assert (tmp_path / "model.safetensors").is_file()
    batch = mixed_batch(proc, with_actions=False)
    loaded = VLAForActionPrediction.from_pretrained(tmp_path).eval()
    proc2 = VLAProcessor.from_pretrained(tmp_path)
    assert proc2.tokenizer.to_dict() == proc.tokenizer.to_dict()
    batch2 = mixed_batch(proc2, with_actions=False)
    for k in batch:
        assert torch.equal(batch[k], batch2[k])
    with torch.no_grad():
        assert torch.equal(model(**batch).logits, loaded(**batch2).logits)
    assert isinstance(AutoModel.from_pretrained(tmp_path), VLAForActionPrediction)
    assert AutoConfig.from_pretrained(tmp_path).model_type == "vla"


def test_backbones_load_from_local_paths(tmp_path):
    from transformers import LlamaConfig, LlamaForCausalLM, SiglipVisionConfig, SiglipVisionModel

    torch.manual_seed(1)
    vision = SiglipVisionModel(
        SiglipVisionConfig(
            image_size=32,
            patch_size=8,
            hidden_size=48,
            intermediate_size=96,
            num_hidden_layers=1,
            num_attention_heads=2,
        )
    )
    lm = LlamaForCausalLM(
        LlamaConfig(
            vocab_size=500,
            hidden_size=32,
            intermediate_size=64,
            num_hidden_layers=1,
            num_attention_heads=2,
            num_key_value_heads=2,
        )
    )
    vision.save_pretrained(tmp_path / "siglip")
    lm.save_pretrained(tmp_path / "llama")
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        **tiny_overrides(),
        vision_backbone_path=str(tmp_path / "siglip"),
        lm_backbone_path=str(tmp_path / "llama"),
    )
    model = VLAForActionPrediction(cfg)
    torch.testing.assert_close(
        model.vision_tower.encoder.layers[0].mlp.fc1.weight,
        vision.encoder.layers[0].mlp.fc1.weight,
    )
    torch.testing.assert_close(
        model.language_model.model.layers[0].mlp.up_proj.weight,
        lm.model.layers[0].mlp.up_proj.weight,
    )
    assert model.config.vision_config.hidden_size == 48
    assert model.get_input_embeddings().weight.shape[0] == cfg.text_config.vocab_size
    assert model.config.vision_backbone_path is None  # consumed: the checkpoint carries weights
    assert model.config.vision_backbone_source == str(tmp_path / "siglip")
    proc = VLAProcessor.from_config(model.config)
    proc.tokenizer.set_stats(ROBOT_STATS)
    out = model(**mixed_batch(proc))
    out.loss.backward()
    model.save_pretrained(tmp_path / "vla")
    again = VLAForActionPrediction.from_pretrained(tmp_path / "vla")
    torch.testing.assert_close(
        again.vision_tower.encoder.layers[0].mlp.fc1.weight,
        vision.encoder.layers[0].mlp.fc1.weight,
    )
