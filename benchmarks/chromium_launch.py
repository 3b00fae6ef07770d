"""How to start Chromium for the browser envs: our supervised launcher + ``connect_over_cdp``
(:mod:`vla.controllers.chromium`) against Playwright's own ``chromium.launch``.

For each way, on ``/usr/bin/chromium`` (or :func:`find_chromium`) with ``LAUNCH_FLAGS``:

* launch: seconds from nothing to a page with a 500x320 viewport, ready for actions;
* screenshot: median ms of a 160x210 CDP ``Page.captureScreenshot`` (the env's call);
* close: seconds for a clean shutdown (browser, helpers, profile folder);
* orphans: browser processes and profile folders left 3 s after the *parent Python process*
  was killed with SIGKILL (no cleanup code of ours can run then).

    python benchmarks/chromium_launch.py [--repeats 5] [--shots 50]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import statistics
import subprocess
import sys
import time
import uuid

from vla.controllers.chromium import LAUNCH_FLAGS, ChromiumProcess, find_chromium

_CHILD = """
import sys, time
sys.path.insert(0, {here!r})
from chromium_launch import open_page
_, token = open_page(sys.argv[1], sys.argv[2])
print("ready", flush=True)
time.sleep(120)
"""


def open_page(way: str, token: str) -> tuple[object, object]:
    """Start a browser ``way`` ("supervised" or "launch"); return (page, closer)."""
    from playwright.sync_api import sync_playwright

    pw = sync_playwright().start()
    args = [*LAUNCH_FLAGS, "--headless=new", f"--vla-bench={token}"]
    if way == "supervised":
        proc = ChromiumProcess(find_chromium(), args, 30)
        browser = pw.chromium.connect_over_cdp(proc.start())
        page = browser.contexts[0].new_page()

        def close() -> None:
            browser.close()
            proc.close()
            pw.stop()
    else:
        browser = pw.chromium.launch(executable_path=find_chromium(), args=args)
        page = browser.new_page()

        def close() -> None:
            browser.close()
            pw.stop()

    page.set_viewport_size({"width": 500, "height": 320})
    return page, close


def _browser_group(token: str) -> tuple[list[int], str | None]:
    """Processes in the process group of the browser whose command line has ``token``, and
    that browser's profile folder."""
    leaders, stats, profile = [], {}, None
    for entry in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{entry}/stat") as f:
                stats[int(entry)] = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as f:
                cmd = f.read()
        except OSError:
            continue
        if token.encode() in cmd and b"--type=" not in cmd:
            leaders.append(int(stats[int(entry)][2]))
            flags = [a for a in cmd.decode().split("\0") if a.startswith("--user-data-dir=")]
            profile = flags[0].split("=", 1)[1] if flags else profile
    group = [pid for pid, s in stats.items() if int(s[2]) in leaders or int(s[3]) in leaders]
    return group, profile


def time_way(way: str, repeats: int, shots: int) -> dict[str, object]:
    launch, close, shot = [], [], []
    for _ in range(repeats):
        t = time.perf_counter()
        page, closer = open_page(way, uuid.uuid4().hex)
        page.goto("data:text/html,<h1>hello</h1>")
        launch.append(time.perf_counter() - t)
        cdp = page.context.new_cdp_session(page)
        clip = {"x": 0, "y": 0, "width": 160, "height": 210, "scale": 1}
        for _ in range(shots):
            t = time.perf_counter()
            cdp.send("Page.captureScreenshot", {"format": "png", "clip": clip})
            shot.append(time.perf_counter() - t)
        t = time.perf_counter()
        closer()  # type: ignore[operator]
        close.append(time.perf_counter() - t)
    return {
        "way": way,
        "launch_s": round(statistics.median(launch), 3),
        "screenshot_ms": round(1000 * statistics.median(shot), 2),
        "close_s": round(statistics.median(close), 3),
    }


def orphans_after_sigkill(way: str) -> dict[str, int]:
    """Kill a Python process holding a browser; count what is left 3 s later."""
    token = uuid.uuid4().hex
    here = os.path.dirname(os.path.abspath(__file__))
    child = subprocess.Popen(
        [sys.executable, "-c", _CHILD.format(here=here), way, token],
        stdout=subprocess.PIPE,
        text=True,
    )
    child.stdout.readline()  # type: ignore[union-attr]
    _, profile = _browser_group(token)
    child.send_signal(signal.SIGKILL)
    child.wait()
    time.sleep(3.0)
    left, _ = _browser_group(token)
    for pid in left:  # leave the machine clean for the next measurement
        os.kill(pid, signal.SIGKILL)
    kept = profile is not None and os.path.isdir(profile)
    if kept:
        shutil.rmtree(profile, ignore_errors=True)  # type: ignore[arg-type]
    return {"processes_left": len(left), "profile_dir_left": int(kept)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--shots", type=int, default=50)
    args = parser.parse_args()
    for way in ("supervised", "launch"):
        row = time_way(way, args.repeats, args.shots)
        row.update(orphans_after_sigkill(way))
        print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
