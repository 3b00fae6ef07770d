"""One recorded episode: an agent runs through :func:`vla.rollout.run_episode` and a hook
turns every step into a row of the dataset's :class:`~vla.datasets.writer.EpisodeRecord`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from vla.actions import Action
from vla.datasets.format import EpisodeRecord, build_episode
from vla.envs.contract import check_observation
from vla.rollout.agents import Agent
from vla.rollout.loop import run_episode as run_agent_episode
from vla.rollout.records import StepRecord

__all__ = ["EpisodeRecorder", "run_episode", "with_reset"]


class EpisodeRecorder:
    """``on_reset`` / ``on_step`` hooks of the rollout loop that keep the rows of one episode.

    Each step's observation is checked against the contract (a clear error for a user's env
    that needs :class:`vla.envs.ContractWrapper`). ``label(step)`` gives the action stored for
    the step; the default stores the executed one (DAgger stores the expert's instead). With a
    ``label``, the executed actions are kept too (the episode's ``executed`` list in
    ``meta/vla/episodes.jsonl``): a model that reads its previous actions trains on those.
    An env whose ``info`` has ``target_pixels`` or ``goal_pixels`` (grounding labels) or
    ``words`` (the page's words and their boxes: the reading loss's labels) gets them kept per
    step beside the ``executed`` list (``target_pixels``, ``goal_pixels``, ``page_words``),
    each with the observation it describes.
    """

    def __init__(self, env_id: str, label: Callable[[StepRecord], Action] | None = None) -> None:
        self.env_id = env_id
        self.label = label
        self.steps: list[dict[str, Any]] = []
        self._labels: dict[str, Any] = {}  # the labels of the observation acted on

    def on_reset(self, obs: dict[str, Any], info: dict[str, Any]) -> None:
        check_observation(obs, self.env_id)
        self._labels = _labels(info)

    def on_step(self, step: StepRecord) -> None:
        check_observation(step.obs, self.env_id)
        labels, self._labels = self._labels, _labels(step.info)
        self.steps.append(
            {
                "image": step.obs["image"],
                "images": step.obs.get("images"),
                "instruction": step.obs["instruction"],
                "state": step.obs.get("state"),
                "action": step.action if self.label is None else self.label(step),
                "reward": step.reward,
                "terminated": step.terminated,
                "truncated": step.truncated,
                "success": bool(step.info.get("is_success", False)),
                **labels,
            }
        )
        if self.label is not None:
            self.steps[-1]["executed"] = step.action

    def build(self, env: Any, seed: int) -> EpisodeRecord:
        """The :class:`EpisodeRecord` of the steps so far, at the env's ``render_fps``.

        Every camera of ``obs["images"]`` is its own column; a single-camera env's ``image``
        is ``observation.images.<name>`` with the name of its one camera (robots: the
        ``cameras`` dict of the env), else ``main``."""
        fps = float((getattr(env, "metadata", None) or {}).get("render_fps") or 10.0)
        return build_episode(self.env_id, seed, self.steps, fps, camera=camera_name(env))


def _labels(info: dict[str, Any]) -> dict[str, Any]:
    """The per-observation labels an env's ``info`` carries, as the recorded step keys."""
    return {
        "target_pixels": info.get("target_pixels"),
        "goal_pixels": info.get("goal_pixels"),
        "page_words": info.get("words"),
    }


def camera_name(env: Any) -> str:
    """The name of a single-camera env's camera: its one ``cameras`` key, else ``main``."""
    cameras = getattr(getattr(env, "unwrapped", env), "cameras", None)
    if isinstance(cameras, dict) and len(cameras) == 1:
        return str(next(iter(cameras)))
    return "main"


def with_reset(expert: Any) -> Agent:
    """``expert`` as an :class:`~vla.rollout.Agent`: one with only ``act(obs, info)`` (what
    ``--expert module:callable`` may return; docs/datasets.md) gets a ``reset()`` that does
    nothing."""
    return _WithReset(expert)


class _WithReset:
    """Gives a user's expert that has only ``act(obs, info)`` the ``reset()`` of the contract
    (``--expert module:callable`` may return such an object; docs/datasets.md)."""

    def __init__(self, expert: Any) -> None:
        self.expert = expert

    def reset(self) -> None:
        reset = getattr(self.expert, "reset", None)
        if reset is not None:
            reset()

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        action: Action = self.expert.act(obs, info)
        return action


def run_episode(
    env: Any, expert: Any, env_id: str, seed: int, max_steps: int = 500
) -> EpisodeRecord:
    """Run ``expert`` (``act(obs, info)``, optionally ``reset()``) in ``env`` for one episode
    from ``env.reset(seed=seed)`` and record it; at most ``max_steps`` steps, the last of
    which then counts as truncated. An expert with ``label(step)`` (a noisy Panda expert)
    decides the action stored for each step; otherwise the executed one is stored."""
    label = getattr(expert, "label", None)
    return record_episode(with_reset(expert), env, env_id, seed, max_steps, label=label)


def record_episode(
    agent: Any,
    env: Any,
    env_id: str,
    seed: int,
    max_steps: int = 500,
    label: Callable[[StepRecord], Action] | None = None,
) -> EpisodeRecord:
    """One episode of ``agent`` through the rollout loop, recorded; ``label`` (DAgger) gives
    the action to record for a step when it is not the one executed. Ctrl+C propagates."""
    recorder = EpisodeRecorder(env_id, label=label)
    episode = run_agent_episode(
        agent,
        env,
        max_steps=max_steps,
        seed=seed,
        on_reset=recorder.on_reset,
        on_step=recorder.on_step,
    )
    if episode.interrupted:
        raise KeyboardInterrupt
    return recorder.build(env, seed)
