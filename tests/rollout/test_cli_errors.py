"""``vla eval`` / ``vla run`` / ``vla collect`` stop bad input with one ``Error:`` line and exit
code 2, before any episode starts (issue 16)."""

from __future__ import annotations

import sys

import pytest
from click.testing import CliRunner

from vla.cli import main

EVAL = ["eval", "--env", "vla/miniwob-click-test-v0", "--episodes", "1"]
RUN = ["run", "--policy", "vla-browser-tiny"]


def _one_line_error(args: list[str], *expected: str) -> str:
    result = CliRunner().invoke(main, args)
    out = result.output.strip()
    assert result.exit_code == 2, out
    assert out.startswith("Error: ") and "\n" not in out and "Traceback" not in out, out
    for text in expected:
        assert text in out, out
    return out


@pytest.mark.parametrize("cmd", ["eval", "run", "collect"])
def test_a_typo_in_an_env_id_names_the_closest_ids(cmd: str, tmp_path) -> None:
    args = {
        "eval": ["eval", "--policy", "vla-browser-tiny"],
        "run": RUN,
        "collect": ["collect", "--episodes", "1", "--out", str(tmp_path)],
    }[cmd]
    _one_line_error([*args, "--env", "vla/miniwob-clik-test-v0"], "'vla/miniwob-click-test-v0'")


def test_a_typo_in_a_checkpoint_name_lists_the_shipped_ones() -> None:
    _one_line_error(
        [*EVAL, "--policy", "vla-browser-tinny"], "--policy", "shipped checkpoints", "vla-robot"
    )
    _one_line_error(["run", "--policy", "nope", "--env", "vla/panda-reach-v0"], "'nope'")


def test_a_seed_overlap_names_the_flag() -> None:
    # the shipped checkpoint trained on seeds from 0: evaluating from 0 overlaps
    _one_line_error(
        [*EVAL, "--policy", "vla-browser-tiny", "--seed-start", "0"], "--allow-seed-overlap"
    )


def test_a_missing_display_names_xvfb_run(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("DISPLAY", raising=False)
    if not sys.platform.startswith("linux"):
        pytest.skip("$DISPLAY matters on Linux only")
    env = ["--env", "vla/miniwob-click-test-v0"]
    _one_line_error([*RUN, *env, "--headful"], "$DISPLAY", "xvfb-run")
    _one_line_error([*RUN, "--desktop", "--instruction", "x"], "--desktop", "xvfb-run")


def test_mp4_without_the_video_extra_names_the_extra(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, "imageio_ffmpeg", None)  # find_spec: not installed
    env = ["--env", "vla/miniwob-click-test-v0"]
    _one_line_error([*RUN, *env, "--record", "ep.mp4"], "pip install -e '.[video]'")
    _one_line_error([*RUN, *env, "--record", "ep.avi"], ".gif or .mp4")


@pytest.mark.parametrize(
    "args", [[*EVAL, "--policy", "vla-browser-tiny"], [*RUN, "--env", "vla/miniwob-click-test-v0"]]
)
def test_a_bad_still_waits_limit_is_refused_up_front(args: list[str]) -> None:
    _one_line_error([*args, "--still-waits", "0"], "still_waits", ">= 1")


@pytest.mark.parametrize("cmd", ["eval", "collect"])
def test_env_kwargs_that_are_not_a_json_object_name_the_flag(cmd: str, tmp_path) -> None:
    args = {
        "eval": [*EVAL, "--policy", "vla-browser-tiny"],
        "collect": [
            "collect",
            "--env",
            "vla/panda-reach-v0",
            "--episodes",
            "1",
            "--out",
            str(tmp_path),
        ],
    }[cmd]
    for bad in ("[1]", "{image_size: 80}"):
        _one_line_error([*args, "--env-kwargs", bad], "--env-kwargs", "JSON object", bad)
    if cmd == "collect":
        _one_line_error([*args, "--expert-kwargs", "3"], "--expert-kwargs", "JSON object")


@pytest.mark.parametrize("cmd", ["eval", "collect"])
def test_an_env_kwarg_the_env_does_not_take_lists_the_ones_it_does(cmd: str, tmp_path) -> None:
    args = {
        "eval": ["eval", "--policy", "vla-robot-tiny", "--episodes", "1"],
        "collect": ["collect", "--episodes", "1", "--out", str(tmp_path)],
    }[cmd]
    kwargs = '{"imagesize": 80, "max_episode_steps": 5}'  # the second is gymnasium.make's own
    out = _one_line_error(
        [*args, "--env", "vla/panda-reach-v0", "--env-kwargs", kwargs], "'imagesize'", "image_size"
    )
    assert "max_episode_steps" not in out
    assert not list(tmp_path.iterdir())  # stopped before anything was recorded


def test_check_kwargs_passes_factories_with_var_keywords_and_checks_module_classes() -> None:
    from vla.envs.make import check_kwargs

    check_kwargs("vla.envs.make:make", {"anything": 1})  # make(spec, **kwargs)
    with pytest.raises(ValueError, match="takes no 'colour'"):
        check_kwargs("vla.envs.robot.panda_env:PandaEnv", {"colour": "red"})
