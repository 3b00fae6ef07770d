"""What ``import vla`` costs, and what registering with transformers' Auto classes costs.

Runs each snippet in ``--repeats`` fresh interpreters with ``python -X importtime`` and prints
the median and minimum cumulative import time (ms) of the top-level module named, plus which
heavy modules the snippet left in ``sys.modules``:

* ``import vla``: the package, including the Auto-class finder (:mod:`vla._auto_hook`);
* ``vla._auto_hook``: the finder's own share of that;
* ``import vla.model``: what registering eagerly in ``import vla`` would have cost;
* ``import transformers.models.auto``: the Auto classes alone, without and with ``import vla``
  first (the second includes the deferred registration, i.e. importing ``vla.model``).

    python benchmarks/import_time.py [--repeats 7]

On a shared machine the numbers vary from run to run; the minimum is the least disturbed one.
"""

from __future__ import annotations

import argparse
import ast
import os
import statistics
import subprocess
import sys

CASES = (
    ("import vla", "import vla", "vla"),
    ("  of which vla._auto_hook", "import vla", "vla._auto_hook"),
    ("import vla.model (eager registration)", "import vla.model", "vla.model"),
    ("transformers' auto, without vla", "import transformers.models.auto", "transformers"),
    (
        "transformers' auto after import vla (+ registration)",
        "import vla; import transformers.models.auto",
        None,
    ),
)


def _cumulative_ms(code: str, module: str | None) -> tuple[float, list[str]]:
    probe = "; import sys; print([m for m in ('torch', 'transformers') if m in sys.modules])"
    env = {**os.environ, "OMP_NUM_THREADS": "1"}
    done = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", code + probe],
        capture_output=True,
        text=True,
        check=True,
        env=env,
    )
    total = 0.0
    for line in done.stderr.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        _, cumulative, name = (p.strip() for p in line.removeprefix("import time:").split("|"))
        if not cumulative.isdigit():
            continue
        depth = len(line.split("|")[2]) - len(line.split("|")[2].lstrip())
        if (module is None and depth == 1) or name == module:
            total += int(cumulative) / 1000  # importtime reports microseconds
            if module is not None:
                break
    return total, ast.literal_eval(done.stdout.strip())


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeats", type=int, default=7)
    args = parser.parse_args()
    print(f"{'case':55s} {'median ms':>10s} {'min ms':>8s}  heavy modules loaded")
    for label, code, module in CASES:
        runs = [_cumulative_ms(code, module) for _ in range(args.repeats)]
        times = [t for t, _ in runs]
        print(f"{label:55s} {statistics.median(times):10.1f} {min(times):8.1f}  {runs[0][1]}")


if __name__ == "__main__":
    main()
