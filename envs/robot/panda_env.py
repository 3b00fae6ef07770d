"""``PandaEnv``: a language-conditioned Franka Panda task in PyBullet, as a gymnasium env.

Observation (``vla.envs.spaces.observation_space(128, 128, 14)``)::

    {"image": uint8[H, W, 3],       # third-person camera (or the wrist camera)
     "instruction": str,            # e.g. "put the yellow cube in the tray"
     "state": float32[14]}          # 7 joints (rad), finger width (m), ee xyz (m), ee rpy (rad)

Action: :class:`~vla.actions.EEDelta` (``control="ee_delta"``, per step |dxyz| <= 0.05 m,
|drpy| <= 0.25 rad) or :class:`~vla.actions.JointTarget` (``control="joint_target"``, 7 joint
positions). A 7- (or 8-) element array is accepted too and read with
:meth:`~vla.actions.RobotSpace.from_vector`. One step is 0.1 s (10 Hz) of 240 Hz physics.

``info`` (privileged; for experts and metrics, never for a policy): ``is_success``,
``goal`` (the task's goal as colours/names), ``objects`` (name -> ``{"kind", "color",
"position", "orientation"}``), ``ee_position``, ``ee_rpy``, ``gripper_width``, ``clipped``
(reasons a command was clipped this step), ``target_pixels`` (camera name -> ``[x, y]``,
where the cube the instruction is about is in that camera's image, or where it goes once it is
held: a grounding label), ``goal_pixels`` (the same, of where the motion ends: the pad of
``push``, the tray or bowl, the base cube of ``stack``; absent for ``reach``) and, for
container tasks, ``container`` (``{"name", "position", "inner_half", "wall_height",
"round"}``). See docs/robot.md.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from typing import Any, ClassVar

import gymnasium as gym
import numpy as np

from vla.actions import EEDelta, JointTarget, RobotSpace
from vla.controllers.pybullet_arm import ArmConfig, Camera, PandaArm
from vla.envs.robot.scene import CUBE_SIZE, PARK, Scene
from vla.envs.robot.tasks import TASKS, Layout, World
from vla.envs.spaces import ActionSpace, observation_space

__all__ = ["PandaEnv"]

STATE_DIM = 14
#: The named cameras (square; the env sets their size). ``front`` is the original
#: third-person view; ``scene`` faces the robot across the table from closer, so cubes show
#: about twice as many pixels and the arm enters from the far edge of the picture
#: (benchmarks/robot_cameras.py, docs/robot.md); ``wrist`` rides on the hand and looks along
#: the fingers.
CAMERAS: dict[str, Camera] = {
    "front": Camera(),
    "scene": Camera(target=(0.49, 0.0, 0.02), distance=0.65, yaw=90.0, pitch=-45.0),
    "wrist": Camera(mount="wrist"),
}
#: Random offset of the start pose of the grasp target around ArmConfig.home_position (m).
HOME_JITTER = np.array([0.03, 0.05, 0.03])
#: A cube this far (m) above resting on the table, touching the robot, is held.
LIFTED = 0.01


class PandaEnv(gym.Env):
    """A Panda task (``task`` in ``reach, push, pick-place, stack, sequence``).

    ``image_size`` sets the camera resolution (square). ``camera`` names the one camera of
    ``obs["image"]`` (a key of :data:`CAMERAS`: ``front``, ``scene`` or ``wrist``).
    ``cameras`` (a sequence of those names) asks for several views instead: ``obs["images"]``
    then maps each name to its ``uint8[H, W, 3]`` frame, and ``obs["image"]`` is the first
    one. ``render_images=False`` returns black frames (for fast state-only rollouts such as
    expert benchmarks; success never reads pixels).
    """

    metadata: ClassVar[dict[str, Any]] = {"render_modes": ["rgb_array"], "render_fps": 10}

    def __init__(
        self,
        task: str = "reach",
        control: str = "ee_delta",
        image_size: int = 128,
        camera: str = "front",
        cameras: Sequence[str] | None = None,
        render_mode: str | None = None,
        render_images: bool = True,
        arm_config: ArmConfig | None = None,
    ) -> None:
        if task not in TASKS:
            raise ValueError(f"Got {task!r} for `task`; choose one of {sorted(TASKS)}")
        if control not in ("ee_delta", "joint_target"):
            raise ValueError(f"Got {control!r} for `control`; use 'ee_delta' or 'joint_target'")
        names = _camera_names(camera, cameras)
        if render_mode not in (None, "rgb_array"):
            raise ValueError(f"Got {render_mode!r} for `render_mode`; only 'rgb_array'")
        self.task, self.control, self.render_mode = TASKS[task], control, render_mode
        self.render_images = render_images
        #: name -> camera, in observation order; the first one fills ``obs["image"]``.
        self.cameras = {n: replace(CAMERAS[n], width=image_size, height=image_size) for n in names}
        self._multi_view = cameras is not None
        self.arm = PandaArm(arm_config)
        cfg = self.arm.config
        self.scene = Scene(self.arm.p, self.arm.client, self.task.n_cubes, self.task.containers)
        self._saved = self.arm.p.saveState(physicsClientId=self.arm.client)
        views = list(self.cameras) if self._multi_view else None
        self.observation_space = observation_space(image_size, image_size, STATE_DIM, views)
        if control == "ee_delta":
            hi = np.array([cfg.max_dxyz] * 3 + [cfg.max_drpy] * 3 + [1.0])
            self.action_space = ActionSpace(RobotSpace("ee_delta"), low=-hi, high=hi)
        else:
            low = np.append(self.arm.joint_low, 0.0)
            high = np.append(self.arm.joint_high, 1.0)
            self.action_space = ActionSpace(RobotSpace("joint_target", 7), low=low, high=high)
        self.layout: Layout | None = None
        black = np.zeros((image_size, image_size, 3), np.uint8)
        self._images = {name: black for name in self.cameras}

    # ------------------------------------------------------------------ gymnasium API

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Start an episode: restore the saved simulator state, move the arm to a jittered
        home pose and lay out the scene from ``self.np_random``. Nothing is reloaded."""
        super().reset(seed=seed)
        p, arm, rng = self.arm.p, self.arm, self.np_random
        p.restoreState(self._saved, physicsClientId=arm.client)
        home = np.asarray(arm.config.home_position) + rng.uniform(-HOME_JITTER, HOME_JITTER)
        arm.home(arm.home_joints)
        arm.home(arm.ik(home))
        self.layout = layout = self.task.sample(rng)
        self._place(layout)
        return self._observe(), self._info(self._check()[0], [])

    def step(
        self, action: EEDelta | JointTarget | Any
    ) -> tuple[dict[str, Any], float, bool, bool, dict[str, Any]]:
        """Execute one 0.1 s control step.

        Returns ``(obs, reward, terminated, truncated, info)``: reward is 1.0 on the step the
        task succeeds, else 0.0; ``terminated`` when it succeeded or can no longer succeed;
        ``truncated`` is left to the ``TimeLimit`` wrapper (``max_episode_steps``).
        Raises ``ValueError`` for an action of the wrong type or shape or with NaN/inf
        values; out-of-range values are clipped and listed in ``info["clipped"]``.
        """
        if self.layout is None:
            raise RuntimeError("PandaEnv.step called before reset()")
        report = self.arm.apply(self._coerce(action))
        success, failed = self._check()
        info = self._info(success, report["clipped"])
        return self._observe(), float(success), success or failed, False, info

    def render(self) -> np.ndarray | None:
        """The last observed image of the first camera (``render_mode="rgb_array"``)."""
        first = next(iter(self._images.values()))
        return first.copy() if self.render_mode == "rgb_array" else None

    def close(self) -> None:
        self.arm.close()

    # ------------------------------------------------------------------ internals

    def _coerce(self, action: Any) -> EEDelta | JointTarget:
        want = EEDelta if self.control == "ee_delta" else JointTarget
        if isinstance(action, want):
            return action
        if isinstance(action, (EEDelta, JointTarget, str, bytes)) or not hasattr(action, "__len__"):
            raise ValueError(
                f"{self.control} env expects a {want.__name__} (or {self.action_space.spec.dims} "
                f"numbers); got {type(action).__name__} {action!r}"
            )
        try:
            values = np.asarray(action, np.float64).ravel()
        except (TypeError, ValueError):
            raise ValueError(
                f"{self.control} env expects {self.action_space.spec.dims} numbers; got {action!r}"
            ) from None
        return self.action_space.spec.from_vector(values)

    def _place(self, layout: Layout) -> None:
        sc = self.scene
        # Lift every cube clear of the table and let the broadphase drop their contact pairs:
        # a cube teleported across the table would otherwise keep its old contact manifold
        # (and warm-start impulses), and the episode would depend on the previous one.
        for i, body in enumerate(sc.cubes):
            sc.place(body, (0.0, 0.2 * i, 5.0))
        sc.p.performCollisionDetection(physicsClientId=sc.client)
        self._names: dict[str, int] = {}
        for i, body in enumerate(sc.cubes):
            if i < len(layout.cubes):
                color, xyz = layout.cubes[i]
                sc.place(body, xyz)
                sc.paint(body, color)
                self._names[color] = body
            else:
                sc.place(body, PARK + np.array([0.0, 0.1 * i, 0.0]))
                sc.paint(body, None)  # history-free: the same look whatever was before
        if sc.pad is not None:
            sc.place(sc.pad, (*layout.target_xy, 0.001))
            sc.paint(sc.pad, layout.target_color)
        box = sc.tray or sc.bowl
        if box is not None:
            sc.place(box.body, (*layout.container_xy, 0.0))

    def _world(self) -> World:
        sc, arm = self.scene, self.arm
        cubes = {c: sc.pose(b)[0] for c, b in self._names.items()}
        box = sc.tray or sc.bowl
        return World(
            ee=arm.ee_pose()[0],
            cubes=cubes,
            released={c: not arm.touching(b) for c, b in self._names.items()},
            container=None if box is None else (sc.pose(box.body)[0], box),
            target=None if sc.pad is None else sc.pose(sc.pad)[0],
        )

    def _check(self) -> tuple[bool, bool]:
        return self.task.check(self._world(), self.layout)  # type: ignore[arg-type]

    def _target(self) -> str:
        """The colour of the cube the instruction is about now (sequence: the next one)."""
        goal = self.layout.goal  # type: ignore[union-attr]
        if "object" in goal:
            return str(goal["object"])
        placed = self.layout.extra.get("placed", [])  # type: ignore[union-attr]
        return str(goal["objects"][min(len(placed), len(goal["objects"]) - 1)])

    def _look_at(self) -> np.ndarray:
        """Where the task needs the robot now: the cube the instruction is about, or, once that
        cube is held off the table, where it goes (the base cube of ``stack``, the tray or
        bowl). The grounding label (``info["target_pixels"]``): a pointer fixed on the cube in
        the hand says nothing about where to carry it."""
        sc, goal = self.scene, self.layout.goal  # type: ignore[union-attr]
        body = self._names[self._target()]
        cube = sc.pose(body)[0]
        held = self.arm.touching(body) and cube[2] > CUBE_SIZE / 2 + LIFTED
        box = sc.tray or sc.bowl
        if not held or ("base" not in goal and box is None):
            return cube
        return self._destination()  # type: ignore[return-value]

    def _destination(self) -> np.ndarray | None:
        """Where the task's motion ends: the pad (``push``), the tray or bowl, the base cube
        (``stack``); None for ``reach``. The label of the second pointer
        (``info["goal_pixels"]``, ``VLAConfig.point_goal``)."""
        sc, goal = self.scene, self.layout.goal  # type: ignore[union-attr]
        if "base" in goal:
            return sc.pose(self._names[goal["base"]])[0]
        box = sc.tray or sc.bowl
        body = box.body if box is not None else sc.pad
        return None if body is None else sc.pose(body)[0]

    def _pixels(self, xyz: Any) -> dict[str, list[float]]:
        """``xyz`` in each camera's image (pixels, :func:`project`): where to look."""
        return {
            name: project(*self.arm.camera_matrices(cam), xyz, cam.width, cam.height)
            for name, cam in self.cameras.items()
        }

    def _observe(self) -> dict[str, Any]:
        if self.render_images:
            self._images = {n: self.arm.render(cam) for n, cam in self.cameras.items()}
        obs: dict[str, Any] = {
            "image": next(iter(self._images.values())).copy(),
            "instruction": self.layout.instruction,  # type: ignore[union-attr]
            "state": self.arm.state(),
        }
        if self._multi_view:
            obs["images"] = {name: image.copy() for name, image in self._images.items()}
        return obs

    def _info(self, success: bool, clipped: list[str]) -> dict[str, Any]:
        sc, arm = self.scene, self.arm
        objects = {}
        for color, body in self._names.items():
            pos, quat = sc.pose(body)
            objects[f"{color} cube"] = {"kind": "cube", "color": color, "position": pos,
                                        "orientation": quat, "size": CUBE_SIZE}  # fmt: skip
        info: dict[str, Any] = {
            "is_success": bool(success),
            "goal": dict(self.layout.goal),  # type: ignore[union-attr]
            "objects": objects,
            "ee_position": arm.ee_pose()[0],
            "ee_rpy": arm.ee_rpy(),
            "gripper_width": arm.gripper_width(),
            "clipped": clipped,
            "target_pixels": self._pixels(self._look_at()),
        }
        destination = self._destination()
        if destination is not None:
            info["goal_pixels"] = self._pixels(destination)
        if sc.pad is not None:
            color = self.layout.target_color  # type: ignore[union-attr]
            objects[f"{color} target"] = {"kind": "target", "color": color,
                                          "position": sc.pose(sc.pad)[0],
                                          "orientation": sc.pose(sc.pad)[1], "size": 0.09}  # fmt: skip
        box = sc.tray or sc.bowl
        if box is not None:
            info["container"] = {"name": box.name, "position": sc.pose(box.body)[0],
                                 "inner_half": box.inner_half, "wall_height": box.wall_height,
                                 "round": box.round}  # fmt: skip
        if "placed" in self.layout.extra:  # type: ignore[union-attr]
            info["goal"]["placed"] = list(self.layout.extra["placed"])  # type: ignore[union-attr]
        return info


