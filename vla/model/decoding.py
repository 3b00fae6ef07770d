"""Grammar-constrained greedy decoding with a KV cache.

:class:`ActionGrammar` is the action grammar of :mod:`vla.model.tokenization_vla` as a state
machine: for any prefix of action tokens it gives the set of allowed next tokens, so every decode
parses. :func:`constrained_decode` runs it batched over a model:

* the prefix (image tokens, state token, instruction bytes) is encoded once, with a cache;
* a token the grammar forces (the verb of a robot space, the ``EOS`` after a click's ``y``) is
  appended without a model call, and fed together with the next chosen token;
* each model call feeds every unfinished row its pending tokens (left-padded within the step,
  padding masked out), so rows doing different verbs decode together.

A click therefore costs the prefix pass plus two single-token steps (verb -> x, x -> y; with a
pointer, verb -> patch, patch -> cell).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import torch

from vla.actions import KEY_NAMES, MODIFIERS, TYPE_FORBIDDEN, RobotSpace, UISpace
from vla.model.parallel_decoding import SlotCounter
from vla.model.tokenization_vla import (
    BYTE_OFFSET,
    EOS,
    KEY_OFFSET,
    PAD,
    PLACEHOLDER,
    VERB_OFFSET,
    VERBS,
    ActionTokenizer,
)

__all__ = ["ActionGrammar", "GrammarLogitsProcessor", "GrammarState", "constrained_decode"]

# ASCII that Type.text allows (no control characters but \t and \n); multi-byte UTF-8 is
# handled by _utf8_tail and _SECOND_BYTE.
_TEXT_BYTES = tuple(b for b in range(0x80) if not TYPE_FORBIDDEN.match(chr(b)))
# [low, high) of the byte after a lead byte where it is narrower than 80..BF: no C1 control
# (C2 80..9F), no overlong form (E0 80..9F, F0 80..8F), no surrogate (ED A0..BF), nothing past
# U+10FFFF (F4 90..BF). Everything else would decode to U+FFFD or be refused by Type.
_SECOND_BYTE = {0xC2: (0xA0, 0xC0), 0xE0: (0xA0, 0xC0), 0xED: (0x80, 0xA0), 0xF0: (0x90, 0xC0),
                0xF4: (0x80, 0x90)}  # fmt: skip
_N_MODS = len(MODIFIERS)


def _utf8_tail(byte: int) -> int:
    """Continuation bytes that follow a UTF-8 lead byte (-1: not a valid lead byte)."""
    if byte < 0x80:
        return 0
    if 0xC2 <= byte <= 0xDF:
        return 1
    if 0xE0 <= byte <= 0xEF:
        return 2
    if 0xF0 <= byte <= 0xF4:
        return 3
    return -1


@dataclass
class GrammarState:
    """Where one sequence is in the grammar: its verb and the argument tokens so far."""

    verb: str | None = None
    args: list[int] = field(default_factory=list)
    done: bool = False
    utf8_pending: int = 0  # continuation bytes still owed by a Type's current character


class ActionGrammar:
    """Allowed next tokens for an action space (a ``UISpace`` or a ``RobotSpace``)."""

    def __init__(self, tokenizer: ActionTokenizer, space: UISpace | RobotSpace) -> None:
        if not isinstance(space, (UISpace, RobotSpace)):
            raise ValueError(f"space must be a UISpace or a RobotSpace; got {space!r}")
        self.tok, self.space, self.vocab = tokenizer, space, tokenizer.vocab_size
        #: value tokens of a robot action (``chunk_size * dims``); 0 for a UI space
        self.n_values = 0
        if isinstance(space, RobotSpace):
            self.verbs: tuple[str, ...] = (space.action,)
            self.n_values = space.dims * tokenizer.chunk_size
        else:
            self.verbs = tuple(space.verbs)
        self._cache: dict[Any, tuple[torch.Tensor, int | None]] = {}
        t = tokenizer
        self._coords = self._ids(range(t.coord_offset, t.value_offset))
        self._values = self._ids(range(t.value_offset, t.patch_offset))
        self._eos = self._ids([EOS])
        # a pointer click (tokenizer.grid set) takes a patch token then a cell token
        self._patches = self._ids(range(t.patch_offset, t.cell_offset))
        self._cells = self._ids(range(t.cell_offset, t.vocab_size))

    def _ids(self, ids: Sequence[int] | range) -> torch.Tensor:
        mask = torch.zeros(self.vocab, dtype=torch.bool)
        mask[list(ids)] = True
        return mask

    def is_value(self, token: int) -> bool:
        """Whether ``token`` is a value bin (a robot value, or a scroll delta)."""
        return bool(self._values[token])

    def start(self) -> GrammarState:
        """The state before the verb."""
        return GrammarState()

    def allowed(self, s: GrammarState) -> torch.Tensor:
        """(V,) bool mask of the tokens allowed after state ``s`` (do not modify it). States
        that allow the same set often share one tensor (every robot value: ``is`` holds)."""
        return self.entry(s)[0]

    def forced(self, s: GrammarState) -> int | None:
        """The only token allowed after state ``s``, or None when there is a choice."""
        return self.entry(s)[1]

    def entry(self, s: GrammarState) -> tuple[torch.Tensor, int | None]:
        """``(allowed(s), forced(s))`` in one lookup."""
        key = self._key(s)
        entry = self._cache.get(key)
        if entry is None:
            mask = self._build(s)
            entry = self._cache[key] = (mask, _forced(mask))
        return entry

    def _key(self, s: GrammarState) -> Any:
        if self.n_values:  # a robot space: every argument is a value
            return (s.verb, len(s.args))
        if s.verb == "key":
            return ("key", tuple(s.args))
        if s.verb == "type":
            return (
                "type",
                min(len(s.args), 1),
                self.tok.max_text_bytes - len(s.args),
                s.utf8_pending,
                self._continuation(s),
            )
        return (s.verb, len(s.args), tuple(a for a in s.args if a < KEY_OFFSET))

    def _build(self, s: GrammarState) -> torch.Tensor:
        t, n = self.tok, len(s.args)
        if s.verb is None:
            return self._ids([t.verb_id(v) for v in self.verbs])
        if s.verb in ("wait", "done"):
            return self._eos
        if s.verb in ("ee_delta", "joint_target"):
            return self._values if n < self.n_values else self._eos
        if s.verb == "drag":
            return self._coords if n < 4 else self._eos
        if s.verb == "scroll":
            return self._coords if n < 2 else self._values if n < 4 else self._eos
        if s.verb == "click":
            return self._click(s)
        if s.verb == "type":
            return self._type(s)
        return self._keys(s)

    def _click(self, s: GrammarState) -> torch.Tensor:
        t = self.tok
        flags = [a for a in s.args if a < KEY_OFFSET]
        coords = len(s.args) - len(flags)
        if coords >= 2:
            return self._eos
        if self.tok.grid is not None and coords == 1:
            return self._cells
        mask = (self._patches if self.tok.grid is not None else self._coords).clone()
        if coords == 0:
            buttons, counts = (
                [t.flag_id("right"), t.flag_id("middle")],
                [t.flag_id("x2"), t.flag_id("x3")],
            )
            if not any(f in counts for f in flags):
                mask[counts] = True
                if not flags:
                    mask[buttons] = True
        return mask

    def _type(self, s: GrammarState) -> torch.Tensor:
        room = self.tok.max_text_bytes - len(s.args)
        if s.utf8_pending:
            low, high = self._continuation(s)
            return self._ids(range(BYTE_OFFSET + low, BYTE_OFFSET + high))
        ids = [BYTE_OFFSET + b for b in _TEXT_BYTES] if room > 0 else []
        ids += [BYTE_OFFSET + b for b in range(0xC2, 0xF5) if _utf8_tail(b) < room]
        if s.args or not ids:
            ids.append(EOS)
        return self._ids(ids)

    @staticmethod
    def _continuation(s: GrammarState) -> tuple[int, int]:
        """The byte range allowed next inside a multi-byte character (see ``_SECOND_BYTE``)."""
        if not s.utf8_pending:
            return (0, 0)
        return _SECOND_BYTE.get(s.args[-1] - BYTE_OFFSET, (0x80, 0xC0))

    def _keys(self, s: GrammarState) -> torch.Tensor:
        names = [KEY_NAMES[a - KEY_OFFSET] for a in s.args]
        if len(names) >= self.tok.max_keys:
            return self._eos
        mods = [MODIFIERS.index(k) for k in names if k in MODIFIERS]
        only_mods = len(mods) == len(names)
        first = max(mods) + 1 if mods else 0
        ids = [KEY_OFFSET + i for i in range(first, _N_MODS)] if only_mods else []
        ids += [KEY_OFFSET + i for i in range(_N_MODS, len(KEY_NAMES)) if KEY_NAMES[i] not in names]
        if names:
            ids.append(EOS)
        return self._ids(ids)

    def advance(self, s: GrammarState, token: int) -> GrammarState:
        """Consume ``token`` (which must be allowed); returns ``s``, updated in place."""
        if not self.allowed(s)[token]:
            raise ValueError(f"token {token} is not allowed after {s!r}")
        if token == EOS:
            s.done = True
        elif s.verb is None:
            s.verb = VERBS[token - VERB_OFFSET]
        else:
            s.args.append(token)
            if s.verb == "type":
                tail = _utf8_tail(token - BYTE_OFFSET)
                s.utf8_pending = s.utf8_pending - 1 if s.utf8_pending else max(tail, 0)
        return s

    def tokens(self, s: GrammarState) -> list[int]:
        """The action tokens of a state (verb, arguments and EOS when done)."""
        verb = [self.tok.verb_id(s.verb)] if s.verb else []
        return verb + s.args + ([EOS] if s.done else [])


def _forced(mask: torch.Tensor) -> int | None:
    """The only allowed token, or None when there is a choice."""
    idx = mask.nonzero()
    return int(idx[0, 0]) if idx.shape[0] == 1 else None


#: the processor outputs the model's forward takes
_INPUT_KEYS = ("pixel_values", "input_ids", "attention_mask", "states", "state_mask",
               "image_grids", "thumbnail_values", "view_mask")  # fmt: skip


@torch.inference_mode()
def constrained_decode(
    model: Any,
    batch: dict[str, torch.Tensor],
    grammars: Sequence[ActionGrammar],
    *,
    parallel: bool | None = None,
) -> list[list[int]]:
    """Greedy grammar-constrained decoding; returns each row's action tokens (verb .. EOS).

    ``batch`` comes from :class:`~vla.model.VLAProcessor` (inference: no labels);
    ``grammars[i]`` constrains row ``i``.

    For a model with ``config.parallel_decoding`` (:mod:`vla.model.parallel_decoding`) robot
    rows are fed placeholders at their value positions. ``parallel`` (default: that flag)
    reads all of a chunk's values off one pass; when every row is a robot row of one space,
    the verb and the placeholders join the prefix pass, so the whole chunk costs one forward
    pass. ``parallel=False`` feeds the placeholders one position at a time with the KV cache:
    the reference that the one-pass decode equals token for token. Other models decode one
    value at a time, feeding each chosen value (``parallel=True`` is then a ``ValueError``).

    It runs under ``torch.inference_mode`` rather than ``no_grad`` (no view or version
    tracking): a ``vla-browser-tiny`` action 13.1 -> 12.2 ms and a whole-screen desktop first
    action 48.7 -> 45.9 ms at batch 1 on one thread (``benchmarks/decode_grad_mode.py``). The tensors it makes stay inside it, so a model decoded during training (the
    validation decode) trains on unchanged.
    """
    placeholders = bool(getattr(model.config, "parallel_decoding", False))
    parallel = placeholders if parallel is None else parallel
    if parallel and not placeholders:
        raise ValueError("parallel=True needs a model trained with `parallel_decoding`")
    inputs = {k: batch[k] for k in _INPUT_KEYS if k in batch}
    suffix = _chunk_suffix(grammars) if parallel else _forced_start(grammars)
    if suffix:  # every row: VERB PH .. PH (or the verb its grammar forces) in the prefix pass
        ids, attn = inputs["input_ids"], inputs["attention_mask"]
        tail = torch.tensor([suffix] * ids.shape[0], dtype=ids.dtype, device=ids.device)
        inputs["input_ids"] = torch.cat([ids, tail], dim=1)
        inputs["attention_mask"] = torch.cat([attn, torch.ones_like(tail)], dim=1)
    out = model(**inputs, use_cache=True, logits_to_keep=1 + len(suffix))
    logits, cache = out.logits, out.cache  # (B, k, V)
    n, device = logits.shape[0], logits.device
    mask = out.attention_mask.long()  # (B, L): image (padding masked), state and text tokens
    next_pos = mask.sum(-1)  # (B,) position of each row's next token
    states = [g.start() for g in grammars]
    # placeholder slots are counted across steps only for a model that embeds them
    slots_fed = SlotCounter(n, len(suffix) - 1) if model.config.value_slots else None
    want = [logits.shape[1]] * n  # logits each row reads, in order, from the last ones
    fed = 0 if parallel else len(suffix)  # a forced verb the prefix pass holds already
    while True:
        pending = _choose(logits, grammars, states, want)
        pending, fed = [p[fed:] for p in pending], 0
        if all(s.done for s in states):
            break
        want = [1] * n
        for i, (g, s) in enumerate(zip(grammars, states, strict=True)):
            if parallel and g.n_values and s.verb and not s.args and not s.done:
                pending[i] = pending[i] + [PLACEHOLDER] * (g.n_values - 1)
                want[i] = g.n_values
            elif placeholders and g.n_values:
                pending[i] = [PLACEHOLDER if g.is_value(t) else t for t in pending[i]]
        width = max(len(p) for p in pending)
        ids = torch.full((n, width), PAD, dtype=torch.long)
        new_mask = torch.zeros((n, width), dtype=torch.long, device=device)
        for i, p in enumerate(pending):
            if p:
                ids[i, width - len(p) :] = torch.tensor(p)
                new_mask[i, width - len(p) :] = 1
        positions = (next_pos[:, None] + new_mask.cumsum(-1) - 1).clamp(min=0)
        mask = torch.cat([mask, new_mask], dim=1)
        # what the prefix pass left for the steps, and the slots of the placeholders fed now
        slots = slots_fed.feed(ids) if slots_fed is not None else None
        memories = (out.copy_memory, out.point_memory, slots)
        logits = model.decode_step(ids.to(device), mask, positions, cache, max(want), *memories)
        next_pos = next_pos + new_mask.sum(-1)
    return [g.tokens(s) for g, s in zip(grammars, states, strict=True)]


def _forced_start(grammars: Sequence[ActionGrammar]) -> list[int]:
    """``[VERB]`` when every row's grammar allows one verb only and it is the same (a locator's
    ``drag``): it joins the prefix pass instead of costing a decode step of its own; else
    ``[]``."""
    first = {g.forced(g.start()) for g in grammars}
    if len(first) != 1:
        return []
    (verb,) = first
    return [] if verb is None else [verb]


def _chunk_suffix(grammars: Sequence[ActionGrammar]) -> list[int]:
    """``[VERB, PH * (N - 1)]`` when every row decodes the same robot space (its verb is then
    forced), else ``[]`` (the verb is chosen first and the placeholders follow it)."""
    spaces = {g.space for g in grammars}
    if len(spaces) != 1 or not grammars[0].n_values:
        return []
    g = grammars[0]
    return [g.tok.verb_id(g.verbs[0]), *[PLACEHOLDER] * (g.n_values - 1)]


def _choose(
    logits: torch.Tensor,
    grammars: Sequence[ActionGrammar],
    states: list[GrammarState],
    want: Sequence[int],
) -> list[list[int]]:
    """Pick each unfinished row's next tokens from its last ``want[i]`` logits (B, k, V), in
    order, each under the grammar; then any tokens the grammar forces after them.

    A row's positions are all scored at once under the mask of its first one; a position whose
    state allows another set is scored again under its own. A robot chunk's values share one
    mask, so its 56 choices cost one masked argmax instead of 56."""
    k = logits.shape[1]
    pending: list[list[int]] = [[] for _ in states]
    for i, (g, s) in enumerate(zip(grammars, states, strict=True)):
        if s.done:
            continue
        block = logits[i, k - want[i] :].float()  # (want[i], V)
        shared = g.allowed(s)
        best = block.masked_fill(~shared.to(block.device), float("-inf")).argmax(-1).tolist()
        mask = shared
        for j, token in enumerate(best):
            if mask is not shared:
                token = int(block[j].masked_fill(~mask.to(block.device), float("-inf")).argmax())
            pending[i].append(token)
            g.advance(s, token)
            while not s.done:  # the next state's mask, after any tokens it forces
                mask, forced = g.entry(s)
                if forced is None:
                    break
                pending[i].append(forced)
                g.advance(s, forced)
            if s.done:
                break
    return [[] if s.done else p for s, p in zip(states, pending, strict=True)]


class GrammarLogitsProcessor:
    """The same grammar for Hugging Face ``generate()`` (the reference decoder in benchmarks).

    ``input_ids`` seen by the processor are the generated tokens so far (the prefix is passed as
    ``inputs_embeds``); each row's state is replayed from them.
    """

    def __init__(self, grammars: Sequence[ActionGrammar], prompt_length: int = 0) -> None:
        self.grammars, self.prompt_length = list(grammars), prompt_length

    def __call__(self, input_ids: torch.Tensor, scores: torch.Tensor) -> torch.Tensor:
        masks = []
        for g, row in zip(self.grammars, input_ids[:, self.prompt_length :].tolist(), strict=True):
            s = g.start()
            for tok in row:
                if s.done:
                    break
                g.advance(s, tok)
            masks.append(g.allowed(s) if not s.done else g._eos)
        allowed = torch.stack(masks).to(scores.device)
        return scores.masked_fill(~allowed, float("-inf"))
