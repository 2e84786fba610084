"""LightGBM ranker and classifier: train, save and load through the model IO manager, predict identically."""

import dagster as dg
import lightgbm as lgb
import numpy as np
import pandas as pd
import pytest

from hm_assets import columns as c
from hm_assets.io.managers import ModelIOManager
from hm_assets.recsys import rankers, training

WEEKS = ["2020-08-26", "2020-09-02", "2020-09-09"]


def rows(seed: int = 0, customers: int = 60, per_customer: int = 10) -> pd.DataFrame:
    """Planted signal: the bought article has a high ``p_signal``; ``a_colour`` is categorical noise."""
    rng = np.random.default_rng(seed)
    frames = []
    for w, week in enumerate(WEEKS):
        n = customers * per_customer
        signal = rng.normal(size=n).astype(np.float32)
        label = np.zeros(n, dtype=np.int8)
        best = signal.reshape(customers, per_customer).argmax(axis=1) + np.arange(customers) * per_customer
        label[best] = 1
        frames.append(
            pd.DataFrame(
                {
                    "week": week,
                    "customer_id": np.repeat(np.arange(customers, dtype=np.int32) + 1000 * w, per_customer),
                    "article_id": np.tile(np.arange(per_customer, dtype=np.int32), customers),
                    "p_signal": signal,
                    "a_colour": rng.integers(0, 5, n).astype(np.int16),
                    "c_noise": rng.normal(size=n).astype(np.float32),
                    "label": label,
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def roundtrip(tmp_path, model, key: str):
    manager = ModelIOManager(base_path=str(tmp_path))
    out = dg.build_output_context(asset_key=dg.AssetKey(key))
    manager.handle_output(out, model)
    return manager.load_input(dg.build_input_context(asset_key=dg.AssetKey(key), upstream_output=out))


@pytest.mark.parametrize("objective", [rankers.LAMBDARANK, rankers.BINARY])
def test_model_learns_saves_loads_and_predicts_identically(tmp_path, objective):
    data = rows()
    feats = training.feature_columns(data)
    assert feats == ["p_signal", "a_colour", "c_noise"]
    settings = rankers.LgbmSettings(objective=objective, max_rounds=50, early_stopping_rounds=10, min_data_in_leaf=5)
    tune_train, tune_valid, refit = rankers.split_tuning(data)
    tuned, rounds = rankers.train_lgbm(tune_train, tune_valid, feats, ["a_colour"], settings)
    assert rounds == tuned.best_iteration and 1 <= rounds <= 50  # the round early stopping kept
    # both stop on the tuning week's MAP@12 (the classifier too, not on its log loss)
    assert list(tuned.best_score["tuning_week"]) == [f"map@{c.K}"]
    final, used = rankers.train_lgbm(refit, None, feats, ["a_colour"], settings, rounds=rounds)
    assert used == rounds == final.current_iteration()
    scores = rankers.predict(final, tune_valid)
    top = tune_valid.assign(s=scores).sort_values(["customer_id", "s"], ascending=[True, False]).groupby("customer_id").head(1)
    assert top["label"].mean() > 0.8  # the planted signal is found
    loaded = roundtrip(tmp_path, final, f"model_{objective}")
    np.testing.assert_array_equal(rankers.predict(loaded, tune_valid), scores)
    np.testing.assert_array_equal(rankers.predict(final, tune_valid, chunk_rows=7), scores)  # chunking changes nothing
    np.testing.assert_array_equal(rankers.predict(final, tune_valid, num_threads=1), rankers.predict(final, tune_valid, num_threads=2))
    assert rankers.feature_importance(loaded)["feature"].iloc[0] == "p_signal"


def test_training_is_deterministic():
    data = rows(seed=1)
    feats = training.feature_columns(data)
    settings = rankers.LgbmSettings(max_rounds=20, early_stopping_rounds=5, min_data_in_leaf=5)
    a, _ = rankers.train_lgbm(data, None, feats, ["a_colour"], settings, rounds=20)
    b, _ = rankers.train_lgbm(data.sample(frac=1, random_state=2), None, feats, ["a_colour"], settings, rounds=20)
    assert a.model_to_string() == b.model_to_string()  # rows are regrouped before training


def test_first_trees_score_as_a_model_with_only_those_rounds():
    # the blend's screen scores with a model's first trees: boosting adds trees one after the
    # other, so those are the trees (and the scores) of the same model trained for fewer rounds
    data = rows(seed=2)
    feats = training.feature_columns(data)
    settings = rankers.LgbmSettings(objective=rankers.BINARY, max_rounds=30, min_data_in_leaf=5)
    long, _ = rankers.train_lgbm(data, None, feats, ["a_colour"], settings, rounds=30)
    short, _ = rankers.train_lgbm(data, None, feats, ["a_colour"], settings, rounds=5)
    np.testing.assert_allclose(rankers.predict(long, data, trees=5), rankers.predict(short, data), rtol=1e-6)
    assert not np.allclose(rankers.predict(long, data, trees=5), rankers.predict(long, data))
    np.testing.assert_array_equal(rankers.predict(long, data, trees=500), rankers.predict(long, data))  # more than it has: all


def test_customer_parts_keep_customers_whole_within_the_row_limit():
    ids = np.array([1, 1, 1, 2, 3, 3, 4])
    assert rankers.customer_parts(ids, 3) == [slice(0, 3), slice(3, 6), slice(6, 7)]
    # customer 1 has more rows than the limit: a part of its own; 2 and 3 together would be 3 rows
    assert rankers.customer_parts(ids, 2) == [slice(0, 3), slice(3, 4), slice(4, 6), slice(6, 7)]
    assert rankers.customer_parts(ids, 100) == [slice(0, 7)]
    assert rankers.customer_parts(np.array([], dtype=np.int32), 5) == []
    with pytest.raises(ValueError, match="sorted"):
        rankers.customer_parts(np.array([2, 1]), 5)


def test_clear_errors_on_unusable_weeks():
    data = rows()
    settings = rankers.LgbmSettings(max_rounds=5)
    with pytest.raises(ValueError, match="at least two"):
        rankers.split_tuning(data[data.week == WEEKS[0]])
    with pytest.raises(ValueError, match="no positive"):
        rankers.train_lgbm(data.assign(label=0), None, ["p_signal"], [], settings, rounds=3)
    with pytest.raises(ValueError, match="validation week"):
        rankers.train_lgbm(data, data.iloc[:0], ["p_signal"], [], settings)


def test_column_major_inputs_train_and_score_as_row_major_ones():
    # matrix() hands LightGBM a column-major array (no row-major copy): same model, same scores
    data = rows(seed=4)
    feats = training.feature_columns(data)
    settings = rankers.LgbmSettings(objective=rankers.BINARY, min_data_in_leaf=5)
    inputs = rankers.matrix(data, feats, ["a_colour"])
    assert inputs.shape == (len(data), len(feats)) and inputs.flags.f_contiguous
    model, _ = rankers.train_lgbm(data, None, feats, ["a_colour"], settings, rounds=10)
    row_major = lgb.train(settings.params(), lgb.Dataset(np.ascontiguousarray(inputs), data["label"].to_numpy(np.float32),
                                                         group=training.group_sizes(data), feature_name=feats,
                                                         categorical_feature=["a_colour"]), 10)
    mask = np.arange(len(data)) % 3 != 1
    kept = rankers.take_rows(inputs, mask)
    assert kept.flags.f_contiguous
    np.testing.assert_array_equal(kept, inputs[mask])
    np.testing.assert_array_equal(rankers.predict_matrix(model, kept), row_major.predict(np.ascontiguousarray(inputs)[mask]).astype(np.float32))
