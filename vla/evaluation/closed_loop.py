"""``evaluate(EvalConfig)``: closed-loop evaluation of a policy on one or more envs, with the
evaluation seeds checked against the seeds that produced the policy's training data."""

from __future__ import annotations

import dataclasses
import functools
from pathlib import Path
from typing import Any

from vla.evaluation import resume
from vla.evaluation.config import EvalConfig
from vla.evaluation.info import EpisodeOutcome, EvalInfo, SeedCheck, TaskSummary
from vla.evaluation.metrics import latency_summary, wilson_interval
from vla.rollout.agents import PolicyAgent, camera_kwargs, default_execution
from vla.rollout.vector import RolloutResult, run_episodes

__all__ = ["evaluate", "seed_check", "task_summary"]


def seed_check(cfg: EvalConfig) -> dict[str, Any]:
    """Compare the evaluation seeds with the policy's ``training_data.json``.

    Returns ``{"training_data": bool, "disjoint": bool | None, "overlap": {env_id: count},
    "training_envs": [...]}``. ``disjoint`` is None when the checkpoint records no training data.
    Raises ``ValueError`` on an overlap unless ``cfg.allow_seed_overlap``.
    """
    from vla.hub import find_checkpoint, read_training_data, training_seeds

    folder = find_checkpoint(cfg.policy)
    record = read_training_data(folder) if folder is not None else None
    if record is None:
        return {"training_data": False, "disjoint": None, "overlap": {}, "training_envs": []}
    evals = set(cfg.seeds)
    trained = {env: training_seeds(record, env) for env in cfg.env_ids}
    overlap = {env: len(evals & trained[env]) for env in cfg.env_ids}
    overlap = {k: v for k, v in overlap.items() if v}
    if overlap and not cfg.allow_seed_overlap:
        worst = max(max(trained[env]) for env in overlap)
        raise ValueError(
            f"evaluation seeds {cfg.seed_start}..{cfg.seed_start + cfg.episodes - 1} overlap the "
            f"training seeds of {cfg.policy!r} ({overlap} episodes per env); use a seed_start "
            f"above {worst} (--seed-start) or pass allow_seed_overlap (--allow-seed-overlap)"
        )
    return {
        "training_data": True,
        "disjoint": not overlap,
        "overlap": overlap,
        "training_envs": record.get("env_ids", []),
    }


def task_summary(result: RolloutResult, max_steps: int | None = None) -> TaskSummary:
    """Per-task numbers of ``eval_info.json`` (see docs/evaluation.md); ``max_steps`` is the
    step cap the episodes ran under (it tells a capped episode from the env's time limit)."""
    eps = result.episodes
    k, n = sum(e.success for e in eps), len(eps)
    lo, hi = wilson_interval(k, n)
    return TaskSummary(
        episodes=n,
        successes=k,
        success_rate=k / n if n else 0.0,
        ci95=(round(lo, 4), round(hi, 4)),
        mean_length=sum(e.length for e in eps) / n if n else 0.0,
        mean_reward=sum(e.total_reward for e in eps) / n if n else 0.0,
        truncated=sum(e.truncated for e in eps),
        failed_seeds=[e.seed for e in eps if not e.success],
        batch_size=result.batch_size,
        policy_latency_ms=latency_summary(result.policy_s),
        env_latency_ms=latency_summary(result.env_s),
        env_steps=result.env_steps,
        env_steps_per_s=round(result.env_steps / result.wall_time_s, 2)
        if result.wall_time_s
        else 0.0,
        wall_time_s=round(result.wall_time_s, 2),
        per_episode=[EpisodeOutcome.from_episode(e, max_steps) for e in eps],
    )


