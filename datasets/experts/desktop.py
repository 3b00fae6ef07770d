"""The scripted expert for ``vla/desktop-v0`` and the desktop suite
``vla/desktop-miniwob-<task>-v0``: an app's own expert, seen through the screen.

A desktop has no task of its own, so the desktop expert wraps the expert of the app on screen
(e.g. the MiniWoB++ expert of a task shown in a headful browser window). That expert works in
the app's *page* pixels (its ``info["elements"]`` boxes); this one maps every coordinate:

    page pixel p  ->  screen: page_origin + p * page_scale  ->  image: env.mapping.to_image

``page_origin`` (screen coordinates of the page's top-left) and ``page_scale`` (screen pixels
per page pixel, ``devicePixelRatio`` for a browser) come from the env's ``probe`` through
``info`` (see :class:`vla.envs.desktop.browser_window.BrowserWindowProbe`), or are given here.
"""

from __future__ import annotations

from typing import Any

from vla.actions import Action, Click, Drag, Scroll

__all__ = [
    "DesktopExpert",
    "LocateExpert",
    "PageExpert",
    "has_expert",
    "make_desktop_expert",
    "make_desktop_locate_expert",
    "make_desktop_page_expert",
    "make_desktop_suite_expert",
]


def has_expert(env_id: str) -> bool:
    """Whether ``make_expert`` supports ``env_id`` by its id alone: true for the desktop suite
    ``vla/desktop-miniwob-<task>-v0`` when the MiniWoB++ task has an expert (the suite env
    carries its task's browser env); false for ``vla/desktop-v0``, whose expert exists only
    with ``inner=`` (the app's expert), which ``vla collect`` and ``vla tasks`` cannot supply.
    Every ``vla/desktop-locate-miniwob-<task>-v0`` has one (it reads the task's box); a
    ``vla/desktop-page-miniwob-<task>-v0`` has its suite task's."""
    from vla.datasets.experts.miniwob import has_expert as miniwob_has_expert

    if env_id.startswith("vla/desktop-locate-miniwob-"):
        return True
    if env_id.startswith("vla/desktop-page-miniwob-"):
        env_id = "vla/desktop-miniwob-" + env_id[len("vla/desktop-page-miniwob-") :]

    prefix = "vla/desktop-miniwob-"
    if not env_id.startswith(prefix):
        return False
    return miniwob_has_expert("vla/miniwob-" + env_id[len(prefix) :])


class DesktopExpert:
    """Maps the actions of ``inner`` (an expert acting in page pixels) to desktop image pixels.

    Args:
        env: the ``vla/desktop-v0`` env (its ``mapping`` turns screen points into image pixels).
        inner: an expert with ``reset()`` and ``act(obs, info) -> Action`` in page pixels.
        page_origin: screen ``(x, y)`` of the page's top-left; default ``info["page_origin"]``.
        page_scale: screen pixels per page pixel; default ``info["page_scale"]`` or 1.
    """

    def __init__(
        self,
        env: Any,
        inner: Any,
        page_origin: tuple[float, float] | None = None,
        page_scale: float | None = None,
    ) -> None:
        self.env = env
        self.inner = inner
        self.page_origin = page_origin
        self.page_scale = page_scale

    def reset(self) -> None:
        self.inner.reset()

    def _to_image(self, info: dict[str, Any], x: float, y: float) -> tuple[float, float]:
        origin = self.page_origin or info.get("page_origin")
        if origin is None:
            raise ValueError(
                "the desktop expert needs the page's screen position: pass page_origin= or "
                "give the env a probe whose info has 'page_origin'"
            )
        scale = self.page_scale or info.get("page_scale", 1.0)
        mapping = self.env.unwrapped.mapping
        ix, iy = mapping.to_image(origin[0] + x * scale, origin[1] + y * scale)
        w, h = mapping.image_size
        # Keep the point in the image: a box centre on the last pixel row may round out.
        return min(max(ix, 0.0), w - 1e-3), min(max(iy, 0.0), h - 1e-3)

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        """The inner expert's next action, with coordinates in desktop image pixels."""
        action = self.inner.act(obs, info)
        if isinstance(action, Click):
            x, y = self._to_image(info, action.x, action.y)
            return Click(x, y, action.button, action.count)
        if isinstance(action, Drag):
            x0, y0 = self._to_image(info, action.x0, action.y0)
            x1, y1 = self._to_image(info, action.x1, action.y1)
            return Drag(x0, y0, x1, y1)
        if isinstance(action, Scroll):
            x, y = self._to_image(info, action.x, action.y)
            return Scroll(x, y, action.dx, action.dy)  # wheel deltas are page pixels already
        return action


