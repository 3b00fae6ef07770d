"""Copying from the instruction (``copy_instruction``, issue 13): the mixed distribution is a
distribution, incremental decoding gives what the full pass gives, and a tiny model that can
copy types words it never saw in training."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_model_helpers import tiny_overrides

from vla import Policy
from vla.actions import Click, Type, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.decoding import ActionGrammar, constrained_decode

LETTERS = np.array(list("abcdefghijklmnopqrstuvwxyz"))
MAX_STEPS = 800  # a bound: training stops once a batch is typed right


def copy_model(seed: int = 0, copy: bool = True, **overrides) -> tuple[Policy, VLAConfig]:
    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        **{**tiny_overrides(), "max_text_bytes": 12, "copy_instruction": copy, **overrides},
    )
    return Policy(VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg), device="cpu"), cfg


def words(rng: np.random.Generator, n: int) -> list[str]:
    return ["".join(rng.choice(LETTERS, int(rng.integers(3, 9)))) for _ in range(n)]


def type_batch(policy: Policy, rng: np.random.Generator, chosen: list[str]):
    images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in chosen]
    pads = [" " * int(rng.integers(0, 6)) for _ in chosen]  # the word moves in the prompt
    texts = [f"{p}Enter {w!r} into the box." for p, w in zip(pads, chosen, strict=True)]
    return images, texts, [Type(w) for w in chosen]


def test_the_mixed_distribution_sums_to_one_and_the_loss_reaches_the_copy_head():
    policy, _ = copy_model()
    rng = np.random.default_rng(0)
    images, texts, actions = type_batch(policy, rng, words(rng, 4))
    actions[1] = Click(3.0, 4.0)  # a row whose target copies nothing
    batch = policy.processor(images, texts, actions=actions)
    batch.pop("image_sizes")
    out = policy.model(**batch)
    total = out.logits.exp().sum(-1)
    assert torch.allclose(total, torch.ones_like(total), atol=1e-4)
    out.loss.backward()
    copy = policy.model.instruction_copy
    assert all(p.grad is not None and p.grad.abs().sum() > 0 for p in copy.parameters())


def test_incremental_decoding_equals_the_full_pass():
    """decode_step with the prefix's copy memory gives the logits the teacher-forced pass gives
    at the same positions, so training and decoding see one model."""
    policy, _ = copy_model(seed=1, text_initializer_range=0.2)
    rng = np.random.default_rng(1)
    model = policy.model.eval()
    for image, text, action in zip(*type_batch(policy, rng, words(rng, 3)), strict=True):
        want, out, n, ids = full_and_prefix(policy, image, text, action)
        torch.testing.assert_close(out.logits[0, -1], want[n - 1], atol=1e-5, rtol=1e-4)
        k = ids.shape[1]
        mask = torch.cat([out.attention_mask.long(), torch.ones_like(ids)], dim=1)
        positions = out.attention_mask.sum(-1, keepdim=True) + torch.arange(k)
        with torch.no_grad():
            got = model.decode_step(ids, mask, positions, out.cache, k, out.copy_memory)
        torch.testing.assert_close(got[0], want[n:], atol=1e-5, rtol=1e-4)
    with pytest.raises(ValueError, match="copy_memory"):
        model.decode_step(ids, mask, positions, out.cache, 1)
    prompt = policy.processor([image], [text])
    prompt.pop("image_sizes")
    with pytest.raises(ValueError, match="constrained_decode"):
        model.generate(**prompt)


def full_and_prefix(policy: Policy, image, text: str, action):
    """``(want, out, n, ids)``: the teacher-forced logits (T, V) of the whole sample, the prefix
    pass ``out`` (with its cache and copy memory), the prefix length ``n`` and the action's
    tokens (1, T - n) that follow it."""
    full = policy.processor([image], [text], actions=[action])
    prompt = policy.processor([image], [text])
    for b in (full, prompt):
        b.pop("image_sizes")
        b.pop("labels", None)
    with torch.no_grad():
        want = policy.model(**full).logits[0]  # (T, V)
        out = policy.model(**prompt, use_cache=True, logits_to_keep=1)
    n = prompt["input_ids"].shape[1]
    return want, out, n, full["input_ids"][:, n:]


def train_typing(copy: bool, max_steps: int = MAX_STEPS, seed: int = 0) -> tuple[float, int]:
    """Train on random words until a training batch of new words is typed exactly (at most
    ``max_steps``); return the exact-match rate on unseen words and the steps taken."""
    policy, _ = copy_model(seed=seed, copy=copy)
    rng = np.random.default_rng(seed)
    model = policy.model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    step = 0
    while step < max_steps:
        images, texts, actions = type_batch(policy, rng, words(rng, 32))
        batch = policy.processor(images, texts, actions=actions)
        batch.pop("image_sizes")
        out = model(**batch)
        target = batch["labels"][:, 1:]
        keep = target != -100
        if (out.logits[:, :-1].argmax(-1)[keep] == target[keep]).all():
            break
        out.loss.backward()
        opt.step()
        opt.zero_grad(set_to_none=True)
        step += 1
    model.eval()
    test_rng = np.random.default_rng(10_000 + seed)
    unseen = words(test_rng, 40)
    images, texts, _ = type_batch(policy, test_rng, unseen)
    batch = policy.processor(images, texts)
    batch.pop("image_sizes")
    grammars = [ActionGrammar(policy.tokenizer, UISpace())] * len(unseen)
    with torch.no_grad():
        tokens = constrained_decode(model, batch, grammars)
    typed = [policy.tokenizer.decode(t, (32, 32)) for t in tokens]
    hits = sum(isinstance(a, Type) and a.text == w for a, w in zip(typed, unseen, strict=True))
    return hits / len(unseen), step


@pytest.mark.slow
def test_a_model_that_copies_types_words_it_never_saw():
    """Training stops once a batch of 32 new words is typed exactly; the words
    of the check were never in training. (Without the head the same model is at ~30% token
    accuracy after 300 steps: docs/model.md.)"""
    rate, steps = train_typing(copy=True)
    assert steps < MAX_STEPS, f"not learned in {MAX_STEPS} steps"
    assert rate >= 0.85, f"typed {rate:.0%} of 40 unseen words exactly (after {steps} steps)"
