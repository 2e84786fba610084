"""The torch DNN ranker: feature spec, learning a known rule, reproducibility, storage, bad rows."""

import json

import numpy as np
import pandas as pd
import pytest
from upath import UPath

from hm_assets.io import models
from hm_assets.recsys import dnn

GOOD_COLOURS = [1, 4, 7]


def ranking_problem(n_customers: int, n_candidates: int, seed: int) -> pd.DataFrame:
    """Each customer buys the 2 candidates with the highest ``x + 1.5 * [colour is good]``.

    ``noise`` is unrelated to the label and 10% NaN; rows are shuffled (groups not contiguous).
    """
    rng = np.random.default_rng(seed)
    n = n_customers * n_candidates
    frame = pd.DataFrame(
        {
            "customer_id": np.repeat(np.arange(n_customers, dtype=np.int32), n_candidates),
            "article_id": rng.integers(100_000_000, 100_000_300, n).astype(np.int32),
            "colour": rng.integers(0, 10, n).astype(np.int16),
            "x": rng.normal(size=n).astype(np.float32),
            "noise": np.where(rng.random(n) < 0.1, np.nan, rng.normal(size=n)).astype(np.float32),
        }
    )
    utility = frame["x"].to_numpy() + 1.5 * frame["colour"].isin(GOOD_COLOURS).to_numpy()
    rank = pd.Series(-utility).groupby(frame["customer_id"]).rank(method="first")
    frame["label"] = (rank <= 2).to_numpy().astype(np.int8)
    return frame.sample(frac=1.0, random_state=seed).reset_index(drop=True)


CONFIG = dnn.DNNConfig(epochs=8, batch_size=512, hidden=(32,), embedding_dim=8, hash_buckets=64, patience=3, seed=0)
FEATURES = dict(label="label", categorical=["colour"], numeric=["x", "noise"], hashed=["article_id"])


@pytest.fixture(scope="module")
def problem():
    return ranking_problem(300, 20, seed=0), ranking_problem(150, 20, seed=1)


@pytest.fixture(scope="module")
def trained(problem):
    train, valid = problem
    return dnn.train_dnn(train, valid, config=CONFIG, **FEATURES)


def map_of(frame: pd.DataFrame, scores: np.ndarray) -> float:
    spec = dnn.FeatureSpec.fit(frame, categorical=["colour"], numeric=[])
    encoded = dnn._Encoded.build(frame, spec, "label", "customer_id")
    return dnn._map_at_k(encoded, scores[encoded.order])


def test_spec_encodes_hand_worked_values():
    train = pd.DataFrame(
        {"colour": [5, 3, 5, np.nan], "x": [1.0, 3.0, np.nan, 2.0], "y": [4.0, 4.0, 4.0, 4.0], "id": [7, 8, 9, 10]}
    )
    spec = dnn.FeatureSpec.fit(train, categorical=["colour"], numeric=["x", "y"], hashed=["id"], hash_buckets=16)
    # vocabulary sorted by value, index 0 reserved; mean/std over the non-missing values;
    # a constant column gets std 1; only x had NaNs, so only x gets a missing indicator
    assert spec.categorical == {"colour": [3, 5]}
    assert spec.numeric == {"x": [2.0, pytest.approx(np.sqrt(2 / 3))], "y": [4.0, 1.0]}
    assert spec.missing_indicators == ["x"]

    score = pd.DataFrame({"colour": [3, 5, 99, np.nan], "x": [2.0, np.nan, np.inf, 2.0 + np.sqrt(2 / 3)],
                          "y": [5.0, np.nan, 4.0, 4.0], "id": [7, 7, -1, 123456789]})
    indices, dense = spec.encode(score)
    assert indices[:, 0].tolist() == [1, 2, 0, 0]  # unknown 99 and NaN -> reserved 0
    hashed = indices[:, 1]
    assert hashed[0] == hashed[1] and hashed[2] == 0 and 1 <= hashed[3] < 16
    np.testing.assert_allclose(dense[:, 0], [0.0, 0.0, dnn._CLIP, 1.0], atol=1e-6)  # NaN -> mean, inf clipped
    np.testing.assert_allclose(dense[:, 1], [1.0, 0.0, 0.0, 0.0])  # y: NaN at scoring, no indicator
    np.testing.assert_array_equal(dense[:, 2], [0, 1, 1, 0])  # x's missing indicator (inf counts)
    assert indices.dtype == np.int64 and dense.dtype == np.float32


