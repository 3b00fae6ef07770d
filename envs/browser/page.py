"""``vla/browser-v0``: any URL (``file://``, ``http://localhost...``) in Chromium.

The observation is a screenshot of the viewport (or of the top of the whole page, with
``full_page=True``) and the instruction given at ``reset``. There is no built-in task reward:
give ``success_js``, a JavaScript function returning a truthy value once the task is done, to
end episodes with ``is_success``.
"""

from __future__ import annotations

from typing import Any

from vla.envs.browser.base import BrowserEnvBase

__all__ = ["BrowserEnv"]

_STATE_JS = """(a) => ({url: location.href, title: document.title,
  scroll: [window.scrollX, window.scrollY],
  success: a.success ? !!(eval(a.success))() : false})"""


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
        max_steps, render_mode, headless, window_position, window_size, timeout_s, dom: as
            for :class:`~vla.envs.browser.miniwob.MiniWoBEnv`.

    ``info``: ``utterance`` (the instruction), ``fields`` ({}), ``elements`` (as for MiniWoB,
    ``bbox`` in image pixels), ``raw_reward`` and ``reward`` (1.0 on success, else 0.0),
    ``done``, ``is_success``, ``url``, ``title``, ``scroll`` (``[x, y]`` page scroll in CSS
    px); ``error`` when an action could not be executed.
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
    ) -> None:
        vw, vh = int(viewport[0]), int(viewport[1])
        self.full_page = bool(full_page)
        self.page_height = int(page_height or 2 * vh) if self.full_page else vh
        if self.page_height < 1:
            raise ValueError(f"page_height must be >= 1; got {page_height!r}")
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
        self._document = self.full_page
        self.url = url
        self.default_instruction = instruction
        self.success_js = success_js

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
        s = self.controller.evaluate(_STATE_JS, {"success": self.success_js})
        elements = self._elements(page_coords=self.full_page)
        ok = bool(s["success"])
        return {
            "utterance": self._instruction,
            "fields": {},
            "elements": elements,
            "raw_reward": 1.0 if ok else 0.0,
            "reward": 1.0 if ok else 0.0,
            "done": ok,
            "is_success": ok,
            "url": s["url"],
            "title": s["title"],
            "scroll": s["scroll"],
        }

    def reset(
        self, *, seed: int | None = None, options: dict[str, Any] | None = None
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """Load the URL and return the first observation.

        ``options``: ``"url"`` (load this instead of the constructor's), ``"instruction"``
        (the task text), ``"success_js"`` (replaces the constructor's). ``seed`` seeds
        ``self.np_random`` (the page itself is not randomised by the env).
        """
        super().reset(seed=seed)
        options = dict(options or {})
        self.url = options.get("url", self.url)
        self.success_js = options.get("success_js", self.success_js)
        self._instruction = str(options.get("instruction", self.default_instruction))
        self._steps = 0
        self._epoch += 1
        from vla.controllers.playwright import BrowserError

        for attempt in range(2):
            try:
                self._ensure_browser()
                self.controller.goto(self.url)
                info = self._read_state()
                return self._obs(self._screenshot(info["scroll"])), info
            except BrowserError:
                if attempt:
                    raise
                self._needs_restart = True
        raise AssertionError("unreachable")
