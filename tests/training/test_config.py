"""TrainConfig checks itself; the training-data record round-trips seeds as ranges."""

from __future__ import annotations

import pytest

from vla.hub import training_seeds
from vla.training import TrainConfig
from vla.training.data import EpochSampler, summarize_episodes


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"batch_size": 0}, "batch_size"),
        ({"lr": -1.0}, "lr"),
        ({"steps": 0}, "steps"),
        ({"val_fraction": 1.0}, "val_fraction"),
        ({"augment": "flip"}, "augment"),
        ({"grad_accum": 0}, "grad_accum"),
        ({"log_with": "tensorbord"}, "log_with"),
    ],
)
def test_bad_values_name_the_field(kwargs, field):
    with pytest.raises(ValueError, match=f"`{field}`"):
        TrainConfig(datasets=["d"], **kwargs)


def test_needs_a_dataset_and_round_trips():
    with pytest.raises(ValueError, match="datasets"):
        TrainConfig(datasets=[])
    cfg = TrainConfig(datasets="data/x", steps=5)
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg
    with pytest.raises(ValueError, match="unknown TrainConfig field"):
        TrainConfig.from_dict({"datasets": ["d"], "learning_rate": 1})


def test_overrides_of_a_saved_model_are_refused_not_ignored(tmp_path):
    with pytest.raises(ValueError, match=r"`model_overrides`.*config\.json"):
        TrainConfig(datasets=["d"], config=str(tmp_path), model_overrides={"copy_case": True})
    TrainConfig(datasets=["d"], config=str(tmp_path))
    TrainConfig(datasets=["d"], config="vla-tiny", model_overrides={"copy_case": True})


def test_seed_ranges():
    record = summarize_episodes([("a", s) for s in (0, 1, 2, 5, 7, 8)] + [("b", 3)], ["x"])
    assert record["seed_ranges"]["a"] == [[0, 2], [5, 5], [7, 8]]
    assert training_seeds(record, "a") == {0, 1, 2, 5, 7, 8}
    assert training_seeds(record, "zzz") == set()


def test_epoch_sampler_is_a_seeded_permutation():
    s = EpochSampler(50, seed=3)
    first = list(s)
    assert sorted(first) == list(range(50)) and list(s) == first
    s.set_epoch(1)
    assert list(s) != first
