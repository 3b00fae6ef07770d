"""Regenerate the model cards (README.md) of shipped checkpoints from their records.

    python -m vla.release.refresh_cards vla-browser-tiny vla-robot-tiny

Only the recipe's stage log (not shipped) holds the stages' wall times; they are carried over
from the existing card.
"""

from __future__ import annotations

import re
import sys

__all__ = ["main", "stage_seconds"]


def stage_seconds(card: str) -> dict[str, dict[str, float]]:
    """The recipe stages' wall times an existing card states (the stage log is not shipped),
    as ``{stage: {"seconds": s}}``; cards written before the per-stage line give the collection
    time only."""
    found = re.search(r"wall time per recipe stage \(.*?\): (.+)", card)
    if found:
        pairs = re.findall(r"(\w+) ([0-9.]+) s", found.group(1))
        return {name: {"seconds": float(sec)} for name, sec in pairs}
    old = re.search(r"wall time: collection ([0-9.]+) s", card)
    return {"collect": {"seconds": float(old.group(1))}} if old else {}


def main(argv: list[str] | None = None) -> None:
    """Regenerate the cards of shipped checkpoints from their records; the stages' wall times,
    which only the recipe's stage log holds, are carried over from the existing card."""
    from vla.hub import CHECKPOINTS_DIR
    from vla.release.model_card import write_model_card
    from vla.release.recipes import RECIPES

    for name in argv if argv is not None else sys.argv[1:]:
        if name not in RECIPES:
            raise SystemExit(f"unknown recipe {name!r}; known: {sorted(RECIPES)}")
        dest = CHECKPOINTS_DIR / name
        old = (dest / "README.md").read_text() if (dest / "README.md").is_file() else ""
        print(write_model_card(RECIPES[name], dest, stage_seconds(old)))


if __name__ == "__main__":
    main()
