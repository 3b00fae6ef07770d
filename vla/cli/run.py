"""``vla run``: one live episode, printing each action as it happens.

```
vla run --policy vla-browser-tiny --env vla/miniwob-click-test-v0 --headful --record ep.gif
vla run --desktop --policy vla-browser-tiny --instruction "Click the button." \\
        --region 0,0,800,600 --dry-run
```
"""

from __future__ import annotations

import dataclasses
import sys
from typing import TYPE_CHECKING, Any

import click

from vla.cli.errors import OneLineError

if TYPE_CHECKING:
    from vla.rollout import RunConfig


def _region(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple | None:
    if value is None:
        return None
    from vla.controllers.screen_mapping import parse_region

    try:
        return parse_region(value)
    except ValueError as e:
        raise click.BadParameter(str(e)) from None


def _size(_ctx: click.Context, _param: click.Parameter, value: str | None) -> tuple | None:
    if value is None:
        return None
    try:
        w, h = (int(v) for v in value.lower().split("x"))
    except ValueError:
        raise click.BadParameter(f"must look like WxH, e.g. 160x210; got {value!r}") from None
    if w < 1 or h < 1:
        raise click.BadParameter(f"width and height must be >= 1; got {value!r}")
    return (w, h)


def _preflight(cfg: RunConfig) -> Any:
    """Check what can be checked before the episode starts; return the loaded policy."""
    from vla.cli.errors import check_display, check_env_ids, check_record, load_policy_or_fail

    check_record(cfg.record)
    if cfg.env_id is not None:
        check_env_ids([cfg.env_id])
    if cfg.desktop or cfg.headful:
        check_display("--desktop" if cfg.desktop else "--headful")
    from vla.training.loop import quiet_hf_progress

    with quiet_hf_progress():  # transformers' "Loading weights" bar would run into our lines
        return load_policy_or_fail(cfg.policy, cfg.device)


def _printer(cfg: RunConfig, seed_given: bool) -> Any:
    """``on_step`` for :func:`run_live`: the instruction and the seed before the first step's
    line (the env chooses its instruction at reset, so it is read off that step), then one
    line per step."""
    from vla.rollout.live import format_intro, format_step

    started: list[bool] = []

    def on_step(step: Any) -> None:
        if not started:
            started.append(True)
            click.echo(format_intro(cfg.seed, str(step.obs["instruction"]), seed_given))
        click.echo(format_step(step))

    return on_step


@click.command("run")
@click.option("--policy", required=True, help="Checkpoint folder or shipped checkpoint name.")
@click.option("--env", "env_id", default=None, help="Gymnasium env id (or use --desktop).")
@click.option("--desktop", is_flag=True, help="Act on the real screen (vla/desktop-v0).")
@click.option("--instruction", default=None, help="The task (required with --desktop).")
@click.option("--headful", is_flag=True, help="Show the browser window (browser envs).")
@click.option("--record", default=None, help="Write the episode with actions drawn (.gif/.mp4).")
@click.option("--seed", type=int, default=None, help="Reset seed (default: a random one, printed).")
@click.option("--max-steps", type=int, default=30, show_default=True, help="Step limit.")
@click.option("--device", default=None, help="torch device (default: CUDA if available).")
@click.option(
    "--threads",
    type=int,
    default=1,
    show_default=True,
    help="torch CPU threads for the policy (0: torch's default); the other cores run the env.",
)
@click.option("--region", callback=_region, help="Desktop: capture region X,Y,W,H.")
@click.option("--monitor", type=int, default=1, show_default=True, help="Desktop: mss monitor.")
@click.option("--image-size", callback=_size, help="Desktop: resize observations to WxH.")
@click.option("--dry-run", is_flag=True, help="Desktop: send no event; save annotated shots.")
@click.option(
    "--dry-run-dir",
    default="runs/desktop-dry-run",
    show_default=True,
    help="Desktop: folder for the dry-run screenshots.",
)
@click.option("--yes", is_flag=True, help="Desktop: type passwords/shell commands unasked.")
@click.option(
    "--max-rate", type=float, default=5.0, show_default=True, help="Desktop: actions/s limit."
)
@click.option(
    "--still-waits",
    type=int,
    default=None,
    help="After N waits in a row at an unchanged screen, act with the policy's best action "
    "that is not a wait (default: never override).",
)
def run(**kwargs) -> None:
    """Run one live episode with a policy, printing each action as it happens.

    On the desktop, safety is on: actions outside the region are refused, the rate is
    limited, risky text asks first; move the mouse to a screen corner or press Ctrl+C to stop.
    """
    from vla.rollout import RunConfig, run_live
    from vla.rollout.live import resolve_seed

    try:
        cfg = RunConfig(**kwargs)
    except ValueError as e:
        raise OneLineError(str(e)) from None
    seed_given = cfg.seed is not None
    cfg = dataclasses.replace(cfg, seed=resolve_seed(cfg))
    policy = _preflight(cfg)
    if cfg.desktop:
        where = f"region {cfg.region}" if cfg.region else f"monitor {cfg.monitor}"
        mode = "DRY RUN (no events)" if cfg.dry_run else "LIVE"
        click.echo(
            f"desktop {mode}: {where}, at most {cfg.max_rate:g} actions/s, {cfg.max_steps} "
            "steps; stop with Ctrl+C or by moving the mouse to a screen corner",
            err=True,
        )
    confirm = None
    if sys.stdin.isatty():  # otherwise risky text is refused unless --yes

        def confirm(message: str) -> bool:
            return click.confirm(message, default=False, err=True)

    try:
        result = run_live(cfg, on_step=_printer(cfg, seed_given), confirm=confirm, policy=policy)
    except ValueError as e:  # e.g. an env that has no headful mode
        raise OneLineError(str(e)) from None
    except KeyboardInterrupt:
        click.echo("stopped (Ctrl+C)", err=True)
        sys.exit(130)
    status = "success" if result.success else "no success"
    click.echo(f"{status}: {result.steps} steps, reward {result.total_reward:+.2f}")
    if result.record_path:
        click.echo(f"recorded: {result.record_path}")
    if result.interrupted:
        click.echo("stopped (Ctrl+C)", err=True)
        sys.exit(130)
