"""Round trips through the model IO manager: LightGBM (Booster and sklearn ranker), npz arrays, torch.

Each model is saved by ``ModelIOManager.handle_output`` (or ``save_model``), read back by
``load_input`` (or ``load_model``) and must predict exactly as before.
"""

import dagster as dg
import lightgbm
import numpy as np
import pandas as pd
import pytest
from upath import UPath

from hm_assets.io import models
from hm_assets.io.managers import ModelIOManager
from hm_assets.recsys import dnn

PARTITIONS = dg.StaticPartitionsDefinition(["2020-09-16", "2020-09-23"])


def ranking_data(seed: int = 0, n_groups: int = 30, per_group: int = 8):
    rng = np.random.default_rng(seed)
    n = n_groups * per_group
    x = rng.normal(size=(n, 4)).astype(np.float32)
    x[:, 3] = rng.integers(0, 5, n)  # a categorical code
    y = ((x[:, 0] + (x[:, 3] == 2) + 0.3 * rng.normal(size=n)) > 0.8).astype(np.int32)
    return x, y, np.full(n_groups, per_group)


def round_trip(manager: ModelIOManager, obj, asset: str, partition: str | None = None):
    kwargs = {"asset_key": dg.AssetKey(asset)}
    if partition is not None:
        kwargs |= {"partition_key": partition, "asset_partitions_def": PARTITIONS}
    manager.handle_output(dg.build_output_context(**kwargs), obj)
    return manager.load_input(dg.build_input_context(**kwargs))


@pytest.fixture
def manager(tmp_path) -> ModelIOManager:
    return ModelIOManager(base_path=str(tmp_path))


def test_lgbm_ranker_round_trips_through_the_io_manager(manager, tmp_path):
    x, y, groups = ranking_data()
    ranker = lightgbm.LGBMRanker(n_estimators=10, num_leaves=7, min_child_samples=5, verbose=-1, random_state=0)
    ranker.fit(x, y, group=groups, categorical_feature=[3])
    loaded = round_trip(manager, ranker, "lgbm_ranker", "2020-09-16")
    assert isinstance(loaded, lightgbm.Booster)
    assert (tmp_path / "models" / "lgbm_ranker" / "2020-09-16").is_dir()
    fresh, _, _ = ranking_data(seed=1)
    np.testing.assert_array_equal(loaded.predict(fresh), ranker.predict(fresh))
    assert loaded.num_trees() == ranker.booster_.num_trees()
    assert loaded.pandas_categorical == ranker.booster_.pandas_categorical


def test_lgbm_booster_with_pandas_categoricals_round_trips(tmp_path):
    x, y, _ = ranking_data()
    frame = pd.DataFrame(x[:, :3], columns=["a", "b", "c"]).assign(colour=pd.Categorical(x[:, 3].astype(int)))
    booster = lightgbm.train(
        {"objective": "binary", "num_leaves": 7, "min_data_in_leaf": 5, "verbose": -1, "seed": 0},
        lightgbm.Dataset(frame, y), num_boost_round=10,
    )
    models.save_model(booster, UPath(tmp_path) / "lgbm_classifier")
    loaded = models.load_model(UPath(tmp_path) / "lgbm_classifier")
    # the category mapping travels in the text model, so a frame with categories predicts alike
    np.testing.assert_array_equal(loaded.predict(frame), booster.predict(frame))
    assert loaded.feature_name() == ["a", "b", "c", "colour"]


def test_arrays_round_trip_exactly(manager):
    arrays = {
        "users": np.arange(12, dtype=np.float32).reshape(3, 4) / 7,
        "items": np.array([[1.5, -2.0]], dtype=np.float64),
        "ids": np.array([100000001, 2**31 - 1], dtype=np.int32),
    }
    loaded = round_trip(manager, arrays, "als_factors")
    assert loaded.keys() == arrays.keys()
    for name, values in arrays.items():
        assert loaded[name].dtype == values.dtype
        np.testing.assert_array_equal(loaded[name], values)


def test_torch_model_round_trips_through_the_io_manager(manager):
    frame = pd.DataFrame(
        {
            "customer_id": np.repeat(np.arange(20, dtype=np.int32), 5),
            "colour": np.tile(np.arange(5), 20),
            "x": np.linspace(-1, 1, 100, dtype=np.float32),
        }
    )
    frame["label"] = (frame["colour"] == 3).astype(np.int8)
    config = dnn.DNNConfig(epochs=1, batch_size=32, hidden=(8,), embedding_dim=4)
    model, _ = dnn.train_dnn(frame, None, label="label", categorical=["colour"], numeric=["x"], config=config)
    loaded = round_trip(manager, model, "dnn_ranker", "2020-09-23")
    assert isinstance(loaded, models.TorchModel) and loaded.kwargs == model.kwargs
    np.testing.assert_array_equal(dnn.predict_dnn(loaded, frame), dnn.predict_dnn(model, frame))


def test_a_live_object_is_refused(manager):
    with pytest.raises(TypeError, match="no native format"):
        round_trip(manager, object(), "not_a_model")
