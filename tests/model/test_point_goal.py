"""``point_goal``: a second pointer, trained on where the motion ends, fused into the action
positions after the first. It starts as the model without it (so a checkpoint saved without
it fine-tunes from where it was), decodes the same in one pass and step by step (both
summaries reach every incremental step), learns from ``goal_points`` alone, and needs
``point_to_action``."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
import torch
from test_parallel_decoding import SPACES, chunk_policy, robot_batch

from vla import Policy
from vla.model import VLAConfig
from vla.model.decoding import ActionGrammar, constrained_decode

GOAL = {"point_loss": 1.0, "point_to_action": True, "point_goal": True}


def _perturb(model) -> None:
    """Make both fusions do something (they are the identity at initialisation)."""
    torch.manual_seed(0)
    for head in (model.pointed_action, model.goal_action):
        for p in head.fuse[-1].parameters():
            p.data.normal_(0.0, 0.5)


def test_a_checkpoint_without_it_loads_with_it_and_acts_the_same(tmp_path):
    policy = chunk_policy(0, 4, point_loss=1.0, point_to_action=True)
    for p in policy.model.pointed_action.fuse[-1].parameters():
        p.data.normal_(0.0, 0.5)  # a trained first pointer
    policy.save_pretrained(tmp_path)
    config = json.loads((tmp_path / "config.json").read_text())
    (tmp_path / "config.json").write_text(json.dumps({**config, "point_goal": True}))
    loaded = Policy.from_pretrained(tmp_path, device="cpu")
    assert loaded.model.config.point_goal and hasattr(loaded.model, "goal_action")
    batch = robot_batch(policy, np.random.default_rng(0), 3)
    with torch.no_grad():
        torch.testing.assert_close(loaded.model(**batch).logits, policy.model(**batch).logits)


@pytest.mark.parametrize("space", SPACES, ids=lambda s: s.action)
def test_one_pass_equals_step_by_step_and_the_goal_summary_is_used(space):
    policy = chunk_policy(1, 4, **GOAL)
    _perturb(policy.model)
    batch = robot_batch(policy, np.random.default_rng(1), 5)
    out = policy.model(**batch, use_cache=True, logits_to_keep=1)
    assert out.point_memory.shape == (5, 2 * policy.model.config._text.hidden_size)
    grammars = [ActionGrammar(policy.tokenizer, space)] * 5
    parallel = constrained_decode(policy.model, batch, grammars, parallel=True)
    stepwise = constrained_decode(policy.model, batch, grammars, parallel=False)
    assert parallel == stepwise
    with torch.no_grad():
        del policy.model.goal_action
    assert constrained_decode(policy.model, batch, grammars, parallel=True) != parallel


def test_goal_points_train_the_goal_pointer_and_add_their_loss():
    policy = chunk_policy(2, 4, **GOAL)
    model = policy.model
    batch = robot_batch(policy, np.random.default_rng(2), 2)
    labels = batch["input_ids"].clone()
    labels[:, :-3] = -100  # a loss on the last tokens: the query is before them
    batch["labels"] = labels
    plain = model(**batch).loss
    goals = torch.tensor([[0.2, 0.3], [0.8, 0.6]])
    with_goals = model(**batch, goal_points=goals)
    patches = (64 // model.config.vision_config.patch_size) ** 2
    assert float((with_goals.loss - plain).detach()) == pytest.approx(math.log(patches), rel=0.3)
    with_goals.loss.backward()
    assert model.goal_pointer.query.weight.grad.abs().sum() > 0
    first = model.target_pointer.query.weight.grad  # no target points: its loss is off
    assert first is None or float(first.abs().sum()) == 0.0


def test_it_needs_point_to_action():
    with pytest.raises(ValueError, match="point_goal without point_to_action"):
        VLAConfig.from_preset("vla-tiny", point_loss=1.0, point_goal=True)
    with pytest.raises(ValueError, match="must be a bool"):
        VLAConfig.from_preset("vla-tiny", point_to_action=True, point_goal="yes")
