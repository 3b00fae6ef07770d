"""A training run's ``report.html``: curves drawn from ``metrics.jsonl``, and a real tiny run whose
report, opened in headless Chromium, shows its plots (the screenshot is not blank)."""

from __future__ import annotations

import io
import json

import numpy as np
import pytest

from vla.training.report import read_metrics, render_training_report
from vla.training.validation import format_validation

UI_EVENTS = [
    {"step": 1, "train/loss": 7.5, "train/lr": 1e-4},
    {"step": 2, "train/loss": 6.0, "train/lr": 2e-4},
    {"step": 2, "val/loss": 5.9, "val/token_accuracy": 0.41, "val/click_px_median": 30.5},
    {"step": 2, "train/loss": 6.5, "train/lr": 2e-4},  # a resumed run logs step 2 again
    {"step": 4, "train/loss": 4.0, "train/lr": 1e-4},
    {"step": 4, "val/loss": 4.1, "val/token_accuracy": 0.62, "val/click_px_median": 12.25},
]


def test_validation_line_is_rounded():
    line = format_validation(
        2000,
        {
            "val/loss": 0.41234567891234,
            "val/token_accuracy": 0.9312345678,
            "val/click_px_median": 3.2123456,
            "val/action_abs_err": [0.0012345678, 0.25],
            "val/time_s": 1.234,
        },
    )
    assert line == (
        "val step 2000: loss 0.412, token acc 93.1%, click err median 3.2 px, "
        "abs err per dim [0.001235, 0.25] (1.2 s)"
    )


def test_report_draws_one_plot_per_metric_family():
    page = render_training_report(UI_EVENTS, "run")
    titles = [t.split('"')[0] for t in page.split('data-title="')[1:]]
    assert titles == [
        "loss",
        "learning rate",
        "validation accuracy",
        "validation click error (px)",
    ]  # no robot data: no per-dimension plot
    assert "val step 4: loss 4.100, token acc 62.0%, click err median 12.2 px" in page
    assert "http" not in page.replace('xmlns="http://www.w3.org/2000/svg"', "")  # no CDN


def test_report_last_event_of_a_step_wins(tmp_path):
    (tmp_path / "metrics.jsonl").write_text(
        "\n".join(json.dumps(e) for e in UI_EVENTS) + '\n{"step": 5, "train/lo'  # torn line
    )
    events = read_metrics(tmp_path / "metrics.jsonl")
    assert len(events) == len(UI_EVENTS)
    page = render_training_report(events)
    loss_svg = page.split('data-title="loss"')[1].split("</svg>")[0]
    assert loss_svg.count("<circle") == 3 + 2  # train steps 1, 2, 4 once each; val steps 2, 4


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.robot
def test_tiny_run_report_shows_curves_in_chromium(tmp_path):
    from PIL import Image
    from playwright.sync_api import sync_playwright

    from vla.controllers.playwright import LAUNCH_FLAGS, find_chromium
    from vla.datasets import CollectConfig, collect
    from vla.training import TrainConfig, train

    data = tmp_path / "data"
    collect(CollectConfig(env_ids=["vla/panda-reach-v0"], episodes=2, out=str(data), workers=0,
                          progress=False))  # fmt: skip
    run = tmp_path / "run"
    train(TrainConfig(datasets=[str(data)], out=str(run), steps=3, batch_size=8, val_every=1,
                      val_fraction=0.5, val_decode_samples=2, log_every=1, save_every=0,
                      warmup_steps=1, progress=False))  # fmt: skip
    page_html = (run / "report.html").read_text()
    assert "validation robot action error per dimension" in page_html

    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=find_chromium(), headless=True, args=list(LAUNCH_FLAGS)
        )
        try:
            page = browser.new_page(viewport={"width": 1280, "height": 900})
            page.goto((run / "report.html").as_uri())
            plots = page.locator("svg.plot")
            assert plots.count() == 4  # loss, lr, accuracy, robot error (no clicks)
            loss = plots.first
            box = loss.bounding_box()
            assert box is not None and box["width"] > 400 and box["height"] > 200
            png = loss.screenshot()
        finally:
            browser.close()
    pixels = np.asarray(Image.open(io.BytesIO(png)).convert("RGB"), dtype=np.int16)
    coloured = np.abs(pixels - pixels.mean(axis=2, keepdims=True)).sum(axis=2) > 60
    assert coloured.sum() > 200  # the coloured curves are drawn, not only axes and text
