"""Crash safety: SIGKILL during `vla collect` (its workers then exit by themselves) and the
same command resumes with no duplicate; a crash between writing a data file and committing it
is recovered; corrupt data is reported by `vla dataset verify` with its path."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner
from vla_dataset_helpers import UI, UI_EXPERT, subprocess_env

from vla.datasets import format as fmt
from vla.datasets import verify
from vla.datasets.reader import read_episodes

EPISODES = 24


def _command(out: Path, video: bool = False) -> list[str]:
    return [
        sys.executable, "-m", "vla", "collect", "--env", UI, "--expert", UI_EXPERT,
        "--env-kwargs", '{"delay": 0.1}', "--episodes", str(EPISODES), "--workers", "2",
        "--out", str(out), "--max-file-mb", "0.004", *(["--video"] if video else []),
    ]  # fmt: skip


def _recorded(out: Path) -> int:
    """Distinct episodes on disk, committed or staged. Between a commit's rename of
    ``episodes.jsonl`` and the removal of its staged files an episode is in both places, so
    episodes are counted by key, not by file."""
    import pyarrow.parquet as pq

    keys = set()
    if (out / fmt.EPISODES_PATH).exists():
        keys = {(e["env_id"], e["seed"]) for e in read_episodes(out)}
    for path in (out / fmt.STAGING_DIR).glob("*.parquet"):
        try:
            table = pq.read_table(path, columns=["env_id", "seed"])
        except (OSError, ValueError):  # being written or already removed
            continue
        if table.num_rows:
            keys.add((table["env_id"][0].as_py(), int(table["seed"][0].as_py())))
    return len(keys)


def _children(pid: int) -> list[int]:
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
@pytest.mark.parametrize("video", [False, True], ids=["png", "video"])
def test_sigkill_then_rerun_resumes_without_duplicates(tmp_path: Path, video: bool) -> None:
    if video:
        pytest.importorskip("av")
    out = tmp_path / "ds"
    proc = subprocess.Popen(
        _command(out, video), env=subprocess_env(), start_new_session=True,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    deadline = time.monotonic() + 120
    while (not (out / fmt.STAGING_DIR).exists() or _recorded(out) < 6) and proc.poll() is None:
        assert time.monotonic() < deadline, "collection made no progress"
        time.sleep(0.05)
    workers = _children(proc.pid)
    assert len(workers) >= 2  # the spawned workers (and multiprocessing's resource tracker)
    os.kill(proc.pid, signal.SIGKILL)  # the collector only, mid-run
    proc.wait()
    deadline = time.monotonic() + 30
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.2)
    left = [pid for pid in workers if _alive(pid)]
    os.killpg(proc.pid, signal.SIGKILL)  # clean up whatever is left before asserting
    assert not left, "orphaned workers did not exit after the collector died"
    before = _recorded(out)
    assert 6 <= before < EPISODES, before
    done = subprocess.run(
        _command(out, video), env=subprocess_env(), capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    report = verify(out)
    assert report.ok, str(report)
    assert not [p for p in report.problems if p.level == "warning"], str(report)
    episodes = read_episodes(out)
    keys = [(e["env_id"], e["seed"]) for e in episodes]
    assert len(keys) == len(set(keys)) == EPISODES
    # Deterministic whatever the interruption: the first EPISODES seeds with seed % 4 != 3.
    assert sorted(s for _, s in keys) == [s for s in range(40) if s % 4 != 3][:EPISODES]
    assert bool(list(out.glob("videos/*/chunk-000/*.mp4"))) == video


def test_crash_before_the_commit_point_is_recovered(tmp_path: Path, monkeypatch) -> None:
    from vla_dataset_helpers import record

    from vla.datasets import writer as writer_mod

    record(tmp_path, UI, UI_EXPERT, 2)
    real = writer_mod.atomic_write_text

    def crash_on_commit(path: Path, text: str) -> None:
        if path.name == "episodes.jsonl":
            raise KeyboardInterrupt("simulated crash")
        real(path, text)

    monkeypatch.setattr(writer_mod, "atomic_write_text", crash_on_commit)
    with pytest.raises(KeyboardInterrupt):
        record(tmp_path, UI, UI_EXPERT, 4)
    monkeypatch.setattr(writer_mod, "atomic_write_text", real)
    # The new data file exists but is not committed; its episodes are still staged.
    assert (tmp_path / "data/chunk-000/file-001.parquet").exists()
    assert len(read_episodes(tmp_path)) == 2
    (tmp_path / fmt.LOCK_PATH).unlink(missing_ok=True)  # the crashed process held it
    assert not verify(tmp_path).ok  # an orphan data file
    record(tmp_path, UI, UI_EXPERT, 4)
    assert [e["seed"] for e in read_episodes(tmp_path)] == [0, 1, 2, 4]
    assert verify(tmp_path).ok


def test_a_second_writer_is_refused(tmp_path: Path) -> None:
    from vla.datasets.writer import DatasetWriter

    with DatasetWriter(tmp_path), pytest.raises(RuntimeError, match="another process"):
        DatasetWriter(tmp_path).open()


@pytest.fixture()
def copy(ui_dataset: Path, tmp_path: Path) -> Path:
    shutil.copytree(ui_dataset, tmp_path / "ds")
    return tmp_path / "ds"


def _cli_verify(root: Path) -> tuple[int, str]:
    from vla.cli import main

    result = CliRunner().invoke(main, ["dataset", "verify", str(root)])
    return result.exit_code, result.output


def test_verify_reports_an_unreadable_shard_with_its_path(copy: Path) -> None:
    shard = copy / "data/chunk-000/file-000.parquet"
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size // 2])  # truncated write
    code, output = _cli_verify(copy)
    assert code == 1
    assert "ERROR data/chunk-000/file-000.parquet: cannot read Parquet" in output


def test_verify_reports_a_corrupt_image_with_episode_and_frame(copy: Path) -> None:
    shard = copy / "data/chunk-000/file-000.parquet"
    data = bytearray(shard.read_bytes())
    at = data.find(b"IDAT")  # inside the first PNG (the image column is stored uncompressed)
    data[at + 8 : at + 40] = bytes(32)
    shard.write_bytes(bytes(data))
    code, output = _cli_verify(copy)
    assert code == 1
    assert "data/chunk-000/file-000.parquet: episode 0 (rows 0..1): frame 0 image" in output


def test_verify_reports_inconsistent_metadata(copy: Path) -> None:
    lines = (copy / fmt.EPISODES_PATH).read_text().splitlines()
    (copy / fmt.EPISODES_PATH).write_text("\n".join([*lines, lines[-1]]) + "\n")
    code, output = _cli_verify(copy)
    assert code == 1
    assert "seed 9 is recorded 2 times" in output
    assert "episode_index should be 8" in output


def _cli(*args: str):
    from vla.cli import main

    return CliRunner().invoke(main, list(args))


def _one_error_line(result, names: str) -> None:
    """A clean failure: exit code 1, no traceback, one `Error:` line naming the file."""
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    assert isinstance(result.exception, SystemExit), result.exception  # not a raw exception
    errors = [line for line in result.output.splitlines() if line.startswith("Error:")]
    assert len(errors) == 1 and names in errors[0], result.output


def test_info_refuses_a_dataset_with_a_truncated_shard(copy: Path) -> None:
    shard = copy / "data/chunk-000/file-000.parquet"
    assert _cli("dataset", "info", str(copy)).exit_code == 0
    shard.write_bytes(shard.read_bytes()[: shard.stat().st_size - 100])
    result = _cli("dataset", "info", str(copy))
    assert "ERROR data/chunk-000/file-000.parquet: cannot read Parquet" in result.output
    _one_error_line(result, "is damaged")
    assert _cli_verify(copy)[0] == 1


@pytest.mark.parametrize("rel", [fmt.INFO_PATH, fmt.EPISODES_PATH])
def test_corrupt_metadata_is_one_line_naming_the_file(copy: Path, rel: str) -> None:
    path = copy / rel
    path.write_text(path.read_text()[:-40] + "\n")  # a torn write
    _one_error_line(_cli("dataset", "info", str(copy)), rel)
    code, output = _cli_verify(copy)
    assert code == 1 and f"ERROR {rel}" in output
    resumed = _cli(
        "collect", "--env", UI, "--expert", UI_EXPERT, "--episodes", "9", "--workers", "0",
        "--out", str(copy),
    )  # fmt: skip
    _one_error_line(resumed, rel)


def test_info_json_always_lists_failed_seeds(copy: Path) -> None:
    """`failed_seeds` is written for every env, as [] when the env had no failure (issue 16)."""
    import json

    from vla.datasets.jsonfiles import read_jsonl
    from vla.datasets.writer import write_meta

    info = json.loads((copy / fmt.INFO_PATH).read_text())
    assert info["envs"][UI]["failed_seeds"] == [3, 7]  # the fake expert fails seeds 3 and 7
    episodes = read_jsonl(copy / fmt.EPISODES_PATH)
    write_meta(copy, episodes, {UI: {"seed_base": 0}}, info["collection"])
    info = json.loads((copy / fmt.INFO_PATH).read_text())
    assert info["envs"][UI]["failed_seeds"] == []


def test_an_episode_already_committed_is_refused_after_reopening(tmp_path: Path) -> None:
    import pyarrow as pa
    from vla_dataset_helpers import record

    from vla.datasets.format import EpisodeRecord
    from vla.datasets.writer import DatasetWriter

    record(tmp_path, UI, UI_EXPERT, 2)  # seeds 0 and 1, committed
    seed = read_episodes(tmp_path)[0]["seed"]

    def episode(s: int) -> EpisodeRecord:
        return EpisodeRecord(UI, s, True, pa.table({"x": [1]}), 10.0, "t")

    with DatasetWriter(tmp_path) as writer:  # reopened: committed keys come from disk
        with pytest.raises(ValueError, match=f"seed {seed} is already recorded"):
            writer.add(episode(seed))
        writer.add(episode(99), keep=False)  # another seed passes (a failure, only remembered)
