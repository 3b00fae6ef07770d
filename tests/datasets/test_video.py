"""Cameras stored as MP4 video (``vla collect --video``): the frames read back, LeRobot's video
metadata rules (docs/lerobot_v3 spec, sections 2, 4, 5 and 7), crash recovery and the error
when PyAV is missing."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("av")

from vla_dataset_helpers import ROBOT, ROBOT_EXPERT, UI, UI_EXPERT, record

from vla.actions import Click, EEDelta
from vla.datasets import format as fmt
from vla.datasets.format import build_episode
from vla.datasets.writer import DatasetWriter

FPS = 10


def _episode(rng: np.random.Generator, n: int, env_id: str = "robot", seed: int = 0):
    """A robot episode with two cameras of different (odd) sizes, random pixels."""
    steps = [
        {
            "image": rng.integers(0, 256, (24, 32, 3), np.uint8),
            "images": None,
            "instruction": "pick it up",
            "state": rng.normal(size=3).astype(np.float32),
            "action": EEDelta((0.25 * i, 0.0, 0.0)),  # exact in float32
            "reward": 0.0,
            "terminated": i == n - 1,
            "truncated": False,
            "success": i == n - 1,
        }
        for i in range(n)
    ]
    for s in steps:
        s["images"] = {"scene": s["image"], "wrist": rng.integers(0, 256, (15, 17, 3), np.uint8)}
    return build_episode(env_id, seed, steps, fps=FPS), steps


@pytest.fixture()
def video_dataset(tmp_path: Path) -> tuple[Path, list]:
    """3 episodes (5, 3 and 4 frames) in two commits: video files 0 (two episodes) and 1."""
    rng = np.random.default_rng(0)
    episodes = [_episode(rng, n, seed=k) for k, n in enumerate((5, 3, 4))]
    with DatasetWriter(tmp_path / "ds", video=True) as writer:
        writer.add(episodes[0][0])
        writer.add(episodes[1][0])
        writer.commit()
        writer.add(episodes[2][0])
    return tmp_path / "ds", [steps for _, steps in episodes]


def test_frames_read_back_exactly(video_dataset) -> None:
    from vla.datasets import EpisodeDataset, verify

    root, episodes = video_dataset
    items = list(EpisodeDataset(root, split="all"))
    steps = [s for ep in episodes for s in ep]
    assert len(items) == len(steps) == 12
    for item, step in zip(items, steps, strict=True):
        # The default codec is lossless: max abs error per pixel value is 0.
        np.testing.assert_array_equal(item["image"], step["images"]["scene"])
        np.testing.assert_array_equal(item["images"]["wrist"], step["images"]["wrist"])
        assert item["action"] == step["action"]
    report = verify(root)
    assert report.ok, str(report)


def test_video_metadata_follows_lerobot(video_dataset) -> None:
    import av
    import pandas as pd
    import pyarrow.parquet as pq

    root, _ = video_dataset
    info = json.loads((root / fmt.INFO_PATH).read_text())
    assert (
        info["video_path"] == "videos/{video_key}/chunk-{chunk_index:03d}/file-{file_index:03d}.mp4"
    )
    scene = info["features"]["observation.images.scene"]
    assert scene["dtype"] == "video" and scene["shape"] == [24, 32, 3]
    assert scene["names"] == ["height", "width", "channels"]
    assert scene["info"] == {
        "video.height": 24, "video.width": 32, "video.codec": "h264", "video.pix_fmt": "gbrp",
        "video.is_depth_map": False, "video.fps": FPS, "video.channels": 3, "has_audio": False,
    }  # fmt: skip
    assert info["features"]["observation.images.wrist"]["info"]["video.width"] == 17
    # A video feature has no column in the data files (nor in their HF feature metadata).
    for path in sorted(root.glob("data/*/*.parquet")):
        schema = pq.read_schema(path)
        assert not [n for n in schema.names if n.startswith("observation.images.")]
        hf = json.loads(schema.metadata[b"huggingface"])["info"]["features"]
        assert schema.names == list(hf) == [n for n in info["features"] if "images" not in n]
    eps = pd.read_parquet(root / fmt.EPISODES_META_PATH)
    cols = list(eps.columns)
    key = "videos/observation.images.scene/"
    assert cols[7:11] == [key + k for k in ("chunk_index", "file_index", "from_timestamp",
                                            "to_timestamp")]  # fmt: skip
    assert cols[11].startswith("videos/observation.images.wrist/")
    assert eps[key + "file_index"].tolist() == [0, 0, 1]
    # Episodes back to back in a file, each from + length / fps.
    assert eps[key + "from_timestamp"].tolist() == [0.0, 0.5, 0.0]
    assert eps[key + "to_timestamp"].tolist() == [0.5, 0.8, 0.4]
    stats = json.loads((root / fmt.STATS_PATH).read_text())
    assert np.asarray(stats["observation.images.scene"]["mean"]).shape == (3, 1, 1)
    # Frame i of a file is shown at exactly i / fps (LeRobot's decoder checks within 1e-4 s).
    for rel in sorted({*root.glob("videos/*/chunk-000/file-*.mp4")}):
        with av.open(str(rel)) as container:
            stream = container.streams.video[0]
            times = [float(f.pts * stream.time_base) for f in container.decode(stream)]
            assert stream.average_rate == FPS
        np.testing.assert_allclose(times, np.arange(len(times)) / FPS, atol=1e-9)
    assert len(list(root.glob("videos/*/chunk-000/file-*.mp4"))) == 4  # 2 cameras x 2 files


def test_collect_video_resumes_after_a_crash(tmp_path: Path, monkeypatch) -> None:
    from vla.datasets import EpisodeDataset, verify
    from vla.datasets import writer as writer_mod
    from vla.datasets.reader import read_episodes

    record(tmp_path, UI, UI_EXPERT, 2, video=True)
    real = writer_mod.atomic_write_text

    def crash_on_commit(path: Path, text: str) -> None:
        if path.name == "episodes.jsonl":
            raise KeyboardInterrupt("simulated crash")
        real(path, text)

    monkeypatch.setattr(writer_mod, "atomic_write_text", crash_on_commit)
    with pytest.raises(KeyboardInterrupt):
        record(tmp_path, UI, UI_EXPERT, 4, video=True)
    monkeypatch.setattr(writer_mod, "atomic_write_text", real)
    orphan = tmp_path / "videos/observation.images.main/chunk-000/file-001.mp4"
    assert orphan.exists() and len(read_episodes(tmp_path)) == 2  # written, not committed
    (tmp_path / fmt.LOCK_PATH).unlink(missing_ok=True)  # the crashed process held it
    report = verify(tmp_path)
    assert not report.ok and any("file-001.mp4" in p.path for p in report.problems)
    record(tmp_path, UI, UI_EXPERT, 4, video=True)
    assert [e["seed"] for e in read_episodes(tmp_path)] == [0, 1, 2, 4]
    assert verify(tmp_path).ok, str(verify(tmp_path))
    # Same seeds recorded as PNG give the same pixels (the fake env is deterministic).
    png = record(tmp_path / "png", UI, UI_EXPERT, 4)
    video_items = list(EpisodeDataset(tmp_path, split="all"))
    png_items = list(EpisodeDataset(png, split="all"))
    assert [i["action"] for i in video_items] == [i["action"] for i in png_items]
    for a, b in zip(video_items, png_items, strict=True):
        np.testing.assert_array_equal(a["image"], b["image"])
    # A dataset keeps one kind of camera storage.
    with pytest.raises(ValueError, match="MP4 video; got video=False"):
        record(tmp_path, UI, UI_EXPERT, 5)
    with pytest.raises(ValueError, match="PNG images; got video=True"):
        record(png, UI, UI_EXPERT, 5, video=True)


def test_video_cameras_must_not_change(tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    first, _ = _episode(rng, 2)
    steps = [
        {"image": rng.integers(0, 256, (8, 8, 3), np.uint8), "instruction": "x", "state": None,
         "action": Click(1, 1), "reward": 0.0, "terminated": True, "truncated": False,
         "success": True}
    ]  # fmt: skip
    with DatasetWriter(tmp_path, video=True) as writer:
        writer.add(first)
        writer.commit()
        writer.add(build_episode("ui", 0, steps, fps=FPS))
        with pytest.raises(ValueError, match="same cameras and fps"):
            writer.commit()
        writer.staged.clear()


def test_verify_reports_a_missing_or_damaged_video(video_dataset) -> None:
    from vla.datasets import verify

    root, _ = video_dataset
    path = root / "videos/observation.images.wrist/chunk-000/file-000.mp4"
    path.write_bytes(path.read_bytes()[: path.stat().st_size // 3])
    report = verify(root)
    assert not report.ok
    assert any(p.path.endswith("wrist/chunk-000/file-000.mp4") for p in report.problems)
    path.unlink()
    assert any("missing" in p.message for p in verify(root, decode_images=False).problems)


def test_missing_pyav_is_one_clear_error(video_dataset, tmp_path: Path, monkeypatch) -> None:
    from click.testing import CliRunner

    from vla.cli import main
    from vla.datasets import CollectConfig, EpisodeDataset, collect

    root, _ = video_dataset
    monkeypatch.setitem(sys.modules, "av", None)  # `import av` raises ImportError
    with pytest.raises(ImportError, match=r"pip install 'vla\[video\]'"):
        EpisodeDataset(root, split="all")
    for command in (["verify"], ["view", "--out", str(tmp_path / "e.gif")]):
        result = CliRunner().invoke(main, ["dataset", *command, str(root)])
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines() == [
            "Error: video cameras need PyAV, which is not installed: pip install 'vla[video]'"
        ]
    result = CliRunner().invoke(
        main, ["train", "--dataset", str(root), "--out", str(tmp_path / "run"), "--steps", "1"]
    )
    assert result.exit_code == 2 and not (tmp_path / "run").exists(), result.output
    assert result.output.strip().splitlines() == [
        "Error: video cameras need PyAV, which is not installed: pip install 'vla[video]'"
    ]
    cfg = CollectConfig([ROBOT], 1, tmp_path / "new", workers=0, expert=ROBOT_EXPERT,
                        progress=False, video=True)  # fmt: skip
    with pytest.raises(ImportError, match=r"vla\[video\]"):
        collect(cfg)
    assert not (tmp_path / "new").exists()  # nothing was started


@pytest.mark.parametrize("as_video", [False, True])
def test_import_reads_a_lerobot_video_dataset(video_dataset, tmp_path: Path, as_video) -> None:
    """A LeRobot video dataset (ours without meta/vla: what LeRobot reads) imports, frames
    taken from each episode's from_timestamp in the shared MP4 file."""
    import shutil

    from click.testing import CliRunner

    from vla.cli import main
    from vla.datasets import EpisodeDataset, verify

    root, episodes = video_dataset
    foreign = tmp_path / "foreign"
    shutil.copytree(root, foreign)
    shutil.rmtree(foreign / "meta/vla")
    out = tmp_path / "imported"
    args = ["dataset", "import", str(foreign), "--out", str(out)] + ["--video"] * as_video
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    assert verify(out).ok, str(verify(out))
    assert any(out.glob("videos/*/*/*.mp4")) == as_video
    items = list(EpisodeDataset(out, split="all"))
    steps = [s for ep in episodes for s in ep]
    assert len(items) == len(steps)
    for item, step in zip(items, steps, strict=True):
        np.testing.assert_array_equal(item["images"]["scene"], step["images"]["scene"])
        np.testing.assert_array_equal(item["images"]["wrist"], step["images"]["wrist"])


