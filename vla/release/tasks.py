"""The env ids the recipes collect, train and evaluate on (and the results page's targets)."""

from __future__ import annotations

__all__ = [
    "BROWSER_ENVS",
    "BROWSER_PRIORITY",
    "BROWSER_READING",
    "BROWSER_TASKS",
    "DESKTOP_ENVS",
    "DESKTOP_TASKS",
    "LOCATE_ENVS",
    "PAGE_ENVS",
    "ROBOT_ENVS",
]

#: The MiniWoB++ tasks whose scripted experts meet the >= 99% bar (docs/browser.md).
BROWSER_TASKS = (
    "click-test",
    "click-test-2",
    "click-button",
    "click-link",
    "click-dialog",
    "click-dialog-2",
    "focus-text",
    "focus-text-2",
    "enter-text",
    "enter-text-2",
    "enter-password",
    "login-user",
    "click-button-sequence",
    "click-tab",
    "click-tab-2",
    "click-checkboxes",
    "click-option",
    "click-widget",
    "click-color",
    "click-collapsible",
    "click-collapsible-2",
    "click-shades",
    "click-pie",
    "click-scroll-list",
    "choose-list",
    "navigate-tree",
    "use-autocomplete",
    "identify-shape",
    "grid-coordinate",
    "search-engine",
    # issue 13: 32 more tasks (BROWSER_ENVS[30:]): multi-step forms and navigation, drag, scroll
    "click-checkboxes-large",
    "click-collapsible-nodelay",
    "click-collapsible-2-nodelay",
    "click-tab-2-hard",
    "drag-box",
    "drag-items",
    "drag-single-shape",
    "drag-sort-numbers",
    "email-inbox",
    "email-inbox-delete",
    "email-inbox-forward",
    "email-inbox-forward-nl",
    "email-inbox-forward-nl-turk",
    "email-inbox-important",
    "email-inbox-nl-turk",
    "email-inbox-noscroll",
    "email-inbox-reply",
    "email-inbox-star-reply",
    "enter-date",
    "enter-text-dynamic",
    "enter-time",
    "form-sequence",
    "form-sequence-2",
    "form-sequence-3",
    "login-user-popup",
    "multi-layouts",
    "multi-orderings",
    "scroll-text",
    "scroll-text-2",
    "use-autocomplete-nodelay",
    "use-slider",
    "use-spinner",
)
BROWSER_ENVS = tuple(f"vla/miniwob-{t}-v0" for t in BROWSER_TASKS)
#: Tasks with a >= 95% target (issue 7): more demonstrations.
BROWSER_PRIORITY = tuple(
    f"vla/miniwob-{t}-v0"
    for t in (
        "click-test",
        "click-test-2",
        "click-dialog",
        "focus-text",
        "focus-text-2",
        "click-color",
    )
)
#: One-step tasks that need a word, colour or shape read off the page: the browser recipe's
#: fourth collection (800 episodes each; docs/results.md).
BROWSER_READING = tuple(
    f"vla/miniwob-{t}-v0"
    for t in (
        "click-test-2",
        "click-button",
        "click-link",
        "click-color",
        "click-option",
        "click-widget",
        "click-dialog",
        "identify-shape",
        "grid-coordinate",
        "email-inbox-delete",
    )
)
ROBOT_ENVS = tuple(f"vla/panda-{t}-v0" for t in ("reach", "push", "pick-place", "stack"))

#: The desktop suite's tasks (issue 19): the best 10 headless of the desktop checkpoint's actor
#: (vla/checkpoints/vla-desktop-tiny/actor/eval_info.json, the browser checkpoint of 2026-12-02;
#: the browser checkpoint shipped since has other best 10, for the desktop recipe's next rerun).
DESKTOP_TASKS = (
    "focus-text",
    "enter-date",
    "click-test",
    "click-tab",
    "enter-time",
    "scroll-text-2",
    "choose-list",
    "focus-text-2",
    "click-dialog-2",
    "click-dialog",
)
DESKTOP_ENVS = tuple(f"vla/desktop-miniwob-{t}-v0" for t in DESKTOP_TASKS)
LOCATE_ENVS = tuple(f"vla/desktop-locate-miniwob-{t}-v0" for t in DESKTOP_TASKS)
PAGE_ENVS = tuple(f"vla/desktop-page-miniwob-{t}-v0" for t in DESKTOP_TASKS)
