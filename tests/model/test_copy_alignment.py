"""Copying with the place kept (``copy_alignment``, issue 13): the match lengths follow the
typed text through the instruction, a full pass and incremental decoding see the same
features, and a small model types words whose letters repeat."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_copy_instruction import copy_model, full_and_prefix, type_batch

from vla.model import VLAForActionPrediction
from vla.model.copy_alignment import match_lengths
from vla.model.copy_vla import InstructionCopy
from vla.model.vision_vla import instruction_bytes
from vla.model.vocabulary_vla import BOS, BYTE_OFFSET, SEP


def _bytes(text: str) -> list[int]:
    return [BYTE_OFFSET + b for b in text.encode()]


def test_match_lengths_follow_the_typed_text_through_the_instruction():
    type_verb = 264  # the first verb id: any non-byte token after SEP resets the lengths
    ids = torch.tensor([[0, BOS, *_bytes("xabcab"), SEP, type_verb, *_bytes("ab")]])
    mask = (ids != 0).long()
    match = match_lengths(ids, instruction_bytes(ids, mask))[0]  # (T, T)
    assert match[:10].eq(0).all()  # the prompt, SEP and the verb
    after_a, after_ab = match[-2].tolist(), match[-1].tolist()
    # prefix positions: 1 BOS, 2..7 "xabcab", 8 SEP; "a" is at 3 and 6, "ab" ends at 4 and 7
    assert [i for i, m in enumerate(after_a) if m] == [4, 7] and max(after_a) == 1
    assert [i for i, m in enumerate(after_ab) if m] == [5, 8] and max(after_ab) == 2


def test_with_copy_case_typed_capitals_match_the_instructions_letters():
    ids = torch.tensor([[0, BOS, *_bytes("xabcab"), SEP, 264, *_bytes("AB")]])
    source = instruction_bytes(ids, (ids != 0).long())
    assert match_lengths(ids, source)[0, -1].max() == 0  # as they are: no match
    fold = InstructionCopy(8, alignment=True, case=True).fold
    after_ab = match_lengths(fold(ids), source)[0, -1].tolist()
    assert [i for i, m in enumerate(after_ab) if m] == [5, 8] and max(after_ab) == 2


def test_the_case_copy_moves_the_copied_mass_onto_the_cased_letters():
    policy, _ = copy_model(seed=3, copy_case=True)
    model = policy.model.eval()
    copy = model.instruction_copy
    torch.nn.init.constant_(copy.gate.bias, -30.0)  # everything from the copy
    torch.nn.init.zeros_(copy.gate.weight)
    copy.case.bias.data = torch.tensor([-30.0, 30.0, -30.0])  # all of it upper-cased
    batch = policy.processor([np.zeros((32, 32, 3), np.uint8)], ["Type 'abc' now."])
    batch.pop("image_sizes")
    with torch.no_grad():
        probs = model(**batch, logits_to_keep=1).logits[0, -1].exp()  # (V,)
    lower = [BYTE_OFFSET + c for c in range(ord("a"), ord("z") + 1)]
    upper = [BYTE_OFFSET + c for c in range(ord("A"), ord("Z") + 1)]
    assert float(probs.sum()) == pytest.approx(1.0, abs=1e-4)
    assert float(probs[lower].sum()) < 1e-6 < float(probs[upper].sum())
    present = {BYTE_OFFSET + ord(c) for c in "TYPEABCNOW"}
    assert all(float(probs[t]) < 1e-6 or t in present for t in upper)  # only its letters


@pytest.mark.parametrize("one_at_a_time", [False, True])
@pytest.mark.parametrize("case", [False, True])
def test_incremental_decoding_sees_the_features_the_full_pass_sees(one_at_a_time, case):
    policy, _ = copy_model(seed=2, copy_alignment=True, copy_case=case, text_initializer_range=0.2)
    model = policy.model.eval()
    for param in model.instruction_copy.alignment.parameters():
        torch.nn.init.normal_(param, std=0.5)  # zero-initialised parts would test nothing
    if case:
        torch.nn.init.normal_(model.instruction_copy.case.weight, std=0.5)
    rng = np.random.default_rng(2)
    for image, text, action in zip(*type_batch(policy, rng, ["abAB", "aaaa", "xyzx"]), strict=True):
        want, out, n, ids = full_and_prefix(policy, image, text, action)
        chunks = ids.split(1, dim=1) if one_at_a_time else [ids]
        mask, got, longest = out.attention_mask.long(), [], 0
        for chunk in chunks:
            k = chunk.shape[1]
            positions = mask.sum(-1, keepdim=True) + torch.arange(k)
            mask = torch.cat([mask, torch.ones_like(chunk)], dim=1)
            with torch.no_grad():
                got.append(model.decode_step(chunk, mask, positions, out.cache, k, out.copy_memory))
            longest = max(longest, int(out.copy_memory.match.max()))
        torch.testing.assert_close(torch.cat(got, 1)[0], want[n:], atol=1e-5, rtol=1e-4)
        if one_at_a_time:  # the state was carried from step to step (EOS then reset it)
            assert longest == len(action.text)


@pytest.mark.parametrize("name", ["copy_alignment", "copy_case"])
def test_alignment_and_case_need_the_copy_head(name):
    from vla.model import VLAConfig

    with pytest.raises(ValueError, match=f"{name} without copy_instruction"):
        VLAConfig.from_preset("vla-tiny", **{name: True})


def test_a_new_case_copy_starts_keeping_the_case():
    """The mix is set after the model's weight initialisation (which would overwrite it)."""
    _, cfg = copy_model(copy_case=True)
    case = VLAForActionPrediction(cfg).instruction_copy.case
    assert case.weight.abs().sum() == 0
    assert float(case.bias.softmax(-1)[0]) > 0.95


def test_a_case_copy_added_to_a_saved_model_starts_keeping_the_case(tmp_path):
    """``from_pretrained`` initialises what the checkpoint lacks with transformers' init; the
    identity start must survive that, and what the checkpoint has must not be touched."""
    policy, cfg = copy_model(seed=4, copy_alignment=True)
    policy.model.save_pretrained(tmp_path)
    cfg.copy_case = True
    cfg.save_pretrained(tmp_path)
    loaded = VLAForActionPrediction.from_pretrained(tmp_path)
    case = loaded.instruction_copy.case
    assert case.weight.abs().sum() == 0
    assert float(case.bias.softmax(-1)[0]) > 0.95
    saved = policy.model.state_dict()
    for key, value in loaded.state_dict().items():
        if ".case." not in key:
            assert torch.equal(value, saved[key]), key
