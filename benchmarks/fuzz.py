"""Fuzz benchmark (issue 16): random and hostile inputs to the action language, the tokenizer,
a tiny-config Policy, the robot env's ``step`` and the ``vla`` command line.

    .venv/bin/python benchmarks/fuzz.py [--seed 0] [--n 300] [--section-timeout 240]
                                        [--cli-timeout 90] [--sections actions,tokenizer,...]

Each library section runs in its own subprocess under a timeout; every process started here
carries a marker in its environment, so those still alive after their section or CLI call are
found (and killed) as orphans. Counted, per section:

* **raw tracebacks**: an exception other than the documented ``ValueError`` (library), or
  ``Traceback (most recent call last)`` in a command's output (CLI);
* **hangs**: a section or a command past its timeout, or one library call over 30 s;
* **orphans**: processes carrying the marker still alive afterwards;
* **silently wrong**: a hostile input accepted where it must be refused (a NaN state, a state
  of the wrong length, a NaN image, a NaN action), an accepted result that breaks an invariant
  (a ``Type`` with a control character, a grammar walk that does not decode or round-trip, a
  non-finite robot state), or a command that exits 0 on bad input.

Cases and their expectations: :mod:`benchmarks.fuzz_cases`. Prints a Markdown table and writes
``runs/bench/fuzz.json``. Bounded: stops by itself after at most the sum of the timeouts.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import signal
import subprocess
import sys
import tempfile
import time
import traceback
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(Path(__file__).resolve().parent))
MARKER = "VLA_FUZZ_MARKER"
SLOW_CALL_S = 30.0
SECTIONS = ("actions", "tokenizer", "policy", "robot", "cli")


class Tally:
    """Counts outcomes of calls against an expectation: ``"refuse"`` (a ``ValueError`` is
    required), ``"accept"`` (a result is required) or ``"either"``; ``check(result)`` returns
    why an accepted result is wrong (or ``None``)."""

    def __init__(self) -> None:
        self.cases = self.raw = self.wrong = self.hangs = 0
        self.examples: list[str] = []

    def _note(self, text: str) -> None:
        if len(self.examples) < 8:
            self.examples.append(text[:300])

    def run(
        self,
        name: str,
        fn: Callable[[], Any],
        expect: str = "either",
        check: Callable[[Any], str | None] | None = None,
        errors: tuple[type[BaseException], ...] = (ValueError,),
    ) -> None:
        self.cases += 1
        start = time.monotonic()
        try:
            result = fn()
        except errors as e:
            if expect == "accept":
                self.wrong += 1
                self._note(f"wrong: {name}: refused a valid input: {e}")
        except Exception as e:  # counting them is the point
            self.raw += 1
            where = traceback.extract_tb(e.__traceback__)[-1]
            self._note(f"raw: {name}: {type(e).__name__}: {e} ({where.filename}:{where.lineno})")
        else:
            why = "accepted an input it must refuse" if expect == "refuse" else None
            why = why or (check(result) if check else None)
            if why:
                self.wrong += 1
                self._note(f"wrong: {name}: {why} -> {' '.join(repr(result).split())[:120]}")
        if time.monotonic() - start > SLOW_CALL_S:
            self.hangs += 1
            self._note(f"hang: {name} took {time.monotonic() - start:.0f} s")

    def summary(self) -> dict[str, Any]:
        return {
            "cases": self.cases,
            "raw_tracebacks": self.raw,
            "hangs": self.hangs,
            "silently_wrong": self.wrong,
            "examples": self.examples,
        }


# ---------------------------------------------------------------------------- processes


def marked_processes(marker: str) -> list[int]:
    """PIDs of live processes whose environment holds ``MARKER=marker`` (Linux ``/proc``)."""
    needle = f"{MARKER}={marker}".encode()
    out = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit() or int(entry.name) == os.getpid():
            continue
        try:
            if needle in (entry / "environ").read_bytes().split(b"\0"):
                state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
                if state != "Z":
                    out.append(int(entry.name))
        except OSError:  # gone, or not ours
            continue
    return out


def reap_orphans(marker: str) -> int:
    """Kill (by PID) what a finished section or command left running; returns how many."""
    pids = marked_processes(marker)
    for pid in pids:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGKILL)
    return len(pids)


def run_marked(argv: list[str], timeout: float, env: dict[str, str] | None = None) -> dict:
    """Run ``argv`` in its own session with a fresh marker; returns what happened."""
    marker = uuid.uuid4().hex
    full_env = {**os.environ, **(env or {}), MARKER: marker, "OMP_NUM_THREADS": "1"}
    start = time.monotonic()
    proc = subprocess.Popen(
        argv, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        start_new_session=True, cwd=ROOT,
    )  # fmt: skip
    try:
        out, err = proc.communicate(timeout=timeout)
        hang = False
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        out, err = proc.communicate()
        hang = True
    time.sleep(0.5)  # let a dying tree settle before looking for survivors
    return {
        "rc": proc.returncode,
        "hang": hang,
        "stdout": out,
        "stderr": err,
        "seconds": round(time.monotonic() - start, 1),
        "orphans": reap_orphans(marker),
    }


# ------------------------------------------------------------------------------ sections


def run_section(name: str, args: argparse.Namespace) -> dict[str, Any]:
    """One library section in a subprocess; its JSON summary plus hangs and orphans."""
    argv = [sys.executable, __file__, "--child", name, "--seed", str(args.seed), "--n", str(args.n)]
    got = run_marked(argv, args.section_timeout)
    try:
        out = json.loads(got["stdout"].strip().splitlines()[-1])
    except (IndexError, json.JSONDecodeError):
        out = {"cases": 0, "raw_tracebacks": 0, "hangs": 0, "silently_wrong": 0, "examples": []}
        if not got["hang"]:  # the section itself crashed
            out["raw_tracebacks"] = 1
            out["examples"] = [got["stderr"][-500:]]
    out["hangs"] += int(got["hang"])
    out["orphans"] = got["orphans"]
    out["seconds"] = got["seconds"]
    return out


def run_cli(args: argparse.Namespace) -> dict[str, Any]:
    """Each bad command line of :data:`fuzz_cases.CLI_CASES`, with a fresh marker each."""
    from fuzz_cases import cli_cases

    vla = str(Path(sys.executable).with_name("vla"))
    totals = {"cases": 0, "raw_tracebacks": 0, "hangs": 0, "silently_wrong": 0, "orphans": 0}
    examples, codes = [], {}
    start = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="vla-fuzz-") as tmp:
        for name, argv, env in cli_cases(Path(tmp)):
            got = run_marked([vla, *argv], args.cli_timeout, env)
            text = got["stdout"] + got["stderr"]
            raw = "Traceback (most recent call last)" in text
            wrong = got["rc"] == 0 and not got["hang"]
            totals["cases"] += 1
            totals["raw_tracebacks"] += int(raw)
            totals["hangs"] += int(got["hang"])
            totals["silently_wrong"] += int(wrong)
            totals["orphans"] += got["orphans"]
            codes[name] = got["rc"]
            if raw or wrong or got["hang"] or got["orphans"]:
                last = text.strip().splitlines()[-1:] or [""]
                examples.append(f"{name}: rc={got['rc']} hang={got['hang']} {last[0][:200]}")
    return {**totals, "examples": examples, "exit_codes": codes,
            "seconds": round(time.monotonic() - start, 1)}  # fmt: skip


def child(name: str, seed: int, n: int) -> None:
    """Runs inside the section's subprocess: prints one JSON line."""
    import fuzz_cases

    tally = Tally()
    getattr(fuzz_cases, f"fuzz_{name}")(tally, seed, n)
    print(json.dumps(tally.summary()))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--n", type=int, default=300, help="random cases per fuzzed function")
    ap.add_argument("--section-timeout", type=float, default=240.0)
    ap.add_argument("--cli-timeout", type=float, default=90.0)
    ap.add_argument("--sections", default=",".join(SECTIONS))
    ap.add_argument("--out", default="runs/bench/fuzz.json")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        return child(args.child, args.seed, args.n)
    results = {}
    for name in args.sections.split(","):
        if name not in SECTIONS:
            raise SystemExit(f"unknown section {name!r}; choose from {SECTIONS}")
        print(f"fuzzing {name}...", file=sys.stderr, flush=True)
        results[name] = run_cli(args) if name == "cli" else run_section(name, args)
    print("| section | cases | raw tracebacks | hangs | orphans | silently wrong | time (s) |")
    print("|---|---|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['cases']} | {r['raw_tracebacks']} | {r['hangs']} | {r['orphans']} "
            f"| {r['silently_wrong']} | {r['seconds']} |"
        )
    for name, r in results.items():
        for line in r["examples"]:
            print(f"- {name}: {line}")
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps({"seed": args.seed, "n": args.n, "results": results}, indent=1))


if __name__ == "__main__":
    main()
