"""Pretrained backbones from local folders: ``VLAConfig.vision_backbone_path`` and
``lm_backbone_path`` (docs/model.md)."""

from __future__ import annotations

from typing import Any

from torch import nn
from transformers import AutoModel, AutoModelForCausalLM

__all__ = ["load_backbones"]


def load_backbones(model: Any, vision_path: str | None, lm_path: str | None) -> None:
    """Replace ``model``'s vision tower and/or language model by pretrained ones from local
    folders (a SigLIP vision or full model; a causal LM whose ``hidden_size`` matches), and
    record the paths in the config's ``*_backbone_source``. Nothing is fetched from a hub."""
    cfg: Any = model.config
    if vision_path:
        vision = AutoModel.from_pretrained(vision_path)
        vision = getattr(vision, "vision_model", vision)  # a full SigLIP: keep its tower
        if vision.config.hidden_size != cfg.vision_config.hidden_size:
            model.projector[0] = nn.LayerNorm(vision.config.hidden_size)
            model.projector[1] = nn.Linear(vision.config.hidden_size, cfg.text_config.hidden_size)
        if getattr(vision, "use_head", False):  # the pooling head is unused here
            vision.use_head, vision.config.vision_use_head = False, False
            del vision.head
        model.vision_tower = vision
        cfg.vision_config = model.vision_tower.config
        cfg.vision_backbone_source, cfg.vision_backbone_path = str(vision_path), None
    if lm_path:
        lm = AutoModelForCausalLM.from_pretrained(lm_path)
        vocab = cfg.text_config.vocab_size
        if lm.config.hidden_size != cfg.text_config.hidden_size:
            raise ValueError(
                f"lm_backbone_path {lm_path!r} has hidden_size {lm.config.hidden_size}; "
                f"text_config.hidden_size is {cfg.text_config.hidden_size}: set "
                "text_hidden_size to match"
            )
        lm.resize_token_embeddings(
            vocab, mean_resizing=False
        )  # our byte/action vocabulary replaces the LM's
        lm.config.pad_token_id, lm.config.bos_token_id, lm.config.eos_token_id = 0, 1, 2
        model.language_model = lm
        cfg.text_config = lm.config
        cfg.lm_backbone_source, cfg.lm_backbone_path = str(lm_path), None
