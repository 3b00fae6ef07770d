"""``vla dataset``: inspect (info), check (verify), replay (view) and merge datasets."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import click


@click.group("dataset")
def dataset() -> None:
    """Inspect, verify, view, merge, upgrade and import datasets (LeRobot v3 layout)."""


def _length_stats(lengths: list[int]) -> str:
    if not lengths:
        return "-"
    return f"{min(lengths)}/{sum(lengths) / len(lengths):.1f}/{max(lengths)}"


def _cameras(cameras: dict[str, list[int]]) -> str:
    """``HxWx3`` for one camera, ``name=HxWx3 name=...`` for several."""
    shapes = {name: "x".join(map(str, shape)) for name, shape in cameras.items()}
    if len(shapes) == 1:
        return next(iter(shapes.values()))
    return " ".join(f"{n}={s}" for n, s in shapes.items())


def info_lines(root: str | Path) -> list[str]:
    """The lines ``vla dataset info`` prints: totals, then one row per env, then an ``ERROR``
    line per data file that is missing, unreadable or short (:func:`check_data_files`)."""
    from vla.datasets.reader import read_episodes, read_info
    from vla.datasets.verify import check_data_files

    info, episodes = read_info(root), read_episodes(root)
    files = [*Path(root).rglob("*.parquet"), *Path(root).rglob("*.mp4")]
    size = sum(p.stat().st_size for p in files)
    ok = sum(bool(e["success"]) for e in episodes)
    lines = [
        f"{root}: {len(episodes)} episodes, {info['total_frames']} frames, "
        f"{info['total_tasks']} tasks, {len(info['data_files'])} data files, {size / 2**20:.1f} MiB",
        f"success: {ok}/{len(episodes)}"
        + (f" ({100 * ok / len(episodes):.1f}%)" if episodes else "")
        + f"; format {info['codebase_version']} / vla-episodes {info['format_version']}"
        + ("; cameras as MP4 video" if info.get("video_path") else ""),
        f"{'env':<44} {'episodes':>8} {'success':>8} {'frames':>7} {'len min/mean/max':>17}"
        f" {'seeds':>11}  image",
    ]
    for env_id in info["env_ids"]:
        eps = [e for e in episodes if e["env_id"] == env_id]
        meta = info["envs"][env_id]
        seeds = meta.get("seed_range") or ["-", "-"]
        shapes = sorted({_cameras(e["cameras"]) for e in eps})
        rate = f"{100 * sum(bool(e['success']) for e in eps) / len(eps):.0f}%" if eps else "-"
        lines.append(
            f"{env_id:<44} {len(eps):>8} {rate:>8} {sum(e['length'] for e in eps):>7} "
            f"{_length_stats([e['length'] for e in eps]):>17} {seeds[0]!s:>5}-{seeds[1]!s:<5}"
            f"  {','.join(shapes)}"
        )
    return lines + [str(p) for p in check_data_files(root, episodes)]


@dataset.command("info")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
def info(path: str) -> None:
    """Counts per env, success, episode lengths and seeds of the dataset at PATH.

    Exits 1 when a data file is missing, truncated or short (a quick check of the Parquet
    footers; `vla dataset verify` reads everything)."""
    try:
        lines = info_lines(path)
    except (FileNotFoundError, ValueError, KeyError) as err:
        raise click.ClickException(_one_line(err, path)) from None
    click.echo("\n".join(lines))
    errors = sum(line.startswith("ERROR ") for line in lines)
    if errors:
        raise click.ClickException(
            f"{path} is damaged: {errors} data file error(s); run `vla dataset verify {path}`"
        )


def _one_line(err: Exception, path: str) -> str:
    if isinstance(err, KeyError):
        return f"{path}: the metadata lacks the key {err}; the dataset is corrupt"
    return str(err)


@dataset.command("verify")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--no-images", is_flag=True, help="Skip decoding every image (faster).")
def verify(path: str, no_images: bool) -> None:
    """Check every data file, the metadata and the episode index; exit 1 on any error."""
    from vla.datasets import verify as run

    try:
        report = run(path, decode_images=not no_images)
    except ImportError as err:  # video cameras without PyAV: the message names the extra
        raise click.ClickException(str(err)) from None
    click.echo(str(report))
    if not report.ok:
        raise SystemExit(1)


@dataset.command("view")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--episode", "episode", type=int, default=0, show_default=True)
@click.option("--out", required=True, type=click.Path(dir_okay=False), help="FILE.gif or .mp4")
@click.option("--fps", type=float, default=None, help="Frames per second [dataset fps, max 10].")
@click.option("--scale", type=int, default=None, help="Integer upscale [to >= 256 px].")
def view(path: str, episode: int, out: str, fps: float | None, scale: int | None) -> None:
    """Render an episode with its actions drawn and the instruction as a caption."""
    from vla.datasets.reader import load_episode, read_episodes
    from vla.render import draw_action, save_animation, views_frame

    if Path(out).suffix.lower() not in (".gif", ".mp4"):
        raise click.BadParameter(f"must end in .gif or .mp4; got {out!r}", param_hint="--out")
    try:
        steps = load_episode(path, episode)
    except (IndexError, FileNotFoundError, ValueError, ImportError) as err:
        raise click.ClickException(str(err)) from None
    meta: dict[str, Any] = read_episodes(path)[episode]
    status = "success" if meta["success"] else "failure"
    frames = []
    for step in steps:
        caption = (
            f"{step['instruction']}  [{meta['env_id']} seed {meta['seed']}, {status}, "
            f"step {step['frame_index'] + 1}/{len(steps)}]"
        )
        image = views_frame(step)  # every camera, side by side
        frames.append(draw_action(image, step["action"], caption=caption, scale=scale))
    rate = fps if fps is not None else min(float(meta.get("fps") or 4.0), 10.0)
    save_animation(frames, out, fps=rate)
    click.echo(f"wrote {out}: episode {episode}, {len(frames)} frames")


@dataset.command("merge")
@click.argument("inputs", nargs=-1, required=True, type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New dataset folder.")
def merge(inputs: tuple[str, ...], out: str) -> None:
    """Merge datasets INPUTS (e.g. browser and robot data) into a new dataset at --out."""
    from vla.datasets import merge as run

    try:
        result = run(list(inputs), out)
    except (ValueError, FileExistsError) as err:
        raise click.ClickException(str(err)) from None
    click.echo(
        f"wrote {result.out}: {result.episodes} episodes, {result.frames} frames"
        + (
            f" ({result.skipped_duplicates} duplicate episodes skipped)"
            if result.skipped_duplicates
            else ""
        )
    )


@dataset.command("upgrade")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New dataset folder.")
def upgrade(path: str, out: str) -> None:
    """Convert a dataset of vla format 1 (struct actions, meta/episodes.jsonl) at PATH into the
    LeRobot v3 layout at --out."""
    from vla.datasets.convert import describe
    from vla.datasets.convert import upgrade as run

    try:
        click.echo(describe(run(path, out)))
    except (ValueError, FileExistsError, FileNotFoundError) as err:
        raise click.ClickException(str(err)) from None


@dataset.command("import")
@click.argument("path", type=click.Path(exists=True, file_okay=False))
@click.option("--out", required=True, type=click.Path(file_okay=False), help="New dataset folder.")
@click.option(
    "--action",
    type=click.Choice(["ee_delta", "joint_target"]),
    default="ee_delta",
    show_default=True,
    help="What the LeRobot `action` vector is (gripper last, an opening in [0, 1]).",
)
@click.option("--env-id", default=None, help="Env id to record [lerobot:<folder name>].")
@click.option("--video", is_flag=True, help="Store the cameras as MP4 (lossless H.264), not PNG.")
def import_(path: str, out: str, action: str, env_id: str | None, video: bool) -> None:
    """Convert a LeRobotDataset v3.0 written by LeRobot (image or video cameras; video needs
    vla[video]) at PATH into a vla dataset at --out (`vla train` then reads it)."""
    from vla.datasets.convert import describe, import_lerobot

    try:
        result = import_lerobot(path, out, action=action, env_id=env_id, video=video)
        click.echo(describe(result))
    except (ValueError, FileExistsError, FileNotFoundError, KeyError, ImportError) as err:
        raise click.ClickException(str(err)) from None
