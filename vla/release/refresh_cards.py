"""Regenerate the model cards (README.md) of shipped checkpoints from their records.

    python -m vla.release.refresh_cards vla-browser-tiny vla-robot-tiny

Only the recipe's stage log (not shipped) holds the collection time; it is carried over from
the existing card.
"""

from __future__ import annotations

import re
import sys

__all__ = ["collect_seconds", "main"]


def collect_seconds(card: str) -> float | None:
    """The collection time an existing card states (the stage log is not shipped)."""
    found = re.search(r"wall time: collection ([0-9.]+) s", card)
    return float(found.group(1)) if found else None


def main(argv: list[str] | None = None) -> None:
    """Regenerate the cards of shipped checkpoints from their records; the collection time,
    which only the recipe's stage log holds, is carried over from the existing card."""
    from vla.hub import CHECKPOINTS_DIR
    from vla.release.model_card import write_model_card
    from vla.release.recipes import RECIPES

    for name in argv if argv is not None else sys.argv[1:]:
        if name not in RECIPES:
            raise SystemExit(f"unknown recipe {name!r}; known: {sorted(RECIPES)}")
        dest = CHECKPOINTS_DIR / name
        old = (dest / "README.md").read_text() if (dest / "README.md").is_file() else ""
        seconds = collect_seconds(old)
        stages = {"collect": {"seconds": seconds}} if seconds is not None else {}
        print(write_model_card(RECIPES[name], dest, stages))


if __name__ == "__main__":
    main()
