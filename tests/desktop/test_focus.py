"""Coarse to fine on a whole screen (issue 19): the views, the two-pass FocusPolicy, and the
locate env ``vla/desktop-locate-miniwob-<task>-v0`` that trains its first pass.

The geometry is checked with stand-in policies that *see*: the locator finds a coloured box in
the view it is shown, the actor a coloured button in its crop, so a click lands on the button
only if every view and crop maps its pixels back to the screen exactly.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import gymnasium as gym
import numpy as np
import pytest

import vla.envs  # noqa: F401
from vla.actions import Click, Drag, Type
from vla.envs.desktop.views import (
    box_view,
    full_view,
    page_view,
    render_view,
    screen_to_view,
    shift_action,
    view_to_screen,
    zoom_view,
)
from vla.rollout import load_policy, run_episode
from vla.rollout.focus import FOCUS_FILE, FocusPolicy

TASK = (255, 0, 255)  # the task area's colour on the synthetic screens
BUTTON = (0, 255, 0)


def _bbox(image: np.ndarray, color: tuple[int, int, int]) -> tuple[float, float, float, float]:
    """The pixel-edge box of ``color`` in ``image`` (close to it: bilinear edges blend)."""
    near = (np.abs(image.astype(int) - np.array(color)).sum(axis=2) < 200).nonzero()
    return (near[1].min(), near[0].min(), near[1].max() + 1.0, near[0].max() + 1.0)


class SeeingLocator:
    """Answers each view with the box of the task colour in it; records the views' sizes."""

    def __init__(self) -> None:
        self.shown: list[tuple[int, ...]] = []

    def act_batch(self, images: Any, instructions: Any, spaces: Any = None) -> list[Drag]:
        assert all(s.verbs == ("drag",) for s in spaces)
        self.shown += [im.shape for im in images]
        return [Drag(*_bbox(im, TASK)) for im in images]


class SeeingActor:
    """Clicks the centre of the button colour in the crop it is shown."""

    action_history = 4

    def __init__(self) -> None:
        self.crops: list[np.ndarray] = []
        self.histories: list[Any] = []

    def act_batch(self, images: Any, instructions: Any, states: Any, spaces: Any, **kw: Any) -> Any:
        self.crops += list(images)
        self.histories += kw.get("histories", [None])
        out = []
        for im in images:
            x0, y0, x1, y1 = _bbox(im, BUTTON)
            out.append(Click((x0 + x1) / 2, (y0 + y1) / 2))
        return out


def _screen(size: tuple[int, int], scale: int, origin: tuple[int, int]) -> tuple[Any, Any]:
    """A grey screen with a 160x210 (x ``scale``) task area at ``origin`` holding a 20x10
    button; returns the image and the button's centre."""
    image = np.full((size[1], size[0], 3), 90, np.uint8)
    x, y = origin
    image[y : y + 210 * scale, x : x + 160 * scale] = TASK
    bx, by = x + 37 * scale, y + 101 * scale
    image[by : by + 10 * scale, bx : bx + 20 * scale] = BUTTON
    return image, (bx + 10 * scale, by + 5 * scale)


@pytest.mark.parametrize(
    ("size", "scale"), [((1920, 1080), 1), ((2560, 1440), 1), ((3840, 2160), 2)]
)
def test_views_map_points_back_to_the_screen_exactly(size: tuple[int, int], scale: int) -> None:
    rng = np.random.default_rng(0)
    for _ in range(50):
        box = (*rng.uniform(0, 1500, 2), 0.0, 0.0)
        box = (box[0], box[1], box[0] + 160 * scale, box[1] + 210 * scale)
        view = zoom_view(box, 3.0, size)
        x, y, w, h = view
        assert 0 <= x <= size[0] - w and 0 <= y <= size[1] - h
        assert w == min(size[0], round(160 * scale * 3.0))  # the box's size times the factor
        for point in [(box[0], box[1]), (box[2], box[3]), tuple(rng.uniform(0, 1000, 2))]:
            for shown in [(256, 256), (80, 80), None]:
                back = view_to_screen(screen_to_view(point, view, shown), view, shown)
                assert np.allclose(back, point, atol=1e-9)
    assert full_view(size) == (0, 0, *size)
    assert box_view((10.2, 5.7, 30.0, 40.5), size) == (10, 5, 20, 36)
    assert render_view(
        np.zeros((size[1], size[0], 3), np.uint8), (3, 4, 50, 60), (32, 16)
    ).shape == (
        16,
        32,
        3,
    )


