"""transformers citizenship: the Auto classes after a bare ``import vla``, ``auto_map`` with
``trust_remote_code``, the image processor and the ``ProcessorMixin`` processor (issue 18).

The "after ``import vla``" checks run in fresh interpreters: in this one ``vla.model`` is
already imported (and registered) by other tests.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import numpy as np
import pytest
import torch

from vla.hub import resolve_checkpoint

SHIPPED = ("vla-browser-tiny", "vla-robot-tiny")


def _python(code: str, tmp_path, **env: str) -> str:
    """Run ``code`` in a fresh interpreter (HF caches under ``tmp_path``); return its stdout."""
    environ = {**os.environ, "HF_HOME": str(tmp_path / "hf"), "OMP_NUM_THREADS": "1", **env}
    done = subprocess.run(
        [sys.executable, "-c", textwrap.dedent(code)],
        capture_output=True,
        text=True,
        env=environ,
        stdin=subprocess.DEVNULL,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    return done.stdout


def test_import_vla_loads_neither_torch_nor_transformers(tmp_path):
    out = _python(
        """
        import sys, vla
        print([m for m in ("torch", "transformers", "huggingface_hub") if m in sys.modules])
        print([type(f).__name__ for f in sys.meta_path if type(f).__module__.startswith("vla")])
        """,
        tmp_path,
    )
    assert out.split("\n")[:2] == ["[]", "['_RegisterHook']"]


def test_auto_classes_load_both_shipped_checkpoints_after_import_vla(tmp_path):
    out = _python(
        f"""
        import json, sys
        import numpy as np
        import vla
        from transformers import AutoConfig, AutoModel, AutoProcessor
        from vla.hub import resolve_checkpoint

        for name in {SHIPPED!r}:
            path = resolve_checkpoint(name)
            config = AutoConfig.from_pretrained(path)
            model = AutoModel.from_pretrained(path)
            processor = AutoProcessor.from_pretrained(path)
            batch = processor(images=np.zeros((60, 90, 3), np.uint8), text="click the button")
            out = model(**{{k: v for k, v in batch.items() if k != "image_sizes"}})
            print(json.dumps([type(config).__name__, type(model).__name__,
                              type(processor).__name__, list(out.logits.shape)]))
        print([m for m in sys.meta_path if type(m).__name__ == "_RegisterHook"])
        """,
        tmp_path,
    )
    lines = out.strip().splitlines()
    for line in lines[:2]:
        config, model, processor, shape = json.loads(line)
        assert (config, model, processor) == (
            "VLAConfig",
            "VLAForActionPrediction",
            "VLAAutoProcessor",
        )
        assert shape[0] == 1 and shape[2] > 256
    assert lines[2] == "[]"  # the finder removed itself once it registered


def test_registration_waits_for_a_half_imported_transformers(tmp_path):
    """transformers loads its auto package from inside ``modeling_utils`` and model modules;
    registering right then would import the VLA model against half-initialised modules."""
    out = _python(
        """
        import vla
        from transformers import LlamaModel
        from transformers import AutoConfig
        from vla.hub import resolve_checkpoint
        print(type(AutoConfig.from_pretrained(resolve_checkpoint("vla-robot-tiny"))).__name__)
        """,
        tmp_path,
    )
    assert out.strip() == "VLAConfig"


def test_saved_folder_loads_with_trust_remote_code_without_import_vla(tmp_path):
    from vla.model import VLAAutoProcessor
    from vla.policy import Policy

    policy = Policy.from_pretrained("vla-robot-tiny", device="cpu")
    folder = tmp_path / "ckpt"
    policy.save_pretrained(folder)
    VLAAutoProcessor.from_vla_processor(policy.processor).save_pretrained(folder)
    config = json.loads((folder / "config.json").read_text())
    assert config["auto_map"]["AutoModel"] == "vla_auto.VLAForActionPrediction"
    assert json.loads((folder / "processor_config.json").read_text())["auto_map"]
    out = _python(
        f"""
        import sys
        from transformers import AutoConfig, AutoModel, AutoProcessor
        path = {str(folder)!r}
        try:
            AutoConfig.from_pretrained(path)
        except ValueError as err:
            print("refused" if "trust_remote_code" in str(err) else err)
        kw = dict(trust_remote_code=True)
        print(type(AutoConfig.from_pretrained(path, **kw)).__module__)
        print(type(AutoModel.from_pretrained(path, **kw)).__module__)
        print(type(AutoProcessor.from_pretrained(path, **kw)).__module__)
        """,
        tmp_path,
    )
    # transformers prints its trust_remote_code prompt to stdout before refusing
    assert "refused" in out
    # the classes are the installed package's, not copies of code in the folder
    assert out.strip().splitlines()[-3:] == [
        "vla.model.configuration_vla",
        "vla.model.modeling_vla",
        "vla.model.processing_auto",
    ]


def test_auto_processor_gives_the_policy_processor_tensors(tmp_path):
    from transformers import AutoImageProcessor, AutoProcessor

    from vla.model import VLAAutoProcessor, VLAProcessor

    path = resolve_checkpoint("vla-robot-tiny")
    ours = VLAProcessor.from_pretrained(path)
    auto = AutoProcessor.from_pretrained(path)
    assert isinstance(auto, VLAAutoProcessor)
    rng = np.random.default_rng(0)
    images = [rng.integers(0, 256, (h, 70, 3), dtype=np.uint8) for h in (50, 80)]
    states = [rng.normal(size=7).astype(np.float32), None]
    want = ours(images, ["reach the cube", "push"], states=states)
    got = auto(images=images, text=["reach the cube", "push"], states=states)
    assert set(got) == set(want)
    for key in want:
        assert torch.equal(got[key], want[key]), key
    auto.save_pretrained(tmp_path / "p")
    again = AutoProcessor.from_pretrained(tmp_path / "p")
    assert again.action_language.stats == auto.action_language.stats
    image_processor = AutoImageProcessor.from_pretrained(tmp_path / "p")
    pixels = image_processor(images)["pixel_values"]
    views = want["pixel_values"]  # [B, V, C, H, W]: the checkpoint reads a front and a wrist view
    assert views.shape[1] == 2 and not views[:, 1].any()  # given one image, the wrist is masked
    assert torch.equal(pixels, views[:, 0])


def test_image_processor_checks_its_size():
    from vla.model import VLAImageProcessor

    with pytest.raises(ValueError, match=r"Got 0 for `size\['width'\]`"):
        VLAImageProcessor(size={"height": 80, "width": 0})
    with pytest.raises(ValueError, match="uint8"):
        VLAImageProcessor()([np.zeros((4, 4, 3), np.float32)])


def test_hub_repo_id_fails_with_one_line_when_offline(tmp_path):
    out = _python(
        """
        from vla import Policy
        try:
            Policy.from_pretrained("someone/some-vla-model")
        except FileNotFoundError as err:
            print(err)
        """,
        tmp_path,
        HF_HUB_OFFLINE="1",
    )
    message = out.strip()
    assert "\n" not in message
    assert "'someone/some-vla-model'" in message and "HF_HUB_OFFLINE" in message
    assert "Policy.from_pretrained('DIR')" in message


def test_a_local_folder_wins_over_a_hub_id(tmp_path, monkeypatch):
    from vla.hub import find_checkpoint, is_hub_repo_id

    monkeypatch.chdir(tmp_path)
    assert is_hub_repo_id("owner/name")
    (tmp_path / "owner" / "name").mkdir(parents=True)
    assert not is_hub_repo_id("owner/name")
    assert find_checkpoint("owner/name") is not None
    with pytest.raises(FileNotFoundError, match="missing"):
        resolve_checkpoint("owner/name")  # the empty folder, not the Hub
    assert not is_hub_repo_id("vla-robot-tiny") and not is_hub_repo_id("a/b/c")
