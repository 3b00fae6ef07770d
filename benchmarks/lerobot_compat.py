"""Proof against the real LeRobot (0.4.4, LeRobotDataset v3.0), both ways, with cameras as
images (PNG) and as video (MP4).

1. ``vla collect`` records a small multi-view robot dataset (``vla/panda-stack-v0`` with
   cameras ``scene`` and ``wrist``) and a small browser dataset (MiniWoB++ click-test), as
   PNG and again (same seeds) with ``--video``.
2. In a separate venv with lerobot (made as in docs/datasets.md, or reused with ``--venv``),
   ``LeRobotDataset(repo_id, root=...)`` loads each offline, a ``DataLoader`` iterates it,
   LeRobot's ``compute_episode_stats`` recomputes every episode's statistics from the loaded
   frames and they are compared with ours, and the visualisation script writes an ``.rrd``.
   The frames LeRobot decoded (torchcodec for video) are compared pixel by pixel with the
   frames vla reads, and for a video dataset with the PNG twin's frames.
3. ``LeRobotDataset.create`` writes a dataset (image, or video with LeRobot's default AV1
   encoder); ``vla dataset import`` converts it, ``vla dataset verify`` checks it, its frames
   are compared with LeRobot's decoding, and ``vla train`` trains on it for a few steps.

Usage::

    OMP_NUM_THREADS=1 .venv/bin/python benchmarks/lerobot_compat.py --venv /work/lerobot/venv

``--venv PATH`` that lacks lerobot is created with the commands of docs/datasets.md (needs
the torch CPU wheel and network access to PyPI). ``--kinds image|video|both`` picks the
camera storage (both by default). Prints one JSON line per check.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
VLA = [sys.executable, "-m", "vla"]

SETUP = """
set -e
python3 -m venv "$V"
"$V/bin/pip" install -q torch==2.13.0
"$V/bin/pip" download -q --no-deps -d "$V/dl" lerobot==0.4.4 torchvision==0.28.0 torchcodec==0.13.0
"$V/bin/pip" install -q --no-deps "$V"/dl/torchvision-*.whl "$V"/dl/lerobot-*.whl "$V"/dl/torchcodec-*.whl pillow
SP=$("$V/bin/python" -c 'import site; print(site.getsitepackages()[0])')
sed -i 's/^@torch.library.register_fake("torchvision::/@(torch.library.register_fake if torchvision.extension._has_ops() else (lambda *a, **k: (lambda f: f)))("torchvision::/' "$SP/torchvision/_meta_registrations.py"
"$V/bin/pip" install -q numpy "datasets>=4.0.0,<5.0.0" "huggingface-hub>=0.34.2,<0.36.0" \
    "av>=15.0.0,<16.0.0" "packaging>=24.2,<26.0" "draccus==0.10.0" "jsonlines>=4,<5" \
    "termcolor>=2.4,<4" "einops>=0.8,<0.9" "accelerate>=1.10.0,<2.0.0" "rerun-sdk>=0.24.0,<0.27.0"
"""

# Runs inside the lerobot venv: load, iterate, recompute stats, compare with ours.
LOAD = r"""
import json, sys, numpy as np, torch
from lerobot.datasets.lerobot_dataset import LeRobotDataset
from lerobot.datasets.compute_stats import compute_episode_stats
root = sys.argv[1]
ds = LeRobotDataset("local/" + root.rstrip("/").split("/")[-1], root=root)
loader = torch.utils.data.DataLoader(ds, batch_size=4, num_workers=0)
batches = 0
for batch in loader:
    batches += 1
item = ds[0]
import pyarrow.parquet as pq
rows = pq.read_table(root + "/meta/episodes/chunk-000/file-000.parquet").to_pylist()
ours = {k: [r[k] for r in rows] for k in rows[0]}  # plain nested lists
worst = {}
for ep in range(ds.num_episodes):
    lo, hi = int(ours["dataset_from_index"][ep]), int(ours["dataset_to_index"][ep])
    frames = [ds[i] for i in range(lo, hi)]
    data, feats = {}, {}
    for key, ft in ds.meta.features.items():
        if ft["dtype"] == "string" or key not in frames[0]:
            continue
        if ft["dtype"] in ("image", "video"):  # LeRobot's frames: float (C, H, W) in [0, 1]
            chw = np.stack([np.asarray(f[key]) for f in frames])
            for s, fn in (("mean", np.mean), ("std", np.std), ("min", np.min), ("max", np.max)):
                mine = np.asarray(ours[f"stats/{key}/{s}"][ep], float).reshape(-1)
                theirs = fn(chw.astype(np.float64), axis=(0, 2, 3))
                worst[key] = max(worst.get(key, 0.0), float(np.max(np.abs(mine - theirs))))
            continue
        arr = np.stack([np.asarray(f[key]) for f in frames])
        data[key], feats[key] = (arr.reshape(len(frames)) if ft["shape"] == [1] or ft["shape"] == (1,) else arr), ft
    stats = compute_episode_stats(data, feats)
    for key, st in stats.items():
        for s in ("min", "max", "mean", "std"):
            d = float(np.max(np.abs(np.asarray(st[s], float) - np.asarray(ours[f"stats/{key}/{s}"][ep], float))))
            worst[key] = max(worst.get(key, 0.0), d)
