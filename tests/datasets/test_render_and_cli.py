"""vla.render (actions drawn on frames, GIF/MP4) and the `vla dataset info/view/merge` and
`vla collect` commands."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner
from PIL import Image
from vla_dataset_helpers import ROBOT, UI, UI_EXPERT

from vla.actions import Click, Done, Drag, EEDelta, JointTarget, Key, Scroll, Type, Wait
from vla.cli import main
from vla.render import draw_action, save_animation, save_gif, views_frame

ALL = [
    Click(10, 20), Drag(1, 1, 30, 30), Scroll(5, 5, 0, 50), Type("abc"), Key("Enter"), Wait(),
    Done(), EEDelta((0.01, 0, 0), gripper=0.0), JointTarget((0.1, 0.2), gripper=1.0),
]  # fmt: skip


def test_views_frame_puts_every_camera_side_by_side() -> None:
    front = np.full((4, 4, 3), 10, np.uint8)
    wrist = np.full((3, 5, 3), 200, np.uint8)
    assert views_frame({"image": front}) is not None
    assert (views_frame({"image": front}) == front).all()
    assert (views_frame({"image": front, "images": {"front": front}}) == front).all()
    both = views_frame({"image": front, "images": {"front": front, "wrist": wrist}})
    assert both.shape == (4, 4 + 2 + 5, 3) and both.dtype == np.uint8
    assert (both[:, :4] == 10).all()  # the first view leftmost: its coordinates are unchanged
    assert (both[:, 4:6] == 255).all()  # a white line between views
    assert (both[:3, 6:] == 200).all() and (both[3, 6:] == 0).all()  # padded below


def test_click_marker_is_drawn_where_the_click_is() -> None:
    frame = np.full((32, 32, 3), 255, np.uint8)
    out = draw_action(frame, Click(8, 20), scale=8)
    assert out.shape[1] == 256  # upscaled 8x; a text band is added below
    red = (out[..., 0] > 180) & (out[..., 1] < 90) & (out[..., 2] < 90)
    ys, xs = np.nonzero(red)
    assert abs(xs.mean() - 8.5 * 8) < 3 and abs(ys.mean() - 20.5 * 8) < 3
    right = draw_action(frame, Click(8, 20, button="right"), scale=8)
    assert not ((right[..., 0] > 180) & (right[..., 1] < 90) & (right[..., 2] < 90)).any()


@pytest.mark.parametrize("action", ALL, ids=lambda a: a.verb)
def test_every_action_is_drawn_at_one_size(action) -> None:
    frame = np.full((40, 40, 3), 128, np.uint8)
    plain = draw_action(frame, None, caption="do it")
    drawn = draw_action(frame, action, caption="do it")
    assert drawn.shape == plain.shape and drawn.dtype == np.uint8
    assert min(drawn.shape[:2]) >= 256
    assert (drawn != plain).any()


def test_gripper_open_and_closed_look_different() -> None:
    frame = np.zeros((64, 64, 3), np.uint8)
    opened = draw_action(frame, EEDelta((0, 0, 0), gripper=1.0))
    closed = draw_action(frame, EEDelta((0, 0, 0), gripper=0.0))
    assert (opened != closed).any()


def test_save_gif_and_mp4(tmp_path: Path) -> None:
    frames = [np.full((20, 30, 3), i * 40, np.uint8) for i in range(5)] + [
        np.zeros((7, 7, 3), np.uint8)
    ]
    path = save_gif(frames, tmp_path / "a.gif", fps=5)
    with Image.open(path) as im:
        assert im.n_frames == 6 and im.size == (30, 20)
    pytest.importorskip("imageio_ffmpeg")
    mp4 = save_animation(frames, tmp_path / "a.mp4")
    assert mp4.stat().st_size > 0 and mp4.read_bytes()[4:8] == b"ftyp"
    with pytest.raises(ValueError, match=r"\.gif or \.mp4"):
        save_animation(frames, tmp_path / "a.avi")


def _cli(*args: str) -> str:
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0, result.output
    return result.output


def test_info_prints_counts_per_env(ui_dataset: Path) -> None:
    out = _cli("dataset", "info", str(ui_dataset))
    assert "8 episodes, 16 frames" in out
    assert "success: 8/8 (100.0%)" in out
    line = next(x for x in out.splitlines() if x.startswith(UI))
    assert line.split()[1:4] == ["8", "100%", "16"] and "2/2.0/2" in line and "0-9" in line


def test_view_writes_a_gif_with_one_frame_per_step(ui_dataset: Path, tmp_path: Path) -> None:
    _cli("dataset", "view", str(ui_dataset), "--episode", "3", "--out", str(tmp_path / "e.gif"))
    with Image.open(tmp_path / "e.gif") as im:
        assert im.n_frames == 2 and min(im.size) >= 256
    result = CliRunner().invoke(main, ["dataset", "view", str(ui_dataset), "--episode", "99",
                                       "--out", str(tmp_path / "x.gif")])  # fmt: skip
    assert result.exit_code != 0 and "episodes 0..7" in result.output


def test_view_shows_every_camera_of_a_multi_camera_episode(tmp_path: Path) -> None:
    from vla.datasets.writer import DatasetWriter, build_episode

    rng = np.random.default_rng(0)
    steps = []
    for i in range(2):
        front, wrist = (rng.integers(0, 256, (16, 16, 3), dtype=np.uint8) for _ in range(2))
        steps.append({
            "image": front, "images": {"front": front, "wrist": wrist}, "instruction": "reach",
            "state": np.zeros(4, np.float32), "action": EEDelta((0.01, 0, 0), gripper=1.0),
            "reward": 0.0, "terminated": i == 1, "truncated": False, "success": i == 1,
        })  # fmt: skip
    with DatasetWriter(tmp_path / "ds") as writer:
        writer.add(build_episode("robot", 0, steps, fps=10))
    _cli("dataset", "view", str(tmp_path / "ds"), "--out", str(tmp_path / "e.gif"), "--scale", "4")
    assert Image.open(tmp_path / "e.gif").size[0] == (16 + 2 + 16) * 4  # front | wrist


def test_merge_browser_and_robot_data(
    ui_dataset: Path, robot_dataset: Path, tmp_path: Path
) -> None:
    from vla.datasets import EpisodeDataset, load_stats, verify

    out = tmp_path / "merged"
    text = _cli(
        "dataset", "merge", str(ui_dataset), str(robot_dataset), str(ui_dataset), "--out", str(out)
    )
    assert "14 episodes" in text and "8 duplicate episodes skipped" in text
    assert verify(out).ok
    info = json.loads((out / "meta/info.json").read_text())
    assert info["env_ids"] == sorted([UI, ROBOT]) and info["total_episodes"] == 14
    assert load_stats(out) == load_stats(robot_dataset)  # the robot statistics carry over
    merged = EpisodeDataset(out, split="all")
    assert len(merged) == len(EpisodeDataset(ui_dataset, split="all")) + len(
        EpisodeDataset(robot_dataset, split="all")
    )
    result = CliRunner().invoke(main, ["dataset", "merge", str(ui_dataset), "--out", str(out)])
    assert result.exit_code != 0 and "not empty" in result.output


def test_collect_command(tmp_path: Path) -> None:
    out = _cli("collect", "--env", UI, "--expert", UI_EXPERT, "--episodes", "2", "--workers", "0",
               "--out", str(tmp_path), "--seed", "10")  # fmt: skip
    assert "recorded 2 episodes" in out and "holds 2 episodes" in out
    bad = CliRunner().invoke(main, ["collect", "--env", UI, "--episodes", "1", "--out",
                                    str(tmp_path), "--env-kwargs", "[1]"])  # fmt: skip
    assert bad.exit_code != 0 and "JSON object" in bad.output