def test_spec_log_scales_skewed_counts_only():
    # nine 0s and one e**3 - 1: skewness (1 - 2p) / sqrt(p (1 - p)) = 2.67 with p = 0.1, so log1p;
    # log1p values nine 0s and one 3: mean 0.3, std 3 * sqrt(0.1 * 0.9) = 0.9
    counts = [0.0] * 9 + [np.e**3 - 1]
    train = pd.DataFrame({"n": counts, "signed": [-c for c in counts], "flat": np.arange(10.0)})
    spec = dnn.FeatureSpec.fit(train, categorical=[], numeric=["n", "signed", "flat"])
    assert spec.log_scaled == ["n"]  # a column with negatives, or not skewed, stays linear
    assert spec.numeric["n"] == [pytest.approx(0.3), pytest.approx(0.9)]
    _, dense = spec.encode(pd.DataFrame({"n": [np.e**3 - 1, 0.0, -5.0], "signed": 0.0, "flat": 4.5}))
    np.testing.assert_allclose(dense[:, 0], [3.0, -1 / 3, -1 / 3], rtol=1e-5)  # an unseen negative counts as 0
    np.testing.assert_allclose(dense[:, 2], [0.0, 0.0, 0.0], atol=1e-6)


def test_spec_treats_codes_alike_across_dtypes():
    spec = dnn.FeatureSpec.fit(pd.DataFrame({"colour": np.array([2, 9], np.int16)}), categorical=["colour"], numeric=[])
    as_float = pd.Series([9.0, np.nan, 2.0])
    as_nullable = pd.Series([9, None, 2], dtype="Int32")
    as_category = pd.Series([9, 7, 2]).astype("category")
    for series in (as_float, as_nullable, as_category):
        indices, _ = spec.encode(pd.DataFrame({"colour": series}))
        assert indices[:, 0].tolist() == [2, 0, 1], series.dtype


def test_spec_vocabulary_keeps_the_most_frequent_values():
    frame = pd.DataFrame({"s": ["b", "a", "a", "c", "c", "c"]})
    spec = dnn.FeatureSpec.fit(frame, categorical=["s"], numeric=[], max_vocab=2)
    assert spec.categorical == {"s": ["a", "c"]}
    assert spec.encode(frame)[0][:, 0].tolist() == [0, 1, 1, 2, 2, 2]


def test_spec_round_trips_through_json(problem):
    train, valid = problem
    spec = dnn.FeatureSpec.fit(train, categorical=["colour"], numeric=["x", "noise"], hashed=["article_id"])
    again = dnn.FeatureSpec.from_dict(json.loads(json.dumps(spec.to_dict())))
    assert again == spec
    for mine, theirs in zip(spec.encode(valid), again.encode(valid)):
        np.testing.assert_array_equal(mine, theirs)


def test_learns_a_known_rule_far_better_than_random(problem, trained):
    _, valid = problem
    model, info = trained
    scores = dnn.predict_dnn(model, valid)
    random_scores = np.random.default_rng(0).random(len(valid)).astype(np.float32)
    learned, random = map_of(valid, scores), map_of(valid, random_scores)
    # 2 positives among 20 candidates: a random order scores about 0.2, the rule itself 1.0
    assert random < 0.3
    assert learned > 0.85, (learned, info["valid_map_at_12"])  # 0.946 when written
    assert info["best_valid_map_at_12"] == pytest.approx(learned, abs=1e-9)
    curve = info["valid_map_at_12"]
    assert info["best_epoch"] == int(np.argmax(curve)) + 1  # the first epoch with the best W-1 MAP@12 is kept
    assert len(curve) == min(CONFIG.epochs, info["best_epoch"] + CONFIG.patience)  # stopped `patience` epochs after it
    assert scores.dtype == np.float32 and scores.shape == (len(valid),)


def test_bce_loss_also_learns(problem):
    train, valid = problem
    model, _ = dnn.train_dnn(train, None, config=dnn.DNNConfig(**{**vars(CONFIG), "loss": "bce"}), **FEATURES)
    assert map_of(valid, dnn.predict_dnn(model, valid)) > 0.8  # 0.896 when written


def test_same_seed_same_model_other_seed_other_model(problem, trained):
    train, valid = problem
    again, info = dnn.train_dnn(train, valid, config=CONFIG, **FEATURES)
    np.testing.assert_array_equal(dnn.predict_dnn(again, valid), dnn.predict_dnn(trained[0], valid))
    assert info["valid_map_at_12"] == trained[1]["valid_map_at_12"]
    other, _ = dnn.train_dnn(train, valid, config=dnn.DNNConfig(**{**vars(CONFIG), "seed": 1}), **FEATURES)
    assert not np.array_equal(dnn.predict_dnn(other, valid), dnn.predict_dnn(trained[0], valid))


def test_without_valid_trains_all_epochs(problem):
    train, valid = problem
    model, info = dnn.train_dnn(train, None, config=dnn.DNNConfig(**{**vars(CONFIG), "epochs": 2}), **FEATURES)
    assert info["best_epoch"] == 2 and info["valid_map_at_12"] == []
    assert np.isfinite(dnn.predict_dnn(model, valid)).all()


