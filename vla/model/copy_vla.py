"""Copying from the instruction (``VLAConfig.copy_instruction``).

Typing what the instruction quotes (a username, a password, the word to enter) means emitting
the same bytes again, one token at a time. A small LM learns that slowly from the vocabulary
alone; a pointer over the instruction's bytes gives it directly. As in pointer-generator
networks (See et al., 2017), the next-token distribution becomes

    p(v) = g * softmax(lm_head(h))[v] + (1 - g) * sum over instruction bytes i with id v of a_i

where ``a`` is attention from the current position over the instruction's byte positions and
``g = sigmoid(w . h)`` is learned per position. The key of byte ``i`` sees its own hidden state
and the embedding of the byte before it, and the query sees the current hidden state and the
token just fed, so "the byte after the one I just typed" is one dot product away. The result is
still a distribution over the one vocabulary: the grammar masks it as before, and the model's
``logits`` are its log-probabilities (``log_softmax`` leaves them unchanged).

The instruction's keys are computed once with the prefix (:class:`CopyMemory`, returned as
``VLAOutput.copy_memory``) and reused by every incremental decode step.
"""

from __future__ import annotations

import math
from typing import Any, NamedTuple

import torch
from torch import nn
from transformers import initialization as init

from vla.model.copy_alignment import CopyAlignment, advance_lengths, match_lengths
from vla.model.vision_vla import instruction_bytes
from vla.model.vocabulary_vla import BYTE_OFFSET

__all__ = ["ActionHead", "CopyMemory", "InstructionCopy", "cased"]


class CopyMemory(NamedTuple):
    """The instruction a batch can copy from: ``keys`` (B, T, D) for every text position,
    ``ids`` (B, T) their token ids and ``source`` (B, T) which of them are instruction bytes.
    With ``copy_alignment``: ``embeds`` (B, T, D) their token embeddings and ``match`` (B, T)
    the match lengths after the last token fed (updated in place by each decode step)."""

    keys: torch.Tensor
    ids: torch.Tensor
    source: torch.Tensor
    embeds: torch.Tensor | None = None
    match: torch.Tensor | None = None


class InstructionCopy(nn.Module):
    """The copy head (see the module doc): ``dim`` is the LM's width."""

    def __init__(self, dim: int, alignment: bool = False, case: bool = False) -> None:
        super().__init__()
        self.key = nn.Linear(2 * dim, dim)
        self.query = nn.Linear(2 * dim, dim)
        self.gate = nn.Linear(dim, 1)
        self.alignment = CopyAlignment(dim) if alignment else None
        # copy_case: per query, how much of the copy keeps, upper-cases or lower-cases a byte
        self.case = nn.Linear(dim, 3) if case else None

    def reset(self) -> None:
        """After the model's weight initialisation: the case mix starts keeping the case (96%
        of the copy), so a new ``copy_case`` model starts as one without it."""
        if self.case is not None:  # transformers' init: leaves what a checkpoint loaded
            init.zeros_(self.case.weight)
            init.copy_(self.case.bias, torch.tensor([4.0, 0.0, 0.0]))

    def fold(self, ids: torch.Tensor) -> torch.Tensor:
        """``ids`` as the alignment compares them: lower-cased with ``copy_case``, else as is."""
        return ids if self.case is None else cased(ids, upper=False)

    def memory(
        self,
        hidden: torch.Tensor,
        embeds: torch.Tensor,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor,
    ) -> CopyMemory:
        """Keys of the text positions from their last hidden states (B, T, D) and their token
        embeddings (B, T, D) (each key sees the embedding of the token before it)."""
        before = torch.cat([torch.zeros_like(embeds[:, :1]), embeds[:, :-1]], dim=1)
        keys = self.key(torch.cat([hidden, before], dim=-1))
        source = instruction_bytes(input_ids, attention_mask)
        if self.alignment is None:
            return CopyMemory(keys, input_ids, source)
        return CopyMemory(keys, input_ids, source, embeds, torch.zeros_like(input_ids))

    def log_probs(
        self,
        logits: torch.Tensor,
        hidden: torch.Tensor,
        embeds: torch.Tensor,
        memory: CopyMemory,
        rows: torch.Tensor | None = None,
        match: torch.Tensor | None = None,
    ) -> torch.Tensor:
        """The mixed next-token log-probabilities at some query positions.

        ``logits`` (B, Q, V) are the LM head's at those positions, ``hidden`` and ``embeds``
        (B, Q, D) their last hidden states and the embeddings of the tokens fed there, and
        ``match`` (B, Q, T) their match lengths (``copy_alignment`` only). With ``rows`` (N,),
        the queries are flattened instead: (N, V), (N, D) and (N, T), query ``n`` of batch row
        ``rows[n]``.
        """
        flat = rows is not None
        keys, ids, source = memory[:3]
        if flat:
            keys, ids, source = keys[rows], ids[rows], source[rows]  # (N, T, ...)
            logits, hidden, embeds = logits[:, None], hidden[:, None], embeds[:, None]
            match = None if match is None else match[:, None]
        query = self.query(torch.cat([hidden, embeds], dim=-1))  # (B, Q, D)
        scores = query @ keys.transpose(1, 2) / math.sqrt(query.shape[-1])  # (B, Q, T)
        if self.alignment is not None and match is not None:
            scores = scores + self.alignment.scores(query, match)
        scores = scores.float().masked_fill(~source[:, None, :], float("-inf"))
        attn = torch.softmax(scores, dim=-1).nan_to_num(0.0)  # a row with no source: all 0
        copied = _scattered(attn, ids, logits.shape[-1])  # (B, Q, V)
        if self.case is not None:  # keep, upper, lower: a mix of three copies
            mix = self.case(hidden).float().softmax(-1)  # (B, Q, 3)
            copied = mix[..., :1] * copied + sum(
                mix[..., k : k + 1] * _scattered(attn, cased(ids, upper), logits.shape[-1])
                for k, upper in ((1, True), (2, False))
            )
        gate = self.gate(hidden).float()  # (B, Q, 1)
        has_source = source.any(-1)[:, None, None]
        gate = torch.where(has_source, gate, torch.full_like(gate, 30.0))  # nothing to copy
        mixed = torch.logaddexp(
            nn.functional.logsigmoid(gate) + logits.float().log_softmax(-1),
            nn.functional.logsigmoid(-gate) + copied.clamp_min(1e-20).log(),
        )
        return mixed[:, 0] if flat else mixed


