"""The Panda tasks: layouts sampled from ``np_random``, templated instructions, and success
predicates computed from simulator state (never from pixels).

Each predicate is a plain function of positions so tests can check it on hand-built states.
Positions are metres in the robot base frame; a cube's position is its centre.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from vla.envs.robot.scene import COLORS, CUBE_SIZE, Container

__all__ = [
    "TASKS",
    "Layout",
    "Task",
    "World",
    "in_container",
    "on_target",
    "stacked",
    "touching",
]

S = CUBE_SIZE
CUBE_REGION = ((0.36, -0.2), (0.62, 0.2))  # (x, y) low, high for cube centres
CONTAINER_REGION = ((0.42, -0.17), (0.58, 0.17))
TOUCH_THRESHOLD = 0.05  # m, grasp target to cube centre (panda-gym's reach threshold)
TARGET_THRESHOLD = 0.05  # m, cube centre to target centre in xy (panda-gym's push threshold)
STACK_XY = 0.02  # m
MIN_GAP = 0.09  # m between cube centres: room for the open fingers beside a cube


# ------------------------------------------------------------------------ success predicates


def touching(ee: Any, cube: Any, threshold: float = TOUCH_THRESHOLD) -> bool:
    """The grasp target is within ``threshold`` m of the cube centre."""
    return float(np.linalg.norm(np.asarray(ee) - np.asarray(cube))) <= threshold


def on_target(cube: Any, target: Any, threshold: float = TARGET_THRESHOLD) -> bool:
    """The cube rests on the table with its centre within ``threshold`` m (xy) of ``target``."""
    cube, target = np.asarray(cube), np.asarray(target)
    return bool(np.linalg.norm(cube[:2] - target[:2]) <= threshold and cube[2] < 0.75 * S)


def in_container(cube: Any, container_pos: Any, container: Container) -> bool:
    """The cube centre is inside the container's walls and below its rim (resting inside)."""
    d = np.asarray(cube)[:2] - np.asarray(container_pos)[:2]
    limit = container.inner_half - 0.25 * S
    inside = math.hypot(*d) <= limit if container.round else bool(np.all(np.abs(d) <= limit))
    return inside and float(np.asarray(cube)[2]) < container.wall_height + 0.5 * S


def stacked(top: Any, base: Any) -> bool:
    """``top`` sits on ``base`` (xy within 2 cm, one cube higher) and ``base`` is on the table."""
    top, base = np.asarray(top), np.asarray(base)
    dz = top[2] - base[2]
    return bool(
        np.linalg.norm(top[:2] - base[:2]) <= STACK_XY
        and 0.8 * S <= dz <= 1.2 * S
        and base[2] < 0.75 * S
    )


# ------------------------------------------------------------------------------- layouts


@dataclass
class Layout:
    """One sampled episode: cube colours and positions, container / target placement, goal."""

    instruction: str
    cubes: list[tuple[str, np.ndarray]]  # (colour, xyz) per cube; the first ones matter
    goal: dict[str, Any]
    container_xy: np.ndarray | None = None
    target_xy: np.ndarray | None = None
    target_color: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def _far(point: np.ndarray, avoid: list[tuple[np.ndarray, float]]) -> bool:
    return all(np.linalg.norm(point[:2] - q[:2]) >= r for q, r in avoid)


def _sample_xy(
    rng: np.random.Generator, region: tuple, avoid: list[tuple[np.ndarray, float]]
) -> np.ndarray:
    lo, hi = np.asarray(region[0]), np.asarray(region[1])
    for _ in range(2000):
        xy = rng.uniform(lo, hi)
        if _far(xy, avoid):
            return xy
    raise RuntimeError(f"could not place an object in {region} away from {len(avoid)} others")


def _cube(xy: np.ndarray) -> np.ndarray:
    return np.array([xy[0], xy[1], S / 2])


def _seg_dist(p: np.ndarray, a: np.ndarray, b: np.ndarray) -> float:
    ab = b - a
    t = float(np.clip(np.dot(p - a, ab) / np.dot(ab, ab), 0.0, 1.0))
    return float(np.linalg.norm(p - (a + t * ab)))


@dataclass
class World:
    """The simulator state the predicates read (positions in metres, base frame)."""

    ee: np.ndarray  # grasp-target xyz
    cubes: dict[str, np.ndarray]  # colour -> centre xyz
    released: dict[str, bool]  # colour -> the robot does not touch it
    container: tuple[np.ndarray, Container] | None = None
    target: np.ndarray | None = None


class Task:
    """A task: how to lay out an episode, what to say, and when it has succeeded."""

    name: str = ""
    n_cubes: int = 4
    containers: tuple[str, ...] = ()
    templates: tuple[str, ...] = ()

    def sample(self, rng: np.random.Generator) -> Layout:
        """Sample colours, positions and the instruction for one episode."""
        raise NotImplementedError

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        """``(success, failed)`` for the current simulator state; ``failed`` means success
        is no longer reachable. May record progress in ``layout.extra``."""
        raise NotImplementedError

    def _say(self, rng: np.random.Generator, **names: str) -> str:
        return self.templates[int(rng.integers(len(self.templates)))].format(**names)

    def _colors(self, rng: np.random.Generator, n: int) -> list[str]:
        return [str(c) for c in rng.choice(list(COLORS), size=n, replace=False)]

    def _distractors(
        self, rng: np.random.Generator, colors: list[str], avoid: list[tuple[np.ndarray, float]]
    ) -> list[tuple[str, np.ndarray]]:
        out = []
        for c in colors:
            xy = _sample_xy(rng, CUBE_REGION, avoid)
            avoid.append((xy, MIN_GAP))
            out.append((c, _cube(xy)))
        return out


