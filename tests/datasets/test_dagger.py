"""DAgger: a tiny untrained policy drives, the scripted expert labels every state it visits,
and the result is an ordinary dataset (issues 13 and 14: one implementation, both domains)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from vla.actions import Click, RobotSpace
from vla.datasets import CollectConfig, collect, merge, verify
from vla.datasets.reader import load_episode, read_info

REACH = "vla/panda-reach-v0"
CLICK = "vla/miniwob-click-test-v0"


def _tiny_policy(root: Path, robot: bool, **overrides: Any) -> Path:
    """A randomly initialised, very small policy saved like a checkpoint (pipeline only)."""
    import torch

    from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
    from vla.policy import Policy

    torch.manual_seed(0)
    sizes = {"vision_image_size": 32, "vision_hidden_size": 32, "vision_intermediate_size": 64}
    sizes |= {"text_hidden_size": 32, "text_intermediate_size": 64, "max_text_bytes": 8}
    config = VLAConfig.from_preset("vla-tiny", state_dim=16, **sizes, **overrides)
    processor = VLAProcessor.from_config(config)
    space = None
    if robot:  # statistics in the format of a dataset's meta/stats.json (14-D Panda state)
        processor.tokenizer.set_stats(
            {
                "action.ee_delta": {"q01": [-0.05] * 6 + [0.0], "q99": [0.05] * 6 + [1.0]},
                "observation.state": {"q01": [-1.0] * 14, "q99": [1.0] * 14},
            }
        )
        space = RobotSpace()
    policy = Policy(VLAForActionPrediction(config), processor, "cpu", robot_space=space)
    return policy.save_pretrained(root)


@pytest.fixture(scope="module")
def robot_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_policy(tmp_path_factory.mktemp("policy") / "robot", robot=True)


@pytest.fixture(scope="module")
def ui_policy(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _tiny_policy(tmp_path_factory.mktemp("policy") / "ui", robot=False)


def _collect(out: Path, env_id: str, **kwargs: Any) -> list[dict[str, Any]]:
    kwargs = {"seed": 3} | kwargs
    cfg = CollectConfig(
        env_ids=[env_id], episodes=1, out=out, workers=0, keep_failures=True, progress=False,
        device="cpu", **kwargs,
    )  # fmt: skip
    collect(cfg)
    return load_episode(out, 0)


@pytest.mark.robot
def test_dagger_on_panda_labels_the_states_the_policy_visited(
    tmp_path: Path, robot_policy: Path
) -> None:
    expert = _collect(tmp_path / "expert", REACH, max_steps=4)
    dagger = _collect(tmp_path / "dagger", REACH, max_steps=4, policy=str(robot_policy))
    assert len(dagger) == len(expert) == 4
    # Same seed, same first state, same (seeded) expert: the same label for it...
    assert np.array_equal(dagger[0]["image"], expert[0]["image"])
    assert dagger[0]["action"] == expert[0]["action"]
    # ...then the policy's actions lead elsewhere, and the expert labels those states too.
    assert not np.array_equal(dagger[-1]["state"], expert[-1]["state"])
    assert not np.array_equal(dagger[-1]["image"], expert[-1]["image"])
    assert dagger[-1]["action"] != expert[-1]["action"]
    assert read_info(tmp_path / "dagger")["collection"]["dagger"]["policy"] == str(robot_policy)
    # An ordinary dataset: it merges with expert data. Merging keeps one episode per
    # (env_id, seed), so a DAgger round uses seeds of its own (docs/datasets.md).
    cfg = {"max_steps": 4, "policy": str(robot_policy), "seed": 50}
    _collect(tmp_path / "dagger50", REACH, **cfg)
    merged = merge([tmp_path / "expert", tmp_path / "dagger50"], tmp_path / "merged")
    assert merged.episodes == 2 and verify(tmp_path / "merged").ok


@pytest.mark.robot
def test_the_envs_grounding_labels_are_kept_per_step_with_the_observation_they_describe(
    tmp_path: Path, robot_policy: Path
) -> None:
    """`info["target_pixels"]` (where the named cube is in each camera) goes to the episode's
    metadata, one entry per recorded step, for expert and DAgger episodes, and survives a merge."""
    import gymnasium as gym

    from vla.datasets.reader import read_episodes

    _collect(tmp_path / "expert", REACH, max_steps=4)
    _collect(tmp_path / "dagger", REACH, max_steps=4, policy=str(robot_policy), seed=50)
    env = gym.make(REACH)
    try:
        for name, seed in (("expert", 3), ("dagger", 50)):
            (episode,) = read_episodes(tmp_path / name)
            pixels = episode["target_pixels"]
            assert len(pixels) == episode["length"] == 4
            reset_pixels = env.reset(seed=seed)[1]["target_pixels"]["front"]
            assert pixels[0]["front"] == pytest.approx(reset_pixels, abs=0.05)  # the reset's
    finally:
        env.close()
    merge([tmp_path / "expert", tmp_path / "dagger"], tmp_path / "merged")
    kept = [e["target_pixels"] for e in read_episodes(tmp_path / "merged")]
    assert kept == [read_episodes(tmp_path / n)[0]["target_pixels"] for n in ("expert", "dagger")]


@pytest.mark.browser
def test_dagger_on_miniwob_labels_every_state_with_the_experts_click(
    tmp_path: Path, ui_policy: Path
) -> None:
    expert = _collect(tmp_path / "expert", CLICK, max_steps=3)
    dagger = _collect(tmp_path / "dagger", CLICK, max_steps=3, policy=str(ui_policy))
    assert len(expert) == 1 and expert[0]["success"]  # the expert clicks the button at once
    # The untrained policy misses, so the episode visits states the expert never saw, each
    # labelled with the expert's click on the button (the same button: click-test).
    assert len(dagger) == 3 and not dagger[-1]["success"]
    assert all(isinstance(s["action"], Click) for s in dagger)
    assert all(s["action"] == expert[0]["action"] for s in dagger)


@pytest.mark.robot
def test_beta_one_executes_the_expert_and_the_cli_writes_a_resumable_dataset(
    tmp_path: Path, robot_policy: Path
) -> None:
    from vla.cli import main

    out = tmp_path / "beta1"
    args = ["collect", "--dagger", "--policy", str(robot_policy), "--env", REACH, "--out", str(out)]
    args += ["--episodes", "1", "--workers", "0", "--max-steps", "3", "--seed", "3"]
    result = CliRunner().invoke(main, [*args, "--beta", "1", "--device", "cpu"])
    assert result.exit_code == 0, result.output
    expert = _collect(tmp_path / "expert", REACH, max_steps=3)
    beta1 = load_episode(out, 0)  # the expert drove: the very episode of the expert alone
    assert [s["action"] for s in beta1] == [s["action"] for s in expert]
    again = CliRunner().invoke(main, [*args, "--beta", "0"])  # other DAgger settings: refused
    assert again.exit_code != 0 and "dagger=" in again.output
    lone = CliRunner().invoke(main, args[:1] + args[2:])  # --policy without --dagger
    assert lone.exit_code == 2 and "--dagger and --policy" in lone.output


@pytest.mark.robot
def test_the_cli_rolls_a_policy_with_camera_views_out_with_its_cameras(tmp_path: Path) -> None:
    """``vla collect --dagger`` with a checkpoint that reads the front and wrist cameras and no
    ``--env-kwargs``: the env renders those cameras at the model's input size, and the dataset
    stores each as its own column."""
    from vla.cli import main

    policy = _tiny_policy(tmp_path / "views", robot=True, view_names=["front", "wrist"])
    out = tmp_path / "out"
    args = ["collect", "--dagger", "--policy", str(policy), "--env", REACH, "--out", str(out)]
    args += ["--episodes", "1", "--workers", "0", "--max-steps", "2", "--device", "cpu"]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    features = read_info(out)["features"]
    for name in ("front", "wrist"):
        assert features[f"observation.images.{name}"]["shape"][:2] == [32, 32]


@pytest.mark.robot
def test_dagger_runs_a_chunked_policy_as_it_acts_and_labels_every_step(
    tmp_path: Path, robot_policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vla.cli import main
    from vla.policy import Policy

    chunked = _tiny_policy(tmp_path / "k4", True, chunk_size=4, parallel_decoding=True)
    calls: list[int] = []
    real = Policy.act_chunk_batch
    monkeypatch.setattr(
        Policy, "act_chunk_batch", lambda self, *a, **k: calls.append(1) or real(self, *a, **k)
    )
    out = tmp_path / "receding"
    _collect(out, REACH, max_steps=8, policy=str(chunked), execution="receding:4")
    # 8 steps from 2 chunks of 4, and the expert's label on each of the 8 states
    assert len(load_episode(out, 0)) == 8 and len(calls) == 2
    assert read_info(out)["collection"]["dagger"]["execution"] == "receding:4"
    args = ["collect", "--dagger", "--env", REACH, "--episodes", "1", "--workers", "0"]
    args += ["--out", str(tmp_path / "bad"), "--execution", "receding:4", "--policy"]
    single = CliRunner().invoke(main, [*args, str(robot_policy)])  # chunk_size 1: no chunks
    last = single.output.strip().splitlines()[-1]
    assert single.exit_code == 2 and last.startswith("Error:") and "chunk_size >= 4" in last
    typo = CliRunner().invoke(main, [*args, str(chunked), "--execution", "recede:4"])
    assert typo.exit_code == 2 and "'receding:H'" in typo.output, typo.output


@pytest.mark.robot
def test_a_policy_that_reads_its_history_is_handed_and_trained_on_what_was_executed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from vla.actions import from_dict
    from vla.datasets import EpisodeDataset
    from vla.datasets.reader import read_episodes
    from vla.policy import Policy
    from vla.training.data import PastActions

    reader = _tiny_policy(tmp_path / "h2", True, action_history=2)
    seen: list[Any] = []
    real = Policy.act_chunk_batch
    monkeypatch.setattr(
        Policy,
        "act_chunk_batch",
        lambda self, *a, **k: seen.append(k.get("histories")) or real(self, *a, **k),
    )
    out = tmp_path / "dagger"
    steps = _collect(out, REACH, max_steps=5, policy=str(reader))
    (episode,) = read_episodes(out)
    executed = [from_dict(a) for a in episode["executed"]]
    # the policy drove: what was executed is the policy's, what is recorded is the expert's
    assert len(executed) == len(steps) == 5
    assert all(a != s["action"] for a, s in zip(executed, steps, strict=True))
    # it was handed the actions executed before each step (its processor reads the last 2)
    assert [h[0] for h in seen] == [executed[:t] for t in range(5)]
    # and training gives each recorded step the same history
    past = PastActions(EpisodeDataset(out, split="all"), 2)
    assert [past[i]["history"] for i in range(5)] == [executed[max(0, t - 2) : t] for t in range(5)]
    assert [past[i]["action"] for i in range(5)] == [s["action"] for s in steps]


@pytest.mark.robot
def test_the_policy_acts_on_the_threads_asked_and_the_callers_are_restored(
    tmp_path: Path, robot_policy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``threads`` (``vla collect --threads``, default 1): a worker's policy beside its env does
    not fight the other workers for every core; an inline collection gives torch back."""
    import torch

    import vla.datasets.dagger as dagger

    seen: list[int] = []
    original = dagger.run_dagger_episode

    def counting(*args: Any, **kwargs: Any) -> Any:
        seen.append(torch.get_num_threads())
        return original(*args, **kwargs)

    monkeypatch.setattr(dagger, "run_dagger_episode", counting)
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        _collect(tmp_path / "one", REACH, max_steps=2, policy=str(robot_policy))
        _collect(tmp_path / "all", REACH, max_steps=2, policy=str(robot_policy), threads=0)
        assert seen == [1, 2] and torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="threads"):
        CollectConfig(env_ids=[REACH], episodes=1, out=tmp_path / "x", threads=-1)
