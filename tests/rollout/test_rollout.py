"""The agent contract, the single-episode loop and ``vla.envs.make`` on a tiny in-file env."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np
import pytest

import vla.envs
from vla.actions import Click, Done, UISpace
from vla.envs.spaces import ActionSpace, observation_space
from vla.rollout import Agent, PolicyAgent, load_policy, run_episode


class CounterEnv(gym.Env):
    """The image's top-left pixel counts steps; a Done ends it, 3 steps truncate it."""

    metadata: ClassVar[dict[str, Any]] = {"render_modes": []}

    def __init__(self) -> None:
        self.observation_space = observation_space(8, 8)
        self.action_space = ActionSpace(UISpace(("click", "done")), image_size=(8, 8))

    def _obs(self) -> dict[str, Any]:
        image = np.zeros((8, 8, 3), np.uint8)
        image[0, 0] = self.t
        return {"image": image, "instruction": "count"}

    def reset(self, *, seed: int | None = None, options: dict | None = None) -> tuple:
        super().reset(seed=seed)
        self.t = 0
        return self._obs(), {"is_success": False, "secret": 42}

    def step(self, action: Any) -> tuple:
        self.t += 1
        done = isinstance(action, Done)
        info = {"is_success": done, "secret": 42, "error": None if done else "missed"}
        return self._obs(), float(done), done, self.t >= 3 and not done, info


class Recorder:
    """A policy stand-in that records what it is handed."""

    def __init__(self) -> None:
        self.calls: list[tuple[Any, ...]] = []

    def act(self, image: Any, instruction: str, state: Any = None, space: Any = None) -> Any:
        self.calls.append((image.shape, instruction, state, space))
        return Click(1, 1)

    def act_batch(self, images, instructions, states=None, spaces=None) -> list[Any]:
        self.calls.append((len(images), list(instructions), states, spaces))
        return [Click(1, 1)] * len(images)


def test_policy_agent_passes_pixels_instruction_and_grammar_never_info() -> None:
    env, policy = CounterEnv(), Recorder()
    agent = PolicyAgent.for_env(policy, env.action_space)
    assert isinstance(agent, Agent)
    obs, info = env.reset(seed=0)
    assert agent.act(obs, info) == Click(1, 1)
    assert policy.calls == [((8, 8, 3), "count", None, UISpace(("click", "done")))]
    assert agent.act_batch([obs, obs], [info, info]) == [Click(1, 1)] * 2
    assert policy.calls[-1] == (2, ["count", "count"], None, [agent.space] * 2)


class HistoryReader:
    """A policy stand-in whose model reads its previous actions: it clicks at (n, n) where n
    counts the calls, and records the histories it is handed."""

    action_history = 2

    def __init__(self) -> None:
        self.histories: list[Any] = []
        self.n = 0

    def _click(self) -> Click:
        self.n += 1
        return Click(self.n, self.n)

    def act(self, image, instruction, state=None, space=None, history=None) -> Any:
        self.histories.append(history)
        return self._click()

    def act_batch(self, images, instructions, states=None, spaces=None, histories=None):
        self.histories.append(histories)
        return [self._click() for _ in images]


def test_policy_agent_hands_each_episode_and_each_copy_its_own_history() -> None:
    env, policy = CounterEnv(), HistoryReader()
    agent = PolicyAgent.for_env(policy, env.action_space)
    obs, info = env.reset(seed=0)
    agent.reset()
    first, second = agent.act(obs, info), agent.act(obs, info)
    agent.executed(Done())  # e.g. DAgger's expert acted in the policy's place
    agent.act(obs, info)
    assert policy.histories[:2] == [[], [first]]
    assert policy.histories[2] == [first, second, Done()]
    agent.reset()  # a new episode starts with nothing
    agent.act(obs, info)
    assert policy.histories[-1] == []
    # the vectorised loop: one history per env copy, cleared when that copy restarts
    a = agent.act_batch([obs, obs], [info, info])
    b = agent.act_batch([obs, obs], [info, info])
    assert policy.histories[-1] == [[a[0]], [a[1]]]
    agent.reset_copies([True, False])
    agent.act_batch([obs, obs], [info, info])
    assert policy.histories[-1] == [[], [a[1], b[1]]]
    plain = Recorder()  # a policy that reads no history is never handed one
    PolicyAgent.for_env(plain, env.action_space).act(obs, info)
    assert len(plain.calls[-1]) == 4


def test_loop_records_steps_caps_and_marks_the_cap_as_truncation() -> None:
    env, steps = CounterEnv(), []
    agent = PolicyAgent.for_env(Recorder(), env.action_space)
    ep = run_episode(agent, env, seed=3, max_steps=2, on_step=steps.append, keep_frames=True)
    assert (ep.seed, ep.length, ep.steps, ep.success) == (3, 2, 2, False)
    assert ep.truncated and not ep.terminated and steps[-1].truncated and not steps[0].truncated
    assert ep.errors == ["step 1: missed", "step 2: missed"]
    assert [int(f[0, 0, 0]) for f in ep.frames] == [0, 1, 2]  # every observation, final too
    assert [s.obs["image"][0, 0, 0] for s in steps] == [0, 1] and len(ep.act_s) == 2


def test_an_expert_sees_info_and_is_reset_once() -> None:
    class Expert:
        resets = 0

        def reset(self) -> None:
            self.resets += 1

        def act(self, obs: dict, info: dict) -> Any:
            return Done() if info["secret"] == 42 else Click(0, 0)

    expert = Expert()
    ep = run_episode(expert, CounterEnv(), seed=0)
    assert expert.resets == 1 and ep.success and ep.terminated and ep.length == 1


def test_load_policy_of_a_server_without_vla_serving_says_so(monkeypatch) -> None:
    monkeypatch.setitem(sys.modules, "vla.serving", None)  # as if the package were absent
    with pytest.raises(ValueError, match=r"ws://localhost:1.*vla\.serving"):
        load_policy("ws://localhost:1")


def test_make_suggests_close_ids_for_a_typo() -> None:
    with pytest.raises(ValueError, match="did you mean 'vla/panda-reach-v0'"):
        vla.envs.make("vla/panda-reech-v0")
    with pytest.raises(gym.error.Error):  # still a gymnasium error for gymnasium users
        vla.envs.make("vla/panda-reech-v0")


def test_make_finds_a_users_module_in_the_working_directory(tmp_path: Path) -> None:
    (tmp_path / "my_cwd_task.py").write_text(
        textwrap.dedent(
            """
            import gymnasium as gym
            class MyEnv(gym.Env):
                observation_space = gym.spaces.Discrete(2)
                action_space = gym.spaces.Discrete(2)
            def factory(**kw):
                return MyEnv()
            """
        )
    )
    code = (
        "import sys, vla.envs; assert '' not in sys.path and '.' not in sys.path; "
        "print(vla.envs.make('my_cwd_task:MyEnv').spec.id, "
        "type(vla.envs.make('my_cwd_task:factory')).__name__)"
    )
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    # -I: isolated mode, like a console script (the cwd is not on sys.path)
    out = subprocess.run(
        [sys.executable, "-I", "-c", code], cwd=tmp_path, env=env, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["my_cwd_task:MyEnv", "MyEnv"]
