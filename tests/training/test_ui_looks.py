"""benchmarks/ui_looks.py calls a policy blind when its first click does not move with the page,
and measures how much its image tokens differ between pages (the blind recipe runs of
2026-12-04 mapped every page to nearly the same tokens)."""

from __future__ import annotations

import numpy as np
from vla_training_fakes import load_benchmark


def _ui_looks():
    return load_benchmark("ui_looks")


def test_a_click_that_ignores_the_page_is_blind_and_one_that_follows_it_is_not():
    looks = _ui_looks().looks
    rng = np.random.default_rng(0)
    expert = rng.uniform(10, 150, size=(20, 2))
    constant = np.tile([[80.0, 120.0]], (20, 1))
    blind = looks(expert, constant, constant)
    assert blind["blind"] and blind["pixels_only_spread_px"] == [0.0, 0.0]
    follows = expert + rng.normal(0, 2, size=expert.shape)
    sighted = looks(expert, follows, follows)
    assert not sighted["blind"]
    assert sighted["median_error_px"] < 5 < blind["median_error_px"]


def test_a_first_action_that_is_not_a_click_is_left_out():
    looks = _ui_looks().looks
    expert = np.array([[10.0, 10.0], [50.0, 90.0], [100.0, 30.0]])
    own = expert.copy()
    own[1] = np.nan  # the policy typed instead of clicking
    r = looks(expert, own, own)
    assert r["median_error_px"] == 0.0 and not r["blind"]


def test_token_spread_is_zero_for_one_page_and_positive_for_different_pages(tiny_policy_dir):
    from vla.policy import Policy

    spread = _ui_looks().token_spread
    policy = Policy.from_pretrained(str(tiny_policy_dir))
    rng = np.random.default_rng(0)
    page = rng.integers(0, 256, size=(210, 160, 3), dtype=np.uint8)
    other = rng.integers(0, 256, size=(210, 160, 3), dtype=np.uint8)
    assert spread(policy, [page, page, page], "Click the button.") == 0.0
    assert spread(policy, [page, other], "Click the button.") > 0.01


def test_validation_reports_how_much_the_image_tokens_differ(tiny_policy_dir):
    """``val/image_spread``: 0 when every image gives the same tokens (a collapsed tower)."""
    from vla.policy import Policy
    from vla.training.validation import image_spread

    policy = Policy.from_pretrained(str(tiny_policy_dir))
    rng = np.random.default_rng(1)
    page = rng.integers(0, 256, size=(210, 160, 3), dtype=np.uint8)
    other = rng.integers(0, 256, size=(210, 160, 3), dtype=np.uint8)
    text = ["Click the button."] * 2
    same = policy.processor([page, page], text)
    assert image_spread(policy.model, same) == 0.0
    assert image_spread(policy.model, policy.processor([page, other], text)) > 0.01