class Reach(Task):
    name, n_cubes = "reach", 4
    templates = ("touch the {c} cube", "move the gripper to the {c} cube")

    def sample(self, rng: np.random.Generator) -> Layout:
        n = 1 + int(rng.integers(2, 4))  # the goal cube and 2-3 distractors
        colors = self._colors(rng, n)
        cubes = self._distractors(rng, colors, [])
        return Layout(self._say(rng, c=colors[0]), cubes, {"task": self.name, "object": colors[0]})

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        return touching(world.ee, world.cubes[layout.goal["object"]]), False


class Push(Task):
    name, n_cubes, containers = "push", 2, ("pad",)
    templates = ("push the {c} cube onto the {t} target", "slide the {c} cube to the {t} target")

    def sample(self, rng: np.random.Generator) -> Layout:
        c, t, d = self._colors(rng, 3)
        while True:
            cube = _sample_xy(rng, CUBE_REGION, [])
            angle, dist = rng.uniform(-math.pi, math.pi), rng.uniform(0.1, 0.16)
            u = np.array([math.cos(angle), math.sin(angle)])
            target, start = cube + dist * u, cube - 0.07 * u
            lo, hi = np.asarray(CUBE_REGION)
            if np.all(target >= lo) and np.all(target <= hi) and start[0] >= 0.3:
                break
        for _ in range(2000):  # one distractor, clear of the push corridor
            xy = _sample_xy(rng, CUBE_REGION, [(target, 0.1)])
            if _seg_dist(xy, start, target + 0.03 * u) >= 0.08:
                break
        goal = {"task": self.name, "object": c, "target": t, "threshold": TARGET_THRESHOLD}
        return Layout(self._say(rng, c=c, t=t), [(c, _cube(cube)), (d, _cube(xy))], goal,
                      target_xy=target, target_color=t)  # fmt: skip

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        return on_target(world.cubes[layout.goal["object"]], world.target), False


class PickPlace(Task):
    name, n_cubes, containers = "pick-place", 3, ("tray",)
    templates = ("put the {c} cube in the tray", "place the {c} cube into the tray")

    def sample(self, rng: np.random.Generator) -> Layout:
        n = 1 + int(rng.integers(1, 3))
        colors = self._colors(rng, n)
        box = _sample_xy(rng, CONTAINER_REGION, [])
        cubes = self._distractors(rng, colors, [(box, 0.15)])
        goal = {"task": self.name, "object": colors[0], "container": "tray"}
        return Layout(self._say(rng, c=colors[0]), cubes, goal, container_xy=box)

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        c = layout.goal["object"]
        pos, box = world.container  # type: ignore[misc]
        return world.released[c] and in_container(world.cubes[c], pos, box), False


class Stack(Task):
    name, n_cubes = "stack", 4
    templates = ("stack the {a} cube on the {b} cube", "put the {a} cube on top of the {b} cube")

    def sample(self, rng: np.random.Generator) -> Layout:
        n = 2 + int(rng.integers(1, 3))
        colors = self._colors(rng, n)
        cubes = self._distractors(rng, colors, [])
        goal = {"task": self.name, "object": colors[0], "base": colors[1]}
        return Layout(self._say(rng, a=colors[0], b=colors[1]), cubes, goal)

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        a, b = layout.goal["object"], layout.goal["base"]
        return world.released[a] and stacked(world.cubes[a], world.cubes[b]), False


class Sequence(Task):
    name, n_cubes, containers = "sequence", 4, ("bowl",)
    templates = (
        "put the {a} cube then the {b} cube in the bowl",
        "place the {a} cube in the bowl, then the {b} cube",
    )

    def sample(self, rng: np.random.Generator) -> Layout:
        n = 2 + int(rng.integers(1, 3))
        colors = self._colors(rng, n)
        bowl = _sample_xy(rng, CONTAINER_REGION, [])
        cubes = self._distractors(rng, colors, [(bowl, 0.15)])
        goal = {"task": self.name, "objects": colors[:2], "container": "bowl"}
        return Layout(self._say(rng, a=colors[0], b=colors[1]), cubes, goal, container_xy=bowl)

    def check(self, world: World, layout: Layout) -> tuple[bool, bool]:
        order = layout.goal["objects"]
        placed = layout.extra.setdefault("placed", [])
        pos, bowl = world.container  # type: ignore[misc]
        for c in order:
            inside = world.released[c] and in_container(world.cubes[c], pos, bowl)
            if inside and c not in placed:
                placed.append(c)
            elif not inside and c in placed and world.released[c]:
                placed.remove(c)  # knocked out again
        success = placed == order
        return success, bool(placed) and placed[0] != order[0]


TASKS: dict[str, Task] = {t.name: t for t in (Reach(), Push(), PickPlace(), Stack(), Sequence())}
