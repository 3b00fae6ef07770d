"""``vla compare``: two evaluations side by side (:mod:`vla.evaluation.compare`)."""

from __future__ import annotations

from pathlib import Path

import click


@click.command("compare")
@click.argument("old")
@click.argument("new")
@click.option(
    "--markdown", is_flag=True, help="Print a Markdown table (for a results page) instead."
)
@click.option("--html", "html_out", default=None, help="Also write a page with a dot plot here.")
def compare(old: str, new: str, markdown: bool, html_out: str | None) -> None:
    """Compare two `vla eval` results (folders, eval_info.json files or shipped checkpoint
    names), task by task.

    Each shared task's change comes with a 95% interval and, where both ran the same seeds, the
    exact McNemar p-value on the seeds whose outcome flipped; * marks p < 0.05 (not corrected
    for the number of tasks). The last line is the change of the mean over shared tasks.
    """
    from vla.cli.errors import OneLineError
    from vla.evaluation.compare import compare as compare_infos
    from vla.evaluation.compare import load_eval_info

    try:
        a, b = load_eval_info(old), load_eval_info(new)
    except ValueError as e:
        raise OneLineError(str(e)) from None
    result = compare_infos(a, b, old_name=_name(old), new_name=_name(new))
    if not result.changes:
        raise OneLineError(
            f"{old} and {new} share no task; compare evaluations of the same env ids"
        )
    click.echo(result.to_markdown() if markdown else result.to_text())
    if html_out:
        Path(html_out).parent.mkdir(parents=True, exist_ok=True)
        Path(html_out).write_text(result.to_html())
        click.echo(f"plot: {html_out}")


def _name(path: str) -> str:
    """A short column name: the folder's name (the parent's for an eval_info.json)."""
    p = Path(path)
    return (p.parent if p.name == "eval_info.json" else p).name or str(p)