@pytest.mark.parametrize(
    ("size", "scale", "origin"),
    [((1920, 1080), 1, (1311, 57)), ((2560, 1440), 1, (9, 1200)), ((3840, 2160), 2, (2911, 1303))],
)
def test_focus_policy_clicks_the_button_it_found_to_the_pixel(
    size: tuple[int, int], scale: int, origin: tuple[int, int]
) -> None:
    image, button = _screen(size, scale, origin)
    locator, actor = SeeingLocator(), SeeingActor()
    policy = FocusPolicy(locator, actor, zooms=(3.0, 1.5), view_size=(256, 256))
    history = [Click(origin[0] + 5.0, origin[1] + 7.0), Type("hi")]
    action = policy.act(image, "click the button", history=history)
    assert isinstance(action, Click)
    assert abs(action.x - button[0]) <= 1 and abs(action.y - button[1]) <= 1, (action, button)
    # three locator passes (the whole screen, then two zooms), each at the view size
    assert locator.shown == [(256, 256, 3)] * 3
    crop = actor.crops[0]  # the task area at native resolution, within a pixel per side
    assert abs(crop.shape[1] - 160 * scale) <= 2 and abs(crop.shape[0] - 210 * scale) <= 2
    moved = actor.histories[0]  # the episode's actions in the crop's pixels
    assert abs(moved[0].x - 5.0) <= 1 and abs(moved[0].y - 7.0) <= 1 and moved[1] == Type("hi")


@pytest.mark.parametrize(("size", "scale"), [((1920, 1080), 1), ((3840, 2160), 2)])
def test_the_page_crop_keeps_the_actors_page_size_whatever_the_box_gets_wrong(
    size: tuple[int, int], scale: int
) -> None:
    rng = np.random.default_rng(1)
    for _ in range(50):
        x, y = rng.uniform(0, size[0] - 160 * scale), rng.uniform(0, size[1] - 210 * scale)
        off = rng.uniform(-8, 8, 4) * scale  # each corner a locator's typical error off
        box = (x + off[0], y + off[1], x + 160 * scale + off[2], y + 210 * scale + off[3])
        vx, vy, w, h = page_view(box, (160, 210), size)
        assert (w, h) == (160 * scale, 210 * scale)
        centre = ((box[0] + box[2]) / 2, (box[1] + box[3]) / 2)
        if 0 < vx < size[0] - w and 0 < vy < size[1] - h:  # not moved inside the screen
            assert abs(vx + w / 2 - centre[0]) <= 1 and abs(vy + h / 2 - centre[1]) <= 1
        assert 0 <= vx <= size[0] - w and 0 <= vy <= size[1] - h
    # a box at 1.3x the page is cut at 1.25x; one past the screen's corner stays on it
    assert page_view((0, 0, 208, 273), (160, 210), size)[2:] == (200, 262)
    assert page_view((1900, 1060, 2060, 1270), (160, 210), (1920, 1080)) == (1760, 870, 160, 210)


def test_focus_policy_with_a_page_size_shows_the_actor_its_page_from_a_box_off() -> None:
    image, button = _screen((3840, 2160), 2, (2911, 1303))

    class OffLocator(SeeingLocator):  # each corner 4 view px (15 screen px) off: a wrong size
        def act_batch(self, images: Any, instructions: Any, spaces: Any = None) -> list[Drag]:
            boxes = super().act_batch(images, instructions, spaces)
            return [Drag(b.x0 - 4, b.y0 + 4, b.x1 + 4, b.y1 + 4) for b in boxes]

    actor = SeeingActor()
    policy = FocusPolicy(OffLocator(), actor, zooms=(3.0,), page_size=(160, 210))
    action = policy.act(image, "click the button")
    # the page cut at 2x, exactly, and shown at the actor's own 160x210 (a HiDPI screen)
    assert actor.crops[0].shape == (210, 160, 3)
    assert isinstance(action, Click)  # one actor pixel is two screen pixels
    assert abs(action.x - button[0]) <= 2 and abs(action.y - button[1]) <= 2, (action, button)


def test_actions_map_between_the_screen_and_a_resized_page_crop_and_back() -> None:
    """A 320x420 crop of a 2x screen shown at 160x210: one crop pixel is two screen pixels."""
    from vla.envs.desktop.views import action_to_screen as _to_screen
    from vla.envs.desktop.views import action_to_view as _to_view

    view, shown = (1000, 500, 320, 420), (160, 210)
    assert _to_view(Click(1100, 700), view, shown) == Click(50, 100)
    assert _to_screen(Drag(50, 100, 10, 20), view, shown) == Drag(1100, 700, 1020, 540)
    assert _to_screen(Type("x"), view, shown) == Type("x")
    assert _to_screen(Click(5, 7), view, None) == Click(1005, 507)  # native: a shift


