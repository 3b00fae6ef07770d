"""Executing action chunks in ``vla/panda-reach-v0`` with a real tiny chunked policy (issue 14):
receding horizon executes the first m of every k and re-plans; temporal ensembling executes ACT's
weighted mean of every chunk's prediction for the step."""

from __future__ import annotations

import math

import gymnasium as gym
import numpy as np
import pytest
import torch

import vla.envs  # noqa: F401  (registers the env ids)
from vla import Policy
from vla.actions import Click, EEDelta, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.rollout import PolicyAgent, run_episode
from vla.rollout.chunk_execution import ChunkExecution

CHUNK = 4
STATS = {
    "action.ee_delta": {"q01": [-0.03] * 6 + [0.0], "q99": [0.03] * 6 + [1.0]},
    "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
}


class Recording(Policy):
    """The real policy, keeping every chunk it returned."""

    chunks: list[list[EEDelta]]

    def act_chunk(self, *args, **kwargs):
        chunk = super().act_chunk(*args, **kwargs)
        self.chunks.append(chunk)
        return chunk


@pytest.fixture(scope="module")
def policy() -> Recording:
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        vision_image_size=32,
        vision_hidden_size=32,
        vision_intermediate_size=64,
        text_hidden_size=32,
        text_intermediate_size=64,
        state_dim=16,
        chunk_size=CHUNK,
        parallel_decoding=True,
        text_initializer_range=0.2,
    )
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(STATS)
    return Recording(VLAForActionPrediction(cfg), proc, device="cpu")


@pytest.fixture(scope="module")
def env():
    env = gym.make("vla/panda-reach-v0", image_size=32)
    yield env
    env.close()


def _run(agent: PolicyAgent, env, policy: Recording, steps: int, seed: int = 0) -> list[EEDelta]:
    policy.chunks = []
    executed: list = []
    run_episode(agent, env, seed=seed, max_steps=steps, on_step=lambda s: executed.append(s.action))
    return executed


@pytest.mark.parametrize("horizon", [1, 2, CHUNK])
def test_receding_horizon_executes_the_first_m_of_each_chunk(policy, env, horizon):
    agent = PolicyAgent.for_env(policy, env.action_space, ChunkExecution("receding", horizon))
    executed = _run(agent, env, policy, steps=10)
    assert len(executed) == 10
    assert agent.queries == len(policy.chunks) == math.ceil(10 / horizon)
    planned = [a for chunk in policy.chunks for a in chunk[:horizon]]
    assert executed == planned[:10]
    assert len({a.vector for a in executed}) > 1  # the random policy really moves


def test_temporal_ensembling_executes_acts_weighted_mean(policy, env):
    decay = 0.5
    agent = PolicyAgent.for_env(policy, env.action_space, ChunkExecution("ensemble", decay=decay))
    executed = _run(agent, env, policy, steps=9)
    assert agent.queries == len(policy.chunks) == 9
    for t, action in enumerate(executed):
        # predictions for step t, oldest first: chunk t0 predicts step t at index t - t0
        preds = [
            np.array(policy.chunks[t0][t - t0].vector) for t0 in range(t + 1) if t - t0 < CHUNK
        ]
        assert len(preds) == min(t + 1, CHUNK)
        w = np.exp(-decay * np.arange(len(preds)))
        expected = (w[:, None] * np.stack(preds)).sum(0) / w.sum()
        np.testing.assert_allclose(action.vector, expected, atol=1e-9)
        assert action.vector != policy.chunks[t][0].vector or t == 0


def test_reset_forgets_the_chunks_of_the_last_episode(policy, env):
    agent = PolicyAgent.for_env(policy, env.action_space, ChunkExecution("receding", 3))
    _run(agent, env, policy, steps=2)  # stops with one action of the chunk left
    executed = _run(agent, env, policy, steps=2, seed=1)
    assert executed == policy.chunks[0][:2]  # a fresh chunk for the new episode


def test_first_executes_the_head_of_every_chunk(policy, env):
    agent = PolicyAgent.for_env(policy, env.action_space, ChunkExecution("first"))
    executed = _run(agent, env, policy, steps=4)
    assert executed == [c[0] for c in policy.chunks] and agent.queries == 4


def test_chunk_execution_refuses_what_it_cannot_do(policy, env):
    too_long = ChunkExecution("receding", CHUNK + 1)
    with pytest.raises(ValueError, match=r"at least 5 actions; this policy's chunks have 4"):
        PolicyAgent.for_env(policy, env.action_space, too_long)  # refused before any step

    class Remote:  # a policy that does not say its chunk size (e.g. a policy server's client)
        def act_chunk(self, *args, **kwargs):
            return policy.act_chunk(*args, **kwargs)

    agent = PolicyAgent.for_env(Remote(), env.action_space, too_long)
    with pytest.raises(ValueError, match="exceeds the policy's chunk of 4"):
        _run(agent, env, policy, steps=2)  # the first chunk shows it
    ui = PolicyAgent(policy, UISpace(("click",)), ChunkExecution("ensemble"))
    image = np.zeros((32, 32, 3), np.uint8)
    ui.reset()
    with pytest.raises(ValueError, match=r"averages robot actions.*Click"):
        ui.act({"image": image, "instruction": "click"}, {})

    class NoChunks:
        def act(self, image, instruction, state=None, space=None):
            return Click(0, 0)

        def act_batch(self, images, instructions, states=None, spaces=None):
            return [Click(0, 0)] * len(images)

    with pytest.raises(ValueError, match="needs a policy with act_chunk"):
        PolicyAgent(NoChunks(), None, ChunkExecution("receding", 2))
    for bad, field in (
        ({"mode": "avg"}, "mode"),
        ({"horizon": 0}, "horizon"),
        ({"decay": -1}, "decay"),
    ):
        with pytest.raises(ValueError, match=f"`{field}`"):
            ChunkExecution(**bad)