def make_desktop_expert(
    env: Any,
    inner: Any = None,
    page_origin: tuple[float, float] | None = None,
    page_scale: float | None = None,
    **kwargs: Any,
) -> DesktopExpert:
    """The expert for a ``vla/desktop-v0`` env showing an app whose expert is ``inner``.

    ``inner`` is required: either an expert object, or a gymnasium env of the app (then its
    own expert is made with :func:`vla.datasets.make_expert`, ``kwargs`` passed along).
    ``page_origin`` / ``page_scale``: see :class:`DesktopExpert`.
    """
    if inner is None:
        raise ValueError(
            "vla/desktop-v0 has no task of its own: pass inner= (the expert, or the env, of the "
            "app on screen, e.g. a headful vla/miniwob-<task>-v0)"
        )
    if hasattr(inner, "step") and hasattr(inner, "reset") and not hasattr(inner, "act"):
        from vla.datasets.experts import make_expert

        inner = make_expert(inner, **kwargs)
    return DesktopExpert(env, inner, page_origin=page_origin, page_scale=page_scale)


def make_desktop_suite_expert(env: Any, **kwargs: Any) -> DesktopExpert:
    """The expert for a ``vla/desktop-miniwob-<task>-v0`` env: the task's MiniWoB++ expert
    (made for the env's own browser env, ``kwargs`` passed along) seen through the screen."""
    from vla.datasets.experts import make_expert

    suite = env.unwrapped
    return DesktopExpert(suite, make_expert(suite.browser, **kwargs))


class PageExpert:
    """The expert of ``vla/desktop-page-miniwob-<task>-v0``: the suite task's expert (screen
    pixels), moved into the episode's crop (:meth:`DesktopPageEnv.to_crop`)."""

    def __init__(self, page_env: Any, suite_expert: DesktopExpert) -> None:
        self.page_env = page_env
        self.suite_expert = suite_expert

    def reset(self) -> None:
        self.suite_expert.reset()

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        return self.page_env.to_crop(self.suite_expert.act(obs, info))


def make_desktop_page_expert(env: Any, **kwargs: Any) -> PageExpert:
    """The expert for a ``vla/desktop-page-miniwob-<task>-v0`` env: its suite task's expert
    (``kwargs`` passed along), in the crop's pixels."""
    page = env.unwrapped
    return PageExpert(page, make_desktop_suite_expert(page.suite, **kwargs))


class LocateExpert:
    """The expert of ``vla/desktop-locate-miniwob-<task>-v0``: the task area's box in the
    current view (``info["target_box"]``), as the ``Drag`` the env asks for."""

    def reset(self) -> None:
        """Nothing to forget: every answer reads the current view's info."""

    def act(self, obs: dict[str, Any], info: dict[str, Any]) -> Action:
        x0, y0, x1, y1 = info["target_box"]
        return Drag(x0, y0, x1, y1)


def make_desktop_locate_expert(env: Any, **kwargs: Any) -> LocateExpert:
    """The expert for a ``vla/desktop-locate-miniwob-<task>-v0`` env (it takes no options)."""
    if kwargs:
        raise ValueError(f"the locate expert takes no options; got {sorted(kwargs)}")
    return LocateExpert()
