"""Every UI action through vla/desktop-v0 reaches the right element at the right place.

A headful Chromium window (not at the screen origin) on a private Xvfb shows a page that records
every input event. Targets are found by colour in the env's own observation; an action aimed at
a point of that image must arrive at the matching page point within 2 px.
"""

from __future__ import annotations

from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import vla.envs  # noqa: F401  (registers vla/desktop-v0)
from vla.actions import Click, Done, Drag, Key, Scroll, Type

pytestmark = [pytest.mark.display, pytest.mark.browser]

COLOURS = {"red": (255, 0, 0), "green": (0, 160, 0), "blue": (0, 0, 255), "drop": (128, 0, 128)}
COLOURS |= {"text": (60, 200, 200), "scroller": (255, 200, 0)}
REGION = (100, 150, 700, 450)  # in the window at (137, 91): page content starts near y = 178
CONFIGS = {
    "monitor": {},  # the whole screen, no resizing
    "region": {"region": REGION},
    "region-resized": {"region": REGION, "image_size": (350, 300)},  # x / 2, y / 1.5
}


def find_box(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 30) -> tuple[float, ...]:
    """Bounding box ``(x0, y0, x1, y1)`` (exclusive ends) of pixels within ``tol`` of ``rgb``."""
    close = (np.abs(image.astype(int) - np.array(rgb)).max(axis=2) <= tol).nonzero()
    if close[0].size == 0:
        raise AssertionError(f"colour {rgb} not found in the {image.shape} image")
    return (close[1].min(), close[0].min(), close[1].max() + 1.0, close[0].max() + 1.0)


@pytest.fixture(scope="module")
def page(open_window: Any, xvfb: str) -> Any:
    from pathlib import Path

    page = open_window((Path(__file__).parent / "pages" / "events.html").as_uri())
    page.wait_for_function("window.events !== undefined")
    wait_on_screen(COLOURS["red"])
    return page


def wait_on_screen(rgb: tuple[int, int, int], timeout_s: float = 20.0) -> None:
    """Block until ``rgb`` shows on the X screen: a new headful window is mapped and painted
    some time after its page has loaded (CI once saw an all-black screen at the first reset)."""
    import time

    import mss

    deadline = time.monotonic() + timeout_s
    with mss.mss() as grabber:
        while True:
            shot = np.asarray(grabber.grab(grabber.monitors[0]))[:, :, 2::-1]  # BGRA -> RGB
            try:
                find_box(shot, rgb)
                return
            except AssertionError:
                if time.monotonic() > deadline:
                    raise AssertionError(f"no {rgb} on screen in {timeout_s:.0f} s") from None
            time.sleep(0.1)


def events(page: Any, kind: str | None = None) -> list[dict[str, Any]]:
    out = page.evaluate("window.events")
    return [e for e in out if kind is None or e["type"] == kind]


def clear(page: Any) -> None:
    page.evaluate("window.events = []")


def rect(page: Any, element: str) -> dict[str, float]:
    return page.evaluate(f"document.getElementById('{element}').getBoundingClientRect().toJSON()")


def aim(image: np.ndarray, page: Any, element: str, fx: float, fy: float) -> tuple[Any, ...]:
    """An image point at fraction (fx, fy) of the element as seen, and where the page has it."""
    x0, y0, x1, y1 = find_box(image, COLOURS[element])
    r = rect(page, element)
    image_xy = (x0 + fx * (x1 - x0), y0 + fy * (y1 - y0))
    page_xy = (r["left"] + fx * r["width"], r["top"] + fy * r["height"])
    return image_xy, page_xy


def assert_at(event: dict[str, Any], element: str, page_xy: tuple[float, float]) -> None:
    assert event["id"] == element, event
    assert abs(event["x"] - page_xy[0]) <= 2 and abs(event["y"] - page_xy[1]) <= 2, (
        event,
        page_xy,
    )


