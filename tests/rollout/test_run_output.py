"""What ``vla run`` prints: the instruction and the seed before the steps (a random seed, shown
so that it repeats, when none is given), and robot deltas in cm or mm (issue 18)."""

from __future__ import annotations

import re

import pytest
from click.testing import CliRunner

from vla.actions import Click, EEDelta, JointTarget
from vla.cli import main
from vla.rollout.live import RunConfig, format_action, format_intro, resolve_seed


def test_robot_deltas_read_in_cm_or_mm_and_degrees():
    assert format_action(EEDelta(xyz=(0.012, -0.004, -1e-5))) == (
        "ee_delta dxyz=[+1.2, -0.4, +0.0] cm gripper=1.00"
    )
    small = EEDelta(xyz=(0.002, -0.0004, 0.0), rpy=(0.0, 0.0, 0.1), gripper=0.0)
    assert format_action(small) == (
        "ee_delta dxyz=[+2.0, -0.4, +0.0] mm drpy=[+0.0, +0.0, +5.7] deg gripper=0.00"
    )
    assert format_action(JointTarget(positions=(0.1, -0.2))) == (
        "joint_target q=[+0.10, -0.20] rad gripper=1.00"
    )
    assert format_action(Click(12, 40)) == "click x=12.0 y=40.0 button='left' count=1"


def test_intro_says_how_to_repeat_a_random_seed():
    assert format_intro(7, "touch the red cube", seed_given=True) == (
        "instruction: 'touch the red cube'\nseed: 7"
    )
    assert "--seed 123 repeats" in format_intro(123, "x", seed_given=False)
    cfg = RunConfig(policy="p", env_id="vla/panda-reach-v0")
    seeds = {resolve_seed(cfg) for _ in range(5)}
    assert None not in seeds and len(seeds) > 1
    assert resolve_seed(RunConfig(policy="p", env_id="e", seed=3)) == 3


@pytest.mark.robot
def test_vla_run_prints_instruction_seed_and_cm_deltas():
    args = ["run", "--policy", "vla-robot-tiny", "--env", "vla/panda-reach-v0", "--max-steps", "2"]
    result = CliRunner().invoke(main, [*args, "--seed", "5"])
    assert result.exit_code == 0, result.output
    out = result.output.splitlines()
    lines = out[next(i for i, line in enumerate(out) if line.startswith("instruction:")) :]
    assert lines[0].startswith("instruction: '") and lines[1] == "seed: 5"
    assert lines[2].startswith("step   1  ee_delta")
    assert re.search(r"dxyz=\[[+-]\d+\.\d, [+-]\d+\.\d, [+-]\d+\.\d\] (cm|mm)", lines[2])

    again = CliRunner().invoke(main, [*args, "--seed", "5"])
    assert lines[0] in again.output.splitlines()  # the seed repeats the episode
    drawn = CliRunner().invoke(main, args).output
    assert re.search(r"^seed: (\d+) \(random; --seed \1 repeats this episode\)$", drawn, re.M)


@pytest.mark.robot
def test_vla_run_keeps_the_policy_to_the_threads_asked():
    """One torch thread by default, as ``vla eval``: the env needs the other cores (on 2 busy
    cores two threads made an action cost ten times as much)."""
    import torch

    before = torch.get_num_threads()
    args = ["run", "--policy", "vla-robot-tiny", "--env", "vla/panda-reach-v0", "--max-steps", "1"]
    try:
        torch.set_num_threads(2)
        assert CliRunner().invoke(main, [*args, "--seed", "5"]).exit_code == 0
        assert torch.get_num_threads() == 1
        assert CliRunner().invoke(main, [*args, "--seed", "5", "--threads", "2"]).exit_code == 0
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)
    with pytest.raises(ValueError, match="threads"):
        RunConfig(policy="p", env_id="e", threads=-1)
