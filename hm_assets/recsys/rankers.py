"""LightGBM rankers over the training rows: a lambdarank ranker and a binary classifier.

Both learn from :mod:`hm_assets.recsys.training` rows of the weeks before the predicted week W:
- tuning: train on the oldest weeks, early-stop on the last one (W-1);
- refit: train again on the window shifted one week later (ending at W-1), with the number of
  rounds early stopping found, because the latest week carries the most signal.
Seeded and deterministic (``deterministic=True``, fixed ``num_threads``): the same rows give the
same model, bit for bit. Models are plain ``lightgbm.Booster`` objects (text format on disk).
"""

import dataclasses
import os
from collections.abc import Sequence

import lightgbm as lgb
import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import grouping, training

LAMBDARANK = "lambdarank"
BINARY = "binary"
PREDICT_ROWS = 500_000  # default rows scored at a time (the assets size it from the memory budget): ~rows x features x 4 bytes


@dataclasses.dataclass(frozen=True)
class LgbmSettings:
    """Hyperparameters of one LightGBM model (the Dagster Config mirrors these)."""

    objective: str = LAMBDARANK
    learning_rate: float = 0.05
    num_leaves: int = 31
    min_data_in_leaf: int = 20
    feature_fraction: float = 0.8
    lambda_l2: float = 1.0
    max_rounds: int = 400
    early_stopping_rounds: int = 30
    seed: int = 0
    # fixed, so that a model is reproducible on any machine; measured on the idle 2-core machine at
    # full scale, two threads train 1.7x faster than one (on cores busy with other jobs, ~6x slower)
    num_threads: int = 2

    def params(self) -> dict:
        if self.objective not in (LAMBDARANK, BINARY):
            raise ValueError(f"objective must be {LAMBDARANK!r} or {BINARY!r}, got {self.objective!r}")
        return {
            "objective": self.objective,
            # both stop early on what the submission is scored by, MAP@12 over the tuning week's
            # customers (the classifier's log loss keeps falling long after its ranking stops
            # improving: at full, 263 rounds on log loss against 109 on MAP@12, each one paid
            # again on every scored candidate)
            "metric": "map",
            "eval_at": [c.K],
            "learning_rate": self.learning_rate,
            "num_leaves": self.num_leaves,
            "min_data_in_leaf": self.min_data_in_leaf,
            "feature_fraction": self.feature_fraction,
            "lambda_l2": self.lambda_l2,
            "seed": self.seed,
            "deterministic": True,
            "force_row_wise": True,
            "num_threads": self.num_threads,
            "verbosity": -1,
        }


def matrix(frame: pd.DataFrame, features: Sequence[str], categorical: Sequence[str] = ()) -> np.ndarray:
    """The float32 model input of ``frame`` (categorical columns as their integer codes, NaN kept),
    rows x features in column-major (Fortran) order.

    Negative codes of the ``categorical`` columns (``-1`` = unknown) become NaN, LightGBM's
    missing category."""
    # one contiguous row per feature: writing a column of a row-major array touches a cache line
    # per value (measured 8x slower). LightGBM takes the column-major view as it is (its
    # ``is_row_major=0``: same bins, same scores); a row-major copy cost as much as building it
    out = np.empty((len(features), len(frame)), dtype=np.float32)
    for j, col in enumerate(features):
        out[j] = _column(frame, col)
        if col in categorical:
            out[j][out[j] < 0] = np.nan
    return out.T


