"""The shipped checkpoints load by name and act on one observation of their domain."""

from __future__ import annotations

import json

import pytest

from vla.actions import EEDelta, UISpace
from vla.policy import CHECKPOINTS_DIR

MAX_MB = 25.0
SHIPPED = ["vla-browser-tiny", "vla-robot-tiny", "vla-desktop-tiny"]


@pytest.mark.parametrize("name", SHIPPED)
def test_shipped_checkpoint_is_small_and_documented(name):
    folder = CHECKPOINTS_DIR / name
    # the desktop checkpoint holds its actor in actor/: everything under the folder counts
    size = sum(f.stat().st_size for f in folder.rglob("*") if f.is_file()) / 2**20
    assert size <= MAX_MB
    card = (folder / "README.md").read_text()
    assert "python -m vla.release.recipes " + name in card and "| task |" in card
    record = json.loads((folder / "training_data.json").read_text())
    info = json.loads((folder / "eval_info.json").read_text())
    assert info["seed_check"]["disjoint"] is True and record["env_ids"]


@pytest.mark.parametrize("name", SHIPPED)
def test_model_card_names_the_commands_its_recipe_runs_today(name):
    """The card's reproducing commands are the ones the card writer derives from the recipe now
    (so a moved module or a changed recipe shows up here until the card is regenerated)."""
    from vla.release.model_card import _commands
    from vla.release.recipes import RECIPES

    card = (CHECKPOINTS_DIR / name / "README.md").read_text()
    assert _commands(RECIPES[name]) in card


def _act_once_on_ui(policy, env_id):
    """One action of ``policy`` on the first observation of ``env_id``, executed."""
    import gymnasium as gym

    import vla.envs  # noqa: F401

    env = gym.make(env_id)
    try:
        obs, _ = env.reset(seed=123_456)
        action = policy.act(obs["image"], obs["instruction"], space=env.action_space.spec)
        assert action.verb in env.action_space.spec.verbs and env.action_space.contains(action)
        env.step(action)
    finally:
        env.close()
    assert isinstance(env.action_space.spec, UISpace)


@pytest.mark.browser
def test_browser_checkpoint_acts_on_a_miniwob_page():
    from vla import Policy

    _act_once_on_ui(Policy.from_pretrained("vla-browser-tiny"), "vla/miniwob-click-test-v0")


@pytest.mark.display
@pytest.mark.browser
def test_desktop_checkpoint_loads_by_name_and_acts_on_a_whole_screen():
    from vla.rollout import load_policy
    from vla.rollout.focus import FocusPolicy

    policy = load_policy("vla-desktop-tiny", device="cpu")
    assert isinstance(policy, FocusPolicy) and policy.page_size == (160, 210)
    _act_once_on_ui(policy, "vla/desktop-miniwob-click-test-v0")  # its own 1920x1080 Xvfb


@pytest.mark.robot
def test_robot_checkpoint_acts_in_the_simulator():
    import gymnasium as gym

    import vla.envs  # noqa: F401
    from vla import Policy
    from vla.rollout.agents import camera_kwargs

    policy = Policy.from_pretrained("vla-robot-tiny")
    kwargs = camera_kwargs(policy)  # the cameras it reads, at its input size
    assert kwargs == {"cameras": ["front", "wrist"], "image_size": 80}
    env = gym.make("vla/panda-reach-v0", **kwargs)
    try:
        obs, _ = env.reset(seed=123_456)
        views = obs["images"]
        action = policy.act(obs["image"], obs["instruction"], state=obs["state"], views=views)
        assert isinstance(action, EEDelta) and env.action_space.contains(action)
        env.step(action)
    finally:
        env.close()


@pytest.mark.parametrize("name", SHIPPED)
def test_model_card_is_a_hub_card_with_the_measured_numbers(name):
    """The card parses as a ``huggingface_hub.ModelCard`` whose YAML holds the license, tags,
    datasets and one result per evaluated task, equal to ``eval_info.json``; and the card
    writer, run today on the shipped records, reproduces the file exactly."""
    from huggingface_hub import ModelCard

    from vla.release.model_card import model_card
    from vla.release.recipes import RECIPES
    from vla.release.refresh_cards import stage_seconds

    folder = CHECKPOINTS_DIR / name
    card = ModelCard.load(folder / "README.md")
    info = json.loads((folder / "eval_info.json").read_text())
    assert card.data.license == "apache-2.0" and card.data.library_name == "vla"
    assert "vision-language-action" in card.data.tags and card.data.datasets
    rates = {r.task_name: r.metric_value for r in card.data.eval_results}
    for env_id, task in info["tasks"].items():
        assert rates[env_id] == task["success_rate"]
    assert rates["mean over tasks"] == info["overall"]["mean_success_rate"]
    text = (folder / "README.md").read_text()
    assert str(model_card(RECIPES[name], folder, stage_seconds(text))) == text
