"""A recipe's eval settings reach both the eval it runs and the command its card prints."""

from __future__ import annotations

import dataclasses

import pytest

from vla.release.model_card import _commands
from vla.release.recipes import RECIPES, stage_eval


@pytest.mark.parametrize("limit", [None, 2])
def test_recipe_eval_runs_and_prints_its_still_waits(limit, tmp_path, monkeypatch):
    import vla.evaluation

    recipe = dataclasses.replace(RECIPES["vla-browser-tiny"], eval_still_waits=limit)
    seen = []

    def fake_evaluate(cfg):
        seen.append(cfg)
        return {"overall": {"mean_success_rate": 0.5}}

    monkeypatch.setattr(vla.evaluation, "evaluate", fake_evaluate)
    assert stage_eval(recipe, tmp_path) == {"mean_success_rate": 0.5}
    assert seen[0].still_waits == limit and seen[0].max_steps == recipe.eval_max_steps
    eval_line = _commands(recipe).splitlines()[-1]
    assert eval_line.startswith("vla eval --policy")
    assert ("--still-waits 2" in eval_line) == (limit == 2)
