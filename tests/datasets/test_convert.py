"""`vla dataset upgrade` (format 1 -> LeRobot v3 columns) and `vla dataset import` (a LeRobot
v3 dataset without our metadata), and the clear errors of reading either unconverted."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from vla.actions import Click, EEDelta, Type
from vla.cli import main
from vla.datasets import EpisodeDataset, verify
from vla.datasets import format as fmt


def _format1_dataset(root: Path) -> list[dict]:
    """A tiny dataset as format 1 wrote it: struct ``action``, ``observation.image``,
    ``meta/episodes.jsonl`` (only the columns and keys the upgrade reads)."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    rng = np.random.default_rng(0)
    actions = [Click(3, 4.5, button="right"), Type("hi"), EEDelta((0.01, 0, 0), (0, 0, 0.1), 0.5)]
    rows = []
    for i, a in enumerate(actions):
        image = rng.integers(0, 256, (8, 10, 3), dtype=np.uint8)
        rows.append({
            "observation.image": {"bytes": fmt.encode_image(image), "path": None},
            "observation.state": [0.5, float(i)] if a.verb == "ee_delta" else None,
            "instruction": "do it",
            "action": {"verb": a.verb, **{k: v for k, v in a.__dict__.items()}},
            "next.reward": 1.0, "next.terminated": True, "next.truncated": False,
            "next.success": True, "_image": image,
        })  # fmt: skip
    table = pa.Table.from_pylist([{k: v for k, v in r.items() if k != "_image"} for r in rows])
    (root / "data/chunk-000").mkdir(parents=True)
    pq.write_table(table, root / "data/chunk-000/file-000.parquet")
    episodes = [
        {"env_id": f"env{i}", "seed": i, "length": 1, "data/path": "data/chunk-000/file-000.parquet",
         "file_from_row": i, "fps": 5.0}
        for i in range(3)
    ]  # fmt: skip
    (root / "meta").mkdir()
    (root / fmt.LEGACY_EPISODES_PATH).write_text("".join(json.dumps(e) + "\n" for e in episodes))
    info = {
        "codebase_version": "v3.0",
        "format_version": 1,
        "envs": {"env0": {"failed_seeds": [7]}},
    }
    (root / fmt.INFO_PATH).write_text(json.dumps(info))
    return [r | {"action_obj": a} for r, a in zip(rows, actions, strict=True)]


def test_upgrade_converts_a_format1_dataset(tmp_path: Path) -> None:
    rows = _format1_dataset(tmp_path / "old")
    with pytest.raises(FileNotFoundError, match="vla dataset upgrade"):
        EpisodeDataset(tmp_path / "old", split="all")
    result = CliRunner().invoke(
        main, ["dataset", "upgrade", str(tmp_path / "old"), "--out", str(tmp_path / "new")]
    )
    assert result.exit_code == 0, result.output
    assert verify(tmp_path / "new").ok
    items = list(EpisodeDataset(tmp_path / "new", split="all"))
    assert [i["action"] for i in items] == [r["action_obj"] for r in rows]
    for item, row in zip(items, rows, strict=True):
        np.testing.assert_array_equal(item["image"], row["_image"])
    assert items[2]["state"].tolist() == [0.5, 2.0] and items[0]["state"] is None
    info = json.loads((tmp_path / "new" / fmt.INFO_PATH).read_text())
    assert info["envs"]["env0"]["failed_seeds"] == [7]


def test_import_reads_a_lerobot_dataset_without_our_metadata(
    robot_dataset: Path, tmp_path: Path
) -> None:
    foreign = tmp_path / "foreign"
    shutil.copytree(robot_dataset, foreign)
    shutil.rmtree(foreign / "meta/vla")  # what LeRobot itself writes: no vla metadata
    with pytest.raises(FileNotFoundError, match="vla dataset import"):
        EpisodeDataset(foreign, split="all")
    out = tmp_path / "imported"
    result = CliRunner().invoke(main, ["dataset", "import", str(foreign), "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert verify(out).ok
    ours, theirs = EpisodeDataset(robot_dataset, split="all"), EpisodeDataset(out, split="all")
    assert len(ours) == len(theirs)
    for a, b in zip(ours, theirs, strict=True):
        np.testing.assert_array_equal(a["image"], b["image"])
        np.testing.assert_allclose(a["action"].vector, b["action"].vector, rtol=1e-6)
        assert a["instruction"] == b["instruction"]
