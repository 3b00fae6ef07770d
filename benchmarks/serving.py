"""``vla serve`` on loopback, side by side with the in-process ``Policy`` in the same run.

For each shipped checkpoint (``vla-browser-tiny``: a 160x210 screenshot; ``vla-robot-tiny``:
a 128x128 camera image and a 14-d state) it starts two real servers (``python -m vla serve
--port 0``): one with dynamic batching (``--max-batch 16``) and one that serves one request at
a time (``--max-batch 1``). It then measures

* **added latency at batch 1**: ``RemotePolicy.act`` against ``Policy.act`` in this process,
  interleaved call by call; p50 of each and the median of the paired differences;
* **throughput of 16 concurrent clients** (16 threads, one ``RemotePolicy`` each) against the
  batching server and against the one-at-a-time server, in alternating rounds (the median round
  counts); in-process ``act_batch`` of 16 is printed for reference;
* **a fuzz** (browser checkpoint): ``--fuzz`` malformed or hostile messages from
  :func:`vla.serving.fuzz.hostile_messages` on one connection; counts server crashes (the
  process exited), dropped connections, hangs (no reply within 10 s) and replies that are not
  an error naming the broken field.

    python benchmarks/serving.py [--requests 200] [--rounds 3] [--fuzz 10000] [--clients 16]

Set ``OMP_NUM_THREADS`` (the servers inherit it); docs/benchmarks.md used 1.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np

from vla import Policy
from vla.serving import RemotePolicy
from vla.serving.fuzz import hostile_messages
from vla.serving.wire import dumps, loads

CHECKPOINTS = {
    "vla-browser-tiny": ((210, 160, 3), "Click the button.", None),
    "vla-robot-tiny": ((80, 80, 3), "touch the red cube", 14),
}
#: The camera views a checkpoint reads besides ``image`` (sent as ``views``, as an env's
#: ``obs["images"]``; since 2026-12-07 the robot checkpoint reads front and wrist).
VIEWS = {"vla-robot-tiny": ("front", "wrist")}


def start(policy: str, tmp: Path, *args: str) -> tuple[subprocess.Popen, int, Path]:
    log = tmp / f"{policy}-{len(list(tmp.iterdir()))}.log"
    with log.open("w") as f:
        proc = subprocess.Popen(
            [sys.executable, "-m", "vla", "serve", "--policy", policy, "--port", "0", *args],
            stderr=f,
        )
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        for line in log.read_text().splitlines():
            if '"event": "listening"' in line:
                return proc, json.loads(line)["port"], log
        if proc.poll() is not None:
            break
        time.sleep(0.2)
    proc.kill()
    raise RuntimeError(f"server did not start: {log.read_text()[-2000:]}")


def batch_sizes(log: Path) -> list[int]:
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith("{")]
    return [e["batch_size"] for e in lines if e["event"] == "batch"]


def stop(proc: subprocess.Popen) -> int:
    proc.terminate()
    return proc.wait(60)


def observation(name: str, seed: int = 0) -> tuple[np.ndarray, str, np.ndarray | None, Any]:
    """A random observation for checkpoint ``name``: image, instruction, state and views."""
    shape, text, state_dim = CHECKPOINTS[name]
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 256, shape, dtype=np.uint8)
    state = rng.uniform(-0.5, 0.5, state_dim).astype(np.float32) if state_dim else None
    views = {v: rng.integers(0, 256, shape, dtype=np.uint8) for v in VIEWS.get(name, ())}
    if views:
        image = next(iter(views.values()))
    return image, text, state, views or None


def latency(name: str, port: int, n: int) -> dict[str, float]:
    policy = Policy.from_pretrained(name, device="cpu")
    image, text, state, views = observation(name)
    local, remote, diff, overhead = [], [], [], []
    with RemotePolicy(f"ws://127.0.0.1:{port}") as client:
        for _ in range(5):  # warm-up, and a check that both give the same action
            here = policy.act(image, text, state, views=views)
            if here != client.act(image, text, state, views=views):
                raise RuntimeError(f"{name}: the served action differs from the in-process one")
        for _ in range(n):
            t0 = time.perf_counter()
            policy.act(image, text, state, views=views)
            t1 = time.perf_counter()
            client.act(image, text, state, views=views)
            t2 = time.perf_counter()
            local.append(t1 - t0)
            remote.append(t2 - t1)
            diff.append((t2 - t1) - (t1 - t0))
            overhead.append((t2 - t1) - client.last_timings[0]["infer_ms"] / 1000)
    ms = lambda xs: statistics.median(xs) * 1000  # noqa: E731
    return {
        "local_p50_ms": ms(local),
        "remote_p50_ms": ms(remote),
        "added_p50_ms": ms(diff),  # paired: remote call minus the in-process call just before
        "overhead_p50_ms": ms(overhead),  # round trip minus the server's own act_batch time
    }


def throughput(name: str, port: int, clients: int, per_client: int) -> float:
    """Actions per second of ``clients`` threads, each with its own connection."""
    image, text, state, views = observation(name)
    conns = [RemotePolicy(f"ws://127.0.0.1:{port}", timeout=120) for _ in range(clients)]
    barrier = threading.Barrier(clients + 1)

    def run(client: RemotePolicy) -> None:
        barrier.wait()
        for _ in range(per_client):
            client.act(image, text, state, views=views)

    threads = [threading.Thread(target=run, args=(c,)) for c in conns]
    for t in threads:
        t.start()
    barrier.wait()
    t0 = time.perf_counter()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - t0
    for c in conns:
        c.close()
    return clients * per_client / elapsed


def in_process_batch(name: str, batch: int, repeats: int = 5) -> float:
    policy = Policy.from_pretrained(name, device="cpu")
    image, text, state, views = observation(name)
    args = ([image] * batch, [text] * batch, [state] * batch)
    kw = {"views": [views] * batch} if views else {}
    policy.act_batch(*args, **kw)
    t0 = time.perf_counter()
    for _ in range(repeats):
        policy.act_batch(*args, **kw)
    return batch * repeats / (time.perf_counter() - t0)


def fuzz(port: int, n: int) -> dict[str, int]:
    from websockets.exceptions import ConnectionClosed
    from websockets.sync.client import connect

    image, text, _, _ = observation("vla-browser-tiny")
    counts = {"messages": 0, "named_field": 0, "wrong_reply": 0, "hangs": 0, "dropped": 0}
    ws = connect(f"ws://127.0.0.1:{port}", compression=None, max_size=None, legacy=True)
    loads(ws.recv(timeout=30))
    for frame, field in hostile_messages({"image": image, "instruction": text}, n, seed=2026):
        counts["messages"] += 1
        try:
            ws.send(frame)
            reply = loads(ws.recv(timeout=10))
        except TimeoutError:
            counts["hangs"] += 1
            continue
        except ConnectionClosed:  # the server closed this connection: counted, then reconnect
            counts["dropped"] += 1
            ws = connect(f"ws://127.0.0.1:{port}", compression=None, legacy=True)
            loads(ws.recv(timeout=30))
            continue
        ok = isinstance(reply, dict) and str(reply.get("error", "")).startswith(f"{field}: ")
        counts["named_field" if ok else "wrong_reply"] += 1
    ws.send(dumps({"image": image, "instruction": text}))
    counts["valid_after"] = int("action" in loads(ws.recv(timeout=30)))
    ws.close()
    return counts


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--requests", type=int, default=200, help="latency samples per checkpoint")
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds per server")
    ap.add_argument("--per-client", type=int, default=8, help="requests per client per round")
    ap.add_argument("--clients", type=int, default=16)
    ap.add_argument("--fuzz", type=int, default=10_000)
    ap.add_argument("--checkpoints", nargs="+", default=list(CHECKPOINTS))
    args = ap.parse_args()
    results: dict[str, Any] = {"omp_threads": os.environ.get("OMP_NUM_THREADS")}
    print(f"load average at start: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        for name in args.checkpoints:
            batched, p_b, log_b = start(name, Path(tmp), "--max-batch", "16")
            single, p_s, _ = start(name, Path(tmp), "--max-batch", "1")
            try:
                row: dict[str, Any] = latency(name, p_b, args.requests)
                seen = len(batch_sizes(log_b))
                rounds: dict[str, list[float]] = {"batched": [], "one_at_a_time": []}
                for _ in range(args.rounds):  # alternate, so that load drift hits both
                    rounds["batched"].append(throughput(name, p_b, args.clients, args.per_client))
                    rounds["one_at_a_time"].append(
                        throughput(name, p_s, args.clients, args.per_client)
                    )
                row["batched_actions_per_s"] = statistics.median(rounds["batched"])
                row["one_at_a_time_actions_per_s"] = statistics.median(rounds["one_at_a_time"])
                row["speedup"] = row["batched_actions_per_s"] / row["one_at_a_time_actions_per_s"]
                sizes = batch_sizes(log_b)[seen:]
                row["mean_batch_size"] = sum(sizes) / max(len(sizes), 1)
                # The ceiling of batching on this device: in-process act_batch(16) vs act().
                row["in_process_batch16_actions_per_s"] = in_process_batch(name, args.clients)
                row["in_process_batch1_actions_per_s"] = in_process_batch(name, 1, repeats=32)
                row["rounds"] = rounds
                if name == "vla-browser-tiny" and args.fuzz:
                    row["fuzz"] = fuzz(p_b, args.fuzz)
                    row["fuzz"]["server_crashed"] = int(batched.poll() is not None)
            finally:
                row["exit_codes"] = [stop(batched), stop(single)]
            row["load_average_after"] = round(os.getloadavg()[0], 1)
            results[name] = row
            print(json.dumps({name: row}, indent=1), flush=True)
    print("\n| checkpoint | in-process p50 | ws:// p50 | added p50 (paired) | overhead p50 | "
          "16 clients batched (mean batch) | 16 clients one at a time | speed-up | "
          "in-process act_batch(16) / act |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for name in args.checkpoints:
        r = results[name]
        print(
            f"| `{name}` | {r['local_p50_ms']:.1f} ms | {r['remote_p50_ms']:.1f} ms | "
            f"{r['added_p50_ms']:.2f} ms | {r['overhead_p50_ms']:.2f} ms | "
            f"{r['batched_actions_per_s']:.0f} actions/s ({r['mean_batch_size']:.1f}) | "
            f"{r['one_at_a_time_actions_per_s']:.0f} actions/s | {r['speedup']:.1f}x | "
            f"{r['in_process_batch16_actions_per_s'] / r['in_process_batch1_actions_per_s']:.1f}x |"
        )


if __name__ == "__main__":
    main()
