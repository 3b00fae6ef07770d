"""The PyBullet Panda controller: Cartesian and joint control, grasping, clipping, sensing."""

from __future__ import annotations

import numpy as np
import pytest

from vla.actions import Click, EEDelta, JointTarget

pytestmark = pytest.mark.robot

pybullet_arm = pytest.importorskip("vla.controllers.pybullet_arm")


@pytest.fixture(scope="module")
def arm():
    arm = pybullet_arm.PandaArm()
    yield arm
    arm.close()


def _go(arm, target, gripper=1.0, steps=40):
    target = np.asarray(target, float)
    for _ in range(steps):
        d = np.clip(target - arm.ee_pose()[0], -0.05, 0.05)
        arm.apply(EEDelta(tuple(d), gripper=gripper))
    return np.linalg.norm(arm.ee_pose()[0] - target)


@pytest.mark.parametrize(
    "target", [(0.5, 0.2, 0.1), (0.35, -0.3, 0.05), (0.65, 0.0, 0.3), (0.45, 0.1, 0.02)]
)
def test_reaches_cartesian_targets_within_1cm(arm, target):
    arm.home(arm.home_joints)
    assert _go(arm, target) < 0.01
    # Orientation is held at home (pointing down) while moving.
    assert np.all(np.abs(arm.ee_rpy()) < 0.05)


def test_home_pose_and_state_layout(arm):
    arm.home(arm.home_joints)
    s = arm.state()
    assert s.shape == (14,) and s.dtype == np.float32
    np.testing.assert_allclose(s[:7], arm.joint_positions(), atol=1e-6)
    assert s[7] == pytest.approx(0.08, abs=1e-3)  # fingers open
    np.testing.assert_allclose(s[8:11], arm.config.home_position, atol=5e-3)
    np.testing.assert_allclose(s[11:14], 0.0, atol=5e-3)


def test_rotation_delta_changes_yaw(arm):
    arm.home(arm.home_joints)
    for _ in range(4):
        arm.apply(EEDelta((0, 0, 0), (0, 0, 0.2)))
    arm.apply(EEDelta((0, 0, 0)))
    assert arm.ee_rpy()[2] == pytest.approx(0.8, abs=0.03)


def test_grasps_and_holds_a_cube_through_a_lift(arm):
    p, c = arm.p, arm.client
    half = 0.02
    col = p.createCollisionShape(p.GEOM_BOX, halfExtents=[half] * 3, physicsClientId=c)
    cube = p.createMultiBody(0.05, col, -1, [0.5, 0.1, half], physicsClientId=c)
    p.changeDynamics(cube, -1, lateralFriction=1.0, physicsClientId=c)
    try:
        arm.home(arm.home_joints)
        assert _go(arm, (0.5, 0.1, 0.1)) < 0.01
        assert _go(arm, (0.5, 0.1, 0.016), steps=20) < 0.01
        for _ in range(4):
            arm.apply(EEDelta((0, 0, 0), gripper=0.0))
        assert arm.gripper_width() == pytest.approx(0.04, abs=0.004)  # closed on the cube
        _go(arm, (0.45, 0.0, 0.25), gripper=0.0)
        pos = np.asarray(p.getBasePositionAndOrientation(cube, physicsClientId=c)[0])
        assert pos[2] > 0.2, f"cube fell: {pos}"
        assert np.linalg.norm(pos - arm.ee_pose()[0]) < 0.02
        assert arm.touching(cube)
    finally:
        p.removeBody(cube, physicsClientId=c)


def test_joint_target_position_control(arm):
    arm.home(arm.home_joints)
    q = np.asarray(arm.home_joints) + np.array([0.3, -0.2, 0.1, 0.2, 0.0, -0.2, 0.3])
    for _ in range(10):
        report = arm.apply(JointTarget(tuple(q), gripper=0.5))
    assert report["clipped"] == []
    np.testing.assert_allclose(arm.joint_positions(), q, atol=0.01)
    assert arm.gripper_width() == pytest.approx(0.04, abs=0.003)