def test_a_hidpi_page_crop_is_reduced_by_averaging_each_2x2_block() -> None:
    """``resample="box"`` (``FocusPolicy(page_resample="box")``): every page pixel is the mean
    of the four screen pixels it covers, where bilinear spreads a line over its neighbours."""
    screen = np.full((40, 40, 3), 255, np.uint8)
    screen[10:12, :] = 0  # a line two screen pixels thick: one page pixel at 1x
    screen[21, :] = 0  # one screen pixel thick: half a page pixel
    box = render_view(screen, (0, 0, 40, 40), (20, 20), "box")
    assert (box[5] == 0).all() and (box[10] == 128).all() and (box[15] == 255).all()
    soft = render_view(screen, (0, 0, 40, 40), (20, 20))
    assert soft[5, 5, 0] > 0 and soft[10, 5, 0] > 128  # bilinear spreads both lines
    with pytest.raises(ValueError, match="choose one of"):
        render_view(screen, (0, 0, 40, 40), (20, 20), "cubic")
    image, _ = _screen((3840, 2160), 2, (2911, 1303))
    actor = SeeingActor()
    policy = FocusPolicy(SeeingLocator(), actor, (3.0, 1.5), (256, 256), (160, 210), False, "box")
    policy.act(image, "click the button")
    cut = policy._crop(policy.locate_batch([image], ["x"])[0], (3840, 2160))
    assert cut[2:] == (320, 420)
    assert np.array_equal(actor.crops[0], render_view(image, cut, (160, 210), "box"))


@pytest.mark.parametrize(
    ("view", "size"),
    [
        ((0, 0, 1920, 1080), (256, 256)),
        ((7, 3, 320, 420), (160, 210)),
        ((5, 9, 61, 47), (256, 256)),
    ],
)
def test_bilinear_views_match_pils_bilinear_resize(view: tuple, size: tuple[int, int]) -> None:
    """The views the locator was trained on were resized by PIL; torch's kernel, which now
    renders them, gives the same pixels to within one grey level, shrinking and enlarging."""
    from PIL import Image

    rng = np.random.default_rng(0)
    screen = rng.integers(0, 256, (1080, 1920, 3), dtype=np.uint8)
    screen[::7] = 0  # hard edges, where two kernels would differ most
    x, y, w, h = view
    pil = np.asarray(Image.fromarray(screen[y : y + h, x : x + w]).resize(size, Image.BILINEAR))
    got = render_view(screen, view, size)
    assert got.shape == (size[1], size[0], 3) and got.dtype == np.uint8
    assert np.abs(got.astype(int) - pil.astype(int)).max() <= 1


def test_locate_once_keeps_each_rows_box_until_its_episode_ends() -> None:
    """The locator runs at an episode's first action (an empty history) only; a later action
    acts in the kept box even when the screen no longer shows the task (the window would not
    move); a row whose history empties again (its next episode) is located afresh."""
    (first, button), (second, other) = (
        _screen((1920, 1080), 1, (300, 200)),
        _screen((1920, 1080), 1, (1500, 700)),
    )
    locator, actor = SeeingLocator(), SeeingActor()
    policy = FocusPolicy(locator, actor, zooms=(3.0,), page_size=(160, 210), locate_once=True)
    a = policy.act_batch([first, second], ["x", "y"], histories=[[], []])
    assert len(locator.shown) == 2 * 2  # both rows: the whole screen, then the 3x zoom
    assert (a[1].x, a[1].y) == pytest.approx(other, abs=1)
    blank = np.full_like(first, 90)
    blank[button[1] - 5 : button[1] + 5, button[0] - 10 : button[0] + 10] = BUTTON  # no task
    b = policy.act_batch([blank, second], ["x", "y"], histories=[[a[0]], [a[1]]])
    assert len(locator.shown) == 4  # nothing located again
    assert (b[0].x, b[0].y) == pytest.approx(button, abs=1) and b[1] == a[1]
    policy.act_batch([second, second], ["x", "y"], histories=[[], [a[1], b[1]]])
    assert len(locator.shown) == 6  # row 0 started an episode: located again, row 1 kept
    assert FocusPolicy(locator, actor, locate_once=False).locate_once is False
    policy.act(first, "x")  # no history (an actor that reads none): located every time
    assert len(locator.shown) == 8


