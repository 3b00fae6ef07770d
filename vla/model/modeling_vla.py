"""``VLAForActionPrediction``: image tokens + state token + instruction bytes -> action tokens.

Sequence layout for one sample (``P`` image tokens, one state token, ``T`` text tokens)::

    [img_1 .. img_P] [state] [PAD .. PAD BOS instruction-bytes SEP verb args .. EOS]
     vision tower ->          \\_ input_ids: left-padded; attention_mask 0 on PAD _/
     projector

With ``config.view_names`` the image tokens are ``V * P``: each view through the shared tower,
plus its learned view embedding, views in ``view_names`` order; a missing view's tokens are
masked. In native mode (``config.max_image_tokens``) ``P`` is the largest grid of the batch (thumbnail
tokens first when an image is over budget) and the image tokens of padding are masked like
``PAD``. Position ids count only attended tokens, so left padding changes nothing. ``logits`` cover the
text positions only: ``logits[:, t]`` predicts ``input_ids[:, t + 1]``, and the loss is the
cross-entropy on the tokens whose ``labels`` are not -100 (the action tokens and EOS).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import torch
from torch import nn
from transformers import AutoConfig, AutoModel, AutoModelForCausalLM, PreTrainedModel
from transformers import initialization as hf_init
from transformers.utils import ModelOutput

from vla.model import grounding_vla as grounding
from vla.model import reading_vla as reading
from vla.model.backbones import load_backbones
from vla.model.configuration_vla import VLAConfig
from vla.model.copy_vla import ActionHead, CopyMemory, InstructionCopy
from vla.model.kv_cache import kv_cache_kwarg, kv_cache_of
from vla.model.loss_vla import action_loss
from vla.model.parallel_decoding import embed_text
from vla.model.vision_vla import ConvStem, VisionConditioning, encode_views, sincos_position_init

__all__ = ["VLAForActionPrediction", "VLAOutput", "VLAPreTrainedModel"]


@dataclass
class VLAOutput(ModelOutput):
    """``loss`` (scalar, when labels are given), ``logits`` (B, T, V) over the text positions
    (all of them, or only the last when ``logits_to_keep=1``), ``cache`` (the KV cache, with
    ``use_cache=True``; also readable as ``past_key_values``), ``attention_mask`` (B, L) of the
    whole sequence (image, state and text tokens): incremental decoding extends it.
    ``copy_memory`` / ``point_memory``: what ``decode_step`` needs from the prefix
    (``copy_instruction``: :mod:`vla.model.copy_vla`; ``point_to_action``: ``grounding_vla``)."""

    loss: torch.Tensor | None = None
    logits: torch.Tensor | None = None
    cache: Any = None
    attention_mask: torch.Tensor | None = None
    copy_memory: Any = None
    point_memory: torch.Tensor | None = None

    @property
    def past_key_values(self) -> Any:
        return self.cache


class VLAPreTrainedModel(PreTrainedModel):
    config_class = VLAConfig
    config: VLAConfig
    base_model_prefix = "vla"
    main_input_name = "pixel_values"
    supports_gradient_checkpointing = True
    _supports_sdpa = True
    _no_split_modules = ["LlamaDecoderLayer", "SiglipEncoderLayer"]  # noqa: RUF012

    def initialize_weights(self) -> None:
        """transformers' initialisation, then the added parts that start as the identity (FiLM,
        the pointer's fusion into the action, the copy's case mix) start so: in a new model and
        when ``from_pretrained`` initialises them for a checkpoint saved without them (the
        guarded init functions leave what the checkpoint loaded)."""
        super().initialize_weights()
        with torch.no_grad(), hf_init.guard_torch_init_functions():
            for module in self.modules():
                if isinstance(
                    module, VisionConditioning | grounding.PointedAction | InstructionCopy
                ):
                    module.reset()


class VLAForActionPrediction(VLAPreTrainedModel):
    """A SigLIP vision tower and a causal LM joined by an MLP projector (see the module doc).

    ``config.vision_backbone_path`` / ``config.lm_backbone_path`` load pretrained backbones from
    local folders when the model is built; the paths are then cleared from the config (the saved
    checkpoint carries the weights) and kept in ``*_backbone_source`` for the record.
    """

    def __init__(self, config: VLAConfig) -> None:
        super().__init__(config)
        vision_path, lm_path = config.vision_backbone_path, config.lm_backbone_path
        self.vision_tower = AutoModel.from_config(config.vision_config)
        self.language_model = AutoModelForCausalLM.from_config(config.text_config)
        vision_cfg: Any = config.vision_config
        dv, d = vision_cfg.hidden_size, config._text.hidden_size
        self.projector = nn.Sequential(
            nn.LayerNorm(dv), nn.Linear(dv, d), nn.GELU(), nn.Linear(d, d)
        )
        if config.view_names:  # absent otherwise: single-image checkpoints load unchanged
            self.view_embedding = nn.Embedding(len(config.view_names), d)
        if config.state_dim:
            self.state_projector = nn.Sequential(
                nn.Linear(config.state_dim, d), nn.GELU(), nn.Linear(d, d)
            )
            self.no_state = nn.Embedding(1, d)  # stands in for the state of UI samples
        if config.copy_instruction:  # absent otherwise: older checkpoints load unchanged
            self.instruction_copy = InstructionCopy(d, config.copy_alignment, config.copy_case)
        if config.value_slots:  # vla.model.parallel_decoding
            self.value_slots = nn.Embedding(config.value_slots, d)
        grounding.add_pointers(self, config, d)  # point_loss, point_to_action, point_goal
        if config.read_loss:  # vla.model.reading_vla
            self.word_reader = reading.WordReader(d)
        if config.conv_stem and not vision_path:
            emb = self.vision_tower.embeddings
            emb.patch_embedding = ConvStem(vision_cfg.patch_size, emb.embed_dim)
        native, film = bool(config.max_image_tokens), config.vision_film
        fusion = config.vision_early_fusion
        if native or film or fusion:  # absent otherwise: older checkpoints load unchanged
            self.vision_conditioning = VisionConditioning(
                dv,
                d,
                vision_cfg.num_hidden_layers,
                native,
                film,
                fusion,
                config.max_instruction_bytes,
            )
        self.post_init()  # initialize_weights (above) starts the identity parts
        if config.sincos_position_init and not vision_path:
            sincos_position_init(self.vision_tower)
        if vision_path or lm_path:
            load_backbones(self, vision_path, lm_path)

    # ------------------------------------------------------------------------ parts

    def get_input_embeddings(self) -> nn.Module:
        return self.language_model.get_input_embeddings()

    def encode_image(
        self,
        pixel_values: torch.Tensor,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """Normalised pixels -> (B, P, D) image tokens in the LM's space (without the instruction:
        FiLM and early fusion are off here; in native mode padding tokens are included)."""
        return self.encode_image_masked(pixel_values, image_grids, thumbnail_values)[0]

    def encode_image_masked(
        self,
        pixel_values: torch.Tensor,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
        text: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
        view_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """Normalised pixels -> ``(tokens (B, P, D) in the LM's space, mask (B, P) or None)``.

        Views (``config.view_names``): (B, V, 3, S, S) pixels and ``view_mask`` (B, V) ->
        (B, V * P, D) tokens and their (B, V * P) mask (:func:`encode_views`).
        Fixed mode: (B, 3, S, S) pixels, no mask. Native mode: the processor's padded
        (B, 3, Hp, Wp) pixels, ``image_grids`` (B, 3) and ``thumbnail_values``. ``text`` is
        ``(input_ids (B, T), attention_mask (B, T), their LM embeddings (B, T, D))`` for FiLM and
        early fusion.
        """
        if self.config.view_names:
            return encode_views(self, pixel_values, view_mask, text)
        return self.encode_one_view(pixel_values, image_grids, thumbnail_values, text)

    def encode_one_view(
        self,
        pixel_values: torch.Tensor,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
        text: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """:meth:`encode_image_masked` of one image per row (no view embedding)."""
        dtype: Any = self.projector[1].weight.dtype
        cond: VisionConditioning | None = getattr(self, "vision_conditioning", None)
        if cond is None:  # the plain tower, exactly as before issue 13
            feats = self.vision_tower(pixel_values=pixel_values.to(dtype)).last_hidden_state
            return self.projector(feats), None  # (B, P, D)
        native = bool(self.config.max_image_tokens)
        if native and image_grids is None:
            raise ValueError("this model reads images natively: pass the processor's image_grids")
        feats, mask = cond.features(
            self.vision_tower, pixel_values.to(dtype), image_grids, thumbnail_values, text
        )  # (B, P, Dv), (B, P)
        image_mask = mask if native else None
        return self.projector(feats), image_mask  # (B, P, D), (B, P)

    def encode_state(
        self, states: torch.Tensor | None, state_mask: torch.Tensor | None, batch: int
    ) -> torch.Tensor | None:
        """(B, state_dim) normalised states + (B,) bool mask -> (B, 1, D); None without a state token."""
        if not self.config.state_dim:
            return None
        empty = self.no_state.weight.expand(batch, -1)  # (B, D)
        if states is None:
            return empty[:, None]
        token = self.state_projector(states.to(empty.dtype))  # (B, D)
        if state_mask is not None:
            token = torch.where(state_mask[:, None].bool(), token, empty)
        return token[:, None]  # (B, 1, D)

    def build_inputs(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        states: torch.Tensor | None = None,
        state_mask: torch.Tensor | None = None,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
        view_mask: torch.Tensor | None = None,
    ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
        """``(inputs_embeds (B, L, D), attention_mask (B, L), position_ids (B, L))`` of a full
        prefix, ``L = P + state + T``; image padding (native mode) is masked out."""
        batch = input_ids.shape[0]
        if attention_mask is None:
            attention_mask = torch.ones_like(input_ids)
        input_ids, text = embed_text(self, input_ids)  # (B, T, D); OFT placeholders
        image, image_mask = self.encode_image_masked(
            pixel_values,
            image_grids,
            thumbnail_values,
            (input_ids, attention_mask, text),
            view_mask,
        )  # (B, P, D), P = V * P with views
        parts = [image]
        state = self.encode_state(states, state_mask, batch)
        if state is not None:
            parts.append(state)
        embeds = torch.cat([*parts, text], dim=1)
        prefix = torch.ones(batch, embeds.shape[1] - input_ids.shape[1], dtype=attention_mask.dtype)
        prefix = prefix.to(attention_mask.device)
        if image_mask is not None:
            prefix[:, : image.shape[1]] = image_mask.to(prefix.dtype)
        mask = torch.cat([prefix, attention_mask], dim=1)
        return embeds, mask, (mask.cumsum(-1) - 1).clamp(min=0)

    # ---------------------------------------------------------------------- forward

    def forward(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        labels: torch.Tensor | None = None,
        states: torch.Tensor | None = None,
        state_mask: torch.Tensor | None = None,
        use_cache: bool = False,
        logits_to_keep: int = 0,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
        view_mask: torch.Tensor | None = None,
        target_points: torch.Tensor | None = None,
        goal_points: torch.Tensor | None = None,
        **kwargs: Any,
    ) -> VLAOutput:
        """Full forward pass (training, or the prefix of a decode).

        Args:
            pixel_values: (B, 3, S, S) float, normalised to [-1, 1] by the processor (native
                mode: (B, 3, Hp, Wp) padded to the batch's largest grid).
            input_ids: (B, T) left-padded text tokens; attention_mask: (B, T), 0 on padding.
            labels: (B, T) the target ids, -100 where there is no loss.
            states: (B, state_dim) normalised robot states; state_mask: (B,) which rows have one.
            use_cache: return ``cache`` (a ``DynamicCache``) for incremental decoding.
            logits_to_keep: 0 = logits for every text position, n = only the last n.
            image_grids: (B, 3) ``(rows, cols, thumbnail side)`` and thumbnail_values:
                (B, 3, S, S), native mode only (from :meth:`VLAProcessor.native_pixels`).
            view_mask: (B, V) which views each row has (``config.view_names``; pixels are then
                (B, V, 3, S, S)); None: all of them.
            target_points: (B, 2) where the named object is, as fractions of the first view's
                width and height (native mode: of its padded detail grid, as the training
                ``Collator`` gives them; NaN: unknown); adds ``config.point_loss`` x the
                grounding loss; goal_points: the same of where the motion ends (point_goal).
                ``word_labels`` (B, P, 8) in ``kwargs``: the bytes of the word each patch
                shows (:mod:`vla.model.reading_vla`); adds ``config.read_loss`` x it.
        """
        embeds, mask, positions = self.build_inputs(
            pixel_values, input_ids, attention_mask, states, state_mask, image_grids,
            thumbnail_values, view_mask,
        )  # fmt: skip
        out = self.language_model.model(
            inputs_embeds=embeds,
            attention_mask=mask,
            position_ids=positions,
            use_cache=use_cache,
        )
        n = input_ids.shape[1]  # the text positions (their embeddings: placeholders included)
        text, pointed = grounding.fuse_pointed(
            self, out.last_hidden_state, input_ids, states, state_mask
        )
        head = ActionHead(self, text, embeds[:, -n:], input_ids, mask[:, -n:])
        loss = None
        if labels is not None:
            target = labels[:, 1:]  # position t predicts token t + 1
            keep = target != -100  # (N, V) only where there is a loss
            loss = self.action_loss(head.masked(keep).float(), target[keep])
        last, images = out.last_hidden_state, (pixel_values, image_grids, thumbnail_values)
        loss = grounding.with_point_loss(
            self, loss, last, labels, target_points, images, goal_points
        )
        loss = reading.with_read_loss(self, loss, last, kwargs.get("word_labels"), images)
        return VLAOutput(
            loss=loss,
            logits=head.last(logits_to_keep),
            cache=kv_cache_of(out),
            attention_mask=mask,
            copy_memory=head.memory,
            point_memory=pointed,
        )

    def action_loss(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """Cross-entropy of ``logits`` (N, V) against ``target`` (N,); with
        ``config.bin_smoothing`` a coordinate or value target is a Gaussian over its own bins."""
        return action_loss(logits, target, self.config)

    @torch.no_grad()
    def decode_step(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
        position_ids: torch.Tensor,
        past_key_values: Any,
        logits_to_keep: int = 1,
        copy_memory: CopyMemory | None = None,
        point_memory: torch.Tensor | None = None,
        slots: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """One incremental step: (B, L) new tokens, (B, past + L) mask, (B, L) positions ->
        (B, logits_to_keep, V) logits of the last new tokens; ``past_key_values`` is updated in
        place. Tokens are fed as given (placeholders included; ``slots`` (B, L): their slots, for
        ``value_slots``). A ``copy_instruction`` model needs the prefix pass's
        ``VLAOutput.copy_memory``, a ``point_to_action`` model its ``point_memory``."""
        embeds = embed_text(self, input_ids, slots)[1]
        out = self.language_model.model(
            inputs_embeds=embeds,
            attention_mask=attention_mask,
            position_ids=position_ids,
            use_cache=True,
            **{kv_cache_kwarg(self.language_model.model.__class__): past_key_values},
        )
        hidden = grounding.fuse_pointed_steps(self, out.last_hidden_state, point_memory)
        fed = attention_mask[:, -input_ids.shape[1] :]  # the new tokens' mask
        head = ActionHead(self, hidden, embeds, input_ids, fed, copy_memory, step=True)
        return head.last(logits_to_keep)

    @torch.no_grad()
    def generate(
        self,
        pixel_values: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        states: torch.Tensor | None = None,
        state_mask: torch.Tensor | None = None,
        image_grids: torch.Tensor | None = None,
        thumbnail_values: torch.Tensor | None = None,
        view_mask: torch.Tensor | None = None,
        **generate_kwargs: Any,
    ) -> torch.Tensor:
        """Plain Hugging Face ``generate()`` on the multimodal prefix; returns the new token ids.

        This is the reference decoder (any ``logits_processor``, sampling, beams...). The policy
        uses the faster grammar-constrained decoder in :mod:`vla.model.decoding`, which alone
        feeds a ``parallel_decoding`` model the placeholders its robot values need and a
        ``copy_instruction`` model its instruction pointer (so this refuses such a model).
        """
        if self.config.copy_instruction:
            raise ValueError(
                "generate() has no instruction pointer; decode a copy_instruction model with "
                "vla.model.decoding.constrained_decode (what Policy uses)"
            )
        embeds, mask, _ = self.build_inputs(
            pixel_values,
            input_ids,
            attention_mask,
            states,
            state_mask,
            image_grids,
            thumbnail_values,
            view_mask,
        )
        generate_kwargs.setdefault("pad_token_id", 0)
        generate_kwargs.setdefault("eos_token_id", 2)
        return self.language_model.generate(
            inputs_embeds=embeds, attention_mask=mask, **generate_kwargs
        )


def _register() -> None:
    AutoConfig.register("vla", VLAConfig, exist_ok=True)
    AutoModel.register(VLAConfig, VLAForActionPrediction, exist_ok=True)