if len(sys.argv) > 2:  # the frames LeRobot decoded, as uint8 (H, W, C), for a pixel check
    np.savez(sys.argv[2], **{key: np.stack([
        (np.asarray(ds[i][key]).transpose(1, 2, 0) * 255).round().astype(np.uint8)
        for i in range(len(ds))]) for key in ds.meta.camera_keys})
print(json.dumps({
    "root": root, "len": len(ds), "episodes": ds.num_episodes, "batches": batches,
    "video_keys": ds.meta.video_keys,
    "item": {k: (list(v.shape) if hasattr(v, "shape") else v) for k, v in item.items()},
    "camera_keys": ds.meta.camera_keys, "stats_keys": sorted(ds.meta.stats),
    "max_abs_stat_diff": worst,
}))
"""

CREATE = r"""
import sys, numpy as np
from lerobot.datasets.lerobot_dataset import LeRobotDataset
root = sys.argv[1]
features = {
    "observation.images.scene": {"dtype": sys.argv[2], "shape": (48, 64, 3), "names": ["height", "width", "channels"]},
    "observation.state": {"dtype": "float32", "shape": (8,), "names": [f"s{i}" for i in range(8)]},
    "action": {"dtype": "float32", "shape": (7,), "names": ["x", "y", "z", "roll", "pitch", "yaw", "gripper"]},
}
# video: LeRobot's default encoder (AV1, libsvtav1, yuv420p, crf 30)
ds = LeRobotDataset.create("local/created", fps=10, root=root, robot_type="panda", features=features,
                           use_videos=sys.argv[2] == "video")
rng = np.random.default_rng(0)
for ep, task in enumerate(["pick up the red cube", "stack the blocks", "open the drawer"]):
    for t in range(12):
        action = np.concatenate([rng.uniform(-0.02, 0.02, 6), rng.uniform(0, 1, 1)]).astype(np.float32)
        image = np.zeros((48, 64, 3), np.uint8)  # a moving block on noise, like a camera
        image[:] = rng.integers(0, 64, (48, 64, 3), dtype=np.uint8)
        image[10:30, 2 + 4 * t: 22 + 4 * t] = (200, 40, 40)
        ds.add_frame({"observation.images.scene": image,
                      "observation.state": rng.normal(size=8).astype(np.float32),
                      "action": action, "task": task})
    ds.save_episode()
