"""docs/results.md is what its generator writes from the shipped checkpoints' evaluations, so
the page cannot drift from the numbers it reports or from the notes kept in the generator."""

from __future__ import annotations

from pathlib import Path

from vla.release.results import render_results

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_results_page_is_the_generators_output():
    written = (DOCS / "results.md").read_text()
    assert written == render_results(), "regenerate it: python -m vla.release.results"
