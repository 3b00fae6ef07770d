"""``PolicyAgent(still_waits=N)``: after N waits at an unchanged screen the next action is
decoded without ``wait``; a moving screen, another action or a new episode resets the count."""

from __future__ import annotations

from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pytest

from vla.actions import Click, UISpace, Wait
from vla.envs.spaces import ActionSpace, observation_space
from vla.rollout import PolicyAgent, run_episode
from vla.rollout.still_waits import StillWaits


class PageEnv(gym.Env):
    """A page that succeeds on any click; ``moving``: its image changes every step (an
    animation), else only a click changes it."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self, moving: bool = False) -> None:
        self.moving = moving
        self.observation_space = observation_space(8, 8)
        self.action_space = ActionSpace(UISpace(("click", "wait")), image_size=(8, 8))

    def _obs(self) -> dict[str, Any]:
        image = np.zeros((8, 8, 3), np.uint8)
        image[0, 0] = self.t if self.moving else 0
        return {"image": image, "instruction": "open it"}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple:
        super().reset(seed=seed)
        self.t = 0
        return self._obs(), {"is_success": False}

    def step(self, action: Any) -> tuple:
        self.t += 1
        done = isinstance(action, Click)
        return self._obs(), float(done), done, self.t >= 10 and not done, {"is_success": done}


class Waiter:
    """A policy stand-in that waits whenever its grammar allows it, else clicks; it records
    the grammars it is handed."""

    def __init__(self) -> None:
        self.spaces: list[Any] = []

    def _one(self, space: Any) -> Any:
        self.spaces.append(space)
        return Wait() if space is None or "wait" in space.verbs else Click(2, 2)

    def act(self, image: Any, instruction: str, state: Any = None, space: Any = None) -> Any:
        return self._one(space)

    def act_batch(self, images, instructions, states=None, spaces=None) -> list[Any]:
        return [self._one(s) for s in spaces or [None] * len(images)]


def test_waiting_at_a_still_screen_ends_after_the_limit() -> None:
    env = PageEnv()
    episode = run_episode(
        PolicyAgent.for_env(Waiter(), env.action_space, still_waits=2), env, seed=0
    )
    assert episode.success and episode.steps == 3
    assert [type(a) for a in episode.actions] == [Wait, Wait, Click]
    # without the limit the same policy waits until the env truncates
    episode = run_episode(PolicyAgent.for_env(Waiter(), env.action_space), env, seed=0)
    assert not episode.success and episode.steps == 10


def test_a_moving_screen_may_be_waited_on_for_ever() -> None:
    env = PageEnv(moving=True)
    policy = Waiter()
    episode = run_episode(PolicyAgent.for_env(policy, env.action_space, still_waits=2), env, seed=0)
    assert not episode.success and episode.steps == 10
    assert all(s == UISpace(("click", "wait")) for s in policy.spaces)


def test_each_copy_counts_its_own_waits_and_restarts_clear_them() -> None:
    policy = Waiter()
    agent = PolicyAgent(policy, UISpace(), still_waits=1)
    still = {"image": np.zeros((4, 4, 3), np.uint8), "instruction": "x"}
    frames = [np.full((4, 4, 3), k, np.uint8) for k in range(3)]
    acts = [agent.act_batch([still, {**still, "image": f}], [{}, {}]) for f in frames[:2]]
    assert acts == [[Wait(), Wait()], [Click(2, 2), Wait()]]
    assert "wait" not in policy.spaces[-2].verbs and policy.spaces[-1] == UISpace()
    agent.reset_copies([True, False])  # copy 0's episode restarts: it may wait again
    assert agent.act_batch([still, {**still, "image": frames[2]}], [{}, {}]) == [Wait(), Wait()]
    assert agent.still_waits is not None and agent.still_waits.overrides == 1


def test_robot_grammars_and_bad_limits_are_left_alone() -> None:
    guard = StillWaits(1)
    image = np.zeros((4, 4, 3), np.uint8)
    for _ in range(3):  # a robot observation: its default grammar has no wait to take out
        assert guard.space(0, image, None, has_state=True) is None
        guard.record(0, Wait())
    assert guard.space(1, image, UISpace(("wait",))) == UISpace(("wait",))
    for bad in (0, -1, True, 1.5):
        with pytest.raises(ValueError, match="still_waits"):
            StillWaits(bad)  # type: ignore[arg-type]
