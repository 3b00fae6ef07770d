"""``vla/browser-v0``: any URL (``http://localhost...``, ``file://`` under named roots) in
Chromium.

The observation is a screenshot of the viewport (or of the top of the whole page, with
``full_page=True``) and the instruction given at ``reset``. There is no built-in task reward:
give ``success_js``, a JavaScript function returning a truthy value once the task is done, to
end episodes with ``is_success``.

Safe to point at the web: a :class:`~vla.envs.browser.url_policy.URLPolicy` decides what may
load, on every navigation; the env has one tab; a step waits for the navigation its action
started. See :mod:`vla.envs.browser.navigation`.
"""

from __future__ import annotations

import contextlib
from typing import Any

import numpy as np

from vla.controllers.playwright import BrowserError
from vla.envs.browser.base import BrowserEnvBase, dom_script
from vla.envs.browser.navigation import NavigationGuard
from vla.envs.browser.url_policy import URLPolicy

__all__ = ["BrowserEnv"]


def _state_js() -> str:
    # One call, so the URL, the title and the elements all come from the same document.
    return f"""(a) => ({{url: location.href, title: document.title,
  scroll: [window.scrollX, window.scrollY],
  success: a.success ? !!(eval(a.success))() : false,
  elements: a.opts ? ({dom_script()})(a.opts) : []}})"""


#: Attempts at reading a page that navigates while it is read ("Execution context was
#: destroyed"); each waits for the new document first.
_READ_ATTEMPTS = 4


