"""Training targets for robot action chunks and multi-view samples (issue 14), on a real
dataset collected from ``vla/panda-reach-v0`` with two cameras."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from vla_training_fakes import TINY

from vla.actions import EEDelta
from vla.model import VLAConfig, VLAForActionPrediction, VLAProcessor
from vla.training.data import ChunkTargets, Collator

pytestmark = [pytest.mark.robot]


@pytest.fixture(scope="module")
def dataset_path(tmp_path_factory):
    from vla.datasets import CollectConfig, collect

    out = tmp_path_factory.mktemp("reach")
    env_kwargs = {"cameras": ["scene", "wrist"], "image_size": 32}
    collect(
        CollectConfig(
            env_ids=["vla/panda-reach-v0"], episodes=3, out=out, workers=0, progress=False,
            env_kwargs=env_kwargs,
        )
    )  # fmt: skip
    return str(out)


@pytest.fixture(scope="module")
def dataset(dataset_path):
    from vla.datasets import EpisodeDataset

    return EpisodeDataset(dataset_path, split="all")


@pytest.mark.parametrize("k", [1, 4, 8])
def test_each_step_gets_the_next_k_actions_of_its_own_episode(dataset, k):
    targets = ChunkTargets(dataset, k)
    assert len(targets) == len(dataset)
    for e in range(len(dataset.episodes)):
        steps = dataset.episode_steps(e)
        own = [dataset[j]["action"] for j in steps]
        for n, i in enumerate(steps):
            item = targets[i]
            expected = (own[n : n + k] + [own[-1]] * k)[:k]
            assert item["action"] == (expected if k > 1 else own[n])
            assert item["frame_index"] == dataset[i]["frame_index"]
    last = targets[dataset.episode_steps(0)[-1]]["action"]
    if k > 1:  # past the end: the last action repeated, never the next episode's first
        assert last == [own_last := dataset[dataset.episode_steps(0)[-1]]["action"]] * k
        assert isinstance(own_last, EEDelta)


def test_multi_view_chunk_batches_train(dataset):
    cfg = VLAConfig.from_preset(
        "vla-tiny", **TINY, chunk_size=4, parallel_decoding=True, view_names=["wrist", "scene"]
    )
    proc = VLAProcessor.from_config(cfg)
    from vla.datasets import load_stats

    proc.tokenizer.set_stats(load_stats([dataset.roots[0]]))
    items = [ChunkTargets(dataset, 4)[i] for i in (0, 5, 17)]
    assert all(set(it["images"]) == {"scene", "wrist"} for it in items)
    from vla.training.augment import AugmentConfig

    batch = Collator(proc, AugmentConfig(p_geometric=1.0, p_color=1.0), seed=0)(items)
    assert batch["pixel_values"].shape == (3, 2, 3, 32, 32) and batch["view_mask"].all()
    # wrist first: the model's view order, not the dataset's
    plain = Collator(proc)(items)
    np.testing.assert_allclose(
        plain["pixel_values"][0, 0].numpy(),
        proc.pixel_values([items[0]["images"]["wrist"]])[0].numpy(),
    )
    targets = (batch["labels"] != -100).sum(-1)
    assert targets.tolist() == [2 + 4 * 7] * 3  # verb, 4 x 7 values, EOS
    torch.manual_seed(0)
    model = VLAForActionPrediction(cfg)
    loss = model(**{k: v for k, v in batch.items() if k != "image_sizes"}).loss
    loss.backward()
    assert torch.isfinite(loss) and model.view_embedding.weight.grad.abs().sum() > 0


def test_a_model_reads_only_its_own_views_of_a_dataset_with_more_cameras(dataset):
    cfg = VLAConfig.from_preset("vla-tiny", **TINY, view_names=["wrist"])
    proc = VLAProcessor.from_config(cfg)
    from vla.datasets import load_stats

    proc.tokenizer.set_stats(load_stats([dataset.roots[0]]))
    items = [dataset[i] for i in (0, 5)]
    batch = Collator(proc)(items)  # the scene camera is in the data, not in the model
    assert batch["pixel_values"].shape == (2, 1, 3, 32, 32)
    np.testing.assert_allclose(
        batch["pixel_values"][1, 0].numpy(),
        proc.pixel_values([items[1]["images"]["wrist"]])[0].numpy(),
    )


def test_train_runs_with_chunks_and_views(dataset_path, tmp_path):
    from vla import Policy
    from vla.training import TrainConfig, train

    overrides = {
        **TINY,
        "chunk_size": 4,
        "parallel_decoding": True,
        "view_names": ["scene", "wrist"],
    }
    result = train(
        TrainConfig(
            datasets=[dataset_path], out=str(tmp_path / "run"), steps=2, batch_size=4,
            val_fraction=0.34, log_every=1, val_decode_samples=2, progress=False,
            warmup_steps=1, model_overrides=overrides,
        )
    )  # fmt: skip
    assert result.steps == 2 and np.isfinite(result.metrics["val/loss"])
    policy = Policy.from_pretrained(tmp_path / "run", device="cpu")
    assert policy.view_names == ("scene", "wrist")
    image = np.zeros((32, 32, 3), np.uint8)
    chunk = policy.act_chunk(image, "reach", np.zeros(14, np.float32), views={"wrist": image})
    assert len(chunk) == 4 and all(isinstance(a, EEDelta) for a in chunk)


def test_state_dropout_hides_the_state_of_that_share_of_samples(dataset):
    cfg = VLAConfig.from_preset("vla-tiny", **TINY, view_names=["wrist"])
    proc = VLAProcessor.from_config(cfg)
    from vla.datasets import load_stats
    from vla.training import TrainConfig

    proc.tokenizer.set_stats(load_stats([dataset.roots[0]]))
    items = [dataset[i % len(dataset)] for i in range(40)]
    full = Collator(proc)(items)
    assert full["state_mask"].all()
    assert not Collator(proc, state_dropout=1.0)(items)["state_mask"].any()
    half = Collator(proc, seed=3, state_dropout=0.5)(items)
    shown = half["state_mask"]
    assert 8 <= int(shown.sum()) <= 32  # about half, drawn per sample
    np.testing.assert_allclose(half["states"][shown].numpy(), full["states"][shown].numpy())
    assert not half["states"][~shown].any()  # the hidden ones are the model's "no state"
    with pytest.raises(ValueError, match="state_dropout"):
        TrainConfig(datasets=["x"], state_dropout=1.5)


def test_first_frame_repeat_draws_each_episodes_first_frame_again(dataset_path, tmp_path):
    from collections import Counter

    from vla.training import TrainConfig
    from vla.training.setup import build_data

    cfg = TrainConfig(
        datasets=[dataset_path], out=str(tmp_path), first_frame_repeat=2, val_fraction=0.0
    )
    data = build_data(cfg)
    firsts = data.first_frames()
    assert len(firsts) == 3 and all(data.train[i]["frame_index"] == 0 for i in firsts)
    loader = data.train_loader(VLAProcessor.from_config(VLAConfig.from_preset("vla-tiny", **TINY)))
    counts = Counter(loader.sampler)
    assert len(loader.sampler) == len(data.train) + 2 * 3
    assert all(counts[i] == (3 if i in firsts else 1) for i in range(len(data.train)))
    with pytest.raises(ValueError, match="first_frame_repeat"):
        TrainConfig(datasets=["x"], first_frame_repeat=-1)
