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


@pytest.mark.parametrize(
    ("state", "match"),
    [
        (np.zeros(3, np.float32), r"states\[0\] has 3 values; .* trained on 9-value states"),
        (np.zeros(8, np.float32), r"states\[0\] has 8 values; .* trained on 9-value states"),
        (np.zeros(10, np.float32), r"states\[0\] has 10 values; .* trained on 9-value states"),
        ("abc", r"states\[0\] must be a float vector"),
        ([[1.0, "x"]], r"states\[0\] must be a float vector"),
    ],
)
def test_a_state_of_the_wrong_length_or_kind_is_refused(policy, state, match):
    """Before: a short state was zero-padded to the model's state width and acted on."""
    with pytest.raises(ValueError, match=match):
        policy.act(IMAGE, "pick", state=state)


def test_an_instruction_that_is_not_unicode_text_names_its_index(policy):
    with pytest.raises(ValueError, match=r"instructions\[0\] is not valid Unicode"):
        policy.act(IMAGE, "click \ud800 here")
    with pytest.raises(ValueError, match=r"instructions\[1\] is not valid Unicode"):
        policy.act_batch([IMAGE, IMAGE], ["fine", "\udfff"])
    with pytest.raises(ValueError, match=r"instructions\[1\] must be a str"):
        policy.act_batch([IMAGE, IMAGE], ["fine", b"bytes"])


def _copy(saved, dest):
    dest.mkdir()
    for f in saved.iterdir():
        (dest / f.name).write_bytes(f.read_bytes())
    return dest


@pytest.mark.parametrize("value", [float("nan"), float("inf")])
def test_weights_with_nan_or_inf_refuse_to_load(saved, tmp_path, value):
    from safetensors.torch import load_file, save_file

    bad = _copy(saved, tmp_path / "bad")
    tensors = load_file(bad / "model.safetensors")
    name = sorted(k for k, t in tensors.items() if t.is_floating_point())[-1]
    tensors[name] = tensors[name].clone()
    tensors[name].view(-1)[0] = value
    save_file(tensors, bad / "model.safetensors", metadata={"format": "pt"})
    with pytest.raises(ValueError, match=rf"model\.safetensors: tensor '{name}' holds 1 NaN/inf"):
        Policy.from_pretrained(bad)


def test_a_robot_checkpoint_without_action_statistics_refuses_to_load(saved, tmp_path):
    import json

    bad = _copy(saved, tmp_path / "bad")
    tok = json.loads((bad / "action_tokenizer.json").read_text())
    tok["stats"] = {}
    (bad / "action_tokenizer.json").write_text(json.dumps(tok))
    with pytest.raises(ValueError, match=r"action_tokenizer\.json has no action statistics"):
        Policy.from_pretrained(bad)  # policy.json names the robot space
    (bad / "policy.json").unlink()
    tok["stats"] = {"observation.state": {"q01": [-1.0] * 9, "q99": [1.0] * 9}}
    (bad / "action_tokenizer.json").write_text(json.dumps(tok))
    with pytest.raises(ValueError, match="trained on robot states"):
        Policy.from_pretrained(bad)  # no policy.json, as the shipped checkpoints
    tok["stats"] = {}
    (bad / "action_tokenizer.json").write_text(json.dumps(tok))
    assert Policy.from_pretrained(bad).robot_space is None  # a UI checkpoint still loads
    (bad / "policy.json").write_text("{not json")
    with pytest.raises(ValueError, match=r"policy\.json is corrupt"):
        Policy.from_pretrained(bad)
