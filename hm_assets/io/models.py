"""Native model formats, written into a fresh folder and swapped in atomically.

- LightGBM: ``model.txt`` (``Booster.save_model``), loaded back as a ``Booster``;
- factor matrices and other arrays: ``arrays.npz`` from a ``{name: ndarray}`` mapping;
- torch: :class:`TorchModel`, a state dict (``state_dict.pt``, tensors only) plus the JSON
  constructor arguments needed to rebuild the module.

Heavy libraries are imported only when a model of that kind is saved or loaded.
"""

import dataclasses
import importlib
import io
import json
from collections.abc import Mapping
from typing import Any

import numpy as np
from upath import UPath

from hm_assets.io import storage

LIGHTGBM = "model.txt"
ARRAYS = "arrays.npz"
TORCH_STATE = "state_dict.pt"
TORCH_SPEC = "torch_model.json"


@dataclasses.dataclass
class TorchModel:
    """A torch module by value: ``module_class`` ("pkg.mod:Class"), its kwargs, and weights."""

    module_class: str
    kwargs: dict
    state_dict: Mapping[str, Any]

    def build(self):
        module_name, cls_name = self.module_class.split(":")
        module = getattr(importlib.import_module(module_name), cls_name)(**self.kwargs)
        module.load_state_dict(self.state_dict)
        return module


def save_model(obj: Any, target: UPath) -> list[UPath]:
    """Write ``obj`` into a new version under ``target`` and publish it atomically."""
    folder = storage.new_version(target)
    names = _write(obj, folder)
    storage.publish(target, folder)
    return [folder / n for n in names]


def _write(obj: Any, folder: UPath) -> list[str]:
    if isinstance(obj, TorchModel):
        import torch

        buf = io.BytesIO()
        torch.save(dict(obj.state_dict), buf)
        (folder / TORCH_STATE).write_bytes(buf.getvalue())
        (folder / TORCH_SPEC).write_text(json.dumps({"module_class": obj.module_class, "kwargs": obj.kwargs}))
        return [TORCH_STATE, TORCH_SPEC]
    if isinstance(obj, Mapping) and all(isinstance(v, np.ndarray) for v in obj.values()):
        buf = io.BytesIO()
        np.savez(buf, **obj)
        (folder / ARRAYS).write_bytes(buf.getvalue())
        return [ARRAYS]
    booster = getattr(obj, "booster_", obj)  # sklearn-style LightGBM wrappers hold a Booster
    if type(booster).__module__.startswith("lightgbm") and hasattr(booster, "model_to_string"):
        (folder / LIGHTGBM).write_text(booster.model_to_string())
        return [LIGHTGBM]
    raise TypeError(f"no native format for {type(obj).__name__}; see hm_assets.io.models")


def load_model(target: UPath) -> Any:
    target = storage.current_version(target)
    if (target / LIGHTGBM).exists():
        import lightgbm

        return lightgbm.Booster(model_str=(target / LIGHTGBM).read_text())
    if (target / ARRAYS).exists():
        with np.load(io.BytesIO((target / ARRAYS).read_bytes())) as npz:
            return {k: npz[k] for k in npz.files}
    if (target / TORCH_STATE).exists():
        import torch

        spec = json.loads((target / TORCH_SPEC).read_text())
        state = torch.load(io.BytesIO((target / TORCH_STATE).read_bytes()), weights_only=True)
        return TorchModel(spec["module_class"], spec["kwargs"], state)
    raise FileNotFoundError(f"no model file in {target}")
