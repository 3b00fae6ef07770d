"""DAgger (Ross et al., 2011, https://arxiv.org/abs/1011.0686): the policy drives, the expert
labels every state the policy visits.

One DAgger episode runs through :func:`vla.rollout.run_episode` like an expert episode; only the
agent differs. At every step the expert is asked for its action (``expert.act(obs, info)``,
also on states that only the policy's own mistakes lead to) and the recorded action is that
label; the env executes the policy's action, or the expert's with probability ``beta``. The
result is an ordinary dataset row by row, so ``vla dataset merge`` and ``vla train`` take it.
"""

from __future__ import annotations

from typing import Any

from vla.actions import Action
from vla.datasets.format import EpisodeRecord
from vla.datasets.recording import record_episode, with_reset
from vla.rollout.agents import Agent, PolicyAgent, PolicyLike
from vla.rollout.records import StepRecord

__all__ = ["DaggerAgent", "run_dagger_episode"]


class DaggerAgent:
    """Executes the policy's action (the expert's with probability ``beta``) and keeps the
    expert's label of every state in ``labels`` (``labels[t - 1]`` for step ``t``).

    ``seed`` seeds the ``beta`` coin, so an episode is the same whatever worker runs it.
    """

    def __init__(self, expert: Agent, policy: Agent, beta: float = 0.0, seed: int = 0) -> None:
        import numpy as np

        if not 0.0 <= beta <= 1.0:
            raise ValueError(f"Got {beta!r} for `beta`; it must be in [0, 1]")
        self.expert, self.policy, self.beta = expert, policy, beta
        self.rng = np.random.default_rng(seed)
        self.labels: list[Action] = []
        self.executed_expert = 0

    def reset(self) -> None:
        self.expert.reset()
        self.policy.reset()
        self.labels = []
        self.executed_expert = 0

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        label = self.expert.act(obs, info)
        self.labels.append(label)
        if self.beta and self.rng.random() < self.beta:
            self.executed_expert += 1
            executed = getattr(self.policy, "executed", None)
            if executed is not None:  # a policy that reads its history must see this step
                executed(label)
            return label
        return self.policy.act(obs, info)  # a PolicyAgent: the policy never sees info

    def label(self, step: StepRecord) -> Action:
        """The expert's action for the state of ``step`` (what the dataset records)."""
        return self.labels[step.t - 1]


def run_dagger_episode(
    env: Any,
    expert: Any,
    policy: PolicyLike,
    env_id: str,
    seed: int,
    max_steps: int = 500,
    beta: float = 0.0,
    execution: str | None = None,
) -> EpisodeRecord:
    """One DAgger episode of ``policy`` in ``env`` from ``env.reset(seed=seed)``, recorded with
    the expert's labels; at most ``max_steps`` steps (the last then counts as truncated).
    ``execution`` (``"receding:4"``, ``"ensemble"`` ...) runs a chunked policy's chunks as
    ``vla eval --execution`` does; the expert labels every step all the same."""
    from vla.rollout.chunk_execution import parse_execution

    chunks = parse_execution(execution) if execution is not None else None
    driver = PolicyAgent.for_env(policy, env.action_space, chunks)
    agent = DaggerAgent(with_reset(expert), driver, beta, seed)
    return record_episode(agent, env, env_id, seed, max_steps, label=agent.label)