def evaluate(cfg: EvalConfig, policy: Any = None) -> dict[str, Any]:
    """Run ``cfg.episodes`` episodes of every env in ``cfg.env_ids`` and summarise them.

    ``policy`` (optional) is an already loaded :class:`vla.Policy`; otherwise ``cfg.policy`` is
    loaded. Writes ``eval_info.json``, ``report.html`` and GIF replays to ``cfg.out`` when set,
    and each task's numbers to ``cfg.out/tasks/`` as soon as it ends: rerunning an interrupted
    evaluation with the same weights and settings evaluates only the missing tasks
    (:mod:`vla.evaluation.resume`; ``cfg.resume=False`` starts over).
    Returns the ``eval_info`` dict (:meth:`EvalInfo.to_dict`; ``EvalInfo.from_dict`` types it).
    """
    seeds = seed_check(cfg)
    if cfg.threads:
        import torch

        torch.set_num_threads(cfg.threads)
    if policy is None:
        from vla.rollout.agents import load_policy

        policy = load_policy(cfg.policy, device=cfg.device)
    # a checkpoint that names its own chunk execution runs (and is recorded) that way, and one
    # that reads camera views gets those cameras
    cfg = dataclasses.replace(
        cfg,
        execution=default_execution(policy, cfg.execution),
        env_kwargs=camera_kwargs(policy, cfg.env_kwargs),
    )
    summaries = _run_tasks(cfg, policy)
    info = EvalInfo(
        policy=cfg.policy,
        device=str(getattr(policy, "device", "unknown")),
        episodes_per_task=cfg.episodes,
        seeds={"start": cfg.seed_start, "stop": cfg.seed_start + cfg.episodes - 1},
        seed_check=SeedCheck.from_dict(seeds),
        workers=cfg.workers,
        max_steps=cfg.max_steps,
        tasks={env_id: summaries[env_id] for env_id in cfg.env_ids},
        extra=_settings(cfg),
    )
    if cfg.out is not None:
        from vla.evaluation.report import write_report

        write_report(Path(cfg.out), info)
    return info.to_dict()


def _run_tasks(cfg: EvalConfig, policy: Any) -> dict[str, TaskSummary]:
    """Every task's summary: those an interrupted run with the same settings finished, then
    the rest, each saved (with its replays) the moment it ends."""
    import sys

    from tqdm.auto import tqdm

    from vla.evaluation.report import remove_old_replays, write_replays

    out = Path(cfg.out) if cfg.out is not None else None
    key, done = "", {}
    if out is not None:
        key = resume.run_key(cfg, policy)
        done = resume.finished_tasks(out, key, cfg.env_ids) if cfg.resume else {}
        if done:
            print(
                f"resuming: {len(done)} of {len(cfg.env_ids)} tasks already evaluated with "
                f"these weights and settings in {out / resume.TASKS_DIR} (resume=False starts "
                "over)",
                file=sys.stderr,
            )
        else:
            remove_old_replays(out)  # the folder shows this run only
    make_agent = functools.partial(
        PolicyAgent.for_env, policy, execution=cfg.execution, still_waits=cfg.still_waits
    )
    todo = [env_id for env_id in cfg.env_ids if env_id not in done]
    with tqdm(total=cfg.episodes * len(todo), disable=not cfg.progress, desc="eval") as bar:
        for env_id in todo:
            wins = [0]

            def tick(ep: Any, wins: list[int] = wins, env_id: str = env_id) -> None:
                wins[0] += ep.success
                bar.update(1)
                bar.set_postfix_str(f"{env_id.split('/')[-1]} success {wins[0]}")

            result = run_episodes(
                make_agent,
                env_id,
                list(cfg.seeds),
                workers=cfg.workers,
                env_kwargs=cfg.env_kwargs,
                max_steps=cfg.max_steps,
                replays=cfg.replays,
                on_episode=tick,
            )
            summary = task_summary(result, cfg.max_steps)
            if out is not None:
                summary.replays = write_replays(out, result)
                resume.save_task(out, key, env_id, summary)
            done[env_id] = summary
    return done


def _settings(cfg: EvalConfig) -> dict[str, Any]:
    """The env kwargs, chunk execution and wait limit of an evaluation, when it set them (the
    numbers depend on them: the cameras a policy reads, how its chunks run, whether it may wait
    for ever)."""
    out: dict[str, Any] = {"env_kwargs": dict(cfg.env_kwargs)} if cfg.env_kwargs else {}
    if cfg.execution is not None:
        out["execution"] = dataclasses.asdict(cfg.execution)
    if cfg.still_waits is not None:
        out["still_waits"] = cfg.still_waits
    return out
