"""``vla tasks``: list the registered envs, their domain and whether a scripted expert exists."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

import click

__all__ = ["TaskRow", "list_tasks", "tasks"]


@dataclass(frozen=True)
class TaskRow:
    """One registered env: its gymnasium id, domain (the ``vla.envs`` subpackage that
    implements it) and whether ``vla.datasets.make_expert`` supports it."""

    env_id: str
    domain: str
    expert: bool


def _domain(entry_point: object) -> str:
    module = entry_point.split(":")[0] if isinstance(entry_point, str) else ""
    parts = module.split(".")
    if len(parts) >= 3 and parts[:2] == ["vla", "envs"]:
        return parts[2]
    return module or "other"


def list_tasks(domain: str | None = None, expert_only: bool = False) -> list[TaskRow]:
    """Every ``vla/...`` env id registered by ``import vla.envs``, sorted by domain then id."""
    import gymnasium as gym

    import vla.envs  # noqa: F401  (registers the ids)
    from vla.datasets import has_expert

    rows = []
    for env_id, spec in gym.registry.items():
        if not env_id.startswith("vla/"):
            continue
        row = TaskRow(env_id, _domain(spec.entry_point), has_expert(env_id))
        if (domain is None or row.domain == domain) and (row.expert or not expert_only):
            rows.append(row)
    return sorted(rows, key=lambda r: (r.domain, r.env_id))


@click.command("tasks")
@click.option("--domain", default=None, help="Only this domain (browser, robot, desktop).")
@click.option("--expert-only", is_flag=True, help="Only envs with a scripted expert.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON lines instead of a table.")
def tasks(domain: str | None, expert_only: bool, as_json: bool) -> None:
    """List registered envs, their domain and whether a scripted expert exists."""
    rows = list_tasks(domain, expert_only)
    if domain is not None and not rows:
        from vla.cli.errors import OneLineError

        known = sorted({r.domain for r in list_tasks()})
        raise OneLineError(f"no env in domain {domain!r}; --domain takes one of {known}")
    if as_json:
        for r in rows:
            click.echo(json.dumps(asdict(r)))
        return
    width = max([len(r.env_id) for r in rows] + [6])
    click.echo(f"{'env id':<{width}}  {'domain':<8}  expert")
    for r in rows:
        click.echo(f"{r.env_id:<{width}}  {r.domain:<8}  {'yes' if r.expert else '-'}")
    n_exp = sum(r.expert for r in rows)
    click.echo(f"{len(rows)} envs, {n_exp} with a scripted expert")
