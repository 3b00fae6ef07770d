"""Several camera views (issue 14): each view through the shared tower with a learned view
embedding, any subset of views per row (a missing view is masked), unknown names refused."""

from __future__ import annotations

import gymnasium as gym
import numpy as np
import pytest
import torch
from vla_model_helpers import tiny_overrides

import vla.envs  # noqa: F401  (registers the env ids)
from vla import Policy
from vla.actions import EEDelta, RobotSpace
from vla.evaluation import EvalConfig, evaluate
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.rollout import PolicyAgent, run_episode
from vla.rollout.agents import camera_kwargs

STATS = {
    "action.ee_delta": {"q01": [-0.03] * 6 + [0.0], "q99": [0.03] * 6 + [1.0]},
    "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
}
SPACE = RobotSpace("ee_delta")


def view_policy(views=("scene", "wrist"), seed: int = 0, cls=Policy, **overrides) -> Policy:
    torch.manual_seed(seed)
    cfg = VLAConfig.from_preset(
        "vla-tiny",
        **{**tiny_overrides(), "state_dim": 16, "view_names": list(views), **overrides},
        text_initializer_range=0.2,
    )
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(STATS)
    return cls(VLAForActionPrediction(cfg), proc, device="cpu")


def _obs(rng: np.random.Generator, size: int = 32):
    img = lambda: rng.integers(0, 256, (size, size, 3), dtype=np.uint8)  # noqa: E731
    return {"scene": img(), "wrist": img()}, rng.normal(size=14).astype(np.float32)


def test_views_are_concatenated_with_a_view_embedding():
    policy = view_policy()
    model, proc = policy.model, policy.processor
    views, state = _obs(np.random.default_rng(0))
    batch = proc([views["scene"]], ["reach"], states=[state], views=[views])
    assert batch["pixel_values"].shape == (1, 2, 3, 32, 32)
    assert batch["view_mask"].tolist() == [[True, True]]
    tokens, mask = model.encode_image_masked(batch["pixel_values"], view_mask=batch["view_mask"])
    per_view = model.encode_one_view(batch["pixel_values"][:, 1])[0]  # (1, P, D)
    p = per_view.shape[1]
    assert tokens.shape == (1, 2 * p, 32) and model.config.num_image_tokens == 2 * p
    torch.testing.assert_close(tokens[:, p:], per_view + model.view_embedding.weight[1])
    assert mask.all()


def test_a_missing_view_is_masked_and_its_pixels_change_nothing():
    policy = view_policy()
    views, state = _obs(np.random.default_rng(1))
    batch = policy.processor(
        [views["wrist"]], ["reach"], states=[state], views=[{"wrist": views["wrist"]}]
    )
    assert batch["view_mask"].tolist() == [[False, True]]
    model = policy.model
    with torch.no_grad():
        a = model(**{k: v for k, v in batch.items() if k != "image_sizes"}).logits
        noisy = dict(batch, pixel_values=batch["pixel_values"].clone())
        noisy["pixel_values"][:, 0] = torch.rand_like(noisy["pixel_values"][:, 0])
        b = model(**{k: v for k, v in noisy.items() if k != "image_sizes"}).logits
        seen = dict(noisy, view_mask=torch.ones_like(batch["view_mask"]))
        c = model(**{k: v for k, v in seen.items() if k != "image_sizes"}).logits
    torch.testing.assert_close(a, b)
    assert not torch.allclose(a, c)  # the view counts when it is there


def test_any_subset_of_views_batched_equals_one_by_one():
    policy = view_policy()
    rng = np.random.default_rng(2)
    obs = [_obs(rng) for _ in range(5)]
    subsets = [("scene", "wrist"), ("wrist",), ("scene",), ("wrist", "scene"), ("scene", "wrist")]
    views = [{k: v[k] for k in keys} for (v, _), keys in zip(obs, subsets, strict=True)]
    images, states = [v["scene"] for v, _ in obs], [s for _, s in obs]
    together = policy.act_batch(images, ["reach"] * 5, states, [SPACE] * 5, views=views)
    alone = [
        policy.act(i, "reach", s, SPACE, views=v)
        for i, s, v in zip(images, states, views, strict=True)
    ]
    assert together == alone and len(set(together)) > 1
    # views=None: `image` is the first view (scene), the wrist view is missing
    assert policy.act(images[2], "reach", states[2], SPACE) == alone[2]


def test_unknown_or_misshapen_views_are_refused():
    policy = view_policy()
    views, state = _obs(np.random.default_rng(3))
    with pytest.raises(
        ValueError, match=r"unknown view 'front'; known views: \['scene', 'wrist'\]"
    ):
        policy.act(views["scene"], "reach", state, views={"front": views["scene"]})
    with pytest.raises(ValueError, match="views must be a dict"):
        policy.act(views["scene"], "reach", state, views=[views])
    with pytest.raises(ValueError, match=r"views\[0\] is empty"):
        policy.act(views["scene"], "reach", state, views={})
    single = view_policy(views=())
    with pytest.raises(ValueError, match="unknown view 'wrist'; known views: none"):
        single.act(views["scene"], "reach", state, views={"wrist": views["wrist"]})
    with pytest.raises(ValueError, match="`view_names`"):
        VLAConfig.from_preset("vla-tiny", view_names=["a", "a"])
    with pytest.raises(ValueError, match="fixed resolution"):
        VLAConfig.from_preset(
            "vla-tiny", view_names=["a"], vision_patch_size=16, max_image_tokens=100
        )


