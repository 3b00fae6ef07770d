"""Releasing a checkpoint, the step after training and evaluation.

- :mod:`vla.release.recipes`: the reproducible recipe of each shipped checkpoint
  (collect -> train -> eval -> ship); ``python -m vla.release.recipes <name>``.
- :mod:`vla.release.model_card`: the model card (``README.md``) of a shipped checkpoint, a
  ``huggingface_hub.ModelCard`` with YAML metadata; ``python -m vla.release.refresh_cards NAME``
  regenerates a shipped card (:mod:`vla.release.refresh_cards`).
- :mod:`vla.release.results`: ``docs/results.md`` from the shipped ``eval_info.json`` files;
  ``python -m vla.release.results``.

This package depends on :mod:`vla.training` and :mod:`vla.evaluation`; neither of them
imports it (tests/test_architecture.py checks that).
"""