@pytest.mark.parametrize("execution", [ChunkExecution("receding", 3), ChunkExecution("ensemble")])
def test_the_vectorised_loop_executes_each_copys_chunks_as_one_episode_would(policy, execution):
    """`vla eval`'s loop: two env copies, three seeds (one copy restarts mid-run, which must
    clear its chunks); every episode executes what the single-episode loop executes."""
    from functools import partial

    from vla.rollout.vector import run_episodes

    seeds, steps = [0, 1, 2], 5
    result = run_episodes(
        partial(PolicyAgent.for_env, policy, execution=execution),
        "vla/panda-reach-v0",
        seeds,
        workers=2,
        env_kwargs={"image_size": 32},
        max_steps=steps,
        replays=0,
    )
    env = gym.make("vla/panda-reach-v0", image_size=32)
    try:
        for episode in result.episodes:
            agent = PolicyAgent.for_env(policy, env.action_space, execution)
            single = _run(agent, env, policy, steps=steps, seed=episode.seed)
            assert [a.vector for a in episode.actions] == [a.vector for a in single]
    finally:
        env.close()


def test_evaluate_executes_chunks_as_configured(policy):
    """`vla eval --execution receding:2`: each copy asks for a chunk every second step only."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.rollout.chunk_execution import parse_execution

    class Counting(Recording):
        rows = 0

        def act_chunk_batch(self, images, *args, **kwargs):
            Counting.rows += len(images)
            return super().act_chunk_batch(images, *args, **kwargs)

    counting = Counting(policy.model, policy.processor, device="cpu")
    asked = {}
    for text in ("receding:2", None):
        Counting.rows = 0
        cfg = EvalConfig(
            policy="tiny", env_ids=["vla/panda-reach-v0"], episodes=2, workers=2, max_steps=4,
            out=None, env_kwargs={"image_size": 32}, progress=False, allow_seed_overlap=True,
            execution=parse_execution(text) if text else None,
        )  # fmt: skip
        evaluate(cfg, policy=counting)
        asked[text] = Counting.rows
    assert asked == {"receding:2": 4, None: 8}  # 2 episodes x 4 steps, a chunk per 2 or per 1


@pytest.mark.parametrize("text", ["receding", "receding:x", "avg", "first:2", "ensemble:-1"])
def test_a_bad_execution_flag_names_the_accepted_forms(text):
    from vla.rollout.chunk_execution import parse_execution

    with pytest.raises(ValueError, match="receding:H"):
        parse_execution(text)


def test_a_checkpoint_that_names_its_execution_runs_its_chunks_that_way(policy, tmp_path):
    """`VLAConfig.execution` (written by the recipe when shipping) is what `vla run`, `vla demo`
    and `vla eval` use when no --execution is given; an explicit one still wins."""
    from vla.evaluation import EvalConfig, evaluate
    from vla.rollout.chunk_execution import parse_execution

    policy.model.config.execution = "receding:2"
    try:
        saved = Recording.from_pretrained(policy.save_pretrained(tmp_path / "ckpt"), device="cpu")
    finally:
        policy.model.config.execution = None
    assert saved.execution == "receding:2" and policy.execution is None
    assert PolicyAgent(saved).execution == ChunkExecution("receding", 2)
    assert PolicyAgent(policy).execution is None
    every_step = parse_execution("first")
    assert PolicyAgent(saved, None, every_step).execution == every_step

    cfg = EvalConfig(
        policy="saved", env_ids=["vla/panda-reach-v0"], episodes=1, max_steps=4, out=None,
        env_kwargs={"image_size": 32}, progress=False, allow_seed_overlap=True,
    )  # fmt: skip
    rows = []
    batch = saved.act_chunk_batch
    saved.act_chunk_batch = lambda images, *a, **k: (
        rows.append(len(images)) or batch(images, *a, **k)
    )
    info = evaluate(cfg, policy=saved)
    assert sum(rows) == 2  # 4 steps, a chunk per 2
    assert info["execution"] == {"mode": "receding", "horizon": 2, "decay": 0.01}

    saved.model.config.execution = "receding:x"
    with pytest.raises(ValueError, match=r"checkpoint.s `execution` in config\.json is invalid"):
        PolicyAgent(saved)
    with pytest.raises(ValueError, match="for `execution`; it must be None or a text"):
        VLAConfig(execution="")