def project(view: Any, proj: Any, xyz: Any, width: int, height: int) -> list[float]:
    """Where the world point ``xyz`` appears in an image of PyBullet camera ``(view, proj)``
    (column-major 4x4 lists): ``[x, y]`` in pixels from the top-left corner (outside
    ``[0, width] x [0, height]`` when out of view)."""
    m = np.asarray(proj, np.float64).reshape(4, 4).T @ np.asarray(view, np.float64).reshape(4, 4).T
    clip = m @ np.append(np.asarray(xyz, np.float64), 1.0)
    ndc = clip[:2] / clip[3]
    return [float((ndc[0] + 1) / 2 * width), float((1 - ndc[1]) / 2 * height)]


def _camera_names(camera: str, cameras: Sequence[str] | None) -> list[str]:
    """The camera names to render, checked against :data:`CAMERAS`."""
    if cameras is None:
        names = [camera]
    elif isinstance(cameras, str) or not cameras:
        raise ValueError(f"Got {cameras!r} for `cameras`; give a non-empty list of camera names")
    else:
        names = list(cameras)
    for name in names:
        if name not in CAMERAS:
            field = "camera" if cameras is None else "cameras"
            raise ValueError(f"Got {name!r} in `{field}`; choose from {sorted(CAMERAS)}")
    if len(set(names)) != len(names):
        raise ValueError(f"Got {cameras!r} for `cameras`; a camera is named twice")
    return names
