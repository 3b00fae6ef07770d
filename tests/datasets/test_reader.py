"""EpisodeDataset: split by episode, deterministic shuffling, DataLoader workers; and Hugging
Face `datasets` reading a collected dataset with no project code."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch

from vla.datasets import EpisodeDataset
from vla.datasets.reader import collate
from vla.datasets.v3 import VERBS


def test_split_is_by_episode_and_stable(ui_dataset: Path) -> None:
    train = EpisodeDataset(ui_dataset, split="train", val_fraction=0.25, seed=3)
    val = EpisodeDataset(ui_dataset, split="val", val_fraction=0.25, seed=3)
    every = EpisodeDataset(ui_dataset, split="all")
    seeds = lambda ds: {(e["env_id"], e["seed"]) for e in ds.episodes}  # noqa: E731
    assert len(val.episodes) == 2 and len(train.episodes) == 6
    assert not seeds(train) & seeds(val)
    assert seeds(train) | seeds(val) == seeds(every)
    assert len(train) + len(val) == len(every)
    again = EpisodeDataset(ui_dataset, split="val", val_fraction=0.25, seed=3)
    assert seeds(again) == seeds(val)
    others = [
        EpisodeDataset(ui_dataset, split="val", val_fraction=0.25, seed=s) for s in range(4, 9)
    ]
    assert any(seeds(o) != seeds(val) for o in others)  # the split seed matters
    with pytest.raises(ValueError, match="`split`"):
        EpisodeDataset(ui_dataset, split="test")


def test_items_follow_the_interface(robot_dataset: Path) -> None:
    ds = EpisodeDataset(robot_dataset, split="all")
    item = ds[len(ds) - 1]
    assert item["image"].dtype == np.uint8 and item["image"].shape == (24, 24, 3)
    assert item["state"].dtype == np.float32 and item["state"].shape == (4,)
    assert item["instruction"] == "move to the goal"
    assert item["episode_index"] == 5 and item["seed"] == 5 and item["success"] is True
    assert item["frame_index"] == ds.episodes[-1]["length"] - 1
    with pytest.raises(IndexError):
        ds[len(ds)]


def test_order_is_deterministic_for_a_seed(ui_dataset: Path, robot_dataset: Path) -> None:
    ds = EpisodeDataset([ui_dataset, robot_dataset], split="all")
    a, b = ds.order(seed=7), ds.order(seed=7)
    np.testing.assert_array_equal(a, b)
    assert sorted(a.tolist()) == list(range(len(ds)))
    assert not np.array_equal(a, ds.order(seed=8))
    assert not np.array_equal(a, ds.order(seed=7, epoch=1))
    # Shuffled across shards: the first items come from both datasets.
    envs = {ds[int(i)]["env_id"] for i in a[:10]}
    assert len(envs) == 2


def test_dataloader_with_workers_gives_the_seeded_order(ui_dataset: Path) -> None:
    ds = EpisodeDataset(ui_dataset, split="all").preload()

    def run() -> list[tuple[int, int]]:
        loader = torch.utils.data.DataLoader(
            ds, batch_size=4, sampler=ds.sampler(seed=1), num_workers=2, collate_fn=collate
        )
        out = []
        for batch in loader:
            assert batch["image"].shape[1:] == (32, 32, 3) and batch["image"].dtype == torch.uint8
            out += list(zip(batch["episode_index"], batch["frame_index"], strict=True))
        return out

    first = run()
    assert first == run()
    expected = [(ds[i]["episode_index"], ds[i]["frame_index"]) for i in ds.order(seed=1)]
    assert first == expected


def test_hugging_face_datasets_reads_it_without_project_code(
    ui_dataset: Path, robot_dataset: Path, tmp_path: Path
) -> None:
    code = f"""
import json, sys, datasets
out = {{}}
for name, root in (("ui", {str(ui_dataset)!r}), ("robot", {str(robot_dataset)!r})):
    files = sorted(str(p) for p in __import__("pathlib").Path(root).glob("data/*/*.parquet"))
    ds = datasets.load_dataset("parquet", data_files=files, split="train")
    row = ds[0]
    out[name] = {{
        "rows": len(ds), "image": type(row["observation.images.main"]).__name__,
        "size": list(row["observation.images.main"].size), "action": row["action"],
        "feature": type(ds.features["observation.images.main"]).__name__,
        "discrete": row.get("action.discrete"), "state": row.get("observation.state"),
        "columns": ds.column_names,
    }}
out["project"] = sorted(m for m in sys.modules if m == "vla" or m.startswith("vla."))
print(json.dumps(out))
"""
    env = {"HF_DATASETS_CACHE": str(tmp_path / "cache"), "HF_DATASETS_OFFLINE": "1"}
    env |= {k: v for k, v in __import__("os").environ.items() if k in ("PATH", "HOME")}
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr[-2000:]
    got = json.loads(out.stdout.strip().splitlines()[-1])
    assert got["project"] == []
    for name, root in (("ui", ui_dataset), ("robot", robot_dataset)):
        assert got[name]["rows"] == len(EpisodeDataset(root, split="all"))
        assert got[name]["feature"] == "Image" and got[name]["image"].endswith("ImageFile")
        # Exactly the LeRobot v3 columns of info.json, in its order.
        info = json.loads((root / "meta/info.json").read_text())
        assert got[name]["columns"] == list(info["features"])
    assert got["ui"]["size"] == [32, 32]
    assert got["ui"]["discrete"][0] == VERBS.index("scroll") and len(got["ui"]["action"]) == 8
    assert len(got["robot"]["state"]) == 4 and len(got["robot"]["action"]) == 7
