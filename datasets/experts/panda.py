"""Scripted IK experts for the ``vla/panda-<task>-v0`` envs.

The expert reads privileged ``info`` (object positions, goal, container) and emits
:class:`~vla.actions.EEDelta` actions that move the grasp target straight towards the current
waypoint at a constant speed (0.04 m per 0.1 s step, slowing only within the last 4 cm).
Waypoints are recomputed from ``info`` every step, so the expert is closed-loop and stays
correct under its own action noise. A pick is: above the cube -> down -> close -> lift ->
above the destination -> down -> open -> up. A grasp that slipped restarts the pick, and a
cube that got wedged in the open hand (lifted with it, which another agent's moves can cause)
is gripped where it is. So the expert can label states it did not lead to, as DAgger needs
(tests/robot/test_expert_recovery.py).

With ``noise`` the expert *executes* a perturbed step but *labels* the state with the step it
meant (:meth:`PandaExpert.label`, which recording stores): the dataset shows states off the
clean path, as DART (Laskey et al., 2017) does, without teaching the policy the noise.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import gymnasium as gym
import numpy as np

from vla.actions import EEDelta

__all__ = ["PandaExpert", "has_expert", "make_panda_expert"]

TASKS = ("reach", "push", "pick-place", "stack", "sequence")
SPEED = 0.04  # m per step
CUBE = 0.04  # m
HOVER = 0.07  # m above a cube before descending on it
CARRY = 0.08  # m the carried cube clears its destination by
#: Opening used around a grasp: 6 cm, not 8, so the fingers miss cubes next to the target.
PRE_GRASP = 0.75

Target = Callable[[dict[str, Any]], np.ndarray]


def has_expert(env_id: str) -> bool:
    """Whether ``env_id`` is a Panda task with a scripted expert."""
    return any(env_id == f"vla/panda-{t}-v0" for t in TASKS)


@dataclass
class _Waypoint:
    """Move the grasp target to ``target(info)`` with the gripper at ``gripper``; done within
    ``tol`` m. ``kind="grip"`` / ``"open"`` hold still until the fingers closed / opened.
    ``holding`` names a cube that must stay in the hand (else the pick restarts)."""

    kind: str
    gripper: float
    target: Target | None = None
    tol: float = 0.01
    holding: str | None = None
    restart: int = 0  # index of the first waypoint of this pick
    end: int = 0  # index of the last waypoint of this pick (moving away)
    dest: Target | None = None  # where the held cube goes
    valid: Callable[[dict[str, Any]], bool] | None = None  # False: restart this sub-plan
    approach: str | None = None  # the cube this waypoint descends on (before the grip)


def _cube(name: str) -> Target:
    return lambda info: np.asarray(info["objects"][f"{name} cube"]["position"], np.float64)


def _offset(target: Target, dxyz: tuple[float, float, float]) -> Target:
    return lambda info: target(info) + np.asarray(dxyz)


def _carried(name: str, dest: Target) -> Target:
    """Grasp-target position that puts cube ``name`` at ``dest`` (keeps the grasp offset)."""
    cube = _cube(name)
    return lambda info: dest(info) - (cube(info) - np.asarray(info["ee_position"]))


class PandaExpert:
    """A waypoint follower over a task plan built from ``info["goal"]`` on the first step."""

    def __init__(self, noise: float = 0.0, seed: int | None = None) -> None:
        if not 0.0 <= noise <= 1.0:
            raise ValueError(f"Got {noise!r} for `noise`; it must be in [0, 1]")
        self.noise = noise
        self.rng = np.random.default_rng(seed)
        self.reset()

    def reset(self) -> None:
        """Forget the plan; the next :meth:`act` builds one from ``info``."""
        self.plan: list[_Waypoint] = []
        self.index = 0
        self.waited = 0
        self.labels: list[EEDelta] = []  # the noise-free action of every step so far

    def label(self, step: Any) -> EEDelta:
        """The action stored for ``step`` (a :class:`~vla.rollout.StepRecord`, ``t`` from 1):
        the step the expert meant, before its noise."""
        return self.labels[step.t - 1]

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> EEDelta:
        """The next action: a step towards the current waypoint plus Gaussian xyz noise whose
        standard deviation (per axis) is ``noise`` times the length of that step."""
        if not self.plan:
            self.plan = _plan(info)
        ee = np.asarray(info["ee_position"], np.float64)
        if self.index >= len(self.plan) and not info["is_success"]:
            self.index = 0  # the plan ran out without success (e.g. a pushed cube veered off)
        while self.index < len(self.plan):
            wp = self.plan[self.index]
            if wp.valid is not None and not wp.valid(info):
                self.index, self.waited = wp.restart, 0
                continue
            if wp.holding and np.linalg.norm(_cube(wp.holding)(info) - ee) > 0.04:
                # The cube slipped: pick it again, unless it fell where it was going.
                dest = wp.dest(info) if wp.dest else None  # type: ignore[misc]
                cube = _cube(wp.holding)(info)
                landed = dest is not None and np.linalg.norm((cube - dest)[:2]) < 0.03
                self.index, self.waited = (wp.end if landed else wp.restart), 0
                continue
            if wp.approach and _wedged(_cube(wp.approach)(info), ee):
                # Chasing a cube that rises with the hand never reaches it: grip it instead.
                self.index, self.waited = wp.restart + 2, 0
                continue
            if not self._reached(wp, ee, info):
                break
            self.index, self.waited = self.index + 1, 0
        if self.index >= len(self.plan):
            self.labels.append(EEDelta((0.0, 0.0, 0.0), gripper=self.plan[-1].gripper))
            return self.labels[-1]
        wp = self.plan[self.index]
        if wp.target is None:
            self.waited += 1
            delta = np.zeros(3)
        else:
            delta = wp.target(info) - ee
            norm = np.linalg.norm(delta)
            if norm > SPEED:
                delta *= SPEED / norm
        self.labels.append(EEDelta(tuple(np.clip(delta, -0.05, 0.05)), gripper=wp.gripper))
        if self.noise > 0:  # proportional to the step, so fine positioning stays precise
            delta = delta + self.rng.normal(0.0, self.noise * np.linalg.norm(delta), 3)
        return EEDelta(tuple(np.clip(delta, -0.05, 0.05)), gripper=wp.gripper)

    def _reached(self, wp: _Waypoint, ee: np.ndarray, info: dict[str, Any]) -> bool:
        width = float(info["gripper_width"])
        if wp.kind == "grip":
            return self.waited >= 2 and (width < CUBE + 0.004 or self.waited >= 5)
        if wp.kind == "open":
            return self.waited >= 1 and (width > CUBE + 0.01 or self.waited >= 4)
        return bool(np.linalg.norm(wp.target(info) - ee) <= wp.tol)  # type: ignore[misc]


def _wedged(cube: np.ndarray, ee: np.ndarray) -> bool:
    """The cube is off the table and between the fingers although nothing gripped it."""
    return bool(cube[2] > CUBE / 2 + 0.012 and np.linalg.norm(cube - ee) < 0.03)


def _lifted(cube: np.ndarray) -> np.ndarray:
    """Straight above ``cube`` at carrying height: lift clear of neighbours before moving."""
    return np.array([cube[0], cube[1], max(cube[2], CUBE / 2 + CARRY)])


def _pick(name: str, dest: Target, start: int) -> list[_Waypoint]:
    cube = _cube(name)
    w = [
        _Waypoint("move", PRE_GRASP, _offset(cube, (0, 0, HOVER)), 0.02, approach=name),
        _Waypoint("move", PRE_GRASP, _offset(cube, (0, 0, -0.004)), 0.007, approach=name),
        _Waypoint("grip", 0.0),  # index restart + 2 (see PandaExpert.act)
        _Waypoint("move", 0.0, _carried(name, lambda i: _lifted(cube(i))), 0.02, name),
        _Waypoint("move", 0.0, _carried(name, _offset(dest, (0, 0, CARRY))), 0.03, name),
        _Waypoint("move", 0.0, _carried(name, _offset(dest, (0, 0, 0.02))), 0.015, name),
        _Waypoint("move", 0.0, _carried(name, dest), 0.007, name),
        _Waypoint("open", PRE_GRASP),
        _Waypoint("move", PRE_GRASP, _offset(dest, (0, 0, 0.1)), 0.02),
    ]
    for wp in w:
        wp.restart, wp.end, wp.dest = start, start + len(w) - 1, dest
    return w


def _container(info: dict[str, Any], dxy: tuple[float, float] = (0.0, 0.0)) -> np.ndarray:
    c = info["container"]
    return np.asarray(c["position"]) + np.array([dxy[0], dxy[1], 0.006 + CUBE / 2 + 0.008])


def _plan(info: dict[str, Any]) -> list[_Waypoint]:
    goal = info["goal"]
    task = goal["task"]
    if task == "reach":
        cube = _cube(goal["object"])
        return [
            _Waypoint("move", 1.0, _offset(cube, (0, 0, HOVER)), 0.03),
            _Waypoint("move", 1.0, _offset(cube, (0, 0, 0.02)), 0.01),
        ]
    if task == "pick-place":
        return _pick(goal["object"], _container, 0)
    if task == "stack":
        return _pick(goal["object"], _offset(_cube(goal["base"]), (0, 0, CUBE + 0.003)), 0)
    if task == "sequence":
        a, b = goal["objects"]
        first = _pick(a, lambda i: _container(i, (0.03, 0.0)), 0)
        return first + _pick(b, lambda i: _container(i, (-0.03, 0.0)), len(first))
    if task == "push":
        return _push_plan(goal)
    raise ValueError(f"no Panda expert plan for task {task!r}")


def _push_plan(goal: dict[str, Any]) -> list[_Waypoint]:
    cube = _cube(goal["object"])

    def target(info: dict[str, Any]) -> np.ndarray:
        return np.asarray(info["objects"][f"{goal['target']} target"]["position"], np.float64)

    def direction(info: dict[str, Any]) -> np.ndarray:
        d = (target(info) - cube(info))[:2]
        return np.append(d / max(np.linalg.norm(d), 1e-6), 0.0)

    def behind(info: dict[str, Any], z: float, back: float = 0.055) -> np.ndarray:
        c = cube(info)
        return np.array([*(c - back * direction(info))[:2], z])

    def push(info: dict[str, Any]) -> np.ndarray:
        return np.array([*(target(info) - 0.03 * direction(info))[:2], 0.015])

    def in_line(info: dict[str, Any]) -> bool:
        """The fingers are still behind the cube, on the line from the cube to the target."""
        u, rel = direction(info)[:2], (np.asarray(info["ee_position"]) - cube(info))[:2]
        return abs(u[0] * rel[1] - u[1] * rel[0]) < 0.015 and float(u @ rel) < -0.015

    return [
        _Waypoint("move", 0.0, lambda i: behind(i, 0.07), 0.015),
        _Waypoint("move", 0.0, lambda i: behind(i, 0.015), 0.01),
        _Waypoint("move", 0.0, push, 0.005, valid=in_line),
    ]


def make_panda_expert(env: gym.Env, noise: float = 0.0, seed: int | None = None,
                      **kwargs: Any) -> PandaExpert:  # fmt: skip
    """The scripted expert for a ``vla/panda-<task>-v0`` env. ``noise`` in [0, 1] is the
    per-axis standard deviation of Gaussian xyz noise relative to the commanded step length;
    ``seed`` seeds that noise."""
    spec = getattr(env, "spec", None) or getattr(env.unwrapped, "spec", None)
    if spec is None or not has_expert(spec.id):
        raise ValueError(f"make_panda_expert needs a vla/panda-<task>-v0 env; got {spec!r}")
    if kwargs:
        raise ValueError(f"make_panda_expert got unknown options {sorted(kwargs)}")
    return PandaExpert(noise=noise, seed=seed)
