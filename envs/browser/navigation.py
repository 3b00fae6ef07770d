"""Navigation for ``vla/browser-v0``: the single-tab model, the URL policy on every
navigation, and waiting for a navigation that an action started.

:class:`NavigationGuard` is installed on each fresh browser context
(:attr:`PlaywrightController.on_context <vla.controllers.playwright.PlaywrightController>`):

* **Single tab.** An init script, run in every frame before the page's own scripts, makes
  links and forms whose ``target`` would open another tab or window (``_blank``, a new name),
  Ctrl/Shift/Meta/middle clicks on links, and ``window.open(url)`` load in the current tab
  (``window.open`` returns the current window). A tab that Chromium opens anyway is followed:
  it becomes the env's page and the others are closed (:meth:`settle`).
* **URL policy.** When the policy limits hosts (or leaves out ``http``/``https``), a
  context-level route aborts every navigation request (any frame) whose URL the
  :class:`~vla.envs.browser.url_policy.URLPolicy` refuses, before it reaches the network.
  Navigations that never reach the network (``file:``, ``chrome:``, ``about:``) cannot be
  routed, so :meth:`violations` checks every frame's URL after each action, before the env
  reads anything from the page.
* **Navigation-aware stepping.** Request, commit and failure events tell whether the main
  frame has a navigation in flight; :meth:`settle` waits for it to commit and for the new
  document's ``load`` event, within a time budget.
"""

from __future__ import annotations

import contextlib
import time
from typing import Any

from vla.envs.browser.url_policy import URLPolicy

__all__ = ["NavigationGuard"]

#: Chromium's own error page: shown for a failed or blocked navigation; it has no page text.
ERROR_PAGE = "chrome-error://chromewebdata/"

_SINGLE_TAB_JS = r"""(() => {
  const own = (t) => !t || ['_self', '_parent', '_top'].includes(t.toLowerCase());
  const link = (e) => e.target instanceof Element && e.target.closest('a[href], area[href]');
  const here = (url) => { window.location.assign(url); };
  document.addEventListener('click', (e) => {
    const a = link(e);
    if (!a) return;
    if (e.ctrlKey || e.shiftKey || e.metaKey) { e.preventDefault(); here(a.href); }
    else if (!own(a.target)) a.target = '_self';
  }, true);
  document.addEventListener('auxclick', (e) => {
    const a = link(e);
    if (a && e.button === 1) { e.preventDefault(); here(a.href); }
  }, true);
  document.addEventListener('submit', (e) => {
    if (e.target instanceof HTMLFormElement && !own(e.target.target)) e.target.target = '_self';
  }, true);
  window.open = function (url) {
    if (url !== undefined && String(url) !== '') here(new URL(String(url), location.href).href);
    return window;
  };
})();"""


class NavigationGuard:
    """Tracks and polices the navigations of one browser context (see the module docstring).

    Args:
        policy: the URL policy to enforce.
    """

    def __init__(self, policy: URLPolicy) -> None:
        self.policy = policy
        #: ``(url, cause)`` of main-frame navigations that failed or were blocked, oldest first.
        self.failures: list[tuple[str, str]] = []
        self._pending = False

    def install(self, context: Any) -> None:
        """Add the init script, the route and the event listeners to a fresh context."""
        self.failures.clear()
        self._pending = False
        context.add_init_script(script=_SINGLE_TAB_JS)
        if self.policy.hosts is not None or not {"http", "https"} <= set(self.policy.schemes):
            # Only then can a routed (network) navigation be refused. A route holds every
            # request of the page until Playwright dispatches it, which the sync API does only
            # during a call: so no route unless it is needed (measured in docs/browser.md).
            context.route("**/*", self._route)
        context.on("request", self._on_request)
        context.on("requestfailed", self._on_failed)
        context.on("page", self._watch)
        for page in context.pages:
            self._watch(page)

    # ------------------------------------------------------------------ events

    def _watch(self, page: Any) -> None:
        page.on("framenavigated", lambda frame: self._on_commit(frame))

    @staticmethod
    def _main_frame_navigation(request: Any) -> bool:
        from playwright.sync_api import Error as PlaywrightError

        try:  # a service worker's request has no frame
            return bool(request.is_navigation_request() and request.frame.parent_frame is None)
        except PlaywrightError:
            return False

    def _route(self, route: Any, request: Any) -> None:
        from playwright.sync_api import Error as PlaywrightError

        reason = self.policy.check(request.url) if request.is_navigation_request() else None
        with contextlib.suppress(PlaywrightError):  # the page may be gone already
            if reason is None:
                route.continue_()
                return
            if self._main_frame_navigation(request):
                self.failures.append((request.url, f"blocked by the URL policy: {reason}"))
            route.abort("blockedbyclient")

    def _on_request(self, request: Any) -> None:
        if self._main_frame_navigation(request):
            self._pending = True

    def _on_failed(self, request: Any) -> None:
        if self._main_frame_navigation(request):
            self._pending = False
            if not self.failures or self.failures[-1][0] != request.url:
                self.failures.append((request.url, request.failure or "navigation failed"))

    def _on_commit(self, frame: Any) -> None:
        if frame.parent_frame is None:
            self._pending = False

    # ---------------------------------------------------------------- stepping

    def settle(self, controller: Any, budget_s: float) -> None:
        """After an action: follow a tab Chromium opened, wait (at most ``budget_s``) for a
        main-frame navigation in flight to commit and for the page's ``load`` event. A page
        that is still loading when the budget runs out is observed as it is."""
        from playwright.sync_api import Error as PlaywrightError
        from playwright.sync_api import TimeoutError as PlaywrightTimeout

        deadline = time.monotonic() + budget_s
        with controller.guard("wait for the page to load"):
            page = controller.page
            # A round trip through the renderer: a navigation that the action started has
            # been sent to the browser before the renderer answers, so its request event
            # (and a new tab's) is on its way by the time we look at `_pending`. Playwright
            # answers wait_for_load_state from its own state, without asking the renderer.
            with contextlib.suppress(PlaywrightError):  # destroyed context: it navigates
                page.evaluate("0")
            with contextlib.suppress(PlaywrightTimeout):
                page.wait_for_load_state("load", timeout=1000 * budget_s)
            while self._pending and time.monotonic() < deadline:
                page.wait_for_timeout(10)  # lets Playwright dispatch the commit/failure events
        # A navigation that never commits nor fails (a download, a 204 answer) costs this
        # step its budget, not every later step.
        self._pending = False
        if controller.follow_new_page():
            self._pending = False
        with controller.guard("wait for the page to load"):
            left = max(deadline - time.monotonic(), 0.001)
            with contextlib.suppress(PlaywrightTimeout):
                controller.page.wait_for_load_state("load", timeout=1000 * left)

    def violations(self, page: Any) -> tuple[str | None, list[Any]]:
        """``(reason, frames)``: why the main frame may not be shown (None when it may), and
        the sub-frames whose URL the policy refuses. Chromium's error page in a sub-frame is
        harmless and not listed."""
        main = page.url
        reason = None
        if main == ERROR_PAGE or main.startswith("chrome-error:"):
            url, cause = self.failures[-1] if self.failures else ("", "navigation failed")
            reason = f"navigation to {url or 'a page'} failed: {cause}"
        else:
            why = self.policy.check(main)
            if why is not None:
                reason = f"navigation to {main} blocked by the URL policy: {why}"
        frames = [
            f
            for f in page.frames
            if f.parent_frame is not None
            and not f.url.startswith("chrome-error:")
            and self.policy.check(f.url) is not None
        ]
        return reason, frames