def test_an_evaluation_resumes_only_with_the_same_two_pass_settings() -> None:
    """``vla eval``'s resume key covers a FocusPolicy's locator, actor and settings: a copy
    that locates once per episode does not reuse the tasks of one that locates every action."""
    from vla.evaluation import EvalConfig
    from vla.evaluation.resume import run_key

    cfg = EvalConfig(policy="focus", env_ids=["vla/desktop-miniwob-click-test-v0"])
    every = FocusPolicy(SeeingLocator(), SeeingActor(), zooms=(3.0,))
    same = FocusPolicy(SeeingLocator(), SeeingActor(), zooms=(3.0,))
    once = FocusPolicy(SeeingLocator(), SeeingActor(), zooms=(3.0,), locate_once=True)
    zoomed = FocusPolicy(SeeingLocator(), SeeingActor(), zooms=(3.0, 1.5))
    assert run_key(cfg, every) == run_key(cfg, same)
    assert len({run_key(cfg, p) for p in (every, once, zoomed)}) == 3


def test_shift_action_moves_every_point_and_keeps_them_on_the_image() -> None:
    assert shift_action(Drag(1, 2, 3, 4), 10, 20) == Drag(11, 22, 13, 24)
    assert shift_action(Click(5, 5), -9, 1) == Click(0, 6)
    assert shift_action(Type("x"), 3, 3) == Type("x")


def test_a_folder_with_focus_json_loads_as_a_focus_policy(
    tiny_policy_dir: Path, tmp_path: Path
) -> None:
    from vla.policy import Policy

    locator = Policy.from_pretrained(tiny_policy_dir, device="cpu")
    saved = FocusPolicy(locator, None, zooms=(2.0,), view_size=(64, 48), page_size=(160, 210))
    folder = saved.save_pretrained(tmp_path / "focus", actor="actor")
    Policy.from_pretrained(tiny_policy_dir, device="cpu").save_pretrained(folder / "actor")
    policy = load_policy(str(folder), device="cpu")
    assert isinstance(policy, FocusPolicy)
    assert policy.zooms == (2.0,) and policy.view_size == (64, 48)
    assert policy.page_size == (160, 210) and not policy.locate_once
    image = np.random.default_rng(0).integers(0, 255, (300, 500, 3), dtype=np.uint8)
    located = policy.locate_batch([image], ["find it"])[0]  # an untrained locator: any box
    assert all(0 <= v <= 500 for v in located[::2]) and all(0 <= v <= 300 for v in located[1::2])
    action = policy.act(image, "click it")
    assert all(p >= 0 for p in vars(action).values() if isinstance(p, float))
    once = FocusPolicy(locator, None, (2.0,), (64, 48), locate_once=True)
    assert load_policy(str(once.save_pretrained(folder, actor="actor"))).locate_once
    (folder / FOCUS_FILE).write_text(json.dumps({"actor": "actor"}))
    with pytest.raises(ValueError, match="needs 'actor', 'zooms', 'view_size'"):
        load_policy(str(folder), device="cpu")


@pytest.mark.display
@pytest.mark.browser
def test_the_locate_env_zooms_on_each_answer_and_its_expert_succeeds(xvfb: str) -> None:
    from vla.datasets import has_expert, make_expert

    env_id = "vla/desktop-locate-miniwob-click-button-v0"
    assert has_expert(env_id)
    env = gym.make(env_id, zooms=(3.0,), repeats=2, distractors=("browser",))
    try:
        result = run_episode(make_expert(env), env, seed=100_000)
        assert result.success and result.steps == 3, result
        obs, info = env.reset(seed=100_000)
        assert obs["image"].shape == (256, 256, 3) and info["view"] == [0, 0, 1920, 1080]
        x0, y0, x1, y1 = info["task_box"]
        assert (round(x1 - x0), round(y1 - y0)) == (160, 210)
        # an answer 40 px off moves the next view with it, and the episode fails at the end
        off = [
            v * 256 / s for v, s in zip((x0 + 40, y0, x1 + 40, y1), (1920, 1080) * 2, strict=True)
        ]
        obs, reward, done, _, info = env.step(Drag(*off))
        vx, _, vw, vh = info["view"]
        assert (vw, vh) != (1920, 1080) and vx <= x0 + 40 and vx + vw >= x1 + 40
        assert not done and info["box_error"] == pytest.approx(40 / 160, abs=0.02)
        for _ in range(2):
            obs, reward, done, _, info = env.step(Drag(*info["target_box"]))
        assert done and reward == 1.0  # the last answer counts
        _, reward, done, _, info = env.step(Click(3, 3))
        assert done and reward == 0.0 and "Drag" in info["error"]
    finally:
        env.close()


def test_only_the_real_screen_needs_a_display_the_suite_brings_its_own() -> None:
    from vla.cli.errors import needs_display

    assert needs_display("vla/desktop-v0", {})
    assert needs_display("vla/miniwob-click-test-v0", {"headless": False})
    for env_id in ("vla/desktop-miniwob-click-test-v0", "vla/desktop-locate-miniwob-click-test-v0"):
        assert not needs_display(env_id, {})
