"""Desktop env numbers: capture and action latency, click accuracy, MiniWoB++ through the screen.

Runs on a private Xvfb (started here) with a headful Chromium window, so it needs no screen:

    .venv/bin/python benchmarks/desktop.py [--repeats 100] [--clicks 60] [--episodes 10]

Prints a Markdown table and writes ``runs/bench/desktop.json``.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
PAGE = ROOT / "tests" / "desktop" / "pages" / "events.html"
COLOURS = {"red": (255, 0, 0), "green": (0, 160, 0), "blue": (0, 0, 255), "drop": (128, 0, 128)}
REGION = (100, 150, 700, 450)
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]


def timed(fn: Any, repeats: int) -> dict[str, float]:
    """Median and 90th percentile of ``fn()`` in milliseconds."""
    out = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t) * 1000)
    return {"median_ms": statistics.median(out), "p90_ms": float(np.percentile(out, 90))}


def bench_capture(repeats: int) -> dict[str, Any]:
    from vla.controllers.desktop import DesktopController

    rows = {}
    for name, kw in {
        "grab 1024x768": {"region": (0, 0, 1024, 768)},
        "grab 1280x800 (monitor)": {},
        "capture 700x450 -> 160x210": {"region": REGION, "image_size": (160, 210)},
    }.items():
        c = DesktopController(**kw)
        fn = c.grab if name.startswith("grab") else c.capture
        fn()  # warm up
        rows[name] = timed(fn, repeats)
        c.close()
    return rows


def bench_mapping(n: int = 100_000) -> dict[str, float]:
    from vla.controllers.screen_mapping import ScreenMapping

    m = ScreenMapping((100, 150, 700, 450), (160, 210), scale=1.0)
    t = time.perf_counter()
    for i in range(n):
        m.to_screen(i % 160, i % 210)
    return {"to_screen_us": (time.perf_counter() - t) / n * 1e6}


def find_box(image: np.ndarray, rgb: tuple[int, int, int], tol: int = 30) -> tuple[float, ...]:
    ys, xs = (np.abs(image.astype(int) - np.array(rgb)).max(axis=2) <= tol).nonzero()
    return (xs.min(), ys.min(), xs.max() + 1.0, ys.max() + 1.0)


def bench_actions(page: Any, repeats: int) -> dict[str, Any]:
    import gymnasium as gym

    from vla.actions import Click, Key, Type

    env = gym.make(
        "vla/desktop-v0", region=REGION, max_actions_per_s=1e6, settle_s=0.0, max_steps=10**6
    )
    obs, _ = env.reset()
    x0, y0, x1, y1 = find_box(obs["image"], COLOURS["red"])
    click = Click((x0 + x1) / 2, (y0 + y1) / 2)
    x0, y0, x1, y1 = find_box(obs["image"], (60, 200, 200))  # the text box
    text_box = Click((x0 + x1) / 2, (y0 + y1) / 2)
    c = env.unwrapped.controller
    rows = {
        "execute click": timed(lambda: c.execute(click), repeats),
        "env.step(click), settle 0": timed(lambda: env.step(click), repeats),
    }
    c.execute(text_box)  # keys go to the page's text box, not to the browser's own UI
    rows["execute type (16 chars)"] = timed(lambda: c.execute(Type("abcdefghijklmnop")), 20)
    rows["execute key"] = timed(lambda: c.execute(Key("Backspace")), repeats)
    env.close()
    return rows


def bench_accuracy(page: Any, clicks: int, seed: int = 0) -> dict[str, Any]:
    """Click random points of the coloured targets as seen in the observation; the page's
    recorded event vs the same fraction of the element's page box, in CSS pixels."""
    import gymnasium as gym

    from vla.actions import Click

    rng = np.random.default_rng(seed)
    configs = {
        "monitor": {},
        "region": {"region": REGION},
        "region resized to 350x300": {"region": REGION, "image_size": (350, 300)},
        "region resized to 160x210": {"region": REGION, "image_size": (160, 210)},
    }
    rows = {}
    for name, kw in configs.items():
        env = gym.make("vla/desktop-v0", max_actions_per_s=1e6, settle_s=0.0, max_steps=10**6, **kw)
        obs, _ = env.reset()
        errors, misses, lost = [], 0, 0
        for _ in range(clicks):
            element = str(rng.choice(list(COLOURS)))
            fx, fy = rng.uniform(0.1, 0.9, size=2)
            x0, y0, x1, y1 = find_box(obs["image"], COLOURS[element])
            page.evaluate("window.events = []")
            _, _, _, _, info = env.step(Click(x0 + fx * (x1 - x0), y0 + fy * (y1 - y0)))
            downs = []
            for _ in range(50):  # up to ~1 s for the event to arrive
                downs = [e for e in page.evaluate("window.events") if e["type"] == "mousedown"]
                if downs:
                    break
                time.sleep(0.02)
            if not downs:
                lost += 1
                print(f"no event for {element} in {name}: {info['action_result']}", flush=True)
                continue
            down = downs[0]
            r = page.evaluate(f"document.getElementById('{element}').getBoundingClientRect()")
            ex, ey = r["left"] + fx * r["width"], r["top"] + fy * r["height"]
            errors.append(max(abs(down["x"] - ex), abs(down["y"] - ey)))
            misses += down["id"] != element
        px = env.unwrapped.mapping.region[2] / env.unwrapped.mapping.image_size[0]
        rows[name] = {
            "clicks": clicks,
            "wrong_element": misses,
            "no_event": lost,
            "mean_err_px": float(np.mean(errors)),
            "max_err_px": float(np.max(errors)),
            "screen_px_per_image_px": round(px, 2),
        }
        env.close()
    return rows


