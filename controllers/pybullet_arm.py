"""A Franka Panda in PyBullet (DIRECT mode, no GUI) that executes :mod:`vla.actions`.

Frames and units: everything is in the robot **base frame**, which is the world frame here
(the base sits at the origin on a table top at z = 0, x forward, y left, z up); metres, radians.

* :class:`~vla.actions.EEDelta` moves the grasp target (link 11, between the fingertips) by
  ``xyz`` from where it *is* and rotates the commanded orientation by ``rpy`` (base-frame
  roll/pitch/yaw, composed on the left). Orientations are expressed **relative to the home
  orientation** (gripper pointing straight down, fingers closing along y), so rpy = 0 is
  "pointing down" and there is no +-pi wrap at home. Per-step deltas and the resulting target
  are clipped to :class:`ArmConfig` limits; every clip is reported, never raised.
* :class:`~vla.actions.JointTarget` drives the 7 arm joints to absolute positions (clipped to
  the joint limits, reported).
* ``gripper`` in [0, 1] is the commanded opening: finger width = ``gripper * 0.08`` m.

One call to :meth:`PandaArm.apply` is one control step: ``physics_hz / control_hz`` physics
substeps (default 240 Hz / 10 Hz = 24). Proprio state, :meth:`PandaArm.state`, is
``float32[14]`` = 7 joint positions (rad), finger width (m), grasp-target xyz (m), grasp-target
roll/pitch/yaw relative to home (rad).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Literal

import numpy as np

from vla.actions import EEDelta, JointTarget

__all__ = ["ArmConfig", "Camera", "PandaArm"]

N_ARM_JOINTS = 7
EE_LINK = 11  # panda_grasptarget: between the fingertips
FINGER_JOINTS = (9, 10)
MAX_FINGER_WIDTH = 0.08  # m, both fingers fully open
ARM_FORCES = (87.0, 87.0, 87.0, 87.0, 12.0, 12.0, 12.0)  # N*m, Franka datasheet
#: Joint-space "ready" pose; the arm's null space is pulled towards it by IK.
REST_POSE = (0.0, -0.2, 0.0, -2.2, 0.0, 2.0, math.pi / 4)
#: Home orientation of the grasp target: gripper down, fingers closing along base y.
DOWN_QUAT = (1.0, 0.0, 0.0, 0.0)  # xyzw, = euler (pi, 0, 0)
FINGER_RGBA = (0.25, 0.25, 0.28, 1.0)  # dark fingers: the gripper state shows in the image


def _load_panda(p: Any, cid: int, data: str, meshes: str) -> int:
    """Load pybullet_data's Panda; for ``meshes="lowpoly"`` from a copy of its URDF whose
    visuals point at the collision meshes (written to a temporary folder, then removed)."""
    if meshes == "full":
        return p.loadURDF("franka_panda/panda.urdf", (0, 0, 0), useFixedBase=True,
                          physicsClientId=cid)  # fmt: skip
    import os
    import tempfile

    root = os.path.join(data, "franka_panda")
    with open(os.path.join(root, "panda.urdf")) as f:
        text = f.read()
    text = text.replace("package://meshes/visual/", "package://meshes/collision/")
    text = text.replace("package://meshes/", os.path.join(root, "meshes") + os.sep)
    with tempfile.TemporaryDirectory(prefix="vla-panda-") as tmp:
        path = os.path.join(tmp, "panda_lowpoly.urdf")
        with open(path, "w") as f:
            f.write(text)
        return p.loadURDF(path, (0, 0, 0), useFixedBase=True, physicsClientId=cid)


def _check_finite(name: str, value: Any) -> None:
    """``ValueError`` naming ``name`` unless ``value`` is numbers, all finite (never NaN/inf)."""
    try:
        finite = bool(np.all(np.isfinite(np.asarray(value, np.float64))))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be numbers; got {value!r}") from None
    if not finite:
        raise ValueError(f"{name} must be finite; got {value!r} (refused before PyBullet)")


def _check_positive(name: str, value: float) -> None:
    if not (isinstance(value, (int, float)) and math.isfinite(value) and value > 0):
        raise ValueError(f"Got {value!r} for `{name}`; it must be a positive number")


@dataclass(frozen=True)
class ArmConfig:
    """Controller settings. Lengths in metres, angles in radians, rates in Hz."""

    control_hz: float = 10.0
    physics_hz: float = 240.0
    #: Largest |dx|, |dy|, |dz| one EEDelta may ask for (0.05 m per 0.1 s step = 0.5 m/s).
    max_dxyz: float = 0.05
    #: Largest |droll|, |dpitch|, |dyaw| one EEDelta may ask for.
    max_drpy: float = 0.25
    #: Box that the grasp-target position is clipped to (base frame).
    workspace_low: tuple[float, float, float] = (0.2, -0.45, 0.005)
    workspace_high: tuple[float, float, float] = (0.8, 0.45, 0.55)
    #: Bounds of the commanded orientation relative to home (roll, pitch, yaw).
    rpy_limit: tuple[float, float, float] = (0.6, 0.6, math.pi / 2)
    gripper_force: float = 20.0  # N per finger
    home_position: tuple[float, float, float] = (0.4, 0.0, 0.3)
    floor_rgba: tuple[float, float, float, float] = (0.72, 0.66, 0.56, 1.0)
    #: "lowpoly" draws the arm with its collision meshes: 128x128 renders ~4x faster than
    #: with the detailed visual meshes ("full"), and at that size they look the same.
    meshes: Literal["lowpoly", "full"] = "lowpoly"

    def __post_init__(self) -> None:
        if self.meshes not in ("lowpoly", "full"):
            raise ValueError(f"Got {self.meshes!r} for `meshes`; use 'lowpoly' or 'full'")
        for name in ("control_hz", "physics_hz", "max_dxyz", "max_drpy", "gripper_force"):
            _check_positive(name, getattr(self, name))
        if self.physics_hz < self.control_hz:
            raise ValueError(
                f"Got {self.physics_hz} for `physics_hz`; it must be >= control_hz "
                f"({self.control_hz})"
            )
        low, high = np.asarray(self.workspace_low), np.asarray(self.workspace_high)
        if low.shape != (3,) or high.shape != (3,) or not np.all(low < high):
            raise ValueError(
                f"Got {self.workspace_low} / {self.workspace_high} for `workspace_low` / "
                "`workspace_high`; each needs 3 values with low < high"
            )

    @property
    def substeps(self) -> int:
        """Physics steps per control step."""
        return max(1, round(self.physics_hz / self.control_hz))


@dataclass(frozen=True)
class Camera:
    """A pinhole camera rendered with TinyRenderer (no shadows: they double the cost).

    ``mount="world"`` looks at ``target`` from ``distance`` at ``yaw``/``pitch`` (degrees,
    PyBullet's convention); ``mount="wrist"`` rides on the hand and looks along the fingers.
    """

    width: int = 128
    height: int = 128
    mount: Literal["world", "wrist"] = "world"
    target: tuple[float, float, float] = (0.45, 0.0, 0.14)
    distance: float = 0.9
    yaw: float = 60.0
    pitch: float = -40.0
    fov: float = 45.0  # vertical, degrees
    near: float = 0.02
    far: float = 3.0

    def __post_init__(self) -> None:
        for name in ("width", "height"):
            v = getattr(self, name)
            if not isinstance(v, int) or not 8 <= v <= 1024:
                raise ValueError(f"Got {v!r} for `Camera.{name}`; it must be an int in [8, 1024]")
        if self.mount not in ("world", "wrist"):
            raise ValueError(f"Got {self.mount!r} for `Camera.mount`; use 'world' or 'wrist'")


@dataclass
class _Targets:
    rel_quat: tuple[float, ...] = (0.0, 0.0, 0.0, 1.0)  # commanded orientation, home-relative
    arm: tuple[float, ...] = field(default_factory=tuple)
    gripper: float = 1.0


class PandaArm:
    """Owns a PyBullet DIRECT client with a table top (z = 0) and a fixed-base Panda at the origin.

    Scene objects belong to the caller, who adds them through :attr:`client` / :attr:`p`.
    Call :meth:`close` (or use ``with``) to disconnect.
    """

    def __init__(self, config: ArmConfig | None = None) -> None:
        import pybullet
        import pybullet_data

        self.config = config or ArmConfig()
        self.p = pybullet
        self.client = pybullet.connect(pybullet.DIRECT)
        p, cid = pybullet, self.client
        p.setAdditionalSearchPath(pybullet_data.getDataPath(), physicsClientId=cid)
        p.setGravity(0, 0, -9.81, physicsClientId=cid)
        p.setTimeStep(1.0 / self.config.physics_hz, physicsClientId=cid)
        p.setPhysicsEngineParameter(deterministicOverlappingPairs=1, physicsClientId=cid)
        floor = p.createCollisionShape(
            p.GEOM_BOX, halfExtents=(1.5, 1.5, 0.01), physicsClientId=cid
        )
        look = p.createVisualShape(p.GEOM_BOX, halfExtents=(1.5, 1.5, 0.01),
                                   rgbaColor=self.config.floor_rgba, physicsClientId=cid)  # fmt: skip
        #: A plain table top (no texture) whose surface is the plane z = 0.
        self.floor = p.createMultiBody(0.0, floor, look, (0, 0, -0.01), physicsClientId=cid)
        self.robot = _load_panda(p, cid, pybullet_data.getDataPath(), self.config.meshes)
        for link, rgba in ((9, FINGER_RGBA), (10, FINGER_RGBA)):
            p.changeVisualShape(self.robot, link, rgbaColor=rgba, physicsClientId=cid)
        info = [p.getJointInfo(self.robot, j, physicsClientId=cid) for j in range(N_ARM_JOINTS)]
        self.joint_low = np.array([i[8] for i in info])
        self.joint_high = np.array([i[9] for i in info])
        for j in FINGER_JOINTS:  # grippy fingertips so a parallel grasp holds through a lift
            p.changeDynamics(self.robot, j, lateralFriction=1.5, spinningFriction=0.002,
                             physicsClientId=cid)  # fmt: skip
        # Couple the fingers (gear ratio -1, as PyBullet's own Panda grasp demo): two
        # independent force-saturated fingers let a held cube slide sideways in the hand.
        gear = p.createConstraint(self.robot, FINGER_JOINTS[0], self.robot, FINGER_JOINTS[1],
                                  p.JOINT_GEAR, (1, 0, 0), (0, 0, 0), (0, 0, 0),
                                  physicsClientId=cid)  # fmt: skip
        p.changeConstraint(gear, gearRatio=-1, erp=0.1, maxForce=50, physicsClientId=cid)
        self._targets = _Targets()
        self.home(REST_POSE)
        for _ in range(3):  # IK from a good seed, refined from its own answer
            self.home(self.ik(self.config.home_position, DOWN_QUAT))
        self.home_joints = self.joint_positions()

    # ------------------------------------------------------------------ lifecycle

    def close(self) -> None:
        """Disconnect the physics client (idempotent)."""
        if self.client is not None and self.p.isConnected(self.client):
            self.p.disconnect(self.client)
        self.client = None

    def __enter__(self) -> PandaArm:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def home(self, joints: np.ndarray | tuple[float, ...], gripper: float = 1.0) -> None:
        """Teleport the arm to ``joints`` (7 rad), the fingers to ``gripper``, zero velocity,
        and hold there. The commanded orientation is reset to home (rpy 0)."""
        p, cid = self.p, self.client
        _check_finite("home joints", joints)
        _check_finite("home gripper", gripper)
        q = np.clip(np.asarray(joints, np.float64)[:N_ARM_JOINTS], self.joint_low, self.joint_high)
        for j in range(N_ARM_JOINTS):
            p.resetJointState(self.robot, j, float(q[j]), 0.0, physicsClientId=cid)
        for j in FINGER_JOINTS:
            p.resetJointState(self.robot, j, gripper * MAX_FINGER_WIDTH / 2, 0.0,
                              physicsClientId=cid)  # fmt: skip
        self._targets = _Targets(arm=tuple(q), gripper=gripper)
        self._drive()

    # ------------------------------------------------------------------ kinematics

    def ik(self, position: Any, quat: Any = DOWN_QUAT) -> np.ndarray:
        """Joint positions (7, rad) placing the grasp target at ``position`` with world
        orientation ``quat`` (xyzw), starting from the current joint state."""
        p = self.p
        _check_finite("ik position", position)
        _check_finite("ik quat", quat)
        ranges = self.joint_high - self.joint_low
        q = p.calculateInverseKinematics(
            self.robot, EE_LINK, list(map(float, position)), list(map(float, quat)),
            lowerLimits=[*self.joint_low, 0.0, 0.0], upperLimits=[*self.joint_high, 0.04, 0.04],
            jointRanges=[*ranges, 0.04, 0.04], restPoses=[*REST_POSE, 0.02, 0.02],
            maxNumIterations=20, residualThreshold=1e-4, physicsClientId=self.client,
        )  # fmt: skip
        return np.clip(np.asarray(q[:N_ARM_JOINTS]), self.joint_low, self.joint_high)

    def ee_pose(self) -> tuple[np.ndarray, np.ndarray]:
        """Grasp-target ``(position (3,), world quaternion xyzw (4,))``."""
        s = self.p.getLinkState(self.robot, EE_LINK, physicsClientId=self.client)
        return np.asarray(s[4]), np.asarray(s[5])

    def ee_rpy(self, quat: Any = None) -> np.ndarray:
        """Roll/pitch/yaw (rad) of the grasp target relative to the home orientation."""
        p = self.p
        q = self.ee_pose()[1] if quat is None else quat
        _, inv_down = p.invertTransform((0, 0, 0), DOWN_QUAT)
        _, rel = p.multiplyTransforms((0, 0, 0), q, (0, 0, 0), inv_down)
        return np.asarray(p.getEulerFromQuaternion(rel))

    def gripper_width(self) -> float:
        """Distance between the two fingers (m), 0 closed to 0.08 open."""
        s = self.p.getJointStates(self.robot, FINGER_JOINTS, physicsClientId=self.client)
        return float(s[0][0] + s[1][0])

    def joint_positions(self) -> np.ndarray:
        """The 7 arm joint positions (rad)."""
        s = self.p.getJointStates(self.robot, range(N_ARM_JOINTS), physicsClientId=self.client)
        return np.array([x[0] for x in s])

    def state(self) -> np.ndarray:
        """``float32[14]``: joints (7, rad), finger width (m), ee xyz (m), ee rpy (rad, home-relative)."""
        pos, quat = self.ee_pose()
        return np.concatenate(
            [self.joint_positions(), [self.gripper_width()], pos, self.ee_rpy(quat)]
        ).astype(np.float32)

    # ------------------------------------------------------------------ control

    def apply(self, action: EEDelta | JointTarget) -> dict[str, Any]:
        """Execute one control step and return a report ``{"clipped": [reasons...]}``.

        Raises ``ValueError`` for something that is not an EEDelta / JointTarget, a JointTarget
        with the wrong number of joints, or a non-finite value (possible only by bypassing the
        dataclass's own check, e.g. with ``object.__setattr__``): a NaN reaching PyBullet's
        motors makes the next ``stepSimulation`` take minutes. Out-of-range values are clipped.
        """
        if isinstance(action, (EEDelta, JointTarget)):
            for name in ("xyz", "rpy", "positions", "gripper"):
                if hasattr(action, name):
                    _check_finite(f"{type(action).__name__}.{name}", getattr(action, name))
        if isinstance(action, EEDelta):
            clipped = self._set_ee_delta(action)
        elif isinstance(action, JointTarget):
            clipped = self._set_joint_target(action)
        else:
            raise ValueError(
                f"PandaArm.apply expects an EEDelta or JointTarget; got {type(action).__name__}"
            )
        self._drive()
        self.step_physics(self.config.substeps)
        return {"clipped": clipped}

    def step_physics(self, n: int) -> None:
        """Advance the simulation by ``n`` physics substeps, holding the current targets."""
        for _ in range(n):
            self.p.stepSimulation(physicsClientId=self.client)

    def _set_ee_delta(self, action: EEDelta) -> list[str]:
        cfg, p, clipped = self.config, self.p, []
        d = np.asarray(action.xyz)
        if np.any(np.abs(d) > cfg.max_dxyz):
            clipped.append(f"xyz step {d.round(4).tolist()} exceeds +-{cfg.max_dxyz} m")
            d = np.clip(d, -cfg.max_dxyz, cfg.max_dxyz)
        target = self.ee_pose()[0] + d
        low, high = np.asarray(cfg.workspace_low), np.asarray(cfg.workspace_high)
        if np.any(target < low) or np.any(target > high):
            clipped.append(f"target {target.round(4).tolist()} outside workspace")
            target = np.clip(target, low, high)
        r = np.asarray(action.rpy)
        if np.any(np.abs(r) > cfg.max_drpy):
            clipped.append(f"rpy step {r.round(4).tolist()} exceeds +-{cfg.max_drpy} rad")
            r = np.clip(r, -cfg.max_drpy, cfg.max_drpy)
        rel = self._targets.rel_quat
        if np.any(r != 0):
            _, rel = p.multiplyTransforms((0, 0, 0), p.getQuaternionFromEuler(r), (0, 0, 0), rel)
            rpy, lim = np.asarray(p.getEulerFromQuaternion(rel)), np.asarray(cfg.rpy_limit)
            if np.any(np.abs(rpy) > lim):
                clipped.append(f"orientation {rpy.round(3).tolist()} outside +-{cfg.rpy_limit}")
                rel = p.getQuaternionFromEuler(np.clip(rpy, -lim, lim))
        _, world = p.multiplyTransforms((0, 0, 0), rel, (0, 0, 0), DOWN_QUAT)
        self._targets = _Targets(rel_quat=tuple(rel), arm=tuple(self.ik(target, world)),
                                 gripper=action.gripper)  # fmt: skip
        return clipped

    def _set_joint_target(self, action: JointTarget) -> list[str]:
        q = np.asarray(action.positions)
        if q.shape != (N_ARM_JOINTS,):
            raise ValueError(
                f"JointTarget.positions must have {N_ARM_JOINTS} values for the Panda; got {len(q)}"
            )
        clipped = []
        if np.any(q < self.joint_low) or np.any(q > self.joint_high):
            clipped.append(f"joint target {q.round(3).tolist()} outside the joint limits")
            q = np.clip(q, self.joint_low, self.joint_high)
        self._targets = _Targets(rel_quat=self._targets.rel_quat, arm=tuple(q),
                                 gripper=action.gripper)  # fmt: skip
        return clipped

    def _drive(self) -> None:
        p, cid, t = self.p, self.client, self._targets
        p.setJointMotorControlArray(
            self.robot, range(N_ARM_JOINTS), p.POSITION_CONTROL, targetPositions=t.arm,
            forces=ARM_FORCES, physicsClientId=cid,
        )  # fmt: skip
        half = t.gripper * MAX_FINGER_WIDTH / 2
        p.setJointMotorControlArray(
            self.robot, FINGER_JOINTS, p.POSITION_CONTROL, targetPositions=(half, half),
            forces=(self.config.gripper_force,) * 2, physicsClientId=cid,
        )  # fmt: skip

    # ------------------------------------------------------------------ sensing

    def camera_matrices(self, camera: Camera) -> tuple[Any, Any]:
        """PyBullet's ``(view, projection)`` matrices of ``camera`` now (a wrist camera moves
        with the hand)."""
        cam, p = camera, self.p
        if cam.mount == "world":
            view = p.computeViewMatrixFromYawPitchRoll(
                cam.target, cam.distance, cam.yaw, cam.pitch, 0.0, 2, physicsClientId=self.client
            )
        else:
            s = p.getLinkState(self.robot, 8, physicsClientId=self.client)  # panda_hand
            rot = np.asarray(p.getMatrixFromQuaternion(s[5])).reshape(3, 3)
            eye = np.asarray(s[4]) + rot @ (0.05, 0.0, 0.02)
            view = p.computeViewMatrix(eye, eye + rot @ (0, 0, 0.2), rot @ (1.0, 0, 0))
        proj = p.computeProjectionMatrixFOV(cam.fov, cam.width / cam.height, cam.near, cam.far)
        return view, proj

    def render(self, camera: Camera | None = None) -> np.ndarray:
        """An RGB image ``uint8[camera.height, camera.width, 3]`` from TinyRenderer."""
        cam, p = camera or Camera(), self.p
        view, proj = self.camera_matrices(cam)
        _, _, rgba, _, _ = p.getCameraImage(
            cam.width, cam.height, view, proj, shadow=0, renderer=p.ER_TINY_RENDERER,
            flags=p.ER_NO_SEGMENTATION_MASK, lightDirection=(0.4, -0.3, 1.0),
            physicsClientId=self.client,
        )  # fmt: skip
        return np.asarray(rgba, np.uint8).reshape(cam.height, cam.width, 4)[:, :, :3].copy()

    def touching(self, body: int) -> bool:
        """Whether any link of the robot is in contact with ``body``."""
        return bool(self.p.getContactPoints(self.robot, body, physicsClientId=self.client))
