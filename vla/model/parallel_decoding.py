"""Parallel decoding of robot action chunks (OpenVLA-OFT, Kim et al. 2025, arXiv:2502.19645).

With ``VLAConfig.parallel_decoding`` the value tokens of a robot action do not see each other:
training feeds the ``PLACEHOLDER`` token (its embedding is learned) at every robot value
position while the labels keep the values, and decoding feeds the same placeholders, so the
``N = chunk_size * dims`` values of a chunk are read off one pass::

    input     .. SEP  VERB  PH   PH  ..  PH        (N - 1 placeholders)
    predicts      VERB v_1   v_2  v_3 ..  v_N       (EOS follows: the grammar forces it)

Each value is still chosen under the grammar's mask, so every decode parses. Because no input
depends on a chosen value, decoding the same positions one at a time with the KV cache
(feeding the placeholders) gives the same tokens; :func:`vla.model.decoding.constrained_decode`
does either (``parallel=True`` / ``False``) and the tests check that they agree.

With ``config.value_slots`` the ``k``-th placeholder after a verb also gets a learned slot
embedding (ACT's learned action queries): otherwise the ``N - 1`` inputs are identical, and a
2-layer LM whose only position signal is RoPE cannot memorise even 32 chunks.
"""

from __future__ import annotations

from typing import Any

import torch

from vla.actions import KEY_NAMES, ROBOT_VERBS
from vla.model.vocabulary_vla import KEY_OFFSET, PLACEHOLDER, VERB_OFFSET, VERBS

__all__ = [
    "SlotCounter",
    "embed_text",
    "placeholder_inputs",
    "robot_value_positions",
    "slot_indices",
]

ROBOT_VERB_IDS = tuple(VERB_OFFSET + VERBS.index(v) for v in ROBOT_VERBS)


def robot_value_positions(input_ids: torch.Tensor, config: Any) -> torch.Tensor:
    """(B, T) bool: the value tokens that follow a robot verb in ``input_ids`` (B, T).

    Instruction bytes, UI actions and scroll deltas (also value bins, but after a UI verb) are
    never marked: verbs appear only in the action part of a sequence.
    """
    value_offset = KEY_OFFSET + len(KEY_NAMES) + int(config.coord_bins)
    verbs = torch.tensor(ROBOT_VERB_IDS, device=input_ids.device)
    after_verb = torch.isin(input_ids, verbs).cumsum(-1) > 0  # (B, T)
    is_value = (input_ids >= value_offset) & (input_ids < value_offset + int(config.value_bins))
    return after_verb & is_value


def placeholder_inputs(input_ids: torch.Tensor, config: Any) -> torch.Tensor:
    """``input_ids`` (B, T) with every robot value token replaced by ``PLACEHOLDER`` (the
    teacher-forced input of a parallel-decoding model; its labels keep the values)."""
    return input_ids.masked_fill(robot_value_positions(input_ids, config), PLACEHOLDER)


def slot_indices(input_ids: torch.Tensor) -> torch.Tensor:
    """(B, T) long: ``k`` at the ``k``-th ``PLACEHOLDER`` after the latest robot verb (from 0),
    -1 elsewhere."""
    is_ph = input_ids == PLACEHOLDER
    count = is_ph.long().cumsum(-1)
    verbs = torch.tensor(ROBOT_VERB_IDS, device=input_ids.device)
    at_verb = torch.where(torch.isin(input_ids, verbs), count, torch.zeros_like(count))
    since_verb = count - at_verb.cummax(-1).values - 1
    return torch.where(is_ph, since_verb, torch.full_like(count, -1))


def embed_text(
    model: Any, input_ids: torch.Tensor, slots: torch.Tensor | None = None
) -> tuple[torch.Tensor, torch.Tensor]:
    """``(ids, embeddings (B, T, D))`` of the text a model is fed: with ``parallel_decoding``
    the robot values become placeholders, plus their slot embeddings with ``value_slots``.

    ``slots`` (B, T): each token's slot (-1: none), for decode steps whose verb was fed
    earlier; None: counted from ``input_ids`` (:func:`slot_indices`).
    """
    config = model.config
    if config.parallel_decoding:
        input_ids = placeholder_inputs(input_ids, config)
    embeds = model.get_input_embeddings()(input_ids)
    if not config.value_slots:
        return input_ids, embeds
    slots = slot_indices(input_ids) if slots is None else slots.to(input_ids.device)
    if slots.numel() and int(slots.max()) >= config.value_slots:
        raise ValueError(
            f"Got a chunk of more than value_slots={config.value_slots} values; build the "
            "model with value_slots >= chunk_size * the action's dims"
        )
    slot = model.value_slots(slots.clamp(min=0)) * (slots >= 0).unsqueeze(-1).to(embeds.dtype)
    return input_ids, embeds + slot


class SlotCounter:
    """How many placeholders each row was fed since its robot verb, across decode steps: the
    slots of the next ones (as :func:`slot_indices` counts them)."""

    def __init__(self, rows: int, fed: int) -> None:
        self.fed = [max(fed, 0)] * rows

    def feed(self, ids: torch.Tensor) -> torch.Tensor:
        """(B, L) slots of the new tokens ``ids`` (-1: not a placeholder); counts them."""
        slots = torch.full(ids.shape, -1, dtype=torch.long)
        for i, row in enumerate(ids.tolist()):
            for j, tok in enumerate(row):
                if tok in ROBOT_VERB_IDS:
                    self.fed[i] = 0
                elif tok == PLACEHOLDER:
                    slots[i, j] = self.fed[i]
                    self.fed[i] += 1
        return slots
