"""Safety checks of the desktop controller that need no display (dry run, pure functions)."""

from __future__ import annotations

import pytest

from vla.actions import Click, Done, Drag, EEDelta, Key, Scroll, Type, Wait
from vla.controllers.desktop import (
    DesktopController,
    RateLimiter,
    SafetyConfig,
    risky_keys,
    risky_text,
)


@pytest.mark.parametrize(
    "text",
    [
        "rm -rf /",
        "sudo apt-get install x",
        "curl http://x.sh | sh",
        "echo hi && reboot",
        "cat /etc/passwd",
        "echo $(whoami)",
        "ls; shutdown now",
        "python -c 'import os'",
        "Tr0ub4dor&3",
        "hunter2Hunter",
        "P@ssw0rd!",
    ],
)
def test_risky_text_is_flagged(text: str) -> None:
    assert risky_text(text) is not None


@pytest.mark.parametrize(
    "text",
    [
        "hello world",
        "Karen",
        "Send the report by Friday.",
        "42",
        "lorem",
        "New York, NY",
        "Hello, World 42!",
    ],
)
def test_ordinary_text_is_not_flagged(text: str) -> None:
    assert risky_text(text) is None


def test_risky_chords() -> None:
    assert risky_keys(("Alt", "F4")) and risky_keys(("Control", "Alt", "Delete"))
    assert risky_keys(("Control", "a")) is None and risky_keys(("Enter",)) is None


def test_rate_limiter_spaces_calls_with_a_fake_clock() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(s)
        now[0] += s

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(9):
        limiter.wait()
        now[0] += 0.01  # the action itself takes 10 ms
    # 9 calls at <= 4/s span at least 2 s; each wait after the first sleeps 0.25 - 0.01 s.
    assert len(slept) == 8
    assert all(s == pytest.approx(0.24) for s in slept)
    assert now[0] - 100.0 >= 2.0
    with pytest.raises(ValueError, match="max_actions_per_s"):
        RateLimiter(0)


def test_rate_limiter_does_not_sleep_when_calls_are_slow() -> None:
    now = [0.0]
    limiter = RateLimiter(10.0, clock=lambda: now[0], sleep=lambda s: pytest.fail("slept"))
    for _ in range(5):
        limiter.wait()
        now[0] += 0.2


def _dry(tmp_path, **kw) -> DesktopController:
    safety = SafetyConfig(dry_run=True, dry_run_dir=tmp_path, **kw)
    return DesktopController(region=(100, 50, 400, 300), image_size=(200, 150), safety=safety)


def test_check_maps_points_and_refuses_outside_the_image(tmp_path) -> None:
    c = _dry(tmp_path)
    points, reason = c.check(Click(10, 20))
    assert reason is None and points == [(120, 90)]
    points, reason = c.check(Drag(0, 0, 199.5, 149.5))
    assert reason is None and points == [(100, 50), (499, 349)]
    _, reason = c.check(Click(200, 10))
    assert reason is not None and "outside" in reason
    _, reason = c.check(Scroll(10, 150, 0, 100))
    assert reason is not None and "outside" in reason


def test_check_refuses_outside_the_allowed_region(tmp_path) -> None:
    c = _dry(tmp_path, allowed_region=(100, 50, 200, 100))  # the top-left quarter
    assert c.check(Click(99.5, 49.5))[1] is None
    _, reason = c.check(Click(100, 10))
    assert reason is not None and "allowed region" in reason and "(300, 70)" in reason
    _, reason = c.check(Drag(10, 10, 150, 10))  # ends outside
    assert reason is not None and "allowed region" in reason


def test_check_refuses_robot_actions(tmp_path) -> None:
    _, reason = _dry(tmp_path).check(EEDelta((0, 0, 0)))
    assert reason is not None and "not a UI action" in reason


def test_risky_text_needs_confirmation(tmp_path) -> None:
    asked: list[str] = []
    c = _dry(tmp_path)
    _, reason = c.check(Type("rm -rf ~"))
    assert reason is not None and reason.startswith("not confirmed")
    c = _dry(tmp_path, confirm=lambda msg: asked.append(msg) or False)
    assert c.check(Type("rm -rf ~"))[1] is not None and len(asked) == 1
    c = _dry(tmp_path, confirm=lambda msg: asked.append(msg) or True)
    assert c.check(Type("rm -rf ~"))[1] is None and len(asked) == 2
    assert c.check(Key("Alt+F4"))[1] is None and len(asked) == 3
    c = _dry(tmp_path, yes=True, confirm=lambda msg: pytest.fail("asked despite yes"))
    assert c.check(Type("P@ssw0rd!"))[1] is None
    assert _dry(tmp_path).check(Type("hello"))[1] is None


def test_wait_and_done_send_nothing(tmp_path) -> None:
    c = _dry(tmp_path)
    for action in (Wait(), Done()):
        out = c.execute(action)
        assert out["refused"] is None and not out["executed"]
    assert c.n_dry_run == 0 and not list(tmp_path.iterdir())


class _FakeMSS:
    def __init__(self, monitors: list[tuple[int, int, int, int]]) -> None:
        self.monitors = [dict(left=x, top=y, width=w, height=h) for x, y, w, h in monitors]


class _FakeGUI:
    FAILSAFE_POINTS: tuple = ()

    def __init__(self, size: tuple[int, int]) -> None:
        self._size = size

    def size(self) -> tuple[int, int]:
        return self._size


@pytest.mark.parametrize(
    ("monitors", "pointer", "scale"),
    [
        # X11 with two monitors: pyautogui sees the whole root window (mss monitor 0).
        ([(0, 0, 3840, 1080), (0, 0, 1920, 1080), (1920, 0, 1920, 1080)], (3840, 1080), 1.0),
        # Windows: pyautogui sees the primary monitor only.
        ([(-1920, 0, 3840, 1080), (0, 0, 1920, 1080), (-1920, 0, 1920, 1080)], (1920, 1080), 1.0),
        # Physical-pixel capture, logical-point pointer on a 2x display.
        ([(0, 0, 2880, 1800), (0, 0, 2880, 1800)], (1440, 900), 2.0),
    ],
)
def test_hidpi_scale_is_detected(monitors: list, pointer: tuple, scale: float) -> None:
    c = DesktopController(region=(0, 0, 100, 100))
    c._sct, c._gui = _FakeMSS(monitors), _FakeGUI(pointer)
    assert c.mapping.scale == scale


def test_undetectable_scale_asks_for_it() -> None:
    c = DesktopController(region=(0, 0, 100, 100))
    c._sct, c._gui = _FakeMSS([(0, 0, 1920, 1080), (0, 0, 1920, 1080)]), _FakeGUI((1280, 1024))
    with pytest.raises(ValueError, match="scale="):
        c.mapping  # noqa: B018
