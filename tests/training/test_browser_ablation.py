"""benchmarks/browser_ablation.py: variants that differ in data are separate calls into the same
``--out``; ``ablation.json`` keeps both rows, each naming the datasets it trained on, and the
eval episodes are capped at ``--max-steps``."""

from __future__ import annotations

import json
import sys

from vla_training_fakes import load_benchmark


def test_two_calls_with_their_own_data_share_one_record(tmp_path, monkeypatch):
    module = load_benchmark("browser_ablation")
    calls = []

    def fake_train_and_evaluate(run, args, overrides, envs, **settings):
        calls.append((run.name, list(args.dataset), envs, settings))
        tasks = {"form-sequence-2": 0.5 if len(args.dataset) > 1 else 0.25}
        mean = tasks["form-sequence-2"]
        return {"tasks": tasks, "mean": mean, "samples_per_s": 40.0, "policy_ms_p50": 30.0}

    monkeypatch.setattr(module, "train_and_evaluate", fake_train_and_evaluate)
    common = ["--task", "form-sequence-2", "--out", str(tmp_path), "--max-steps", "25"]
    for argv in (
        ["--dataset", "data-2", "--variant", "base50:conv_stem=true"],
        ["--dataset", "data-2", "--dataset", "extra", "--variant", "more200:conv_stem=true"],
    ):
        monkeypatch.setattr(sys, "argv", ["browser_ablation.py", *argv, *common])
        module.main()

    rows = json.loads((tmp_path / "ablation.json").read_text())
    assert [(r["variant"], r["datasets"], r["mean"]) for r in rows] == [
        ("base50", ["data-2"], 0.25),
        ("more200", ["data-2", "extra"], 0.5),
    ]
    assert [c[3]["max_steps"] for c in calls] == [25, 25]
    assert calls[0][2] == ["vla/miniwob-form-sequence-2-v0"]