def test_cli_collect_video_then_info_view_merge(tmp_path: Path) -> None:
    from click.testing import CliRunner
    from PIL import Image

    from vla.cli import main
    from vla.datasets import EpisodeDataset, verify

    out = tmp_path / "ds"
    args = ["collect", "--env", UI, "--expert", UI_EXPERT, "--episodes", "2", "--workers", "0",
            "--out", str(out), "--video"]  # fmt: skip
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output
    info = json.loads((out / fmt.INFO_PATH).read_text())
    assert info["features"]["observation.images.main"]["dtype"] == "video"
    result = CliRunner().invoke(main, ["dataset", "info", str(out)])
    assert result.exit_code == 0 and "2 episodes, 4 frames" in result.output, result.output
    assert "cameras as MP4 video" in result.output
    gif = tmp_path / "e.gif"
    result = CliRunner().invoke(main, ["dataset", "view", str(out), "--episode", "1", "--out",
                                       str(gif)])  # fmt: skip
    assert result.exit_code == 0, result.output
    with Image.open(gif) as im:
        assert im.n_frames == 2
    # merge: video with video (files copied, episodes renumbered), never video with PNG
    other = record(tmp_path / "other", UI, UI_EXPERT, 2, seed=10, video=True)
    merged = tmp_path / "merged"
    result = CliRunner().invoke(main, ["dataset", "merge", str(out), str(other), "--out",
                                       str(merged)])  # fmt: skip
    assert result.exit_code == 0, result.output
    assert verify(merged).ok, str(verify(merged))
    items = list(EpisodeDataset(merged, split="all"))
    sources = list(EpisodeDataset(out, split="all")) + list(EpisodeDataset(other, split="all"))
    assert (
        [i["seed"] for i in items] == [i["seed"] for i in sources] == [0, 0, 1, 1, 10, 10, 12, 12]
    )
    for a, b in zip(items, sources, strict=True):
        np.testing.assert_array_equal(a["image"], b["image"])
    png = record(tmp_path / "png", UI, UI_EXPERT, 1, seed=20)
    result = CliRunner().invoke(main, ["dataset", "merge", str(out), str(png), "--out",
                                       str(tmp_path / "m2")])  # fmt: skip
    assert result.exit_code != 0 and "video and PNG" in result.output