class BrowserEnv(BrowserEnvBase):
    """A browser tab on any URL. Made by ``gymnasium.make("vla/browser-v0", url=...)``.

    Args:
        url: page loaded at every ``reset`` (``options={"url": ...}`` overrides it).
        instruction: the task text (``options={"instruction": ...}`` overrides it).
        viewport: ``(width, height)`` of the page viewport, CSS pixels.
        full_page: False: the image is the viewport as scrolled. True: the image is the top
            ``page_height`` pixels of the document, whatever the scroll position; actions
            there scroll the page as needed before they run.
        page_height: image height in document pixels for ``full_page`` (default 2x viewport).
        image_size: ``(width, height)`` of the observed image; the screenshot is resized to it
            and action coordinates are scaled back (default: the captured size).
        success_js: JavaScript function source, e.g. ``"() => document.title === 'done'"``;
            evaluated after every step, a truthy result ends the episode with success.
        url_policy: what may load (:class:`~vla.envs.browser.url_policy.URLPolicy`; default:
            ``http``, ``https`` and ``data`` from any host; ``file:`` only with ``file_roots``).
        max_steps, render_mode, headless, window_position, window_size, timeout_s, dom: as
            for :class:`~vla.envs.browser.miniwob.MiniWoBEnv`.

    Tabs: one. Links, forms and ``window.open`` that would open a tab load in this one; a tab
    Chromium opens anyway is followed and the old one closed.

    Failures: a URL the policy refuses, given to the constructor or ``reset``, raises
    ``ValueError``; a ``reset`` whose page fails to load raises
    :class:`~vla.controllers.playwright.BrowserError` (``.url``, ``.cause``), and the next
    ``reset`` works. Inside an episode, a navigation that is blocked or fails (a link to a
    refused port, a click into a folder outside ``file_roots``) is data: the env goes back to
    the last page that loaded, and ``info["error"]`` says what happened; the episode goes on.
    A blocked page's content never reaches the observation or ``info``. A crashed or hung
    browser ends the episode (``info["error"]``) and the next ``reset`` starts a fresh one.

    ``info``: ``utterance`` (the instruction), ``fields`` ({}), ``elements`` (as for MiniWoB,
    ``bbox`` in image pixels), ``raw_reward`` and ``reward`` (1.0 on success, else 0.0),
    ``done``, ``is_success``, ``url``, ``title``, ``scroll`` (``[x, y]`` page scroll in CSS
    px); ``error`` when an action could not be executed or a navigation failed.
    """

    def __init__(
        self,
        url: str = "about:blank",
        instruction: str = "",
        viewport: tuple[int, int] = (800, 600),
        full_page: bool = False,
        page_height: int | None = None,
        image_size: tuple[int, int] | None = None,
        success_js: str | None = None,
        max_steps: int = 50,
        render_mode: str | None = None,
        headless: bool = True,
        window_position: tuple[int, int] | None = None,
        window_size: tuple[int, int] | None = None,
        timeout_s: float = 10.0,
        dom: bool = True,
        url_policy: URLPolicy | None = None,
    ) -> None:
        vw, vh = int(viewport[0]), int(viewport[1])
        self.full_page = bool(full_page)
        self.page_height = int(page_height or 2 * vh) if self.full_page else vh
        if self.page_height < 1:
            raise ValueError(f"Got {page_height!r} for `page_height`; it must be >= 1")
        if url_policy is not None and not isinstance(url_policy, URLPolicy):
            raise ValueError(f"Got {url_policy!r} for `url_policy`; it must be a URLPolicy")
        self.url_policy = url_policy or URLPolicy()
        self._allowed(url, "url")
        self._capture = (vw, self.page_height)
        super().__init__(
            image_size=image_size or self._capture,
            viewport=(vw, vh),
            max_steps=max_steps,
            render_mode=render_mode,
            headless=headless,
            window_position=window_position,
            window_size=window_size,
            timeout_s=timeout_s,
            dom=dom,
        )
        self._nav = NavigationGuard(self.url_policy)
        self.controller.on_context = self._nav.install
        self._document = self.full_page
        self.url = url
        self.default_instruction = instruction
        self.success_js = success_js
        self._state_script = _state_js()
        self._last_good_url = url
        self._left_page = False  # the last _observe left a page that failed or was blocked

    def _allowed(self, url: Any, name: str) -> None:
        if not isinstance(url, str):
            raise ValueError(f"Got {url!r} for `{name}`; it must be a URL string")
        reason = self.url_policy.check(url)
        if reason is not None:
            raise ValueError(f"Got {url!r} for `{name}`; the URL policy blocks it: {reason}")

    # The image covers document pixels (0, 0)-(capture) in full-page mode and the viewport
    # otherwise; bboxes and clicks are converted accordingly.
    def _clip(self) -> tuple[float, float, float, float]:
        return (0.0, 0.0, float(self._capture[0]), float(self._capture[1]))

    def _to_page(self, x: float, y: float) -> tuple[float, float]:
        px, py = super()._to_page(x, y)
        if not self.full_page:
            return px, py
        page = self.controller.page  # inside the controller's guard (execute)
        vh = self.controller.viewport[1]
        sy = page.evaluate(
            "(a) => { const [y, h] = a; if (y < scrollY || y >= scrollY + h)"
            " window.scrollTo(scrollX, Math.max(0, y - h / 2)); return scrollY; }",
            [py, vh],
        )
        sx = page.evaluate("() => scrollX")
        return px - sx, py - sy

    def _read_state(self) -> dict[str, Any]:
        opts = self._dom_options(page_coords=self.full_page)
        s = self.controller.evaluate(self._state_script, {"success": self.success_js, "opts": opts})
        ok = bool(s["success"])
        return {
            "utterance": self._instruction,
            "fields": {},
            "elements": s["elements"],
            "raw_reward": 1.0 if ok else 0.0,
            "reward": 1.0 if ok else 0.0,
            "done": ok,
            "is_success": ok,
            "url": s["url"],
            "title": s["title"],
            "scroll": s["scroll"],
        }

    def _observe(self) -> tuple[dict[str, Any], np.ndarray]:
        """Wait for the navigation an action started, enforce the URL policy, then read the
        page and take the image, retrying when the page navigates in between."""
        errors: list[str] = []
        budget = min(self.controller.timeout_s / 2, 5.0)
        for attempt in range(_READ_ATTEMPTS):
            self._nav.settle(self.controller, budget)
            error = self._enforce_policy()
            if error is not None:
                errors.append(error)
                continue  # back on the last good page: look again
            try:
                state = self._read_state()
                if self.url_policy.check(state["url"]) is not None:
                    continue  # the page navigated to a blocked URL while it was read
                image = self._screenshot(state["scroll"])
            except BrowserError:
                if attempt == _READ_ATTEMPTS - 1 or not self.controller.is_alive():
                    raise
                continue  # e.g. "Execution context was destroyed": the page navigated
            error = self._enforce_policy()
            if error is not None:  # it navigated to a refused page during the screenshot
                errors.append(error)
                continue
            self._last_good_url = state["url"]
            if errors:
                state["error"] = "; ".join(dict.fromkeys(errors))
            return state, image
        why = "; ".join(dict.fromkeys(errors)) or "it navigated during every read"
        raise BrowserError(f"could not observe the page: {why}", self._last_good_url, why)

    def _enforce_policy(self) -> str | None:
        """None when every frame of the page may be shown; else go back to the last page that
        loaded (or a blank one), remove refused sub-frames, and say what happened."""
        from playwright.sync_api import Error as PlaywrightError

        page = self.controller.page
        reason, frames = self._nav.violations(page)
        if reason is None and frames:
            with self.controller.guard("remove blocked frames"):
                for f in frames:
                    with contextlib.suppress(PlaywrightError):  # already detached
                        f.frame_element().evaluate("(e) => e.remove()")
            return "frames blocked by the URL policy: " + ", ".join(
                f"{f.url} ({self.url_policy.check(f.url)})" for f in frames
            )
        if reason is None:
            return None
        self._left_page = True
        self._nav.failures.clear()
        try:
            self.controller.goto(self._last_good_url)
        except BrowserError:
            self.controller.goto("about:blank")
        return reason

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Load the URL and return the first observation.

        ``options``: ``"url"`` (load this instead of the constructor's), ``"instruction"``
        (the task text), ``"success_js"`` (replaces the constructor's). ``seed`` seeds
        ``self.np_random`` (the page itself is not randomised by the env).

        Raises ``ValueError`` for a URL the policy blocks and
        :class:`~vla.controllers.playwright.BrowserError` when the page cannot be loaded.
        """
        super().reset(seed=seed)
        options = dict(options or {})
        url = options.get("url", self.url)
        self._allowed(url, 'options["url"]')
        self.url = url
        self.success_js = options.get("success_js", self.success_js)
        self._instruction = str(options.get("instruction", self.default_instruction))
        self._steps = 0
        self._epoch += 1
        for attempt in range(2):  # a browser that died between episodes gets one restart
            try:
                self._ensure_browser()
                self._nav.failures.clear()
                self._last_good_url = "about:blank"  # where a blocked redirect lands
                self._left_page = False
                self.controller.goto(self.url)
                state, image = self._observe()
            except BrowserError as e:
                if attempt or self.controller.is_alive():
                    # The page failed to load: fail fast; the next reset is not poisoned.
                    if self._nav.failures:  # say why, e.g. a redirect the policy blocked
                        _, cause = self._nav.failures[-1]
                        raise BrowserError(f"reset to {self.url}: {cause}", self.url, cause) from e
                    raise
                self._needs_restart = True
                continue
            if self._left_page:  # e.g. a redirect to a blocked host
                raise BrowserError(f"reset to {self.url}: {state['error']}", self.url)
            return self._obs(image), state
        raise AssertionError("unreachable")
