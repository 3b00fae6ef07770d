"""Objects of the Panda scenes (the table top belongs to the arm): coloured cubes, a tray, a bowl and a flat target pad.

Everything is built once from primitive shapes (no URDF loading) and moved on reset, which is
what keeps ``reset()`` cheap. Units are metres, frame is the robot base frame (= world).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

__all__ = ["COLORS", "CUBE_SIZE", "PARK", "Container", "Scene"]

CUBE_SIZE = 0.04  # m, edge length (as panda-gym)
CUBE_MASS = 0.05  # kg
#: Named colours (RGB in [0, 1]) that instructions refer to.
COLORS: dict[str, tuple[float, float, float]] = {
    "red": (0.86, 0.12, 0.12),
    "green": (0.15, 0.68, 0.22),
    "blue": (0.15, 0.3, 0.92),
    "yellow": (0.98, 0.85, 0.1),
    "purple": (0.6, 0.22, 0.78),
    "orange": (1.0, 0.5, 0.05),
}
#: Where unused cubes wait: behind the robot, out of every camera's view.
PARK = np.array([-1.3, 0.0, CUBE_SIZE / 2])
PARK_RGB = (0.5, 0.5, 0.5)


@dataclass(frozen=True)
class Container:
    """An open container on the table. ``inner_half`` is half the inside width (m; for the bowl,
    the radius of the inside), ``wall_height`` its rim height above the table (m)."""

    name: str
    body: int
    inner_half: float
    wall_height: float
    round: bool


class Scene:
    """Bodies shared by every task, created in the arm's physics client."""

    def __init__(self, p: Any, client: int, n_cubes: int, kinds: tuple[str, ...]) -> None:
        self.p, self.client = p, client
        self.cubes = [
            self._box(
                (CUBE_SIZE / 2,) * 3, PARK + np.array([0.0, 0.1 * i, 0.0]), (1, 1, 1, 1), CUBE_MASS
            )
            for i in range(n_cubes)
        ]
        for body in self.cubes:
            p.changeDynamics(body, -1, lateralFriction=1.0, spinningFriction=0.001,
                             rollingFriction=0.0001, physicsClientId=client)  # fmt: skip
        self.tray = self._tray() if "tray" in kinds else None
        self.bowl = self._bowl() if "bowl" in kinds else None
        self.pad = self._pad() if "pad" in kinds else None

    # ----------------------------------------------------------------- building

    def _box(self, half: Any, pos: Any, rgba: Any, mass: float) -> int:
        p, c = self.p, self.client
        col = p.createCollisionShape(p.GEOM_BOX, halfExtents=half, physicsClientId=c)
        vis = p.createVisualShape(p.GEOM_BOX, halfExtents=half, rgbaColor=rgba, physicsClientId=c)
        return p.createMultiBody(mass, col, vis, list(pos), physicsClientId=c)

    def _compound(self, halves: list, offsets: list, yaws: list, rgba: Any) -> int:
        p, c = self.p, self.client
        quats = [p.getQuaternionFromEuler((0, 0, y)) for y in yaws]
        n = len(halves)
        col = p.createCollisionShapeArray([p.GEOM_BOX] * n, halfExtents=halves,
                                          collisionFramePositions=offsets,
                                          collisionFrameOrientations=quats, physicsClientId=c)  # fmt: skip
        vis = p.createVisualShapeArray([p.GEOM_BOX] * n, halfExtents=halves,
                                       visualFramePositions=offsets, visualFrameOrientations=quats,
                                       rgbaColors=[rgba] * n, physicsClientId=c)  # fmt: skip
        return p.createMultiBody(0.0, col, vis, (2.0, 0.0, 0.0), physicsClientId=c)

    def _tray(self) -> Container:
        inner, h, t = 0.075, 0.03, 0.008  # inside half-width, rim height, wall thickness
        halves = [(inner + t, inner + t, 0.003)]
        offsets = [(0.0, 0.0, 0.003)]
        for sx, sy in ((1, 0), (-1, 0), (0, 1), (0, -1)):
            halves.append((t / 2, inner + t, h / 2) if sx else (inner + t, t / 2, h / 2))
            offsets.append((sx * (inner + t / 2), sy * (inner + t / 2), h / 2))
        body = self._compound(halves, offsets, [0.0] * 5, (0.32, 0.33, 0.38, 1.0))
        return Container("tray", body, inner, h, round=False)

    def _bowl(self) -> Container:
        radius, h, t, n = 0.08, 0.035, 0.008, 14
        seg = radius * math.tan(math.pi / n) + t / 2
        halves = [(radius * 0.72, radius * 0.72, 0.003)] * 2
        offsets = [(0.0, 0.0, 0.003)] * 2
        yaws = [0.0, math.pi / 4]
        for k in range(n):
            a = 2 * math.pi * k / n
            r = radius + t / 2
            halves.append((t / 2, seg, h / 2))
            offsets.append((r * math.cos(a), r * math.sin(a), h / 2))
            yaws.append(a)
        body = self._compound(halves, offsets, yaws, (0.95, 0.95, 0.93, 1.0))
        return Container("bowl", body, radius, h, round=True)

    def _pad(self) -> int:
        p, c = self.p, self.client
        vis = p.createVisualShape(p.GEOM_CYLINDER, radius=0.045, length=0.002,
                                  rgbaColor=(1, 1, 1, 1), physicsClientId=c)  # fmt: skip
        return p.createMultiBody(0.0, -1, vis, (2.0, 0.5, 0.001), physicsClientId=c)

    # ----------------------------------------------------------------- state

    def place(self, body: int, xyz: Any, yaw: float = 0.0) -> None:
        """Teleport ``body`` to ``xyz`` with heading ``yaw`` and zero velocity."""
        p, c = self.p, self.client
        q = p.getQuaternionFromEuler((0.0, 0.0, yaw))
        p.resetBasePositionAndOrientation(body, list(map(float, xyz)), q, physicsClientId=c)
        p.resetBaseVelocity(body, (0, 0, 0), (0, 0, 0), physicsClientId=c)

    def paint(self, body: int, color: str | None) -> None:
        """Give ``body`` one of the named :data:`COLORS` (None: neutral grey, for parked cubes)."""
        rgb = PARK_RGB if color is None else COLORS[color]
        self.p.changeVisualShape(body, -1, rgbaColor=(*rgb, 1.0),
                                 physicsClientId=self.client)  # fmt: skip

    def pose(self, body: int) -> tuple[np.ndarray, np.ndarray]:
        """``(position (3,), quaternion xyzw (4,))`` of ``body``."""
        pos, quat = self.p.getBasePositionAndOrientation(body, physicsClientId=self.client)
        return np.asarray(pos), np.asarray(quat)
