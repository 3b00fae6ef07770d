"""``point_to_action``: where the model points (and the state) is fused into the action
positions. It starts as the model without it, decodes the same in one pass and step by step
(the prefix's summary reaches every incremental step), trains its pointer through the action
loss, and survives save / load."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from test_parallel_decoding import SPACES, chunk_policy, robot_batch

from vla import Policy
from vla.actions import EEDelta
from vla.model import VLAConfig, VLAForActionPrediction
from vla.model.decoding import ActionGrammar, constrained_decode
from vla.model.grounding_vla import patch_centres


def _perturb(model: VLAForActionPrediction) -> None:
    """Make the fusion do something (it is the identity at initialisation)."""
    torch.manual_seed(0)
    for p in model.pointed_action.fuse[-1].parameters():
        p.data.normal_(0.0, 0.5)


def test_it_starts_as_the_model_without_it():
    policy = chunk_policy(0, 4, point_to_action=True)
    batch = robot_batch(policy, np.random.default_rng(0), 4)
    with torch.no_grad():
        fused = policy.model(**batch).logits
        del policy.model.pointed_action  # the plain LM head on the same weights
        plain = policy.model(**batch).logits
    torch.testing.assert_close(fused, plain)


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.action)
def test_one_pass_equals_step_by_step_and_the_summary_is_needed(space):
    policy = chunk_policy(1, 4, point_to_action=True)
    _perturb(policy.model)
    batch = robot_batch(policy, np.random.default_rng(1), 5)
    grammars = [ActionGrammar(policy.tokenizer, space)] * 5
    parallel = constrained_decode(policy.model, batch, grammars, parallel=True)
    stepwise = constrained_decode(policy.model, batch, grammars, parallel=False)
    assert parallel == stepwise
    with torch.no_grad():  # and the fusion changes what is decoded
        del policy.model.pointed_action
    assert constrained_decode(policy.model, batch, grammars, parallel=True) != parallel


def test_decode_step_refuses_to_run_without_the_prefix_summary():
    policy = chunk_policy(2, 1, point_to_action=True)
    batch = robot_batch(policy, np.random.default_rng(2), 2)
    out = policy.model(**batch, use_cache=True, logits_to_keep=1)
    assert out.point_memory is not None and out.point_memory.shape[0] == 2
    ids = torch.full((2, 1), 5)
    mask = torch.cat([out.attention_mask, torch.ones(2, 1, dtype=out.attention_mask.dtype)], 1)
    positions = out.attention_mask.sum(-1, keepdim=True)
    with pytest.raises(ValueError, match="point_memory"):
        policy.model.decode_step(ids, mask, positions, out.cache, 1)


def test_the_action_loss_trains_the_pointer_and_the_fusion():
    policy = chunk_policy(3, 4, point_to_action=True)
    model = policy.model
    _perturb(model)
    rng = np.random.default_rng(3)
    chunks = [[EEDelta(tuple(rng.uniform(-0.04, 0.04, 3))) for _ in range(4)] for _ in range(3)]
    images = [rng.integers(0, 256, (64, 64, 3), dtype=np.uint8) for _ in range(3)]
    states = [rng.normal(size=9).astype(np.float32) for _ in range(3)]
    batch = policy.processor(images, ["reach the red cube"] * 3, states=states, actions=chunks)
    batch.pop("image_sizes")
    model(**batch).loss.backward()
    for part in (model.target_pointer.query, model.pointed_action.summary[0]):
        assert part.weight.grad is not None and part.weight.grad.abs().sum() > 0


def test_patch_centres_are_row_major_fractions():
    centres = patch_centres(4)
    assert centres.tolist() == [[0.25, 0.25], [0.75, 0.25], [0.25, 0.75], [0.75, 0.75]]


def test_it_survives_save_and_load(tmp_path):
    policy = chunk_policy(4, 4, point_to_action=True)
    _perturb(policy.model)
    policy.save_pretrained(tmp_path)
    loaded = Policy.from_pretrained(tmp_path, device="cpu")
    assert loaded.model.config.point_to_action
    batch = robot_batch(policy, np.random.default_rng(4), 2)
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(**batch).logits, policy.model(**batch).logits)


def test_it_is_refused_at_native_resolution():
    with pytest.raises(ValueError, match="fixed-resolution"):
        VLAConfig.from_preset("vla-tiny", point_to_action=True, max_image_tokens=64)
