"""The vision side of the VLA: SigLIP's encoder fed our own patch embeddings and mask.

* :class:`ConvStem`: the convolutional patch embedding (``VLAConfig.conv_stem``).
* :func:`sincos_2d`: 2D sine-cosine position codes for any (even fractional) patch positions.
* :class:`VisionConditioning`: what the VLA adds around the SigLIP tower (all config-gated):
  the native-resolution thumbnail/detail embedding (``max_image_tokens``), FiLM of every vision
  layer by the instruction (``vision_film``) and instruction bytes joining the vision sequence
  (``vision_early_fusion``).

The tower stays a transformers ``SiglipVisionModel`` (same weights, config, save and load); in
native mode we call its ``embeddings.patch_embedding``, its encoder layers and its
``post_layernorm`` ourselves, so that padding can be masked and the grid can have any shape.
"""

from __future__ import annotations

import itertools
from typing import Any

import torch
from torch import nn

from vla.model.vocabulary_vla import BYTE_OFFSET, SEP, is_byte

__all__ = [
    "ConvStem",
    "VisionConditioning",
    "instruction_bytes",
    "sincos_2d",
    "sincos_position_init",
]


class ConvStem(nn.Sequential):
    """3x3 stride-2 convolutions (channels doubling up to ``dim``) down to one cell per
    ``patch x patch`` pixels, then a 1x1 projection to ``dim``: (B, 3, H, W) -> (B, dim, H/p, W/p).
    Stands in for SigLIP's patch embedding (``vla_config.conv_stem``)."""

    def __init__(self, patch: int, dim: int) -> None:
        steps = patch.bit_length() - 1
        channels = [3] + [max(dim // 2 ** (steps - i), 16) for i in range(1, steps + 1)]
        layers: list[nn.Module] = []
        for c_in, c_out in itertools.pairwise(channels):
            layers += [nn.Conv2d(c_in, c_out, 3, stride=2, padding=1), nn.GELU()]
        super().__init__(*layers, nn.Conv2d(channels[-1], dim, 1))

    @property
    def weight(self) -> torch.Tensor:
        """The first convolution's weight: SigLIP reads ``patch_embedding.weight.dtype``."""
        return self[0].weight  # type: ignore[return-value]


def sincos_2d(rows: torch.Tensor, cols: torch.Tensor, dim: int) -> torch.Tensor:
    """(N,) row and column positions (in patches, may be fractional) -> (N, dim) codes: the first
    half of the channels encodes the row, the second half the column (as in MAE). ``dim % 4 == 0``."""
    freqs = 1.0 / 10000 ** (torch.arange(dim // 4, dtype=torch.float32) / (dim // 4))
    parts = []
    for axis in (rows, cols):
        angle = axis.reshape(-1, 1).float() * freqs.to(axis.device)[None]  # (N, dim/4)
        parts += [angle.sin(), angle.cos()]
    return torch.cat(parts, dim=1)  # (N, dim)


@torch.no_grad()
def sincos_position_init(tower: Any) -> None:
    """Fill a SigLIP tower's learned patch position table with :func:`sincos_2d` of its square
    grid (``VLAConfig.sincos_position_init``); a non-square table keeps its random init."""
    table = tower.embeddings.position_embedding.weight  # (P, D)
    side, dim = round(table.shape[0] ** 0.5), table.shape[1]
    if side * side != table.shape[0] or dim % 4:
        return
    rows, cols = torch.meshgrid(torch.arange(side), torch.arange(side), indexing="ij")
    table.copy_(sincos_2d(rows.flatten(), cols.flatten(), dim).to(table.dtype))


def instruction_bytes(input_ids: torch.Tensor, attention_mask: torch.Tensor) -> torch.Tensor:
    """(B, T) bool: the instruction's byte tokens (between ``BOS`` and ``SEP``, not padding), so
    a typed text's bytes after ``SEP`` never count as instruction."""
    before_sep = (input_ids == SEP).long().cumsum(-1) == 0
    return before_sep & is_byte(input_ids) & attention_mask.bool()


class VisionConditioning(nn.Module):
    """Learned parts around the SigLIP tower (see the module doc).

    Args:
        dim: vision width ``Dv``; text_dim: LM width ``D``; layers: vision layers ``L``.
        native: add the (2, Dv) thumbnail/detail embedding.
        film: add ``Linear(D, 2 L Dv)`` from the pooled instruction to per-layer scale and shift,
            zero-initialised so that a new model starts as the unconditioned tower (RT-1's FiLM).
        early_fusion: add byte and position embeddings for up to ``max_bytes`` instruction bytes
            that join the vision sequence (and are dropped after it).
    """

    def __init__(
        self,
        dim: int,
        text_dim: int,
        layers: int,
        native: bool,
        film: bool,
        early_fusion: bool,
        max_bytes: int,
    ) -> None:
        super().__init__()
        self.layers = layers
        self.kind = nn.Embedding(2, dim) if native else None  # 0: detail, 1: thumbnail
        self.film = nn.Linear(text_dim, 2 * layers * dim) if film else None
        self.byte_embed = nn.Embedding(256, dim) if early_fusion else None
        self.byte_pos = nn.Embedding(max_bytes, dim) if early_fusion else None

    def reset(self) -> None:
        """Identity FiLM: zero weights and bias (scale 1 + 0, shift 0)."""
        if self.film is not None:
            nn.init.zeros_(self.film.weight)
            nn.init.zeros_(self.film.bias)

    # ------------------------------------------------------------------ embeddings

    def native_embeddings(
        self,
        tower: Any,
        pixel_values: torch.Tensor,
        image_grids: torch.Tensor,
        thumbnail_values: torch.Tensor | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """(B, 3, Hp, Wp) padded pixels + (B, 3) ``(rows, cols, thumbnail side)`` [+ (B, 3, S, S)
        thumbnails] -> tokens (B, P, Dv) and mask (B, P), thumbnail tokens first."""
        assert self.kind is not None  # native mode only
        embed = tower.embeddings.patch_embedding
        x = embed(pixel_values.to(embed.weight.dtype))  # (B, Dv, GH, GW)
        b, dim, gh, gw = x.shape
        rows, cols = torch.meshgrid(
            torch.arange(gh, device=x.device), torch.arange(gw, device=x.device), indexing="ij"
        )
        pos = sincos_2d(rows.flatten(), cols.flatten(), dim).to(x.dtype)  # (GH*GW, Dv)
        tokens = x.flatten(2).transpose(1, 2) + pos + self.kind.weight[0]  # (B, GH*GW, Dv)
        grids = image_grids.to(x.device)
        mask = (rows.flatten()[None] < grids[:, :1]) & (cols.flatten()[None] < grids[:, 1:2])
        if thumbnail_values is None:
            return tokens, mask  # (B, P, Dv), (B, P)
        t = embed(thumbnail_values.to(embed.weight.dtype))  # (B, Dv, s, s)
        side = t.shape[-1]
        # thumbnail cell centres in the detail grid's coordinates: one layout code for both views
        centre = (torch.arange(side, device=x.device, dtype=torch.float32) + 0.5) / side
        t_rows = centre[None, :, None] * grids[:, None, None, 0] - 0.5  # (B, s, 1)
        t_cols = centre[None, None, :] * grids[:, None, None, 1] - 0.5  # (B, 1, s)
        t_rows, t_cols = torch.broadcast_tensors(t_rows, t_cols)  # (B, s, s)
        t_pos = sincos_2d(t_rows.flatten(), t_cols.flatten(), dim).view(b, side * side, dim)
        thumbs = t.flatten(2).transpose(1, 2) + t_pos.to(x.dtype) + self.kind.weight[1]
        has_thumb = (grids[:, 2:3] > 0).expand(b, side * side)  # (B, s*s)
        return torch.cat([thumbs, tokens], dim=1), torch.cat([has_thumb, mask], dim=1)

    def byte_tokens(
        self, input_ids: torch.Tensor, attention_mask: torch.Tensor
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Early fusion: (B, T) text ids -> instruction byte tokens (B, L, Dv) and mask (B, L),
        ``L`` the batch's longest instruction: the other text positions (the action, padding)
        would only be masked keys in the tower, so they are left out, not computed."""
        assert self.byte_embed is not None and self.byte_pos is not None
        keep = instruction_bytes(input_ids, attention_mask)  # (B, T)
        width = max(int(keep.sum(1).max()), 1) if keep.numel() else 1
        order = torch.argsort((~keep).to(torch.int8), dim=1, stable=True)[:, :width]
        keep = keep.gather(1, order)  # (B, L): each row's instruction bytes first, in order
        index = (keep.long().cumsum(-1) - 1).clamp(0, self.byte_pos.num_embeddings - 1)
        ids = (input_ids.gather(1, order) - BYTE_OFFSET).clamp(0, 255)
        return self.byte_embed(ids) + self.byte_pos(index), keep  # (B, L, Dv), (B, L)

    def features(
        self,
        tower: Any,
        pixel_values: torch.Tensor,
        image_grids: torch.Tensor | None,
        thumbnail_values: torch.Tensor | None,
        text: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None,
    ) -> tuple[torch.Tensor, torch.Tensor]:
        """Pixels (fixed (B, 3, S, S), or native padded (B, 3, Hp, Wp) with ``image_grids``
        (B, 3) and maybe thumbnails) + ``text = (input_ids (B, T), attention_mask (B, T), LM
        embeddings (B, T, D))`` -> tower features (B, P, Dv) of the image tokens and their mask
        (B, P)."""
        if image_grids is not None and self.kind is not None:
            tokens, mask = self.native_embeddings(
                tower, pixel_values, image_grids, thumbnail_values
            )
        else:
            tokens = tower.embeddings(pixel_values)  # (B, P, Dv): SigLIP's learned positions
            mask = torch.ones(tokens.shape[:2], dtype=torch.bool, device=tokens.device)
        n_image = tokens.shape[1]
        pooled = None
        if text is not None:
            ids, text_mask, text_embeds = text
            if self.byte_embed is not None:
                byte_tokens, byte_mask = self.byte_tokens(ids, text_mask)  # (B, L, Dv)
                tokens = torch.cat([tokens, byte_tokens.to(tokens.dtype)], dim=1)
                mask = torch.cat([mask, byte_mask], dim=1)
            keep = instruction_bytes(ids, text_mask)[..., None].to(text_embeds.dtype)  # (B, T, 1)
            pooled = (text_embeds * keep).sum(1) / keep.sum(1).clamp(min=1)  # (B, D)
        feats = self.encode(tower, tokens, mask, pooled)[:, :n_image]  # (B, P, Dv)
        return feats, mask[:, :n_image]

    # ----------------------------------------------------------------------- encoder

    def encode(
        self,
        tower: Any,
        tokens: torch.Tensor,
        mask: torch.Tensor,
        instruction: torch.Tensor | None,
    ) -> torch.Tensor:
        """Run the tower's encoder layers and ``post_layernorm`` on (B, P, Dv) ``tokens`` with
        (B, P) ``mask``; with FiLM, (B, D) ``instruction`` scales and shifts each layer's output."""
        from transformers.masking_utils import create_bidirectional_mask

        attn = create_bidirectional_mask(
            config=tower.config, inputs_embeds=tokens, attention_mask=mask.long()
        )
        film = None
        if self.film is not None and instruction is not None:
            film = self.film(instruction.to(tokens.dtype)).view(
                -1, self.layers, 2, tokens.shape[-1]
            )
        h = tokens
        for i, layer in enumerate(tower.encoder.layers):
            h = layer(h, attn)  # (B, P, Dv)
            if film is not None:
                h = h * (1 + film[:, i, 0, None]) + film[:, i, 1, None]
        return tower.post_layernorm(h)  # (B, P, Dv)


def encode_views(
    model: Any,
    pixel_values: torch.Tensor,
    view_mask: torch.Tensor | None,
    text: tuple[torch.Tensor, torch.Tensor, torch.Tensor] | None,
) -> tuple[torch.Tensor, torch.Tensor]:
    """Several camera views through one shared tower (``VLAConfig.view_names``).

    (B, V, 3, S, S) pixels -> ``(tokens (B, V * P, D), mask (B, V * P))``: each view's tokens
    plus its learned view embedding, views in ``view_names`` order. ``view_mask`` (B, V) bool
    marks the views each row has (None: all); a missing view's tokens are masked out.
    ``text`` (for FiLM / early fusion) is repeated for every view.
    """
    if pixel_values.ndim != 5 or pixel_values.shape[1] != model.view_embedding.num_embeddings:
        raise ValueError(
            f"a model with views {list(model.config.view_names)} takes pixel_values "
            f"(B, {model.view_embedding.num_embeddings}, 3, S, S); got {tuple(pixel_values.shape)}"
        )
    b, v = pixel_values.shape[:2]
    if text is not None:
        text = (text[0].repeat_interleave(v, 0), text[1].repeat_interleave(v, 0),
                text[2].repeat_interleave(v, 0))  # fmt: skip
    tokens, _ = model.encode_one_view(pixel_values.flatten(0, 1), None, None, text)
    p = tokens.shape[1]
    tokens = tokens.view(b, v, p, -1) + model.view_embedding.weight[None, :, None]  # (B,V,P,D)
    if view_mask is None:
        view_mask = torch.ones(b, v, dtype=torch.bool, device=tokens.device)
    mask = view_mask.bool()[:, :, None].expand(b, v, p).reshape(b, v * p)  # (B, V * P)
    return tokens.reshape(b, v * p, -1), mask