def take_rows(inputs: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The rows of a :func:`matrix` input selected by the boolean mask ``rows``, column-major
    like it (gathered feature by feature, each a contiguous run)."""
    return np.take(inputs.T, np.flatnonzero(rows), axis=1).T


def _column(frame: pd.DataFrame, col: str) -> np.ndarray:
    """One feature column as numbers: categorical codes (NaN for missing), NA as NaN."""
    if col not in frame.columns:
        raise KeyError(f"feature column {col!r} is missing from the frame (has {list(frame.columns)[:8]}...)")
    values = frame[col]
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        return np.where(codes >= 0, codes, np.nan)
    return training.numeric_values(values)


def _dataset(frame: pd.DataFrame, features: Sequence[str], categorical: Sequence[str], settings: LgbmSettings, reference=None) -> lgb.Dataset:
    """A constructed (binned) LightGBM dataset. Binned on one thread, before training: LightGBM's
    worker threads ignore ``verbosity=-1`` and print a warning about large category codes to
    stdout; the bins, and so the model, are the same either way. Grouped by (week, customer):
    the ranker's objective needs the groups, and both models' MAP@12 metric does (the binary
    objective itself ignores them)."""
    frame = training.sort_groups(frame)
    return lgb.Dataset(
        matrix(frame, features, categorical),
        label=frame[c.LABEL].to_numpy(np.float32),
        group=training.group_sizes(frame),
        feature_name=list(features),
        categorical_feature=[f for f in categorical if f in features] or "auto",
        reference=reference,
        free_raw_data=True,
        params={**settings.params(), "max_bin": 255, "num_threads": 1},  # the training's, binned on one thread
    ).construct()


def train_lgbm(
    train: pd.DataFrame,
    valid: pd.DataFrame | None,
    features: Sequence[str],
    categorical: Sequence[str],
    settings: LgbmSettings,
    rounds: int | None = None,
) -> tuple[lgb.Booster, int]:
    """One LightGBM model on labelled training rows; returns ``(booster, rounds used)``.

    With ``valid``: up to ``settings.max_rounds`` rounds, stopped early on ``valid`` (the best
    iteration is kept). Without: exactly ``rounds`` rounds (the refit).
    train/valid: rows of :func:`training.sample_training_rows` (``week, customer_id, label`` and
    the ``features``); rows are regrouped by (week, customer) here.
    """
    if train.empty or train[c.LABEL].sum() == 0:
        raise ValueError("no positive training rows: the training weeks' buyers bought none of their candidates")
    params = settings.params()
    data = _dataset(train, features, categorical, settings)
    if valid is None:
        if rounds is None or rounds < 1:
            raise ValueError(f"a refit needs a number of rounds >= 1, got {rounds}")
        return lgb.train(params, data, num_boost_round=int(rounds)), int(rounds)
    if valid.empty or valid[c.LABEL].sum() == 0:
        raise ValueError("the validation week has no positive rows: early stopping has nothing to measure")
    holdout = _dataset(valid, features, categorical, settings, reference=data)
    booster = lgb.train(
        params,
        data,
        num_boost_round=settings.max_rounds,
        valid_sets=[holdout],
        valid_names=["tuning_week"],
        callbacks=[lgb.early_stopping(settings.early_stopping_rounds, first_metric_only=True, verbose=False)],
    )
    best = int(booster.best_iteration) or booster.current_iteration()
    return booster, best


def predict(
    booster: lgb.Booster, frame: pd.DataFrame, chunk_rows: int = PREDICT_ROWS, num_threads: int | None = None, trees: int | None = None
) -> np.ndarray:
    """Scores (float32, higher is better) for every row, in row chunks, with the model's own
    features. Trees score each row on its own: neither the chunk size nor the number of threads
    (default: every core; unlike training, prediction splits rows, not work on shared state)
    changes a score. ``trees``: score with the model's first ``trees`` trees only (a cheaper,
    rougher score; None or more than the model has: all of them)."""
    features = booster.feature_name()
    out = np.empty(len(frame), dtype=np.float32)
    for start in range(0, len(frame), chunk_rows):
        part = frame.iloc[start : start + chunk_rows]
        out[start : start + len(part)] = predict_matrix(booster, matrix(part, features), num_threads, trees)
    return out


def predict_matrix(booster: lgb.Booster, inputs: np.ndarray, num_threads: int | None = None, trees: int | None = None) -> np.ndarray:
    """:func:`predict` on a model input already built by :func:`matrix` with the booster's own
    features (``booster.feature_name()``, in that order): several models with the same features
    share one input."""
    return booster.predict(inputs, num_threads=num_threads or os.cpu_count() or 1, num_iteration=trees).astype(np.float32, copy=False)


def customer_parts(customer_ids: np.ndarray, max_rows: int) -> list[slice]:
    """Consecutive row slices of a frame sorted by customer, each of whole customers and at most
    ``max_rows`` rows (a customer with more rows is a slice of its own)."""
    ids = np.asarray(customer_ids)
    if (np.diff(ids) < 0).any():
        raise ValueError("rows must be sorted by customer_id")
    starts = np.r_[np.flatnonzero(grouping.run_starts(ids)), len(ids)]
    parts, lo = [], 0
    while lo < len(ids):
        # the last customer start at or before lo + max_rows; at least the next customer
        hi = starts[np.searchsorted(starts, lo + max(max_rows, 1), side="right") - 1]
        hi = hi if hi > lo else starts[np.searchsorted(starts, lo, side="right")]
        parts.append(slice(lo, int(hi)))
        lo = int(hi)
    return parts


def feature_importance(booster: lgb.Booster) -> pd.DataFrame:
    """``feature, gain, splits`` sorted by gain (total loss reduction of the splits on a feature)."""
    table = pd.DataFrame(
        {
            "feature": booster.feature_name(),
            "gain": booster.feature_importance("gain").astype(np.float64),
            "splits": booster.feature_importance("split").astype(np.int64),
        }
    )
    return table.sort_values(["gain", "feature"], ascending=[False, True], kind="stable").reset_index(drop=True)


def split_tuning(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """``(tune_train, tune_valid, refit)`` from training rows of weeks W-N-1..W-1.

    tune_train: every week but the last; tune_valid: the last week (W-1); refit: every week but
    the first (the window shifted to end at W-1). Needs at least two weeks.
    """
    return (*tuning_rows(rows), refit_rows(rows))


def tuning_rows(rows: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    """``(tune_train, tune_valid)`` of :func:`split_tuning` (the refit rows are taken later, once
    the tuning rows are freed: at full scale each is most of a gigabyte)."""
    _, last = _first_last(rows)
    return rows[rows[c.WEEK] != last], rows[rows[c.WEEK] == last]


def refit_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """``refit`` of :func:`split_tuning`: every week but the first."""
    first, _ = _first_last(rows)
    return rows[rows[c.WEEK] != first]


def _first_last(rows: pd.DataFrame) -> tuple:
    weeks = sorted(rows[c.WEEK].unique())
    if len(weeks) < 2:
        raise ValueError(f"training rows hold weeks {weeks}; tuning needs at least two (train and W-1)")
    return weeks[0], weeks[-1]


def score_model(model, frame: pd.DataFrame, chunk_rows: int = PREDICT_ROWS) -> np.ndarray:
    """Scores (float32) of any stored ranker on ``frame``: a LightGBM Booster or a torch model,
    ``chunk_rows`` rows at a time (the chunk size changes no score)."""
    if isinstance(model, lgb.Booster):
        return predict(model, frame, chunk_rows)
    from hm_assets.io.models import TorchModel

    if isinstance(model, TorchModel):
        from hm_assets.recsys import dnn

        threads = os.cpu_count() or 1  # scoring splits rows: the same scores as one thread (tested), ~1.7x faster on 2 cores
        return np.asarray(dnn.predict_dnn(model, frame, batch_rows=chunk_rows, threads=threads), dtype=np.float32)
    raise TypeError(f"cannot score with a {type(model).__name__}")
