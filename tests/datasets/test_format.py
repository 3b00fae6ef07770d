"""The on-disk format: every action type round-trips, images are lossless, metadata is right."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from vla.actions import Click, Done, Drag, EEDelta, JointTarget, Key, Scroll, Type, Wait
from vla.datasets import format as fmt
from vla.datasets.writer import DatasetWriter, build_episode

UI_ACTIONS = [
    Click(3.5, 7.25),
    Click(0, 31, button="right", count=2),
    Click(12, 1, button="middle", count=3),
    Drag(1, 2, 30.5, 29),
    Scroll(4, 5, dx=-10.5, dy=120),
    Type("héllo, wörld! 🙂"),
    Key("Control+Shift+a"),
    Key("Enter"),
    Wait(),
    Done(),
]
ROBOT_ACTIONS = [
    EEDelta((0.01, -0.02, 0.03), (0.1, -0.2, 0.3), 0.25),
    EEDelta((0.0, 0.0, 0.0)),
    JointTarget((0.1, -1.2, 0.3, -2.0, 0.5, 1.6, 0.7), 0.0),
]


def _steps(actions, rng, state_dim=None):
    return [
        {
            "image": rng.integers(0, 256, (16, 20, 3), dtype=np.uint8),
            "instruction": f"step {i}: do it",
            "state": None if state_dim is None else rng.normal(size=state_dim).astype(np.float32),
            "action": a,
            "reward": float(i),
            "terminated": i == len(actions) - 1,
            "truncated": False,
            "success": i == len(actions) - 1,
        }
        for i, a in enumerate(actions)
    ]


def test_every_action_type_round_trips(tmp_path: Path) -> None:
    from vla.datasets import EpisodeDataset

    rng = np.random.default_rng(0)
    episodes = {
        ("ui", 0): _steps(UI_ACTIONS, rng),
        ("ee", 1): _steps(ROBOT_ACTIONS[:2], rng, state_dim=5),
        ("joint", 2): _steps(ROBOT_ACTIONS[2:], rng, state_dim=5),
    }
    with DatasetWriter(tmp_path / "ds") as writer:
        for (env_id, seed), steps in episodes.items():
            writer.add(build_episode(env_id, seed, steps, fps=10))
    ds = EpisodeDataset(tmp_path / "ds", split="all")
    items = list(ds)
    # A data file holds its episodes in (env_id, seed) order.
    written = [s for key in sorted(episodes) for s in episodes[key]]
    assert len(items) == len(written) == len(UI_ACTIONS) + len(ROBOT_ACTIONS)
    for item, step in zip(items, written, strict=True):
        assert item["action"] == step["action"]
        assert type(item["action"]) is type(step["action"])
        np.testing.assert_array_equal(item["image"], step["image"])  # PNG is lossless
        assert item["instruction"] == step["instruction"]
        if step["state"] is None:
            assert item["state"] is None
        else:
            np.testing.assert_array_equal(item["state"], step["state"])
    assert [i["frame_index"] for i in items] == [0, 1, 0, *range(len(UI_ACTIONS))]
    assert {i["env_id"] for i in items} == {"ui", "ee", "joint"}


@pytest.mark.parametrize(
    "groups", [("ui",), ("ui", "ee_delta", "joint_target"), ("ee_delta",), ("joint_target",)]
)
def test_fixed_shape_action_encoding_round_trips_every_verb(groups) -> None:
    from vla.datasets.v3 import Layout, decode_action, encode_actions

    layout = Layout({"main": [16, 20, 3]}, 0, groups, joints=7 if "joint_target" in groups else 0)
    actions = [
        a
        for a in UI_ACTIONS + ROBOT_ACTIONS
        if ("ui" if a.verb in {x.verb for x in UI_ACTIONS} else a.verb) in groups
    ]
    cols = encode_actions(actions, layout)
    features = layout.features()
    assert set(cols) == {c for c in features if c.startswith("action")}
    k = features["action"]["shape"][0]
    assert all(len(v) == k for v in cols["action"]) and len(features["action"]["names"]) == k
    for i, action in enumerate(actions):
        row = {c: v[i] for c, v in cols.items()}
        if features["action"]["dtype"] == "float32":  # robot-only data: LeRobot's float32
            row["action"] = np.float32(row["action"]).tolist()
            assert np.allclose(decode_action(row, layout).vector, action.vector, atol=1e-7)
        else:
            assert decode_action(row, layout) == action
    if "ui" in groups:  # the mask marks exactly the used slots
        click = cols["action.mask"][0]
        assert [n for n, m in zip(layout.action_names(), click, strict=True) if m] in (
            [["x", "y"]] if groups == ("ui",) else [["ui.x", "ui.y"]]
        )


def test_a_data_file_has_exactly_the_declared_columns(ui_dataset: Path) -> None:
    import pyarrow.parquet as pq

    info = json.loads((ui_dataset / fmt.INFO_PATH).read_text())
    for path in sorted(ui_dataset.glob("data/*/*.parquet")):
        assert pq.read_schema(path).names == list(info["features"])


def test_encode_image_rejects_wrong_dtype() -> None:
    with pytest.raises(ValueError, match="uint8"):
        fmt.encode_image(np.zeros((4, 4, 3), np.float32))


def test_layout_and_metadata(robot_dataset: Path) -> None:
    info = json.loads((robot_dataset / fmt.INFO_PATH).read_text())
    assert info["codebase_version"] == "v3.0"
    assert info["total_episodes"] == 6
    assert info["data_files"] == ["data/chunk-000/file-000.parquet"]
    assert (robot_dataset / "data/chunk-000/file-000.parquet").is_file()
    assert info["features"]["observation.state"]["shape"] == [4]
    assert info["features"]["action"] == {
        "dtype": "float32", "shape": [7], "names": ["x", "y", "z", "roll", "pitch", "yaw", "gripper"]
    }  # fmt: skip
    assert info["features"]["observation.images.main"]["shape"] == [24, 24, 3]
    assert info["envs"]["vla_fake_envs:FakeRobotEnv"]["seed_range"] == [0, 5]
    import pandas as pd

    tasks = pd.read_parquet(robot_dataset / fmt.TASKS_PATH)
    assert list(tasks.index) == ["move to the goal"] and list(tasks["task_index"]) == [0]
    episodes = pd.read_parquet(robot_dataset / fmt.EPISODES_META_PATH)
    assert list(episodes["episode_index"]) == list(range(6))
    assert list(episodes["stats/observation.images.main/count"].iloc[0]) == [
        episodes["length"].iloc[0]
    ]
    stats = json.loads((robot_dataset / fmt.STATS_PATH).read_text())
    assert set(stats) == {n for n, f in info["features"].items() if f["dtype"] != "string"}
    assert np.asarray(stats["observation.images.main"]["mean"]).shape == (3, 1, 1)
    assert stats["frame_index"]["count"] == [info["total_frames"]]
    assert not (robot_dataset / fmt.STAGING_DIR).exists()
    assert not (robot_dataset / fmt.LOCK_PATH).exists()


def test_stats_match_the_data(robot_dataset: Path) -> None:
    from vla.datasets import EpisodeDataset, load_stats

    stats = load_stats(robot_dataset)
    assert set(stats) == {"action.ee_delta", "observation.state"}
    items = list(EpisodeDataset(robot_dataset, split="all"))
    vectors = np.array([i["action"].vector for i in items])
    states = np.array([i["state"] for i in items])
    s = stats["action.ee_delta"]
    assert s["count"] == len(items)
    np.testing.assert_allclose(s["mean"], vectors.mean(0), rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(s["q99"], np.quantile(vectors, 0.99, axis=0), rtol=1e-6)
    np.testing.assert_allclose(stats["observation.state"]["max"], states.max(0), rtol=1e-6)
    for key in ("min", "max", "mean", "std", "q01", "q99"):
        assert len(s[key]) == 7


def test_load_stats_of_several_datasets_is_exact(robot_dataset: Path, ui_dataset: Path) -> None:
    from vla.datasets import load_stats

    one = load_stats(robot_dataset)
    both = load_stats([robot_dataset, ui_dataset])  # the UI data adds no robot vectors
    assert both.keys() == one.keys()
    np.testing.assert_allclose(both["action.ee_delta"]["q01"], one["action.ee_delta"]["q01"])
    with pytest.raises(FileNotFoundError, match=r"episodes\.jsonl"):
        load_stats(robot_dataset / "meta")


def test_stats_of_states_with_different_lengths_keep_the_majority(tmp_path: Path) -> None:
    from vla.datasets import load_stats

    rng = np.random.default_rng(1)
    with pytest.warns(UserWarning, match="different lengths"), DatasetWriter(tmp_path) as writer:
        writer.add(build_episode("a", 0, _steps(ROBOT_ACTIONS[:2] * 2, rng, state_dim=5), 10))
        writer.add(build_episode("b", 0, _steps(ROBOT_ACTIONS[:1], rng, state_dim=9), 10))
    stats = load_stats(tmp_path)
    assert stats["observation.state"]["count"] == 4
    assert len(stats["observation.state"]["mean"]) == 5


def test_every_camera_is_its_own_column_and_item_images(tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    from vla.datasets import EpisodeDataset
    from vla.datasets.reader import collate

    rng = np.random.default_rng(2)
    ui = _steps(UI_ACTIONS[:2], rng)
    robot = _steps(ROBOT_ACTIONS[:2], rng, state_dim=5)
    for s in robot:
        s["images"] = {"scene": s["image"], "wrist": rng.integers(0, 256, (8, 8, 3), np.uint8)}
    with DatasetWriter(tmp_path) as writer:  # UI first: the robot commit widens the layout
        writer.add(build_episode("ui", 0, ui, fps=10))
        writer.commit()
        writer.add(build_episode("robot", 0, robot, fps=10))
    info = json.loads((tmp_path / fmt.INFO_PATH).read_text())
    cameras = [c for c in info["features"] if c.startswith("observation.images.")]
    assert cameras == ["observation.images.main", "observation.images.scene",
                       "observation.images.wrist"]  # fmt: skip
    assert info["features"]["observation.images.wrist"]["shape"] == [8, 8, 3]
    for path in sorted(tmp_path.glob("data/*/*.parquet")):  # the older file was rewritten
        assert pq.read_schema(path).names == list(info["features"])
    items = list(EpisodeDataset(tmp_path, split="all"))
    assert "images" not in items[0] and items[0]["state"] is None
    assert [i["action"] for i in items] == UI_ACTIONS[:2] + ROBOT_ACTIONS[:2]
    np.testing.assert_array_equal(items[2]["image"], robot[0]["images"]["scene"])
    np.testing.assert_array_equal(items[2]["images"]["wrist"], robot[0]["images"]["wrist"])
    assert len(items[2]["state"]) == 5
    batch = collate(items[1:3])
    assert batch["images"][0] is None and set(batch["images"][1]) == {"scene", "wrist"}
    from vla.datasets import verify

    assert verify(tmp_path).ok, str(verify(tmp_path))


def test_metadata_written_commit_by_commit_equals_a_fresh_rewrite(tmp_path: Path) -> None:
    """Each commit reuses the per-episode statistics already in meta/episodes; the result must
    be what rewriting every derived file from the data gives."""
    import pyarrow.parquet as pq

    from vla.datasets.v3meta import write_meta

    rng = np.random.default_rng(1)
    root = tmp_path / "ds"
    for seed in range(4):  # four commits, one episode each, robot then UI episodes
        with DatasetWriter(root) as writer:
            steps = _steps(ROBOT_ACTIONS[:2] if seed % 2 else UI_ACTIONS[:3], rng, state_dim=5)
            writer.add(build_episode("env", seed, steps, fps=10))
    names = (fmt.STATS_PATH, fmt.EPISODES_META_PATH, fmt.INFO_PATH)
    incremental = {n: (root / n).read_bytes() for n in names}
    with DatasetWriter(root) as writer:  # an open with nothing to do leaves the files alone
        pass
    assert all((root / n).read_bytes() == incremental[n] for n in names)
    (root / fmt.EPISODES_META_PATH).unlink()
    with DatasetWriter(root) as writer:
        write_meta(root, writer.episodes, writer.envs, writer.collection)
    assert json.loads((root / fmt.STATS_PATH).read_bytes()) == json.loads(
        incremental[fmt.STATS_PATH]
    )
    fresh = pq.read_table(root / fmt.EPISODES_META_PATH).to_pylist()
    assert fresh == pq.read_table(pa_buffer(incremental[fmt.EPISODES_META_PATH])).to_pylist()


def pa_buffer(data: bytes):
    import pyarrow as pa

    return pa.BufferReader(data)
