"""Each UI action executed by the Playwright controller on a page that records its events."""

from __future__ import annotations

import numpy as np
import pytest

from vla.actions import Click, Drag, Key, Scroll, Type, Wait
from vla.controllers.playwright import PlaywrightController

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def ctl():
    c = PlaywrightController(viewport=(500, 400), timeout_s=20)
    c.start()
    yield c
    c.close()


@pytest.fixture()
def page(ctl, events_url):
    ctl.goto(events_url)
    return ctl


def events(ctl, kind=None):
    out = ctl.evaluate("() => window.events")
    return [e for e in out if kind is None or e["type"] == kind]


def test_left_click_coordinates_and_count(page):
    page.execute(Click(37, 51))
    (click,) = events(page, "click")
    assert (click["x"], click["y"], click["button"], click["target"]) == (37, 51, 0, "target")
    assert [e["type"] for e in events(page)] == ["mousedown", "mouseup", "click"]


def test_right_and_middle_buttons(page):
    page.execute(Click(30, 40, button="right"))
    page.execute(Click(60, 70, button="middle"))
    (menu,) = events(page, "contextmenu")
    assert (menu["x"], menu["y"], menu["button"]) == (30, 40, 2)
    downs = events(page, "mousedown")
    assert [d["button"] for d in downs] == [2, 1]
    assert not events(page, "click")  # only the primary button fires "click"


def test_double_click(page):
    page.execute(Click(50, 60, count=2))
    assert len(events(page, "click")) == 2
    (dbl,) = events(page, "dblclick")
    assert (dbl["x"], dbl["y"], dbl["detail"]) == (50, 60, 2)


def test_drag_moves_with_button_held(page):
    page.execute(Drag(10, 10, 100, 50))
    seq = events(page)
    assert seq[0]["type"] == "mousedown" and (seq[0]["x"], seq[0]["y"]) == (10, 10)
    moves = [e for e in seq if e["type"] == "mousemove"]
    assert len(moves) >= 2  # intermediate positions, so drag handlers see motion
    up = next(e for e in seq if e["type"] == "mouseup")
    assert (up["x"], up["y"]) == (100, 50)


def test_scroll_at_point_scrolls_that_element(page):
    page.execute(Scroll(300, 250, 0, 120))
    (wheel,) = events(page, "wheel")
    assert (wheel["x"], wheel["y"], wheel["dy"]) == (300, 250, 120)
    top = page.evaluate("() => new Promise(r => setTimeout(() => r(scroller.scrollTop), 200))")
    assert top > 0
    assert page.evaluate("() => window.scrollY") == 0  # the page itself did not scroll


def test_the_capture_after_a_scroll_shows_it_landed(page):
    # the next observation is captured at once: it must already show the whole scroll
    for i in range(1, 6):
        page.execute(Scroll(300, 250, 0, 40))
        now = page.screenshot()
        assert page.evaluate("() => scroller.scrollTop") == 40 * i
        later = page.evaluate(
            "() => new Promise(r => setTimeout(() => r(scroller.scrollTop), 100))"
        )
        assert later == 40 * i and np.array_equal(now, page.screenshot())


def test_type_and_keys_reach_the_focused_field(page):
    page.execute(Click(100, 230))
    page.execute(Type("Hi, there!"))
    assert page.evaluate("() => field.value") == "Hi, there!"
    page.execute(Key("Control+a"))
    page.execute(Key("Backspace"))
    assert page.evaluate("() => field.value") == ""
    page.execute(Key("Space"))
    page.execute(Key("Enter"))
    keys = [(e["key"], e["ctrl"]) for e in events(page, "keydown")]
    assert ("a", True) in keys and ("Backspace", False) in keys
    assert keys[-2:] == [(" ", False), ("Enter", False)]
    assert page.evaluate("() => field.value") == " "


def test_wait_does_nothing_and_robot_actions_are_rejected(page):
    page.execute(Wait())
    assert events(page) == []
    from vla.actions import EEDelta

    with pytest.raises(ValueError, match="UI actions"):
        page.execute(EEDelta(xyz=(0, 0, 0)))


def test_screenshot_region_is_rgb_uint8(page):
    img = page.screenshot((100, 100, 40, 30))
    assert img.shape == (30, 40, 3) and img.dtype == np.uint8
    assert (img == (0xEE, 0xEE, 0xFF)).all()  # inside #target, away from its text
    full = page.screenshot()
    assert full.shape == (400, 500, 3)
    # The red SVG circle at (450, 40) in page pixels.
    assert tuple(full[40, 450]) == (255, 0, 0)