def bench_miniwob(tasks: list[str], episodes: int) -> dict[str, Any]:
    """The MiniWoB++ expert through vla/desktop-v0 (headful window at (211, 137), capture with
    a 30 px margin): success rate read from the page's reward, steps, env step time."""
    from vla.datasets import make_expert
    from vla.envs.desktop.browser_window import miniwob_on_desktop
    from vla.rollout import run_episode

    rows = {}
    for task in tasks:
        desktop, browser = miniwob_on_desktop(
            task, position=(211, 137), margin=30, max_actions_per_s=20.0, yes=True
        )
        expert = make_expert(desktop, inner=browser)
        step_ms: list[float] = []

        def on_step(s: Any, out: list[float] = step_ms) -> None:
            out.append(s.step_s * 1000)

        results = [
            run_episode(expert, desktop, seed=100_000 + i, on_step=on_step) for i in range(episodes)
        ]
        desktop.close()
        browser.close()
        rows[task] = {
            "episodes": episodes,
            "success_rate": sum(r.success for r in results) / episodes,
            "mean_steps": float(np.mean([r.steps for r in results])),
            "median_step_ms": statistics.median(step_ms),
        }
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=100)
    parser.add_argument("--clicks", type=int, default=60)
    parser.add_argument("--episodes", type=int, default=10)
    parser.add_argument("--out", default="runs/bench/desktop.json")
    args = parser.parse_args()

    from vla.envs.desktop.xvfb import VirtualDisplay

    results: dict[str, Any] = {"repeats": args.repeats}
    with VirtualDisplay((1280, 800)):
        import vla.envs  # noqa: F401

        results["capture"] = bench_capture(args.repeats)
        results["mapping"] = bench_mapping()
        from playwright.sync_api import sync_playwright

        with sync_playwright() as p:
            browser = p.chromium.launch(
                executable_path=shutil.which("chromium"),
                headless=False,
                args=[*CHROMIUM_FLAGS, "--window-position=137,91", "--window-size=900,650"],
            )
            page = browser.new_page(no_viewport=True)
            page.goto(PAGE.as_uri())
            results["actions"] = bench_actions(page, args.repeats)
            results["accuracy"] = bench_accuracy(page, args.clicks)
            browser.close()
        tasks = ["click-test", "click-button", "click-dialog", "focus-text", "enter-text"]
        tasks += ["click-checkboxes", "click-tab", "use-autocomplete"]
        results["miniwob"] = bench_miniwob(tasks, args.episodes)
    report(results, args.out)


def report(results: dict[str, Any], out: str) -> None:
    print("| measurement | median ms | p90 ms |\n|---|---|---|")
    for group in ("capture", "actions"):
        for name, r in results[group].items():
            print(f"| {name} | {r['median_ms']:.2f} | {r['p90_ms']:.2f} |")
    print(f"| ScreenMapping.to_screen | {results['mapping']['to_screen_us'] / 1000:.4f} | |")
    print("\n| config | clicks | wrong element | mean err px | max err px | px/img px |")
    print("|---|---|---|---|---|---|")
    for name, r in results["accuracy"].items():
        print(
            f"| {name} | {r['clicks']} | {r['wrong_element']} | {r['mean_err_px']:.2f} "
            f"| {r['max_err_px']:.2f} | {r['screen_px_per_image_px']} |"
        )
    print("\n| MiniWoB++ task (expert via desktop) | episodes | success | mean steps "
          "| median step ms |\n|---|---|---|---|---|")  # fmt: skip
    for name, r in results["miniwob"].items():
        print(
            f"| {name} | {r['episodes']} | {r['success_rate']:.0%} | {r['mean_steps']:.1f} "
            f"| {r['median_step_ms']:.0f} |"
        )
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(json.dumps(results, indent=1))
    print(f"\nwritten: {out}")


if __name__ == "__main__":
    main()
