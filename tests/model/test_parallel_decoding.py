"""Parallel decoding of robot action chunks (issue 14): one pass equals the placeholder-fed
decode one position at a time, every decode parses, and training sees what decoding sees."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_model_helpers import ROBOT_STATS, tiny_overrides

from vla import Policy
from vla.actions import EEDelta, JointTarget, RobotSpace, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.model.decoding import ActionGrammar, constrained_decode
from vla.model.parallel_decoding import ROBOT_VERB_IDS, placeholder_inputs, slot_indices
from vla.model.tokenization_vla import EOS, PLACEHOLDER

SPACES = (RobotSpace("ee_delta"), RobotSpace("joint_target", 7))


def chunk_policy(seed: int, chunk_size: int = 4, **overrides) -> Policy:
    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        **{**tiny_overrides(), "chunk_size": chunk_size, "parallel_decoding": True, **overrides},
        text_initializer_range=0.2,  # spread the logits: no near-ties between the two paths
    )
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(ROBOT_STATS)
    return Policy(VLAForActionPrediction(cfg), proc, device="cpu")


def robot_batch(policy: Policy, rng: np.random.Generator, n: int) -> dict[str, torch.Tensor]:
    """``n`` rows with instructions of different lengths (so the prompts are left-padded)."""
    images = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(n)]
    texts = ["reach the cube" + "!" * int(rng.integers(0, 30)) for _ in range(n)]
    states = [rng.normal(size=9).astype(np.float32) for _ in range(n)]
    batch = policy.processor(images, texts, states=states)
    batch.pop("image_sizes")
    assert (batch["attention_mask"] == 0).any()  # padding is really there
    return batch


@pytest.mark.parametrize("chunk_size", [1, 4, 8])
@pytest.mark.parametrize("value_slots", [0, 64])
def test_parallel_equals_placeholder_decoding_one_position_at_a_time(chunk_size, value_slots):
    rng = np.random.default_rng(chunk_size)
    seen: set[int] = set()
    for seed in range(3):  # random tiny models
        policy = chunk_policy(seed, chunk_size, value_slots=value_slots)
        for space in SPACES:
            batch = robot_batch(policy, rng, 6)
            grammars = [ActionGrammar(policy.tokenizer, space)] * 6
            parallel = constrained_decode(policy.model, batch, grammars, parallel=True)
            stepwise = constrained_decode(policy.model, batch, grammars, parallel=False)
            assert parallel == stepwise
            for tokens in parallel:
                assert len(tokens) == 2 + chunk_size * space.dims and tokens[-1] == EOS
                chunk = policy.tokenizer.decode_chunk(tokens, None, space)
                assert len(chunk) == chunk_size and all(a.verb == space.action for a in chunk)
                seen.update(tokens[1:-1])
    assert len(seen) > 20  # the random models choose many different bins


@pytest.mark.parametrize("value_slots", [0, 32])
def test_parallel_rows_decode_beside_ui_rows_in_one_batch(value_slots):
    # A mixed batch cannot fold the robot verb into the prefix pass: the robot rows read their
    # values off the step after the verb, the UI rows decode as before; each equals its row alone.
    policy = chunk_policy(3, 4, value_slots=value_slots)
    rng = np.random.default_rng(7)
    images = [rng.integers(0, 256, (64, 80, 3), dtype=np.uint8) for _ in range(6)]
    texts = [f"do thing {'x' * i}" for i in range(6)]
    states = [rng.normal(size=9).astype(np.float32) if i % 2 else None for i in range(6)]
    spaces = [SPACES[i % 4 // 2] if i % 2 else UISpace() for i in range(6)]
    together = policy.act_chunk_batch(images, texts, states, spaces)
    alone = [policy.act_chunk(*args) for args in zip(images, texts, states, spaces, strict=True)]
    assert together == alone
    assert all(len(c) == 4 for c, s in zip(together, spaces, strict=True) if s != UISpace())


def test_1000_parallel_decodes_all_parse():
    rng = np.random.default_rng(11)
    for seed, space in enumerate(SPACES * 2):
        policy = chunk_policy(10 + seed, 8)
        states = [rng.normal(size=9).astype(np.float32) for _ in range(125)]
        images = [rng.integers(0, 256, (32, 32, 3), dtype=np.uint8) for _ in range(125)]
        chunks = policy.act_chunk_batch(images, ["go"] * 125, states, [space] * 125)
        for chunk in chunks:
            assert len(chunk) == 8
            assert all(isinstance(a, (EEDelta, JointTarget)) and 0 <= a.gripper <= 1 for a in chunk)


@pytest.mark.parametrize("value_slots", [0, 32])
def test_training_feeds_the_placeholders_decoding_feeds(value_slots):
    # Teacher forcing on the decoded chunk: the forward pass's greedy value at every value
    # position is the decoded value, so training and decoding see the same inputs.
    policy = chunk_policy(5, 4, value_slots=value_slots)
    rng = np.random.default_rng(3)
    batch = robot_batch(policy, rng, 3)
    grammar = ActionGrammar(policy.tokenizer, SPACES[0])
    tokens = constrained_decode(policy.model, batch, [grammar] * 3)
    ids = torch.cat([batch["input_ids"], torch.tensor(tokens)], dim=1)
    mask = torch.cat([batch["attention_mask"], torch.ones(3, len(tokens[0]), dtype=torch.long)], 1)
    fed = placeholder_inputs(ids, policy.model.config)
    assert (fed[:, -len(tokens[0]) + 1 : -1] == PLACEHOLDER).all()
    assert (fed[:, : -len(tokens[0]) + 1] == ids[:, : -len(tokens[0]) + 1]).all()
    with torch.no_grad():
        out = policy.model(
            pixel_values=batch["pixel_values"],
            input_ids=ids,
            attention_mask=mask,
            states=batch["states"],
            state_mask=batch["state_mask"],
        )
    n = len(tokens[0]) - 2  # values
    logits = out.logits[:, -n - 2 : -2]  # positions VERB .. the last placeholder but one
    values = grammar._values
    best = logits.masked_fill(~values, float("-inf")).argmax(-1)
    assert best.tolist() == [t[1:-1] for t in tokens]


def test_parallel_needs_a_parallel_model():
    cfg = VLAConfig.from_preset("vla-tiny", **tiny_overrides())
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(ROBOT_STATS)
    policy = Policy(VLAForActionPrediction(cfg), proc, device="cpu")
    batch = robot_batch(policy, np.random.default_rng(0), 2)
    grammar = ActionGrammar(proc.tokenizer, SPACES[0])
    with pytest.raises(ValueError, match="parallel_decoding"):
        constrained_decode(policy.model, batch, [grammar] * 2, parallel=True)
    with pytest.raises(ValueError, match="parallel_decoding"):
        VLAConfig.from_preset("vla-tiny", parallel_decoding="yes")


def test_slots_count_the_placeholders_since_the_latest_robot_verb():
    verb, ph = ROBOT_VERB_IDS[0], PLACEHOLDER
    ids = torch.tensor([[5, ph, verb, 300, ph, ph, EOS, verb, ph, ph, ph]])
    assert slot_indices(ids).tolist() == [[-1, 0, -1, -1, 0, 1, -1, -1, 0, 1, 2]]


def test_value_slots_refuse_a_chunk_longer_than_they_are_and_need_parallel_decoding():
    policy = chunk_policy(0, 8, value_slots=8)  # ee_delta: 8 x 7 values need 55 slots
    batch = robot_batch(policy, np.random.default_rng(0), 2)
    grammar = ActionGrammar(policy.tokenizer, SPACES[0])
    with pytest.raises(ValueError, match="value_slots=8"):
        constrained_decode(policy.model, batch, [grammar] * 2)
    with pytest.raises(ValueError, match="value_slots without parallel_decoding"):
        VLAConfig.from_preset("vla-tiny", value_slots=8)