def test_out_of_range_commands_are_clipped_and_reported(arm):
    arm.home(arm.home_joints)
    before = arm.ee_pose()[0]
    report = arm.apply(EEDelta((0.5, 0.0, 0.0)))
    assert any("xyz step" in r for r in report["clipped"])
    assert arm.ee_pose()[0][0] - before[0] < 0.06
    report = {"clipped": []}
    for _ in range(12):  # drive into the table: the target is clipped to the workspace
        report = arm.apply(EEDelta((0.0, 0.0, -0.05)))
    assert any("workspace" in r for r in report["clipped"])
    assert arm.ee_pose()[0][2] > 0.0
    report = arm.apply(JointTarget((10.0, 0, 0, -1.0, 0, 1.0, 0)))
    assert any("joint limits" in r for r in report["clipped"])
    assert np.all(np.isfinite(arm.state()))


def test_bad_commands_raise_clear_errors(arm):
    with pytest.raises(ValueError, match="EEDelta or JointTarget"):
        arm.apply(Click(1, 2))
    with pytest.raises(ValueError, match="7 values"):
        arm.apply(JointTarget((0.0, 0.1)))
    with pytest.raises(ValueError, match="finite"):
        EEDelta((float("nan"), 0.0, 0.0))


@pytest.mark.parametrize("mount", ["world", "wrist"])
def test_render_shape_and_content(arm, mount):
    img = arm.render(pybullet_arm.Camera(96, 64, mount))
    assert img.shape == (64, 96, 3) and img.dtype == np.uint8
    assert img.std() > 5  # not a blank frame


def test_config_errors_name_the_field():
    with pytest.raises(ValueError, match="control_hz"):
        pybullet_arm.ArmConfig(control_hz=0)
    with pytest.raises(ValueError, match="workspace"):
        pybullet_arm.ArmConfig(workspace_low=(1, 0, 0), workspace_high=(0, 1, 1))
    with pytest.raises(ValueError, match=r"Camera\.width"):
        pybullet_arm.Camera(width=4)


def test_close_is_idempotent():
    arm = pybullet_arm.PandaArm()
    client = arm.client
    arm.close()
    arm.close()
    assert not arm.p.isConnected(client)


def _bypassed(action, name, value):
    """``action`` with ``name`` set to ``value`` behind the dataclass's back."""
    object.__setattr__(action, name, value)
    return action


NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize(
    ("action", "field"),
    [
        (_bypassed(EEDelta((0, 0, 0)), "xyz", (NAN, 0.0, 0.0)), "EEDelta.xyz"),
        (_bypassed(EEDelta((0, 0, 0)), "rpy", (0.0, INF, 0.0)), "EEDelta.rpy"),
        (_bypassed(EEDelta((0, 0, 0)), "gripper", NAN), "EEDelta.gripper"),
        (_bypassed(EEDelta((0, 0, 0)), "xyz", np.full(3, NAN)), "EEDelta.xyz"),
        (_bypassed(JointTarget((0.0,) * 7), "positions", (0.0,) * 6 + (NAN,)), "positions"),
        (_bypassed(JointTarget((0.0,) * 7), "gripper", -INF), "JointTarget.gripper"),
        (_bypassed(EEDelta((0, 0, 0)), "xyz", ("a", 0, 0)), "EEDelta.xyz"),
    ],
)
def test_non_finite_values_never_reach_pybullet(arm, action, field):
    arm.home(arm.home_joints)
    before = arm.state()
    with pytest.raises(ValueError, match=field):
        arm.apply(action)
    np.testing.assert_array_equal(arm.state(), before)  # nothing was commanded or stepped
    arm.apply(EEDelta((0.01, 0, 0)))  # the simulator is still healthy
    assert np.all(np.isfinite(arm.state()))


def test_ik_and_home_refuse_non_finite_targets(arm):
    with pytest.raises(ValueError, match="ik position"):
        arm.ik((0.5, NAN, 0.2))
    with pytest.raises(ValueError, match="home joints"):
        arm.home(np.full(7, INF))
