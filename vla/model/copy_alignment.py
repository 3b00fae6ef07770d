"""Where in the instruction a typed text is (``VLAConfig.copy_alignment``).

The copy pointer of :mod:`vla.model.copy_vla` sees, at each position, only the byte just typed:
its key for instruction byte ``i`` holds the byte before ``i``. In "bernardine" the byte after
``n`` is ``a`` once and ``e`` once, so a small model loses its place, repeats itself
("bernardinerdinenene") and cannot tell when the quoted text is over: the 2026-12-05 browser
checkpoint typed a wrong text in most failed login-user, enter-password and multi-layouts
episodes. Copying with a monotonic alignment, as location-aware attention does, gives the
place directly.

At every position after ``SEP`` the model keeps, for each prefix position ``i``, the **match
length**: how many of the bytes typed so far, counted back from the last, equal the
instruction's bytes just before ``i`` (a run length: ``m[i] = m_before[i - 1] + 1`` when the
byte fed equals instruction byte ``i - 1``, else 0; anything fed that is not a typed byte resets
it). Two things read it:

* the copy pointer's score of byte ``i`` gets ``q . E[min(m[i], K)]`` (a learned embedding per
  length), so the byte after the longest match is one learned preference away;
* the hidden state that predicts the next token gets an embedding of the longest match's length
  plus a projection of the token that follows that match (a closing quote, a space, ``SEP``), so
  the LM head can end the text where the instruction's text ends.

The state is a function of the token ids alone, so a full (teacher-forced) pass and incremental
decoding compute the same features; decoding carries it in ``CopyMemory.match``, updated in
place by every step, as the KV cache is.
"""

from __future__ import annotations

import torch
from torch import nn

from vla.model.vocabulary_vla import SEP, is_byte

__all__ = ["MAX_MATCH", "CopyAlignment", "advance_lengths", "match_lengths", "match_step"]

#: match lengths at or above this share one embedding
MAX_MATCH = 16


def match_step(
    match: torch.Tensor,
    source: torch.Tensor,
    source_ids: torch.Tensor,
    fed: torch.Tensor,
    typed: torch.Tensor,
) -> torch.Tensor:
    """The match lengths (B, T) after feeding one token per row: ``match`` (B, T) before it,
    ``source`` (B, T) which prefix positions are instruction bytes, ``source_ids`` (B, T) their
    ids, ``fed`` (B,) the token and ``typed`` (B,) whether it is a typed byte (a byte after
    ``SEP``)."""
    before = nn.functional.pad(match[:, :-1], (1, 0))  # m[i - 1]
    src = nn.functional.pad(source[:, :-1], (1, 0))  # byte i - 1 is an instruction byte
    ids = nn.functional.pad(source_ids[:, :-1], (1, 0))
    hit = typed[:, None] & src & (ids == fed[:, None])
    return torch.where(hit, before + 1, torch.zeros_like(before))


def match_lengths(input_ids: torch.Tensor, source: torch.Tensor) -> torch.Tensor:
    """(B, T, T) the match lengths after each position of a full pass (``[b, q, i]``: after
    feeding token ``q``, for prefix position ``i``); ``source`` (B, T): the instruction bytes."""
    batch, length = input_ids.shape
    after_sep = ((input_ids == SEP).long().cumsum(-1) > 0) & (input_ids != SEP)
    typed = is_byte(input_ids) & after_sep
    match = torch.zeros_like(input_ids)
    out = torch.zeros(batch, length, length, dtype=input_ids.dtype, device=input_ids.device)
    first = int(after_sep.any(0).long().argmax()) if after_sep.any() else length
    for q in range(first, length):  # before any SEP every length is 0
        match = match_step(match, source, input_ids, input_ids[:, q], typed[:, q])
        out[:, q] = match
    return out


def advance_lengths(
    match: torch.Tensor,
    source: torch.Tensor,
    source_ids: torch.Tensor,
    input_ids: torch.Tensor,
    text_mask: torch.Tensor,
) -> torch.Tensor:
    """(B, L, T) the match lengths after each of an incremental step's new tokens ``input_ids``
    (B, L), every one after ``SEP`` (``text_mask`` 0 on the left padding, which changes
    nothing); ``match`` (B, T), the lengths before them, is updated in place to the last.
    ``source`` and ``source_ids`` as in :func:`match_step`."""
    state, steps = match, []
    for j in range(input_ids.shape[1]):
        fed, real = input_ids[:, j], text_mask[:, j].bool()
        moved = match_step(state, source, source_ids, fed, real & is_byte(fed))
        state = torch.where(real[:, None], moved, state)
        steps.append(state)
    match.copy_(state)
    return torch.stack(steps, dim=1)


class CopyAlignment(nn.Module):
    """The learned parts (see the module doc): ``dim`` is the LM's width."""

    def __init__(self, dim: int) -> None:
        super().__init__()
        self.score = nn.Embedding(MAX_MATCH + 1, dim)  # the pointer's per-length preference
        self.length = nn.Embedding(MAX_MATCH + 1, dim)  # the longest match, into the hidden
        self.next = nn.Linear(dim, dim)  # the token after the longest match, into the hidden

    def hidden(
        self,
        hidden: torch.Tensor,
        match: torch.Tensor,
        embeds: torch.Tensor,
        rows: torch.Tensor,
    ) -> torch.Tensor:
        """``hidden`` (..., D) at query positions whose match lengths are ``match`` (..., T),
        plus the longest match's length and a projection of the prefix token after it:
        ``embeds`` (B, T, D) are the prefix's token embeddings and ``rows`` (broadcastable to
        ``match.shape[:-1]``) each query's batch row."""
        longest, where = match.max(-1)  # (...): the first of the longest
        found = (longest > 0)[..., None].to(hidden.dtype)
        extra = self.length(longest.clamp(max=MAX_MATCH)) + found * self.next(embeds[rows, where])
        return hidden + extra.to(hidden.dtype)

    def scores(self, query: torch.Tensor, match: torch.Tensor) -> torch.Tensor:
        """(B, Q, T) the pointer's added scores ``q . E[min(m, K)] / sqrt(D)`` of queries
        (B, Q, D) over prefix positions with match lengths ``match`` (B, Q, T)."""
        per_length = query @ self.score.weight.T  # (B, Q, K + 1)
        picked = per_length.gather(-1, match.clamp(max=MAX_MATCH))
        return picked / query.shape[-1] ** 0.5
