"""docs/results.md is what its generator writes from the shipped checkpoints' evaluations, so
the page cannot drift from the numbers it reports or from the notes kept in the generator."""

from __future__ import annotations

from pathlib import Path

from vla.release.results import render_results

DOCS = Path(__file__).resolve().parents[2] / "docs"


def test_results_page_is_the_generators_output():
    written = (DOCS / "results.md").read_text()
    assert written == render_results(), "regenerate it: python -m vla.release.results"


def test_the_desktop_gap_is_taken_against_its_own_actor(tmp_path, monkeypatch):
    """A browser retrain must not move the desktop checkpoint's gap: the page compares the
    desktop suite with the actor its numbers were measured with, not with whatever
    ``vla-browser-tiny`` is now."""
    import json
    import shutil

    from vla.release import results

    for name in (
        "vla-browser-tiny",
        "vla-robot-tiny",
        "vla-desktop-tiny",
        "vla-desktop-tiny/actor",
    ):
        (tmp_path / name).mkdir(parents=True)
        shutil.copy(results.CHECKPOINTS_DIR / name / "eval_info.json", tmp_path / name)
    desktop = json.loads((tmp_path / "vla-desktop-tiny" / "eval_info.json").read_text())
    env_id = next(iter(desktop["tasks"]))
    headless = env_id.replace("vla/desktop-miniwob-", "vla/miniwob-")
    retrained = json.loads((tmp_path / "vla-browser-tiny" / "eval_info.json").read_text())
    actor = retrained["tasks"][headless]["success_rate"]
    retrained["tasks"][headless]["success_rate"] = 0.0 if actor > 0.5 else 1.0
    (tmp_path / "vla-browser-tiny" / "eval_info.json").write_text(json.dumps(retrained))
    monkeypatch.setattr(results, "CHECKPOINTS_DIR", tmp_path)

    rows = [r for r in render_results().splitlines() if r.startswith(f"| `{env_id}` |")]
    # the comparison row (the last) is the page's, from the actor's own evaluation
    assert rows[-1] in (DOCS / "results.md").read_text().splitlines(), rows[-1]