def make_env(**kwargs: Any) -> gym.Env:
    kwargs.setdefault("max_actions_per_s", 50.0)
    kwargs.setdefault("settle_s", 0.15)
    return gym.make("vla/desktop-v0", instruction="test", **kwargs)


@pytest.mark.parametrize("config", list(CONFIGS))
def test_every_ui_action_arrives_at_the_right_place(page: Any, config: str) -> None:
    env = make_env(**CONFIGS[config])
    try:
        obs, info = env.reset(seed=0)
        image = obs["image"]
        assert image.shape[:2][::-1] == env.unwrapped.mapping.image_size
        page.evaluate("document.getElementById('text').value = ''")
        page.evaluate("document.getElementById('scroller').scrollTop = 0")

        # Clicks: left at three points, double, right; each at its element within 2 px.
        for element, fx, fy in [("red", 0.5, 0.5), ("green", 0.2, 0.8), ("blue", 0.7, 0.3)]:
            clear(page)
            xy, expected = aim(image, page, element, fx, fy)
            _, _, _, _, info = env.step(Click(*xy))
            assert info["action_result"]["executed"], info
            [down] = events(page, "mousedown")
            assert_at(down, element, expected)
            assert len(events(page, "click")) == 1
        clear(page)
        xy, expected = aim(image, page, "green", 0.6, 0.4)
        env.step(Click(*xy, count=2))
        [dbl] = events(page, "dblclick")
        assert_at(dbl, "green", expected)
        assert dbl["detail"] == 2
        clear(page)
        xy, expected = aim(image, page, "blue", 0.4, 0.6)
        env.step(Click(*xy, button="right"))
        [menu] = events(page, "contextmenu")
        assert_at(menu, "blue", expected)
        assert menu["button"] == 2

        # Drag: pressed on red, released on drop.
        clear(page)
        a, a_page = aim(image, page, "red", 0.3, 0.5)
        b, b_page = aim(image, page, "drop", 0.6, 0.5)
        env.step(Drag(*a, *b))
        assert_at(events(page, "mousedown")[0], "red", a_page)
        assert_at(events(page, "mouseup")[-1], "drop", b_page)
        assert len(events(page, "mousemove")) >= 3  # a real drag moves through the page

        # Scroll down over the scroller.
        clear(page)
        xy, expected = aim(image, page, "scroller", 0.5, 0.5)
        env.step(Scroll(*xy, 0, 200))
        wheels = events(page, "wheel")
        assert wheels and all(w["dy"] > 0 for w in wheels)
        assert_at(wheels[0], "scroller", expected)
        assert page.evaluate("document.getElementById('scroller').scrollTop") > 0

        # Keyboard: click the text box, type, edit with keys.
        xy, _ = aim(image, page, "text", 0.5, 0.5)
        env.step(Click(*xy))
        env.step(Type("Hello, World 42!"))
        env.step(Key("Backspace"))
        assert page.evaluate("document.getElementById('text').value") == "Hello, World 42"
        env.step(Key("Control+a"))
        clear(page)
        env.step(Type("x"))
        env.step(Key("Enter"))
        assert page.evaluate("document.getElementById('text').value") == "x"
        assert [e["key"] for e in events(page, "keydown")] == ["x", "Enter"]

        _, _, terminated, truncated, _ = env.step(Done())
        assert terminated and not truncated
    finally:
        env.close()


def test_action_outside_the_allowed_region_is_refused_and_reported(page: Any) -> None:
    env = make_env(region=REGION)
    try:
        obs, _ = env.reset()
        red = find_box(obs["image"], COLOURS["red"])
        m = env.unwrapped.mapping
        left, top = m.to_screen(red[0], red[1])
        right, bottom = m.to_screen(red[2], red[3])
        env.close()
        env = make_env(region=REGION, allowed_region=(left, top, right - left, bottom - top))
        obs, _ = env.reset()
        clear(page)
        xy, _ = aim(obs["image"], page, "green", 0.5, 0.5)
        _, _, terminated, truncated, info = env.step(Click(*xy))
        assert not info["action_result"]["executed"]
        assert "allowed region" in info["error"] and info["action_result"]["refused"]
        assert not terminated and not truncated
        assert events(page) == []  # not even a mouse move
        xy, expected = aim(obs["image"], page, "red", 0.5, 0.5)
        _, _, _, _, info = env.step(Click(*xy))
        assert info["error"] is None and info["action_result"]["executed"]
        assert_at(events(page, "mousedown")[0], "red", expected)
    finally:
        env.close()