def test_views_train_and_survive_save_and_load(tmp_path):
    policy = view_policy(seed=4)
    model, proc = policy.model.float().train(), policy.processor
    rng = np.random.default_rng(4)
    obs = [_obs(rng) for _ in range(3)]
    action = EEDelta((0.01, 0, -0.01), (0, 0, 0), 1.0)
    batch = proc(
        [v["scene"] for v, _ in obs], ["reach"] * 3, [s for _, s in obs], [action] * 3,
        views=[v for v, _ in obs],
    )  # fmt: skip
    batch.pop("image_sizes")
    model(**batch).loss.backward()
    assert model.view_embedding.weight.grad.abs().sum() > 0
    model.eval()
    policy.save_pretrained(tmp_path)
    loaded = Policy.from_pretrained(tmp_path, device="cpu")
    assert loaded.view_names == ("scene", "wrist")
    views, state = obs[0]
    assert loaded.act(views["scene"], "reach", state, views=views) == policy.act(
        views["scene"], "reach", state, views=views
    )


class Recording(Policy):
    seen: list

    def act(self, image, instruction, state=None, space=None, *, views=None):
        self.seen.append(None if views is None else sorted(views))
        return super().act(image, instruction, state, space, views=views)


def test_the_agent_hands_a_multi_camera_envs_views_to_the_policy():
    env = gym.make("vla/panda-reach-v0", image_size=32, cameras=["scene", "wrist", "front"])
    try:
        for names, expected in ((("wrist", "scene"), ["scene", "wrist"]), ((), None)):
            policy = view_policy(views=names, cls=Recording)
            policy.seen = []
            agent = PolicyAgent.for_env(policy, env.action_space)
            episode = run_episode(agent, env, seed=0, max_steps=3)
            assert episode.length == 3
            assert policy.seen == [expected] * 3  # `front` is not a view of the policy
    finally:
        env.close()


class BatchRecording(Policy):
    seen: list

    def act_batch(self, images, instructions, states=None, spaces=None, *, views=None, **kw):
        self.seen += [None if v is None else sorted(v) for v in views or [None] * len(images)]
        return super().act_batch(images, instructions, states, spaces, views=views, **kw)


def test_a_policy_with_camera_views_brings_its_cameras_to_the_env():
    """As a checkpoint names its chunk execution, one that reads views names its cameras: an
    env made for it without ``cameras`` renders them, at the model's input size."""
    policy = view_policy(views=("front", "wrist"), cls=BatchRecording)
    assert camera_kwargs(policy) == {"cameras": ["front", "wrist"], "image_size": 32}
    assert camera_kwargs(policy, {"seed_offset": 1})["cameras"] == ["front", "wrist"]
    assert camera_kwargs(policy, {"image_size": 64})["image_size"] == 64  # the caller's wins
    assert camera_kwargs(policy, {"camera": "wrist"}) == {"camera": "wrist"}
    assert camera_kwargs(view_policy(views=()), {"image_size": 64}) == {"image_size": 64}
    policy.seen = []
    cfg = EvalConfig(
        policy="in-memory", env_ids=["vla/panda-reach-v0"], episodes=1, max_steps=2, out=None
    )
    info = evaluate(cfg, policy=policy)
    assert policy.seen == [["front", "wrist"]] * 2  # without it: the front image alone
    assert info["env_kwargs"] == {"cameras": ["front", "wrist"], "image_size": 32}


def test_vla_run_gives_a_policy_with_camera_views_its_cameras():
    from vla.rollout import RunConfig, run_live

    policy = view_policy(views=("front", "wrist"), cls=BatchRecording)
    policy.seen = []
    cfg = RunConfig(policy="in-memory", env_id="vla/panda-reach-v0", max_steps=2, seed=0)
    episode = run_live(cfg, policy=policy)
    assert episode.length == 2 and policy.seen == [["front", "wrist"]] * 2


def test_replays_show_every_camera_the_policy_reads(tmp_path):
    """An evaluation's replay GIF and a live episode's frames hold the front and wrist views
    side by side (2 white columns apart), the front one leftmost."""
    policy = view_policy(views=("front", "wrist"))
    env = gym.make("vla/panda-reach-v0", image_size=32, cameras=["front", "wrist"])
    try:
        obs, _ = env.reset(seed=0)
        agent = PolicyAgent.for_env(policy, env.action_space)
        episode = run_episode(agent, env, seed=0, max_steps=1, keep_frames=True)
    finally:
        env.close()
    assert [f.shape for f in episode.frames] == [(32, 66, 3)] * 2
    assert (episode.frames[0][:, :32] == obs["images"]["front"]).all()
    assert (episode.frames[0][:, 34:] == obs["images"]["wrist"]).all()
    cfg = EvalConfig(
        policy="in-memory", env_ids=["vla/panda-reach-v0"], episodes=1, max_steps=2,
        out=str(tmp_path), replays=1,
    )  # fmt: skip
    evaluate(cfg, policy=policy)
    (replay,) = (tmp_path / "replays").glob("*.gif")
    from PIL import Image

    assert Image.open(replay).size[0] == 66 * 8  # upscaled to >= 256 px