def test_saved_model_predicts_identically(tmp_path, problem, trained):
    _, valid = problem
    model, _ = trained
    json.dumps(model.kwargs)  # the model IO manager stores the kwargs as JSON
    models.save_model(model, UPath(tmp_path) / "dnn_ranker")
    loaded = models.load_model(UPath(tmp_path) / "dnn_ranker")
    assert isinstance(loaded, models.TorchModel) and loaded.module_class == dnn.MODULE_CLASS
    expected = dnn.predict_dnn(model, valid)
    np.testing.assert_array_equal(dnn.predict_dnn(loaded, valid), expected)
    module = loaded.build()
    assert isinstance(module, dnn.DNNRanker)
    np.testing.assert_array_equal(dnn.predict_dnn(module, valid), expected)
    # padded batches: another batch size, or scoring a slice alone, changes no bit
    for rows in (1, 7, 77, 333):
        np.testing.assert_array_equal(dnn.predict_dnn(module, valid, batch_rows=rows), expected)
    np.testing.assert_array_equal(dnn.predict_dnn(module, valid.iloc[5:12]), expected[5:12])
    # the blend scores with every core: two threads give the same scores as one
    np.testing.assert_array_equal(dnn.predict_dnn(module, valid, threads=2), expected)


def test_unknown_categories_and_nans_at_scoring_do_not_crash(problem, trained):
    _, valid = problem
    odd = valid.head(6).copy()
    odd["colour"] = pd.Series([99, -1, 4, 4, 4, 4], dtype="Int16")
    odd.loc[odd.index[2], "colour"] = pd.NA
    odd["x"] = [np.nan, 0.0, np.inf, -np.inf, 1e30, 0.0]
    odd["noise"] = np.nan
    odd["article_id"] = [999_999_999, -1, 0, 5, 5, 5]
    scores = dnn.predict_dnn(trained[0], odd)
    assert np.isfinite(scores).all() and scores.shape == (6,)


def test_bad_input_names_the_column(problem):
    train, _ = problem
    with pytest.raises(KeyError, match="missing_col"):
        dnn.train_dnn(train, None, label="label", categorical=["missing_col"], numeric=["x"], config=CONFIG)
    with pytest.raises(TypeError, match="'s'"):
        dnn.train_dnn(train.assign(s="a"), None, label="label", categorical=[], numeric=["s"], config=CONFIG)
    with pytest.raises(ValueError, match="no positive"):
        dnn.train_dnn(train.assign(label=0), None, config=CONFIG, **FEATURES)


def test_device_defaults_to_cuda_only_when_available(monkeypatch):
    assert dnn.default_device("cpu").type == "cpu"
    monkeypatch.setattr(dnn.torch.cuda, "is_available", lambda: True)
    assert dnn.default_device().type == "cuda"
    monkeypatch.setattr(dnn.torch.cuda, "is_available", lambda: False)
    assert dnn.default_device().type == "cpu"


def test_batches_cover_each_trainable_group_once_and_never_split_one():
    # groups (sorted): 0 -> rows 0-2 (a positive), 1 -> rows 3-4 (none), 2 -> rows 5-9 (a positive), 3 -> row 10 (one)
    frame = pd.DataFrame({"g": [0, 0, 0, 1, 1, 2, 2, 2, 2, 2, 3], "label": [0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 1]})
    spec = dnn.FeatureSpec.fit(frame, categorical=[], numeric=[])
    data = dnn._Encoded.build(frame, spec, "label", "g")
    assert data.starts.tolist() == [0, 3, 5, 10, 11]
    groups = dnn._trainable_groups(data, "listwise")
    assert groups.tolist() == [0, 2, 3]  # group 1 has no positive: no listwise signal
    assert dnn._trainable_groups(data, "bce").tolist() == [0, 1, 2, 3]
    batches = list(dnn._batches(data, groups, batch_size=4, rng=np.random.default_rng(0)))
    rows = np.concatenate([r for r, _, _ in batches])
    assert sorted(rows.tolist()) == [0, 1, 2, 5, 6, 7, 8, 9, 10]
    for r, gid, n in batches:
        group_of_row = np.searchsorted(data.starts, r, side="right") - 1
        assert n == len(np.unique(group_of_row)) and gid.max() == n - 1
        for g in np.unique(group_of_row):  # a group is whole within its batch
            assert (group_of_row == g).sum() == data.starts[g + 1] - data.starts[g]
        # gid numbers the batch's groups 0.. in the order they come
        np.testing.assert_array_equal(np.diff(gid) != 0, np.diff(group_of_row) != 0)
        assert gid[0] == 0 and (np.diff(gid) >= 0).all()