def test_dry_run_sends_no_event_and_draws_the_intended_actions(page: Any, tmp_path) -> None:
    from PIL import Image

    env = make_env(region=REGION, dry_run=True, dry_run_dir=tmp_path)
    try:
        obs, _ = env.reset()
        clear(page)
        xy, _ = aim(obs["image"], page, "red", 0.5, 0.5)
        drop, _ = aim(obs["image"], page, "drop", 0.5, 0.5)
        for action in [Click(*xy), Drag(*xy, *drop), Scroll(*xy, 0, 100), Type("hi"), Key("a")]:
            _, _, _, _, info = env.step(action)
            assert info["action_result"]["dry_run"] and not info["action_result"]["executed"]
        page.wait_for_timeout(200)
        assert events(page) == []
        shots = sorted(tmp_path.glob("step-*.png"))
        assert len(shots) == 5
        first = np.asarray(Image.open(shots[0]).convert("RGB"))
        # vla.render.draw_action: the observation (700x450: not upscaled) between a caption
        # band on top and an action band below.
        assert first.shape[1] == REGION[2] and first.shape[0] > REGION[3]
        top = next(
            off
            for off in range(first.shape[0] - REGION[3] + 1)
            if np.array_equal(first[off : off + 10], obs["image"][:10])
        )
        first = first[top : top + REGION[3]]
        # The click is drawn: a ring around the click point that was not in the observation.
        cx, cy = (round(v) for v in xy)
        ring = first[cy - 8 : cy + 9, cx - 8 : cx + 9]
        assert (np.abs(ring.astype(int) - obs["image"][cy - 8 : cy + 9, cx - 8 : cx + 9]).sum()) > 0
    finally:
        env.close()


def test_rate_limit_holds(page: Any) -> None:
    import time

    rate, n = 8.0, 6
    env = make_env(region=REGION, max_actions_per_s=rate, settle_s=0.0)
    try:
        obs, _ = env.reset()
        xy, _ = aim(obs["image"], page, "red", 0.5, 0.5)
        clear(page)
        start = time.monotonic()
        for _ in range(n):
            env.step(Click(*xy))
        elapsed = time.monotonic() - start
        page.wait_for_timeout(200)
        downs = events(page, "mousedown")
        assert len(downs) == n  # every click arrived...
        assert elapsed >= (n - 1) / rate  # ...no faster than the limit allows
        span_ms = downs[-1]["t"] - downs[0]["t"]
        assert span_ms >= 0.8 * (n - 1) / rate * 1000
    finally:
        env.close()


def test_check_env_in_dry_run(xvfb: str, tmp_path) -> None:
    from gymnasium.utils.env_checker import check_env

    env = make_env(region=REGION, dry_run=True, dry_run_dir=tmp_path, max_actions_per_s=1000)
    try:
        check_env(env.unwrapped, skip_render_check=True)
    finally:
        env.close()


def test_step_limit_truncates(xvfb: str, tmp_path) -> None:
    env = make_env(region=REGION, dry_run=True, dry_run_dir=tmp_path, max_steps=3)
    try:
        env.reset(options={"instruction": "do nothing"})
        flags = [env.step(Key("a"))[2:4] for _ in range(3)]
        assert flags == [(False, False), (False, False), (False, True)]
        obs, info = env.reset()
        assert obs["instruction"] == "do nothing" and info["stopped_by"] is None
    finally:
        env.close()
