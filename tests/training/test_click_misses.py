"""benchmarks/click_misses.py sorts a policy's first click against the element the DOM expert
clicks: on it, just beside it, on another element of its kind (another link), or elsewhere."""

from __future__ import annotations

from vla_training_fakes import load_benchmark


def _module():
    return load_benchmark("click_misses")


PARAGRAPH = {"tag": "div", "classes": "", "bbox": [0, 50, 160, 60]}
LINK_A = {"tag": "span", "classes": "alink", "bbox": [10, 60, 30, 11]}
# a link wrapped onto two lines: only its line boxes count, not the box around both
LINK_B = {
    "tag": "span",
    "classes": "alink",
    "bbox": [0, 60, 160, 22],
    "rects": [[120, 60, 40, 11], [0, 71, 20, 11]],
}
PAGE = [PARAGRAPH, LINK_A, LINK_B]


def test_each_kind_of_first_click_against_the_expert_target():
    classify = _module().classify
    expert = (25.0, 65.5)  # the middle of LINK_A
    assert classify(PAGE, expert, (30.0, 68.0), 6.0) == "target"
    assert classify(PAGE, expert, (30.0, 75.0), 6.0) == "near"  # 4 px below, on no link
    assert classify(PAGE, expert, (10.0, 76.0), 6.0) == "same kind"  # LINK_B's second line
    assert classify(PAGE, expert, (80.0, 100.0), 6.0) == "elsewhere"  # the paragraph
    assert classify(PAGE, expert, (80.0, 65.0), 6.0) == "elsewhere"  # between LINK_B's lines
    assert classify(PAGE, (200.0, 5.0), (25.0, 65.5), 6.0) == "elsewhere"  # no expert target


def test_the_first_click_is_read_from_the_action_texts():
    first_click = _module().first_click
    texts = ["wait", "click x=57.8 y=108.7 button='left' count=1", "click x=1.0 y=2.0"]
    assert first_click(texts) == (57.8, 108.7)
    assert first_click(["type text='abc'", "wait"]) is None
