"""``vla eval``: parse flags into an :class:`~vla.evaluation.EvalConfig` and call ``evaluate``."""

from __future__ import annotations

import click

from vla.evaluation.config import DEFAULT_SEED_START
from vla.rollout.loop import DEFAULT_MAX_STEPS


@click.command("eval")
@click.option("--policy", required=True, help="Checkpoint folder or shipped checkpoint name.")
@click.option(
    "--env", "env_ids", multiple=True, required=True, help="Gymnasium env id (repeatable)."
)
@click.option(
    "--env-kwargs",
    default="{}",
    show_default=True,
    help="JSON kwargs for every env (as in `vla collect`), e.g. the image size it trained on.",
)
@click.option("--episodes", type=int, default=100, show_default=True, help="Episodes per env.")
@click.option(
    "--seed-start",
    type=int,
    default=DEFAULT_SEED_START,
    show_default=True,
    help="Episode k uses seed start + k.",
)
@click.option(
    "--workers", type=int, default=1, show_default=True, help="Env copies stepped in parallel."
)
@click.option(
    "--max-steps",
    type=int,
    default=DEFAULT_MAX_STEPS,
    show_default=True,
    help="Cap on steps per episode (on top of the env's own limit).",
)
@click.option(
    "--replays", type=int, default=2, show_default=True, help="GIFs per task and outcome."
)
@click.option(
    "--out",
    default="runs/eval",
    show_default=True,
    help="Folder for eval_info.json and report.html.",
)
@click.option(
    "--threads",
    type=int,
    default=1,
    show_default=True,
    help="torch CPU threads for the policy (0: torch's default); the other cores run the envs.",
)
@click.option("--device", default=None, help="torch device (default: CUDA if available, else CPU).")
@click.option(
    "--allow-seed-overlap", is_flag=True, help="Evaluate even on seeds the policy trained on."
)
@click.option(
    "--execution",
    default=None,
    help="Chunked robot policies: 'first', 'receding:H' or 'ensemble[:DECAY]' (default: the "
    "execution the checkpoint names in its config.json, else ask the policy every step).",
)
@click.option(
    "--still-waits",
    type=int,
    default=None,
    help="UI policies: after N waits in a row at an unchanged screen, act with the policy's "
    "best action that is not a wait (default: never override).",
)
@click.option(
    "--against",
    default=None,
    help="Then compare with this evaluation, task by task (a `vla eval --out` folder, its "
    "eval_info.json or a shipped checkpoint's name), as `vla compare` does.",
)
@click.option(
    "--resume/--no-resume",
    default=True,
    show_default=True,
    help="Keep the tasks an interrupted run of the same policy and settings finished in --out.",
)
def eval_(
    env_ids: tuple[str, ...], env_kwargs: str, execution: str | None, against: str | None, **kwargs
) -> None:
    """Evaluate a policy in closed loop; writes eval_info.json and report.html.

    Each task is saved in --out/tasks/ as soon as it ends: rerunning the same command after an
    interruption evaluates only the tasks still missing.

    Bad input (an unknown env id or checkpoint, evaluation seeds the policy trained on, no
    display for an env that needs one) stops it with one `Error:` line before any episode.
    """
    from vla.cli.errors import (
        OneLineError,
        check_display,
        check_env_ids,
        check_execution,
        json_object,
        load_policy_or_fail,
        needs_display,
    )
    from vla.evaluation import EvalConfig, evaluate
    from vla.evaluation.closed_loop import seed_check
    from vla.rollout.chunk_execution import parse_execution

    try:
        chunks = parse_execution(execution) if execution is not None else None
        cfg = EvalConfig(
            env_ids=list(env_ids),
            env_kwargs=json_object(env_kwargs, "--env-kwargs"),
            execution=chunks,
            **kwargs,
        )
    except ValueError as e:
        raise OneLineError(str(e)) from None
    check_env_ids(cfg.env_ids, cfg.env_kwargs)
    for env_id in cfg.env_ids:
        if needs_display(env_id, cfg.env_kwargs):
            check_display(env_id)
    try:
        seed_check(cfg)
    except ValueError as e:
        raise OneLineError(str(e)) from None
    baseline = None
    if against is not None:
        from vla.evaluation.compare import load_eval_info

        try:
            baseline = load_eval_info(against)  # a bad path fails before any episode
        except ValueError as e:
            raise OneLineError(str(e)) from None
    policy = load_policy_or_fail(cfg.policy, cfg.device)
    if cfg.execution is not None:
        check_execution(policy, cfg.execution)
    info = evaluate(cfg, policy=policy)
    from vla.evaluation.report import format_table

    click.echo(format_table(info))
    click.echo(f"report: {cfg.out}/report.html")
    if baseline is not None:
        from vla.evaluation.compare import compare
        from vla.evaluation.info import EvalInfo

        new = EvalInfo.from_dict(info)  # evaluate returns the eval_info.json object
        click.echo(compare(baseline, new, old_name=against, new_name=cfg.out).to_text())
