"""Executors of :mod:`vla.actions`: Playwright (browser), pyautogui + mss (desktop) and
PyBullet (robot arm). A controller knows no model, env or dataset; it imports only
``vla.actions``. Each controller is imported from its own module, so importing this package
loads neither Playwright nor PyBullet. The Chromium process that the Playwright controller
drives, and its lifetime, live in :mod:`vla.controllers.chromium`."""
