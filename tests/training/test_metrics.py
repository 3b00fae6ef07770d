"""Wilson intervals, latency summaries and the validation metrics."""

from __future__ import annotations

import math

import numpy as np
import pytest

from vla.actions import Click, Drag, EEDelta, Type
from vla.evaluation.metrics import latency_summary, wilson_interval
from vla.training.validation import action_errors, token_accuracy


def test_wilson_interval_known_values():
    # 95% Wilson interval for 8/10 is [0.490, 0.943] (e.g. statsmodels proportion_confint)
    lo, hi = wilson_interval(8, 10)
    assert lo == pytest.approx(0.4902, abs=1e-3) and hi == pytest.approx(0.9433, abs=1e-3)
    lo, hi = wilson_interval(100, 100)
    assert hi == 1.0 and lo == pytest.approx(0.9630, abs=1e-3)
    lo, hi = wilson_interval(0, 100)
    assert lo == 0.0 and hi == pytest.approx(0.0370, abs=1e-3)
    assert wilson_interval(0, 0) == (0.0, 1.0)
    with pytest.raises(ValueError, match="successes"):
        wilson_interval(5, 3)


def test_latency_summary_in_ms():
    out = latency_summary([0.010] * 98 + [0.100, 0.200])
    assert out["p50"] == pytest.approx(10.0) and out["n"] == 100
    assert out["p99"] > 90 and out["mean"] == pytest.approx(12.8)
    assert math.isnan(latency_summary([])["p50"])


def test_action_errors():
    e = action_errors(Click(10, 10), Click(13, 14))
    assert e["verb_ok"] and not e["exact"] and e["click_px"] == pytest.approx(5.0)
    assert action_errors(Drag(0, 0, 3, 4), Drag(0, 0, 0, 0))["click_px"] == pytest.approx(2.5)
    assert not action_errors(Type("a"), Click(1, 1))["verb_ok"]
    e = action_errors(EEDelta((0.01, 0, 0), gripper=0.0), EEDelta((0.0, 0, 0), gripper=1.0))
    np.testing.assert_allclose(e["abs_err"], [0.01, 0, 0, 0, 0, 0, 1.0])


def test_token_accuracy_uses_the_shift():
    import torch

    labels = torch.tensor([[-100, -100, 5, 6]])
    logits = torch.zeros(1, 4, 8)
    logits[0, 1, 5] = 1  # position 1 predicts token 2 (= 5): right
    logits[0, 2, 7] = 1  # position 2 predicts token 3 (= 6): wrong
    assert token_accuracy(logits, labels) == (1, 2)
