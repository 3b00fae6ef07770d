"""The episode's previous actions in the prompt (``action_history``, issue 13): where their
tokens go, that they survive saving, and that a tiny model uses them to tell apart two steps
whose screens are the same (the first and second button of a sequence)."""

from __future__ import annotations

import numpy as np
import torch
from vla_model_helpers import tiny_overrides

from vla import Policy
from vla.actions import Click, Key, Type, UISpace
from vla.model import VLAAutoProcessor, VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.tokenization_vla import BOS, SEP


def history_policy(k: int, seed: int = 0) -> Policy:
    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset("vla-tiny", **{**tiny_overrides(), "action_history": k})
    return Policy(VLAForActionPrediction(cfg), VLAProcessor.from_config(cfg), device="cpu")


def test_the_last_k_actions_follow_the_instruction_as_action_tokens(tmp_path):
    policy = history_policy(2)
    proc, tok = policy.processor, policy.processor.tokenizer
    past = [Click(1, 2), Type("bob"), Click(30, 40)]
    size = (160, 210)
    ids = proc.prompt_ids("log in", past, size)
    body = tok.encode_text("log in", proc.max_instruction_bytes)
    want = [BOS, *body, *tok.encode(Type("bob"), size), *tok.encode(Click(30, 40), size), SEP]
    assert ids == want
    assert proc.prompt_ids("log in", [], size) == [BOS, *body, SEP]
    # coordinates are normalised by the image's size, as the targets are
    assert proc.prompt_ids("x", [Click(80, 105)], (160, 210)) == proc.prompt_ids(
        "x", [Click(40, 52.5)], (80, 105)
    )
    # a model without history ignores it; the setting survives saving, also through the
    # transformers-style processor
    assert history_policy(0).processor.prompt_ids("log in", past, size) == [BOS, *body, SEP]
    proc.save_pretrained(tmp_path)
    assert VLAProcessor.from_pretrained(tmp_path).action_history == 2
    assert VLAAutoProcessor.from_pretrained(tmp_path).processor.action_history == 2
    batch = proc([np.zeros((210, 160, 3), np.uint8)] * 2, ["log in"] * 2, histories=[past, None])
    assert batch["input_ids"].shape[1] == len(want)  # row 0 is the longest; row 1 left-padded


def test_a_policy_acts_with_and_without_a_history():
    policy = history_policy(3, seed=1)
    image = np.random.default_rng(0).integers(0, 256, (50, 40, 3), dtype=np.uint8)
    space = UISpace()
    a = policy.act(image, "press enter", space=space)
    b = policy.act(image, "press enter", space=space, history=[])
    assert a == b
    policy.act(image, "press enter", space=space, history=[Key("Enter"), Click(3, 4)])
    got = policy.act_batch([image] * 2, ["x", "x"], histories=[[Click(1, 1)], None])
    assert len(got) == 2 and policy.action_history == 3
    # the server serves it and tells clients to send the history (tests/serving)
    from vla.serving.server import PolicyServer, ServeConfig

    assert PolicyServer(policy, ServeConfig(policy="tiny")).metadata["action_history"] == 3


def _sequence_batch(rng: np.random.Generator, n: int):
    """'click ONE, then TWO' on a screen that does not change when ONE is clicked: step 0
    clicks ONE, step 1 (after ONE) clicks TWO. Only the history tells them apart."""
    image = np.full((32, 32, 3), 200, np.uint8)
    image[4:10, 4:10] = 0  # ONE
    image[22:28, 22:28] = 90  # TWO
    one, two = Click(7, 7), Click(25, 25)
    steps = rng.integers(0, 2, n)
    histories = [[] if s == 0 else [one] for s in steps]
    actions = [one if s == 0 else two for s in steps]
    return [image] * n, ["click ONE, then TWO"] * n, histories, actions


def _train(policy: Policy, steps: int) -> float:
    """Train on sequence batches; the share of 200 fresh steps it then clicks right."""
    rng = np.random.default_rng(0)
    model = policy.model.train()
    opt = torch.optim.AdamW(model.parameters(), lr=3e-3)
    for _ in range(steps):
        images, texts, histories, actions = _sequence_batch(rng, 16)
        batch = policy.processor(images, texts, actions=actions, histories=histories)
        batch.pop("image_sizes")
        loss = model(**batch).loss
        opt.zero_grad()
        loss.backward()
        opt.step()
    model.eval()
    images, texts, histories, actions = _sequence_batch(np.random.default_rng(1), 200)
    got = policy.act_batch(images, texts, histories=histories)
    right = [
        isinstance(g, Click) and (g.x < 16) == (a.x < 16) for g, a in zip(got, actions, strict=True)
    ]
    return float(np.mean(right))


def test_a_tiny_model_tells_two_identical_screens_apart_by_its_history():
    with_history = _train(history_policy(1, seed=2), steps=120)
    without = _train(history_policy(0, seed=2), steps=120)
    assert with_history >= 0.95
    assert without <= 0.65  # the same screen and words: at best the more frequent step
