"""Browser env timings: median ``env.step`` and ``env.reset`` on click-button, and steps/s with
2 ``AsyncVectorEnv`` workers (one Chromium each).

Targets on the 2-core development CPU: step <= 35 ms, reset <= 50 ms.

    python benchmarks/browser_envs.py [--n 200] [--task click-button] [--json out.json]
    python benchmarks/browser_envs.py --experts all --episodes 200   # expert success table
    python benchmarks/browser_envs.py --browser-v0 [--n 50]          # vla/browser-v0 timings

A step here is a click on the task's instruction bar (it never ends the episode): executing
the click, reading the page state and DOM, and a 160x210 screenshot. ``dom=False`` rows skip
the element list.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from typing import Any

import gymnasium as gym

import vla.envs  # noqa: F401
from vla.actions import Click

NEUTRAL = Click(80, 20)  # the yellow instruction bar: no task reacts to it


def _ms(samples: list[float]) -> dict[str, float]:
    s = sorted(samples)
    return {
        "median_ms": round(1000 * statistics.median(s), 2),
        "p90_ms": round(1000 * s[int(0.9 * (len(s) - 1))], 2),
    }


def time_single(task: str, n: int, dom: bool) -> dict[str, Any]:
    """Median/p90 of ``reset`` and ``step`` over ``n`` calls each (after a warm-up)."""
    env = gym.make(f"vla/miniwob-{task}-v0", dom=dom, max_steps=10**6)
    try:
        env.reset(seed=0)
        for _ in range(5):
            env.step(NEUTRAL)
        resets, steps = [], []
        for i in range(n):
            t = time.perf_counter()
            env.reset(seed=i)
            resets.append(time.perf_counter() - t)
            t = time.perf_counter()
            env.step(NEUTRAL)
            steps.append(time.perf_counter() - t)
        return {"task": task, "dom": dom, "n": n, "reset": _ms(resets), "step": _ms(steps)}
    finally:
        env.close()


def time_vector(task: str, n: int, workers: int = 2) -> dict[str, Any]:
    """Environment steps per second (summed over workers) with ``AsyncVectorEnv``."""
    venv = gym.vector.AsyncVectorEnv(
        [lambda: gym.make(f"vla/miniwob-{task}-v0", max_steps=10**6)] * workers,
        shared_memory=False,  # gymnasium's shared memory cannot carry Text observations
    )
    try:
        venv.reset(seed=list(range(workers)))
        actions = (NEUTRAL,) * workers
        for _ in range(5):
            venv.step(actions)
        t = time.perf_counter()
        for _ in range(n):
            venv.step(actions)
        dt = time.perf_counter() - t
        return {
            "task": task,
            "workers": workers,
            "steps": n * workers,
            "steps_per_s": round(n * workers / dt, 1),
        }
    finally:
        venv.close()


def expert_success(task: str, episodes: int, max_steps: int = 30) -> dict[str, Any]:
    """Success rate of the scripted expert over seeds ``0..episodes-1``, with the first
    failures' reasons."""
    from vla.datasets import make_expert

    env = gym.make(f"vla/miniwob-{task}-v0", max_steps=max_steps)
    ok, failures, steps = 0, [], 0
    t0 = time.perf_counter()
    try:
        expert = make_expert(env)
        for seed in range(episodes):
            obs, info = env.reset(seed=seed)
            expert.reset()
            try:
                while True:
                    obs, _, terminated, truncated, info = env.step(expert.act(obs, info))
                    steps += 1
                    if terminated or truncated:
                        break
            except Exception as e:  # an expert bug is a failed episode, reported with its seed
                failures.append(f"seed {seed}: {type(e).__name__}: {e}")
                continue
            ok += bool(info["is_success"])
            if not info["is_success"]:
                why = info.get("error") or info.get("reason") or ("truncated" if truncated else "")
                failures.append(f"seed {seed}: {why}")
    finally:
        env.close()
    return {
        "task": task,
        "episodes": episodes,
        "success": ok / episodes,
        "mean_steps": round(steps / episodes, 2),
        "s_per_episode": round((time.perf_counter() - t0) / episodes, 3),
        "failures": failures[:5],
    }


def time_browser_v0(n: int) -> dict[str, Any]:
    """``vla/browser-v0`` (800x600) on a local two-page site: median ``reset``, a step that
    navigates nowhere (a click on empty page) and a step that follows a link (waiting for the
    new document, then reading it)."""
    import http.server
    import threading

    link = "display:block;width:300px;height:150px"
    pages = {"/": f'<title>A</title><a href="/b" style="{link}">b</a>', "/b": "<title>B</title>"}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(pages.get(self.path, "").encode())

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{server.server_address[1]}/"
    env = gym.make("vla/browser-v0", url=url, max_steps=10**6)
    try:
        env.reset()
        resets, still, links = [], [], []
        for _ in range(n):
            t = time.perf_counter()
            env.reset()
            resets.append(time.perf_counter() - t)
            t = time.perf_counter()
            env.step(Click(600, 400))
            still.append(time.perf_counter() - t)
            t = time.perf_counter()
            _, _, _, _, info = env.step(Click(100, 60))
            links.append(time.perf_counter() - t)
            if info["title"] != "B":
                raise RuntimeError(f"the link click did not reach page B: {info}")
        return {"env": "vla/browser-v0", "n": n, "reset": _ms(resets),
                "step": _ms(still), "link_step": _ms(links)}  # fmt: skip
    finally:
        env.close()
        server.shutdown()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--task", default="click-button")
    parser.add_argument("--n", type=int, default=200, help="timed calls per measurement")
    parser.add_argument("--json", default=None, help="also write the results here")
    parser.add_argument(
        "--experts", default=None, help="comma-separated tasks, or 'all': expert success"
    )
    parser.add_argument("--episodes", type=int, default=200, help="seeds 0..N-1 per task")
    parser.add_argument("--browser-v0", action="store_true", help="time vla/browser-v0")
    args = parser.parse_args()
    if args.browser_v0:
        print(json.dumps(time_browser_v0(args.n)))
        return
    if args.experts:
        from vla.datasets.experts.miniwob import EXPERTS

        tasks = sorted(EXPERTS) if args.experts == "all" else args.experts.split(",")
        results = []
        print("| task | success | mean steps | s/episode |\n|---|---|---|---|")
        for task in tasks:
            r = expert_success(task, args.episodes)
            results.append(r)
            print(
                f"| {task} | {100 * r['success']:.1f}% | {r['mean_steps']} | "
                f"{r['s_per_episode']} |" + (f" {r['failures']}" if r["failures"] else ""),
                flush=True,
            )
        if args.json:
            with open(args.json, "w") as f:
                json.dump(results, f, indent=2)
        return
    results = [
        time_single(args.task, args.n, dom=True),
        time_single(args.task, args.n, dom=False),
        time_vector(args.task, args.n),
    ]
    for r in results:
        print(json.dumps(r))
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
