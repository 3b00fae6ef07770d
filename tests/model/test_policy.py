"""vla.Policy: loading, saving, shipped names, clear errors for bad input."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_model_helpers import ROBOT_STATS, tiny_overrides

from vla import Policy
from vla.actions import Click, EEDelta, RobotSpace, UISpace
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor


@pytest.fixture(scope="module")
def policy() -> Policy:
    torch.manual_seed(0)
    cfg = VLAConfig.from_preset("vla-tiny", **tiny_overrides())
    proc = VLAProcessor.from_config(cfg)
    proc.tokenizer.set_stats(ROBOT_STATS)
    return Policy(VLAForActionPrediction(cfg), proc, device="cpu", robot_space=RobotSpace())


@pytest.fixture(scope="module")
def saved(policy, tmp_path_factory):
    return policy.save_pretrained(tmp_path_factory.mktemp("policy"))


IMAGE = np.random.default_rng(0).integers(0, 256, (210, 160, 3), np.uint8)
STATE = np.zeros(9, np.float32)


def test_defaults_pick_the_space_from_the_state(policy):
    ui = policy.act(IMAGE, "click the button")
    assert ui.verb in UISpace().verbs
    robot = policy.act(IMAGE[:128, :128], "pick up the cube", state=STATE)
    assert isinstance(robot, EEDelta)
    pil = __import__("PIL.Image", fromlist=["Image"]).fromarray(IMAGE)
    assert policy.act(pil, "click the button") == ui  # PIL images work too


def test_coordinates_are_pixels_of_the_given_image(policy):
    for h, w in ((30, 40), (1080, 1920), (210, 160)):
        img = np.zeros((h, w, 3), np.uint8)
        a = policy.act(img, "click", space=UISpace(("click",)))
        assert isinstance(a, Click) and 0 <= a.x < w and 0 <= a.y < h


def test_save_load_gives_identical_actions(policy, saved):
    loaded = Policy.from_pretrained(saved, device="cpu")
    assert loaded.robot_space == RobotSpace()
    assert loaded.device.type == "cpu"
    rng = np.random.default_rng(1)
    images = [rng.integers(0, 256, (100, 120, 3), np.uint8) for _ in range(6)]
    texts = [f"do thing {i}" for i in range(6)]
    assert loaded.act_batch(images, texts) == policy.act_batch(images, texts)
    assert loaded.act(IMAGE, "go", state=STATE) == policy.act(IMAGE, "go", state=STATE)


@pytest.mark.parametrize(
    ("image", "instruction", "state", "match"),
    [
        (IMAGE.astype(np.float32), "x", None, "dtype uint8"),
        (IMAGE[:, :, 0], "x", None, r"shape \(H, W, 3\)"),
        (IMAGE.tolist(), "x", None, "numpy array or a PIL image"),
        (IMAGE, "", None, "non-empty"),
        (IMAGE, None, None, "must be a str"),
        (IMAGE, "x", np.full(9, np.nan, np.float32), "finite"),
    ],
)
def test_bad_input_raises_a_clear_error(policy, image, instruction, state, match):
    with pytest.raises(ValueError, match=match):
        policy.act(image, instruction, state=state)


def test_missing_state_for_a_robot_space_and_unknown_space(policy):
    with pytest.raises(ValueError, match="state"):
        policy.act(IMAGE, "pick", space=RobotSpace())
    with pytest.raises(ValueError, match="UISpace or a RobotSpace"):
        policy.act(IMAGE, "pick", space="ui")
    ui_only = Policy(policy.model, VLAProcessor.from_config(policy.model.config), device="cpu")
    with pytest.raises(ValueError, match="no robot action space"):
        ui_only.act(IMAGE, "pick", state=STATE)


def test_loading_errors_name_the_path(tmp_path, saved):
    with pytest.raises(FileNotFoundError, match="shipped checkpoint"):
        Policy.from_pretrained(tmp_path / "nowhere")
    with pytest.raises(FileNotFoundError, match="shipped checkpoint"):
        Policy.from_pretrained("no-such-checkpoint")
    with pytest.raises(FileNotFoundError, match="not a saved VLA policy"):
        Policy.from_pretrained(tmp_path)
    broken = tmp_path / "broken"
    broken.mkdir()
    for f in saved.iterdir():
        (broken / f.name).write_bytes(f.read_bytes())
    data = (broken / "model.safetensors").read_bytes()
    (broken / "model.safetensors").write_bytes(data[: len(data) // 2])
    with pytest.raises(ValueError, match="truncated or corrupt"):
        Policy.from_pretrained(broken)
    (broken / "model.safetensors").write_bytes(b"garbage")
    with pytest.raises(ValueError, match=r"model\.safetensors"):
        Policy.from_pretrained(broken)


def test_shipped_checkpoint_names_resolve(monkeypatch, tmp_path, saved):
    import vla.hub

    (tmp_path / "vla-test-tiny").symlink_to(saved, target_is_directory=True)
    monkeypatch.setattr(vla.hub, "CHECKPOINTS_DIR", tmp_path)
    loaded = Policy.from_pretrained("vla-test-tiny", device="cpu")
    assert loaded.act(IMAGE, "click") is not None
