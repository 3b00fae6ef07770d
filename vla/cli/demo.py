"""``vla demo``: the shipped checkpoints on a few browser tasks and robot tasks."""

from __future__ import annotations

import click


@click.command("demo")
@click.option("--out", default="runs/demo", show_default=True, help="Folder for report.html.")
@click.option(
    "--episodes",
    type=click.IntRange(min=1),
    default=5,
    show_default=True,
    help="Episodes per task.",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1),
    default=1,
    show_default=True,
    help="Env copies per task.",
)
def demo(out: str, episodes: int, workers: int) -> None:
    """Run the shipped checkpoints on browser and robot tasks; print a success table."""
    from vla.evaluation.demo import DemoConfig, run_demo
    from vla.evaluation.info import EvalInfo

    result = run_demo(DemoConfig(out=out, episodes=episodes, workers=workers))
    info = EvalInfo.from_dict(result["info"])
    if info.tasks:
        click.echo(info.to_text())
        click.echo(f"report: {out}/report.html")
    for name in result["missing"]:
        click.echo(f"skipped {name}: shipped checkpoint or envs not available")
    click.echo(f"demo finished in {result['wall_time_s']:.0f} s")
    if not info.tasks:
        raise SystemExit(1)
