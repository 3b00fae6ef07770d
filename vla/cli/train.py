"""``vla train``: parse flags into a :class:`~vla.training.TrainConfig` and call ``train``."""

from __future__ import annotations

import json
from pathlib import Path

import click


def _overrides(values: tuple[str, ...]) -> dict:
    out = {}
    for item in values:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise click.BadParameter(f"expected KEY=VALUE; got {item!r}", param_hint="--set")
        try:
            out[key] = json.loads(raw)
        except json.JSONDecodeError:
            out[key] = raw
    return out


def _require_video_decoder(datasets: list[str]) -> None:
    """PyAV is installed when a dataset stores its cameras as MP4 (before anything is built)."""
    from vla.datasets import format as fmt
    from vla.datasets.video import require_av

    for d in datasets:
        info = Path(d) / fmt.INFO_PATH
        if info.is_file() and json.loads(info.read_text()).get("video_path"):
            require_av()  # an ImportError naming the `video` extra


@click.command("train")
@click.option(
    "--dataset", "datasets", multiple=True, required=True, help="Dataset folder (repeatable)."
)
@click.option(
    "--config", default="vla-tiny", show_default=True, help="Model preset or a saved model folder."
)
@click.option("--out", required=True, help="Run folder (final model, metrics, checkpoints).")
@click.option("--steps", type=int, default=None, help="Optimizer steps (overrides --epochs).")
@click.option("--epochs", type=float, default=10.0, show_default=True)
@click.option("--batch-size", type=int, default=32, show_default=True)
@click.option("--grad-accum", type=int, default=1, show_default=True)
@click.option("--lr", type=float, default=1e-3, show_default=True)
@click.option("--warmup-steps", type=int, default=100, show_default=True)
@click.option("--weight-decay", type=float, default=0.01, show_default=True)
@click.option("--max-grad-norm", type=float, default=1.0, show_default=True)
@click.option(
    "--augment",
    type=click.Choice(["auto", "screen", "none"]),
    default="auto",
    show_default=True,
    help="'screen': larger UI moves with random-colour edges, for actors on screen crops.",
)
@click.option(
    "--state-dropout",
    type=float,
    default=0.0,
    show_default=True,
    help="Share of training samples whose robot state is hidden, so the model must look.",
)
@click.option(
    "--first-frame-repeat",
    type=int,
    default=0,
    show_default=True,
    help="Extra draws per epoch of each episode's first frame (where only the image tells).",
)
@click.option(
    "--mixed-precision",
    type=click.Choice(["auto", "no", "bf16", "fp16"]),
    default="auto",
    show_default=True,
)
@click.option(
    "--val-fraction", type=float, default=0.1, show_default=True, help="Share of episodes held out."
)
@click.option(
    "--val-every",
    type=int,
    default=0,
    show_default=True,
    help="Validate every N steps (0: each epoch).",
)
@click.option("--save-every", type=int, default=500, show_default=True)
@click.option("--log-every", type=int, default=10, show_default=True)
@click.option(
    "--num-workers", type=int, default=0, show_default=True, help="DataLoader worker processes."
)
@click.option("--threads", type=int, default=0, help="torch CPU threads (0: torch's default).")
@click.option(
    "--log-with",
    default="tensorboard",
    show_default=True,
    help="accelerate tracker(s) for the scalars: tensorboard, wandb, mlflow, ..., all or none.",
)
@click.option(
    "--keep-checkpoints", type=int, default=2, show_default=True, help="Newest checkpoints kept."
)
@click.option("--seed", type=int, default=0, show_default=True)
@click.option("--resume", is_flag=True, help="Continue from the newest checkpoint in --out.")
@click.option(
    "--set",
    "model_set",
    multiple=True,
    metavar="KEY=VALUE",
    help="Model preset override, e.g. vision_image_size=96.",
)
def train(datasets: tuple[str, ...], model_set: tuple[str, ...], **kwargs) -> None:
    """Train a VLA on one or more datasets recorded with `vla collect`.

    Runs on the CPU or a GPU as is; `accelerate launch -m vla train ...` for several GPUs.
    """
    from vla.cli.errors import OneLineError
    from vla.training import TrainConfig
    from vla.training import train as run

    try:
        cfg = TrainConfig(datasets=list(datasets), model_overrides=_overrides(model_set), **kwargs)
        _require_video_decoder(cfg.datasets)
    except (ValueError, FileNotFoundError, ImportError) as e:
        raise OneLineError(str(e)) from None
    from vla.training.validation import format_validation

    try:
        result = run(cfg)
    except FileNotFoundError as e:  # a dataset folder without the files it needs
        raise OneLineError(str(e)) from None
    click.echo(f"saved {result.out} after {result.steps} steps in {result.wall_time_s:.0f} s")
    if any(k.startswith("val/") for k in result.metrics):
        click.echo(format_validation(result.steps, result.metrics))
    click.echo(f"curves: {result.out / 'report.html'}")
