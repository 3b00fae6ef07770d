"""The image -> screen mapping: a pure function, tested without a display."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from vla.controllers.screen_mapping import (
    ScreenMapping,
    detect_scale,
    parse_region,
    region_contains,
)


def test_identity_is_exact() -> None:
    m = ScreenMapping((0, 0, 1024, 768), (1024, 768))
    for x, y in [(0, 0), (1, 1), (511, 300), (1023, 767)]:
        assert m.to_screen(x, y) == (x, y)
        assert m.to_image(x, y) == (x, y)


def test_region_offset_is_added() -> None:
    m = ScreenMapping((137, 91, 300, 200), (300, 200))
    assert m.to_screen(0, 0) == (137, 91)
    assert m.to_screen(10, 20) == (147, 111)
    assert m.to_screen(299, 199) == (436, 290)
    assert m.to_image(147, 111) == (10, 20)


def test_fractional_point_goes_to_the_pixel_containing_it() -> None:
    m = ScreenMapping((50, 60, 100, 100), (100, 100))
    assert m.to_screen(10.4, 10.6) == (60, 70)
    assert m.to_screen(10.5, 9.99) == (60, 69)
    assert m.to_image(60.5, 70.5) == (10.5, 10.5)  # centre of a pixel


def test_downscaled_image_centre_lands_at_the_centre_of_the_covered_area() -> None:
    # 1920x1080 captured and resized to 960x540: image pixel i covers screen [2i, 2i + 2).
    m = ScreenMapping((0, 0, 1920, 1080), (960, 540))
    assert m.to_screen(0.5, 0.5) == (1, 1)
    assert m.to_screen(100.5, 50.5) == (201, 101)
    assert m.to_screen(959.5, 539.5) == (1919, 1079)
    assert m.to_screen(100, 50) == (200, 100)
    assert m.to_image(201, 101) == (100.5, 50.5)


def test_anisotropic_resize_to_policy_input() -> None:
    # A 700x450 region fed to a 350x300 policy input: x scales by 2, y by 1.5.
    m = ScreenMapping((100, 150, 700, 450), (350, 300))
    assert m.to_screen(175, 150) == (100 + 350, 150 + 225)
    assert m.to_screen(175.5, 150.5) == (100 + 351, 150 + 225)
    assert m.to_image(451, 375.75) == (175.5, 150.5)


def test_upscaled_image() -> None:
    m = ScreenMapping((10, 10, 160, 210), (320, 420))  # image twice the region
    assert m.to_screen(0, 0) == (10, 10)
    assert m.to_screen(1.9, 1.9) == (10, 10)
    assert m.to_screen(2, 3) == (11, 11)
    assert m.to_screen(319, 419) == (169, 219)
    assert m.to_image(11.5, 11.5) == (3.0, 3.0)


def test_negative_monitor_offsets() -> None:
    # A second monitor left of and above the primary one (mss virtual-desktop coordinates).
    m = ScreenMapping((-1920, -200, 1920, 1080), (1920, 1080))
    assert m.to_screen(0, 0) == (-1920, -200)
    assert m.to_screen(1919, 1079) == (-1, 879)
    assert m.to_image(-1, 879) == (1919, 1079)
    assert m.to_screen(*m.to_image(-700.5, 12.5)) == (-701, 12)


def test_hidpi_capture_in_physical_pixels_input_in_points() -> None:
    # Retina 2x: the region is named in physical pixels, pyautogui moves in points.
    m = ScreenMapping((200, 100, 2880, 1800), (1440, 900), scale=2.0)
    assert m.input_region == (100, 50, 1440, 900)
    assert m.to_screen(0, 0) == (100, 50)
    assert m.to_screen(720, 450) == (100 + 720, 50 + 450)
    assert m.to_screen(1439, 899) == (1539, 949)
    assert m.to_image(101, 51) == (1, 1)
    # Image at full physical resolution: two image pixels per point.
    m2 = ScreenMapping((0, 0, 2880, 1800), (2880, 1800), scale=2.0)
    assert m2.to_screen(10, 10) == (5, 5) and m2.to_screen(11, 11) == (5, 5)
    assert m2.to_screen(12, 13) == (6, 6)
    assert m2.to_image(5.5, 5.5) == (11, 11)


def test_fractional_hidpi_scale() -> None:
    m = ScreenMapping((0, 0, 1500, 1000), (1500, 1000), scale=1.5)
    assert m.input_region == (0, 0, 1000, 1000 / 1.5)
    assert m.to_screen(1499.9, 999.9) == (999, 666)
    assert m.to_screen(150, 150) == (100, 100)
    assert m.to_image(100, 100) == (150, 150)


def test_points_outside_the_image_are_not_clamped() -> None:
    m = ScreenMapping((100, 100, 50, 50), (50, 50))
    assert not m.in_image(50, 10) and not m.in_image(-1, 10)
    assert m.to_screen(60, 10) == (160, 110)  # outside: the safety check refuses it


@settings(max_examples=300, deadline=None)
@given(
    left=st.integers(-4000, 4000),
    top=st.integers(-3000, 3000),
    width=st.integers(1, 4000),
    height=st.integers(1, 3000),
    img_w=st.integers(1, 2000),
    img_h=st.integers(1, 2000),
    scale=st.sampled_from([1.0, 1.25, 1.5, 2.0, 3.0]),
    fx=st.floats(0, 1, exclude_max=True),
    fy=st.floats(0, 1, exclude_max=True),
)
def test_property_in_image_lands_in_region_and_inverts(
    left: int,
    top: int,
    width: int,
    height: int,
    img_w: int,
    img_h: int,
    scale: float,
    fx: float,
    fy: float,
) -> None:
    m = ScreenMapping((left, top, width, height), (img_w, img_h), scale=scale)
    x, y = fx * img_w, fy * img_h
    sx, sy = m.to_screen(x, y)
    il, it, iw, ih = m.input_region
    # The event pixel lies in the captured area (in input coordinates)...
    assert math.floor(il) <= sx <= math.ceil(il + iw) - 1
    assert math.floor(it) <= sy <= math.ceil(it + ih) - 1
    # ...that contains the exact point (up to float rounding).
    cx, cy = m.to_capture(x, y)
    assert sx - 1e-9 <= cx / scale < sx + 1 + 1e-9
    assert sy - 1e-9 <= cy / scale < sy + 1 + 1e-9
    # The affine part inverts exactly; the event pixel's centre maps back within its extent.
    bx, by = m.to_image(cx / scale, cy / scale)
    assert math.isclose(bx, x, abs_tol=1e-6) and math.isclose(by, y, abs_tol=1e-6)
    px, py = m.to_image(sx + 0.5, sy + 0.5)
    assert abs(px - x) <= img_w / width * scale + 1e-6
    assert abs(py - y) <= img_h / height * scale + 1e-6


@settings(max_examples=200, deadline=None)
@given(
    left=st.integers(-3000, 3000),
    top=st.integers(-3000, 3000),
    w=st.integers(1, 3000),
    h=st.integers(1, 3000),
    data=st.data(),
)
def test_property_unresized_round_trip_is_exact(
    left: int, top: int, w: int, h: int, data: st.DataObject
) -> None:
    m = ScreenMapping((left, top, w, h), (w, h))
    x = data.draw(st.integers(0, w - 1))
    y = data.draw(st.integers(0, h - 1))
    assert m.to_screen(x, y) == (left + x, top + y)
    assert m.to_image(left + x, top + y) == (x, y)


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"region": (0, 0, 0, 10), "image_size": (10, 10)}, "region"),
        ({"region": (0, 0, 10), "image_size": (10, 10)}, "region"),
        ({"region": (0, 0.5, 10, 10), "image_size": (10, 10)}, "region"),
        ({"region": (0, 0, 10, 10), "image_size": (0, 10)}, "image_size"),
        ({"region": (0, 0, 10, 10), "image_size": (10, 10), "scale": 0}, "scale"),
        ({"region": (0, 0, 10, 10), "image_size": (10, 10), "scale": float("nan")}, "scale"),
    ],
)
def test_bad_arguments_name_the_field(kwargs: dict, field: str) -> None:
    with pytest.raises(ValueError, match=field):
        ScreenMapping(**kwargs)


def test_parse_region() -> None:
    assert parse_region("10, 20,300,400") == (10, 20, 300, 400)
    assert parse_region("-1920,0,1920,1080") == (-1920, 0, 1920, 1080)
    for bad in ["1,2,3", "a,b,c,d", "0,0,0,5", ""]:
        with pytest.raises(ValueError, match="region"):
            parse_region(bad)


def test_region_contains_excludes_far_edges() -> None:
    r = (10, 10, 5, 5)
    assert region_contains(r, 10, 10) and region_contains(r, 14, 14)
    assert not region_contains(r, 15, 10) and not region_contains(r, 9, 12)


def test_detect_scale() -> None:
    assert detect_scale((1920, 1080), (1920, 1080)) == 1.0
    assert detect_scale((2880, 1800), (1440, 900)) == 2.0
    assert detect_scale((2400, 1350), (1920, 1080)) == 1.25
    with pytest.raises(ValueError, match="scale"):
        detect_scale((1920, 1080), (1280, 1024))