def _scattered(attn: torch.Tensor, ids: torch.Tensor, vocab: int) -> torch.Tensor:
    """(B, Q, V): each query's attention (B, Q, T) summed onto the token ids (B, T) attended."""
    out = torch.zeros(*attn.shape[:2], vocab, dtype=attn.dtype, device=attn.device)
    return out.scatter_add(-1, ids[:, None, :].expand_as(attn), attn)


def cased(ids: torch.Tensor, upper: bool) -> torch.Tensor:
    """Token ids with the bytes of ASCII letters upper- (or lower-) cased; others unchanged."""
    first = BYTE_OFFSET + (ord("a") if upper else ord("A"))
    letter = (ids >= first) & (ids < first + 26)
    return torch.where(letter, ids + (-32 if upper else 32), ids)


class ActionHead:
    """The model's next-token log-probabilities (or logits) at chosen text positions: the LM
    head, mixed with the copy pointer when the model has one (``instruction_copy``).

    ``hidden`` and ``embeds`` (B, T, D) are the last hidden states of the text positions and
    the embeddings of the tokens fed there, ``input_ids`` and ``text_mask`` (B, T) those
    tokens. In a full pass the memory comes from them; in an incremental step (``step``) it is
    given (``memory``) and, with ``copy_alignment``, its match lengths advance over the new
    tokens.
    """

    def __init__(
        self,
        model: Any,
        hidden: torch.Tensor,
        embeds: torch.Tensor,
        input_ids: torch.Tensor | None = None,
        text_mask: torch.Tensor | None = None,
        memory: CopyMemory | None = None,
        step: bool = False,
    ) -> None:
        self.lm_head: nn.Module = model.language_model.lm_head
        self.copy: InstructionCopy | None = getattr(model, "instruction_copy", None)
        self.hidden, self.embeds = hidden, embeds
        self.match: torch.Tensor | None = None  # (B, T, T_prefix) after each position
        if self.copy is not None and memory is None:
            if step or input_ids is None or text_mask is None:
                raise ValueError(
                    "this model copies from the instruction: pass the prefix pass's "
                    "`copy_memory` (VLAOutput.copy_memory) to decode_step"
                )
            memory = self.copy.memory(hidden, embeds, input_ids, text_mask)
            if memory.match is not None:
                self.match = match_lengths(self.copy.fold(input_ids), memory.source)
                memory.match.copy_(self.match[:, -1])
        elif self.copy is not None and memory is not None and memory.match is not None:
            assert input_ids is not None and text_mask is not None  # decode_step passes them
            fold = self.copy.fold
            self.match = advance_lengths(
                memory.match, memory.source, fold(memory.ids), fold(input_ids), text_mask
            )
        self.memory = memory

    def last(self, n: int) -> torch.Tensor:
        """(B, n, V) at the last ``n`` positions (0: every position)."""
        where = slice(-n, None) if n else slice(None)
        match = None if self.match is None else self.match[:, where]
        rows = torch.arange(self.hidden.shape[0], device=self.hidden.device)[:, None]
        hidden = self._aligned(self.hidden[:, where], match, rows)
        logits = self.lm_head(hidden)
        if self.copy is None or self.memory is None:
            return logits
        return self.copy.log_probs(logits, hidden, self.embeds[:, where], self.memory, match=match)

    def masked(self, keep: torch.Tensor) -> torch.Tensor:
        """(N, V) at the positions ``t`` where ``keep[:, t]`` (B, T - 1) is set: the
        predictions of the tokens ``t + 1`` that carry a loss."""
        rows = keep.nonzero()[:, 0]
        match = None if self.match is None else self.match[:, :-1][keep]  # (N, T)
        hidden = self._aligned(self.hidden[:, :-1][keep], match, rows)
        logits = self.lm_head(hidden)
        if self.copy is None or self.memory is None:
            return logits
        embeds = self.embeds[:, :-1][keep]
        return self.copy.log_probs(logits, hidden, embeds, self.memory, rows=rows, match=match)

    def _aligned(
        self, hidden: torch.Tensor, match: torch.Tensor | None, rows: torch.Tensor
    ) -> torch.Tensor:
        """``hidden`` with the alignment's features (``copy_alignment``), else unchanged."""
        if match is None or self.copy is None or self.copy.alignment is None:
            return hidden
        assert self.memory is not None and self.memory.embeds is not None
        return self.copy.alignment.hidden(hidden, match, self.memory.embeds, rows)