ds.finalize()
print("created", root)
"""


def _run(cmd: list[str], **kw) -> subprocess.CompletedProcess:
    env = dict(os.environ, OMP_NUM_THREADS="1", HF_HUB_OFFLINE="1", HF_DATASETS_OFFLINE="1")
    return subprocess.run(cmd, capture_output=True, text=True, env=env, **kw)


def _report(name: str, proc: subprocess.CompletedProcess, started: float, **extra) -> bool:
    last = proc.stdout.strip().splitlines()[-1:] or [""]
    result = {"check": name, "ok": proc.returncode == 0, "seconds": round(time.time() - started, 1)}
    try:
        result["result"] = json.loads(last[0])
    except json.JSONDecodeError:
        result["stdout"] = last[0][-300:]
    if proc.returncode:
        result["stderr"] = proc.stderr[-1500:]
    print(json.dumps(result | extra), flush=True)
    return proc.returncode == 0


def ensure_venv(venv: Path) -> Path:
    python = venv / "bin" / "python"
    if python.exists() and _run([str(python), "-c", "import lerobot"]).returncode == 0:
        return python
    proc = (
        _run(["bash", "-c", SETUP], cwd=ROOT, input=None)
        if False
        else subprocess.run(["bash", "-c", SETUP], env=dict(os.environ, V=str(venv)), check=False)
    )
    if proc.returncode:
        raise SystemExit(f"could not create the lerobot venv at {venv} (see the pip output)")
    return python


def _frames(root: Path, keys: list[str]) -> dict[str, np.ndarray]:
    """camera key -> uint8[N, H, W, 3] of every step of the vla dataset at ``root``."""
    from vla.datasets import EpisodeDataset

    items = list(EpisodeDataset(root, split="all"))
    out = {}
    for key in keys:
        cam = key.removeprefix("observation.images.").replace(".", "_")
        out[key] = np.stack([it["images"][cam] if "images" in it else it["image"] for it in items])
    return out


def _pixel_check(name: str, npz: Path, roots: dict[str, Path]) -> None:
    """Max/mean abs difference (0..255) between the frames LeRobot decoded (``npz``) and the
    frames vla reads from each of ``roots``."""
    if not npz.exists():
        print(json.dumps({"check": name, "ok": False, "error": f"{npz} missing"}), flush=True)
        return
    theirs = dict(np.load(npz))
    result: dict[str, dict[str, float]] = {}
    for label, root in roots.items():
        ours = _frames(root, list(theirs))
        for key, frames in theirs.items():
            diff = np.abs(frames.astype(np.int16) - ours[key].astype(np.int16))
            result[f"{label} {key}"] = {"max_abs": int(diff.max()),
                                        "mean_abs": round(float(diff.mean()), 4),
                                        "frames": len(frames)}  # fmt: skip
    print(json.dumps({"check": name, "ok": True, "result": result}), flush=True)


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--venv", type=Path, default=ROOT / ".lerobot-venv")
    ap.add_argument("--work", type=Path, default=None, help="Folder for the datasets [temp].")
    ap.add_argument("--episodes", type=int, default=2)
    ap.add_argument("--skip-collect", action="store_true", help="Reuse datasets in --work.")
    ap.add_argument("--kinds", choices=["image", "video", "both"], default="both",
                    help="Cameras as images (PNG), as video (MP4) or both.")  # fmt: skip
    args = ap.parse_args()
    python = str(ensure_venv(args.venv))
    work = args.work or Path(tempfile.mkdtemp(prefix="lerobot_compat_"))
    kinds = ["image", "video"] if args.kinds == "both" else [args.kinds]
    envs = {
        "robot": ["--env", "vla/panda-stack-v0", "--env-kwargs", '{"cameras": ["scene", "wrist"]}'],
        "browser": ["--env", "vla/miniwob-click-test-v0"],
    }
    for kind in kinds:
        for name, env_args in envs.items():
            # the image datasets first: the video ones (same envs and seeds) are checked
            # against their frames
            _vla_to_lerobot(python, args, work, name, env_args, kind)
        _lerobot_to_vla(python, work, kind)
    print(json.dumps({"work": str(work)}))


def _vla_to_lerobot(
    python: str, args: argparse.Namespace, work: Path, name: str, env_args: list[str], kind: str
) -> None:
    """vla collect -> LeRobotDataset loads, iterates and recomputes stats -> viz."""
    video = kind == "video"
    out = work / (f"{name}_video" if video else name)
    t = time.time()
    cmd = [*VLA, "collect", *env_args, "--episodes", str(args.episodes), "--out", str(out)]
    if not args.skip_collect:
        shutil.rmtree(out, ignore_errors=True)
        _report(f"vla collect {out.name}", _run([*cmd, "--workers", "0"] + ["--video"] * video), t)
    t = time.time()
    npz = work / f"{out.name}_lerobot_frames.npz"
    _report(f"LeRobotDataset load {out.name}", _run([python, "-c", LOAD, str(out), str(npz)]), t)
    roots = {"vla reads": out} | ({"vla reads PNG twin": work / name} if video else {})
    _pixel_check(f"pixels LeRobot vs vla {out.name}", npz, roots)
    t = time.time()
    viz = [python, "-m", "lerobot.scripts.lerobot_dataset_viz", "--repo-id",
           f"local/{out.name}", "--root", str(out), "--episode-index", "0", "--save", "1",
           "--output-dir", str(work / "viz" / out.name), "--num-workers", "0"]  # fmt: skip
    ok = _run(viz)
    files = sorted(p.name for p in (work / "viz" / out.name).glob("*.rrd"))
    _report(f"lerobot_dataset_viz {out.name}", ok, t, rrd=files)


def _lerobot_to_vla(python: str, work: Path, kind: str) -> None:
    """LeRobotDataset.create (image, or LeRobot's AV1 video) -> vla dataset import -> verify
    -> the frames vla imported equal the ones LeRobot decodes -> vla train."""
    tag = "_video" if kind == "video" else ""
    created, imported, run = work / f"created{tag}", work / f"imported{tag}", work / f"run{tag}"
    for old in (created, imported, run):
        shutil.rmtree(old, ignore_errors=True)
    t = time.time()
    _report(f"LeRobotDataset.create {kind}", _run([python, "-c", CREATE, str(created), kind]), t)
    t = time.time()
    _report(f"vla dataset import {created.name}", _run([*VLA, "dataset", "import", str(created),
                                                        "--out", str(imported)]), t)  # fmt: skip
    t = time.time()
    _report(
        f"vla dataset verify {imported.name}", _run([*VLA, "dataset", "verify", str(imported)]), t
    )
    npz = work / f"{created.name}_lerobot_frames.npz"
    t = time.time()
    _report(
        f"LeRobotDataset load {created.name}", _run([python, "-c", LOAD, str(created), str(npz)]), t
    )
    _pixel_check(f"pixels LeRobot vs vla {imported.name}", npz, {"vla reads": imported})
    t = time.time()
    train = [*VLA, "train", "--dataset", str(imported), "--out", str(run), "--steps",
             "3", "--batch-size", "4", "--val-fraction", "0", "--log-every", "1"]  # fmt: skip
    _report(f"vla train on {imported.name}", _run(train), t)


if __name__ == "__main__":
    main()
