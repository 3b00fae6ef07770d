"""``vla collect``: parse flags into a :class:`~vla.datasets.CollectConfig` and call ``collect``."""

from __future__ import annotations

from typing import Any

import click

from vla.rollout.loop import DEFAULT_MAX_STEPS


@click.command("collect")
@click.option(
    "--env",
    "env_ids",
    multiple=True,
    required=True,
    help="Gymnasium id (vla/miniwob-click-button-v0) or module:Class (repeatable).",
)
@click.option("--episodes", type=int, required=True, help="Episodes to record per env.")
@click.option(
    "--out", required=True, type=click.Path(), help="Dataset folder (created or resumed)."
)
@click.option(
    "--workers", type=int, default=2, show_default=True, help="Worker processes (0: inline)."
)
@click.option(
    "--seed", type=int, default=0, show_default=True, help="Attempt k of an env uses seed+k."
)
@click.option("--keep-failures", is_flag=True, help="Keep failed episodes too (success=False).")
@click.option("--expert", default=None, help="module:callable, called as callable(env, **kwargs).")
@click.option("--env-kwargs", default="{}", show_default=True, help="JSON kwargs for the env.")
@click.option(
    "--expert-kwargs", default="{}", show_default=True, help="JSON kwargs for the expert."
)
@click.option(
    "--max-steps",
    type=int,
    default=DEFAULT_MAX_STEPS,
    show_default=True,
    help="Truncate after this.",
)
@click.option("--max-attempts", type=int, default=None, help="Seeds tried per env [2*episodes+10].")
@click.option("--max-file-mb", type=float, default=64.0, show_default=True, help="Data file size.")
@click.option(
    "--video", is_flag=True, help="Store cameras as MP4 video (lossless H.264; needs vla[video])."
)
@click.option("--dagger", is_flag=True, help="DAgger: the --policy drives, the expert labels.")
@click.option("--policy", default=None, help="DAgger: checkpoint folder, shipped name or ws://.")
@click.option(
    "--beta",
    type=float,
    default=0.0,
    show_default=True,
    help="DAgger: probability of executing the expert's action instead.",
)
@click.option("--device", default=None, help="DAgger: torch device of the policy.")
@click.option(
    "--threads",
    type=int,
    default=1,
    show_default=True,
    help="DAgger: torch CPU threads of the policy in each worker (0: torch's default); the "
    "other cores run the envs.",
)
@click.option(
    "--execution",
    default=None,
    help="DAgger with a chunked robot policy: 'first', 'receding:H' or 'ensemble[:DECAY]', "
    "as in `vla eval` (default: ask the policy every step).",
)
def collect(
    env_ids: tuple[str, ...], env_kwargs: str, expert_kwargs: str, dagger: bool, **kwargs: Any
) -> None:
    """Run scripted experts in parallel worker processes and record a dataset.

    Rerunning the same command after an interruption resumes it: finished episodes are kept
    and no episode is recorded twice. Check the result with `vla dataset verify OUT`.

    With --dagger --policy P, the policy acts and the expert labels every state it visits
    (DAgger); the result is an ordinary dataset for `vla dataset merge` and `vla train`.
    """
    from vla.cli.errors import (
        OneLineError,
        check_env_ids,
        check_execution,
        json_object,
        load_policy_or_fail,
    )
    from vla.datasets import CollectConfig
    from vla.datasets import collect as run

    if dagger != (kwargs["policy"] is not None):
        raise OneLineError("--dagger and --policy go together; give both or neither")
    try:
        cfg = CollectConfig(
            env_ids=list(env_ids),
            env_kwargs=json_object(env_kwargs, "--env-kwargs"),
            expert_kwargs=json_object(expert_kwargs, "--expert-kwargs"),
            **kwargs,
        )
    except ValueError as err:
        raise OneLineError(str(err)) from None
    if cfg.policy is not None and not cfg.policy.startswith(("ws://", "wss://")):
        policy = load_policy_or_fail(cfg.policy, "cpu")  # a typo fails here, not in every worker
        if cfg.execution is not None:
            from vla.rollout.chunk_execution import parse_execution

            check_execution(policy, parse_execution(cfg.execution))
    check_env_ids(cfg.env_ids, cfg.env_kwargs)
    try:
        result = run(cfg)
    # a resume with other settings; no PyAV; a policy server that is not there
    except (ValueError, ImportError, ConnectionError, PermissionError) as err:
        raise click.ClickException(str(err)) from None
    rate = result.recorded / result.seconds if result.seconds else 0.0
    click.echo(
        f"recorded {result.recorded} episodes ({result.successes} successes in "
        f"{result.attempts} attempts, {result.errors} errors) in {result.seconds:.1f} s "
        f"({rate:.2f} episodes/s); {result.out} holds {result.total_episodes} episodes"
    )
    for env_id, missing in result.shortfall.items():
        click.echo(
            f"warning: {env_id} is {missing} episodes short after {cfg.max_attempts} seeds "
            "(the expert fails too often; see --max-attempts, --keep-failures)",
            err=True,
        )
