"""Releasing a checkpoint, the step after training and evaluation.

- :mod:`vla.release.recipes`: the reproducible recipe of each shipped checkpoint
  (collect -> train -> eval -> ship); ``python -m vla.release.recipes <name>``.
- :mod:`vla.release.model_card`: the model card (``README.md``) of a shipped checkpoint.
- :mod:`vla.release.results`: ``docs/results.md`` from the shipped ``eval_info.json`` files;
  ``python -m vla.release.results``.

This package depends on :mod:`vla.training` and :mod:`vla.evaluation`; neither of them
imports it (tests/test_architecture.py checks that).
"""
