"""A torch DNN ranker over (customer, article) candidate rows: embeddings + numeric features -> MLP.

Pure code (no Dagster); torch is imported here, so only the model assets import this module.

- :class:`FeatureSpec` is derived from a training frame and applied unchanged at scoring time:
  categorical columns get a vocabulary (index 0 is reserved for unknown or missing values), id
  columns are hashed into a bounded number of buckets (0 = missing), numeric columns are
  standardised with the training mean/std (after ``log1p`` for non-negative, strongly
  right-skewed columns such as counts and days since, so that a few outliers do not squeeze
  every other row near the mean), NaN becomes 0 (the mean) and, for columns that had
  NaNs in training, a 0/1 missing indicator is added. The spec is plain JSON.
- :class:`DNNRanker` holds the spec in its (JSON) constructor kwargs, so a stored
  :class:`hm_assets.io.models.TorchModel` is all that scoring needs.
- :func:`train_dnn` trains with a listwise softmax loss per group (customer) by default, with
  early stopping on MAP@12 of a validation frame; :func:`predict_dnn` scores in batches.

Why listwise softmax rather than BCE: MAP@12 only compares a customer's own candidates, and the
blend works on per-customer rankings. The softmax over one customer's candidates spends the model
on exactly that ordering, ignores cross-customer calibration (meaningless once negatives are
downsampled), and weighs every customer once whatever the number of their candidates. BCE
(``loss="bce"``) is kept for comparison.

Reproducibility: the device is chosen once (CUDA when available, else CPU, or as given); the
seed drives the weight init, dropout and the batch order; deterministic algorithms and a fixed
thread count are set while training and scoring, and restored afterwards. One thread by
default: measured here, with other jobs on the 2 cores, two torch threads made a minibatch
5-7x slower than one; and a fixed count keeps results identical on machines of any core count.
Scoring (:func:`predict_dnn`) takes the thread count as an argument: a batch's forward pass
splits rows, not sums, across threads, and the scores of one and two threads are equal, bit for
bit (tested); the blend scores with every core.
"""

import contextlib
import copy
import dataclasses
import os
from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd
import torch
from torch import nn

from hm_assets import columns as c
from hm_assets.io.models import TorchModel
from hm_assets.recsys import budget, metrics, training

MODULE_CLASS = "hm_assets.recsys.dnn:DNNRanker"
UNKNOWN = 0  # reserved index of every categorical / hashed column: unknown or missing value
SKEW_FOR_LOG = 2.0  # a non-negative numeric column more skewed than this is log1p-scaled
_CLIP = 10.0  # standardised values are clipped to +-_CLIP so that one outlier cannot blow up
_HASH_MULTIPLIER = np.uint64(0x9E3779B97F4A7C15)  # Fibonacci hashing, fixed across runs and platforms


@dataclasses.dataclass
class DNNConfig:
    """Hyperparameters of :func:`train_dnn` (the asset layer wraps them in a ``dg.Config``)."""

    epochs: int = 20  # upper bound; early stopping on ``valid`` may stop earlier
    batch_size: int = 4096  # rows per minibatch (whole groups: a batch never splits a customer)
    lr: float = 2e-3
    embedding_dim: int = 16
    hidden: tuple[int, ...] = (128, 64)
    dropout: float = 0.1
    weight_decay: float = 1e-5
    seed: int = 0
    patience: int = 3  # epochs without a better validation MAP@12 before stopping
    loss: str = "listwise"  # "listwise" (softmax per group) or "bce"
    hash_buckets: int = 1 << 15  # buckets of every hashed id column (bucket 0 = missing)
    max_vocab: int = 10_000  # most frequent values kept per categorical column; the rest -> unknown
    threads: int = 1  # torch.set_num_threads while training and scoring (see module docstring)
    device: str | None = None  # None: CUDA when available, else CPU


def default_device(device: str | None = None) -> "torch.device":
    """The device to use: ``device`` when given, else CUDA when available, else CPU."""
    if device is not None:
        return torch.device(device)
    return torch.device("cuda" if torch.cuda.is_available() else "cpu")


# ---------------------------------------------------------------------------------------------
# Feature spec


@dataclasses.dataclass
class FeatureSpec:
    """How a frame becomes model inputs; derived once from training data, reused at scoring.

    categorical: ``{column: vocabulary}`` (value -> 1 + position in the list; anything else -> 0);
    hashed: ``{column: buckets}`` (non-negative integer id -> 1 + hash % (buckets - 1); NaN or
    negative -> 0); numeric: ``{column: [mean, std]}`` (of ``log1p(value)`` for the columns in
    log_scaled: non-negative in training with skewness above ``SKEW_FOR_LOG``);
    missing_indicators: numeric columns that had NaNs in training and get a 0/1 indicator input
    after the numeric ones.
    """

    categorical: dict[str, list]
    hashed: dict[str, int]
    numeric: dict[str, list[float]]
    missing_indicators: list[str]
    log_scaled: list[str] = dataclasses.field(default_factory=list)

    @property
    def cardinalities(self) -> list[int]:
        """Embedding rows of each categorical then hashed column (reserved index 0 included)."""
        return [len(v) + 1 for v in self.categorical.values()] + list(self.hashed.values())

    @property
    def n_dense(self) -> int:
        return len(self.numeric) + len(self.missing_indicators)

    @property
    def columns(self) -> list[str]:
        return [*self.categorical, *self.hashed, *self.numeric]

    @classmethod
    def fit(
        cls,
        frame: pd.DataFrame,
        *,
        categorical: Sequence[str],
        numeric: Sequence[str],
        hashed: Sequence[str] = (),
        hash_buckets: int = 1 << 15,
        max_vocab: int = 10_000,
    ) -> "FeatureSpec":
        """Derive the spec from a training frame (only the named columns are read)."""
        _require(frame, [*categorical, *hashed, *numeric], "training frame")
        if hash_buckets < 2:
            raise ValueError(f"hash_buckets must be >= 2 (bucket 0 is reserved), got {hash_buckets}")
        vocab = {col: _vocabulary(frame[col], max_vocab) for col in categorical}
        stats, with_nan, logged = {}, [], []
        for col in numeric:
            values = _numeric(frame[col], col)
            finite = values[np.isfinite(values)].astype(np.float64)
            if len(finite) and finite.min() >= 0 and _skewness(finite) > SKEW_FOR_LOG:
                finite = np.log1p(finite)
                logged.append(col)
            mean = float(finite.mean()) if len(finite) else 0.0
            std = float(finite.std()) if len(finite) else 0.0
            stats[col] = [mean, std if std > 0 else 1.0]
            if len(finite) < len(values):
                with_nan.append(col)
        return cls(vocab, {col: int(hash_buckets) for col in hashed}, stats, with_nan, logged)

    def encode(self, frame: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
        """``(indices int64 [rows, categorical + hashed], dense float32 [rows, n_dense])``.

        Unknown categories, NaNs and negative ids map to index 0; numeric NaN becomes 0 after
        standardisation (the training mean) and +-inf the clip bound +-10, both flagged by the
        missing indicators where the column has one.
        """
        _require(frame, self.columns, "frame to encode")
        n = len(frame)
        # built as the transposed arrays, one contiguous row per column, then transposed once:
        # writing a column of a row-major array touches a cache line per value
        idx = np.zeros((len(self.categorical) + len(self.hashed), n), dtype=np.int64)
        for j, (col, vocab) in enumerate(self.categorical.items()):
            idx[j] = _lookup(frame[col], vocab)
        for j, (col, buckets) in enumerate(self.hashed.items(), start=len(self.categorical)):
            idx[j] = _hash(frame[col], buckets, col)
        dense = np.zeros((self.n_dense, n), dtype=np.float32)
        logged = set(self.log_scaled)
        for j, (col, (mean, std)) in enumerate(self.numeric.items()):
            # in place on the float32 row: each step is one pass without a new array (on one
            # 500k-row `medium` chunk, 0.7-1.1 s against 1.4-2.6 s with float64 temporaries; no
            # measurable change in the whole `blend` step at `full`)
            z = dense[j]
            z[:] = _numeric(frame[col], col)
            if col in logged:  # negatives unseen in training count as 0 (NaN stays NaN), then log1p
                np.maximum(z, 0.0, out=z)
                np.log1p(z, out=z)
            z -= mean
            z /= std
            np.copyto(z, 0.0, where=np.isnan(z))  # missing -> the training mean
            np.clip(z, -_CLIP, _CLIP, out=z)  # +-inf -> the clip bound
        for j, col in enumerate(self.missing_indicators, start=len(self.numeric)):
            dense[j] = ~np.isfinite(_numeric(frame[col], col))
        return np.ascontiguousarray(idx.T), np.ascontiguousarray(dense.T)

    def to_dict(self) -> dict:
        """Plain JSON-serialisable form (see :meth:`from_dict`)."""
        return {
            "categorical": {k: list(v) for k, v in self.categorical.items()},
            "hashed": dict(self.hashed),
            "numeric": {k: [float(m), float(s)] for k, (m, s) in self.numeric.items()},
            "missing_indicators": list(self.missing_indicators),
            "log_scaled": list(self.log_scaled),
        }

    @classmethod
    def from_dict(cls, d: Mapping) -> "FeatureSpec":
        return cls(
            {k: list(v) for k, v in d["categorical"].items()},
            {k: int(v) for k, v in d["hashed"].items()},
            {k: [float(m), float(s)] for k, (m, s) in d["numeric"].items()},
            list(d["missing_indicators"]),
            list(d.get("log_scaled", [])),
        )


def _skewness(values: np.ndarray) -> float:
    std = values.std()
    return float((((values - values.mean()) / std) ** 3).mean()) if std > 0 else 0.0


def _require(frame: pd.DataFrame, cols: Sequence[str], what: str) -> None:
    missing = [col for col in cols if col not in frame.columns]
    if missing:
        raise KeyError(f"{what} lacks column(s) {missing}; it has {list(frame.columns)}")


def _numeric(series: pd.Series, col: str) -> np.ndarray:
    if not (pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series)):
        bad = series.head(3).tolist()
        raise TypeError(f"numeric feature {col!r} has dtype {series.dtype} (e.g. {bad}); expected numbers")
    return training.numeric_values(series).astype(np.float32, copy=False)


def _plain(values) -> list:
    """Python scalars for JSON (ints stay ints, everything else becomes str)."""
    out = []
    for v in values:
        if isinstance(v, (bool, np.bool_)):
            out.append(int(v))
        elif isinstance(v, (int, np.integer)) or (isinstance(v, (float, np.floating)) and float(v).is_integer()):
            out.append(int(v))
        else:
            out.append(str(v))
    return out


def _vocabulary(series: pd.Series, max_vocab: int) -> list:
    counts = series.value_counts(dropna=True, sort=False)
    if len(counts) > max_vocab:
        # most frequent first; ties broken by value so the vocabulary does not depend on row order
        order = pd.DataFrame({"v": counts.index.astype(str), "n": counts.to_numpy()}).sort_values(
            ["n", "v"], ascending=[False, True], kind="stable"
        )
        counts = counts.iloc[order.index[:max_vocab]]
    return sorted(_plain(counts.index), key=lambda v: (isinstance(v, str), v))


def _lookup(series: pd.Series, vocab: list) -> np.ndarray:
    index = pd.Index(vocab)
    if isinstance(series.dtype, pd.CategoricalDtype):
        # one lookup per category, then a gather by code: cost follows the categories, not rows
        per_category = index.get_indexer(pd.Index(_plain(series.cat.categories))) + 1
        codes = series.cat.codes.to_numpy()
        return np.where(codes >= 0, per_category[codes], UNKNOWN).astype(np.int64)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        # float64 holds every integer code exactly (and NaN for missing, nullable dtypes included)
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        found = np.full(len(values), -1, dtype=np.int64)
        whole = np.isfinite(values) & (values == np.round(values))
        found[whole] = index.get_indexer(values[whole].astype(np.int64))
    else:
        found = index.get_indexer(pd.Index(series.to_numpy()).astype(str))
    return (found + 1).astype(np.int64)  # -1 (not found) -> 0 = UNKNOWN


def _hash(series: pd.Series, buckets: int, col: str) -> np.ndarray:
    if not pd.api.types.is_numeric_dtype(series):
        raise TypeError(f"hashed id column {col!r} has dtype {series.dtype} (e.g. {series.head(3).tolist()}); expected integer ids")
    if series.dtype.kind in "iu":
        values = series.to_numpy()
        valid = values >= 0
    else:  # float or nullable: float64 is exact for ids below 2**53
        values = series.to_numpy(dtype=np.float64, na_value=np.nan)
        valid = np.isfinite(values) & (np.nan_to_num(values, nan=-1.0) >= 0)
    ids = np.where(valid, values, 0).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = (ids * _HASH_MULTIPLIER) >> np.uint64(29)
    return np.where(valid, 1 + (mixed % np.uint64(buckets - 1)).astype(np.int64), UNKNOWN)


# ---------------------------------------------------------------------------------------------
# Model


class DNNRanker(nn.Module):
    """One logit per row: embeddings of the categorical/hashed columns ++ dense features -> MLP.

    Constructor arguments are plain JSON (the spec as :meth:`FeatureSpec.to_dict`), so the model
    IO manager can rebuild it from ``TorchModel(MODULE_CLASS, kwargs, state_dict)``.
    """

    def __init__(self, spec: dict, embedding_dim: int = 16, hidden: Sequence[int] = (128, 64), dropout: float = 0.1):
        super().__init__()
        self.spec = FeatureSpec.from_dict(spec)
        cards = self.spec.cardinalities
        # one table for all columns, each column at its own offset: a single gather per batch
        self.register_buffer("offsets", torch.tensor(np.cumsum([0, *cards[:-1]]), dtype=torch.long), persistent=False)
        self.embedding = nn.Embedding(max(sum(cards), 1), embedding_dim)
        nn.init.normal_(self.embedding.weight, std=0.05)
        width = len(cards) * embedding_dim + self.spec.n_dense
        layers: list[nn.Module] = []
        for size in hidden:
            layers += [nn.Linear(width, size), nn.ReLU(), nn.Dropout(dropout)]
            width = size
        layers.append(nn.Linear(width, 1))
        self.mlp = nn.Sequential(*layers)

    def forward(self, indices: "torch.Tensor", dense: "torch.Tensor") -> "torch.Tensor":
        parts = [dense]
        if indices.shape[1]:
            parts.insert(0, self.embedding(indices + self.offsets).flatten(1))
        return self.mlp(torch.cat(parts, dim=1)).squeeze(1)


def model_kwargs(spec: FeatureSpec, config: DNNConfig) -> dict:
    return {
        "spec": spec.to_dict(),
        "embedding_dim": int(config.embedding_dim),
        "hidden": [int(h) for h in config.hidden],
        "dropout": float(config.dropout),
    }


@contextlib.contextmanager
def _reproducible(threads: int, device: "torch.device"):
    """Deterministic algorithms and a fixed thread count, restored on exit."""
    if device.type == "cuda":
        os.environ.setdefault("CUBLAS_WORKSPACE_CONFIG", ":4096:8")  # required by deterministic cuBLAS
    before = (torch.are_deterministic_algorithms_enabled(), torch.get_num_threads())
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(threads)
    try:
        yield
    finally:
        torch.use_deterministic_algorithms(before[0])
        torch.set_num_threads(before[1])


# ---------------------------------------------------------------------------------------------
# Training and scoring


@dataclasses.dataclass
class _Encoded:
    """A frame sorted by group, encoded, with group boundaries (all numpy until a batch is cut)."""

    indices: np.ndarray  # int64 [rows, cols]
    dense: np.ndarray  # float32 [rows, n_dense]
    label: np.ndarray  # float32 0/1
    starts: np.ndarray  # int64 [groups + 1], group g = rows starts[g]:starts[g+1]
    order: np.ndarray  # position of each sorted row in the input frame

    @classmethod
    def build(cls, frame: pd.DataFrame, spec: FeatureSpec, label: str, group: str) -> "_Encoded":
        _require(frame, [label, group], "frame")
        g = frame[group].to_numpy()
        order = np.argsort(g, kind="stable")
        g = g[order]
        idx, dense = spec.encode(frame)  # encoded before reordering: no copy of the whole frame
        idx, dense = idx[order], dense[order]
        y = (_numeric(frame[label], label) > 0).astype(np.float32)[order]
        starts = np.flatnonzero(np.r_[True, g[1:] != g[:-1]]) if len(g) else np.zeros(0, np.int64)
        return cls(idx, dense, y, np.r_[starts, len(g)].astype(np.int64), order)

    @property
    def n_groups(self) -> int:
        return len(self.starts) - 1


def train_dnn(
    train: pd.DataFrame,
    valid: pd.DataFrame | None,
    *,
    label: str,
    group: str = c.CUSTOMER_ID,
    categorical: Sequence[str],
    numeric: Sequence[str],
    hashed: Sequence[str] = (),
    config: DNNConfig = DNNConfig(),
) -> tuple[TorchModel, dict]:
    """Train a :class:`DNNRanker`; early-stop on MAP@12 of ``valid`` when given.

    train/valid: one row per (group, candidate) with the feature columns, ``label`` (>0 =
    positive) and ``group`` (the customer). Rows of a group need not be contiguous. Time window:
    whatever the caller put in the frames; nothing else is read.
    categorical: integer codes or strings, embedded via a vocabulary from ``train``;
    hashed: non-negative integer ids (e.g. ``article_id``) embedded via ``config.hash_buckets``
    buckets; numeric: standardised with ``train``'s mean/std.

    Returns ``(TorchModel, info)`` with info ``best_epoch`` (epochs to refit with: the best
    validation epoch, or ``config.epochs`` without ``valid``), ``valid_map_at_12`` per epoch
    (empty without ``valid``), ``best_valid_map_at_12``, ``spec`` (the spec as a dict), ``device``.
    The returned weights are those of the best epoch, on the CPU.
    """
    if config.loss not in ("listwise", "bce"):
        raise ValueError(f"DNNConfig.loss must be 'listwise' or 'bce', got {config.loss!r}")
    spec = FeatureSpec.fit(
        train, categorical=categorical, numeric=numeric, hashed=hashed,
        hash_buckets=config.hash_buckets, max_vocab=config.max_vocab,
    )
    data = _Encoded.build(train, spec, label, group)
    if not data.label.any():
        raise ValueError(f"training frame has no positive {label!r} ({len(train)} rows): nothing to learn")
    held = _Encoded.build(valid, spec, label, group) if valid is not None else None
    if held is not None and not held.label.any():
        raise ValueError(f"validation frame has no positive {label!r} ({len(valid)} rows): cannot early-stop")

    device = default_device(config.device)
    kwargs = model_kwargs(spec, config)
    with _reproducible(config.threads, device):
        torch.manual_seed(config.seed)
        model = DNNRanker(**kwargs).to(device)
        optimiser = torch.optim.AdamW(model.parameters(), lr=config.lr, weight_decay=config.weight_decay)
        rng = np.random.default_rng(config.seed)
        tensors = _to_device(data, device)
        groups = _trainable_groups(data, config.loss)
        history: list[float] = []
        best_state, best_epoch, best_score, stale = None, 0, -np.inf, 0
        for epoch in range(1, config.epochs + 1):
            model.train()
            for rows, gid, n_groups in _batches(data, groups, config.batch_size, rng):
                _step(model, optimiser, tensors, rows, gid, n_groups, config.loss, device)
            if held is None:
                continue
            score = _map_at_k(held, _predict_encoded(model, held, config.batch_size * 4, device))
            history.append(score)
            if score > best_score:
                best_state, best_epoch, best_score, stale = copy.deepcopy(model.state_dict()), epoch, score, 0
            else:
                stale += 1
                if stale >= config.patience:
                    break
        if best_state is None:
            best_state, best_epoch = model.state_dict(), config.epochs
    state = {k: v.detach().to("cpu").clone() for k, v in best_state.items()}
    info = {
        "best_epoch": int(best_epoch),
        "valid_map_at_12": [float(s) for s in history],
        "best_valid_map_at_12": float(best_score) if history else float("nan"),
        "spec": spec.to_dict(),
        "device": device.type,
    }
    return TorchModel(MODULE_CLASS, kwargs, state), info


def predict_dnn(
    model: "TorchModel | DNNRanker", frame: pd.DataFrame, batch_rows: int = 65_536,
    *, device: str | None = None, threads: int = 1,
) -> np.ndarray:
    """Scores (logits, float32, higher = better) for every row of ``frame``, in its order.

    The frame is encoded and scored ``batch_rows`` rows at a time, so memory follows the batch,
    not the frame. Unknown categories and NaNs are handled by the stored spec. A row's score
    does not depend on ``batch_rows`` nor on the other rows of the frame, bit for bit: every
    batch is padded to a multiple of ``budget.ROW_ALIGN`` rows (on CPU the float32 rounding of
    a matrix product otherwise depends on the batch's row count).
    """
    module = model.build() if isinstance(model, TorchModel) else model
    dev = default_device(device)
    _require(frame, module.spec.columns, "frame to score")
    out = np.empty(len(frame), dtype=np.float32)
    with _reproducible(threads, dev), torch.no_grad():
        module = module.to(dev).eval()
        for start in range(0, len(frame), batch_rows):
            idx, dense = module.spec.encode(frame.iloc[start : start + batch_rows])
            padded = (budget.pad_rows(torch.from_numpy(idx)).to(dev), budget.pad_rows(torch.from_numpy(dense)).to(dev))
            out[start : start + len(idx)] = module(*padded).float().cpu().numpy()[: len(idx)]
    return out


def _to_device(data: _Encoded, device) -> dict:
    with np.errstate(invalid="ignore", divide="ignore"):
        positives = np.add.reduceat(data.label, data.starts[:-1]) if data.n_groups else np.zeros(0, np.float32)
        per_row = np.repeat(positives, np.diff(data.starts))
        target = np.where(per_row > 0, data.label / np.maximum(per_row, 1), 0).astype(np.float32)
    return {
        "indices": torch.from_numpy(data.indices).to(device),
        "dense": torch.from_numpy(data.dense).to(device),
        "label": torch.from_numpy(data.label).to(device),
        "target": torch.from_numpy(target).to(device),  # label / positives of its group
        "position": torch.from_numpy(np.arange(len(data.label)) - np.repeat(data.starts[:-1], np.diff(data.starts))).to(device),
    }


def _trainable_groups(data: _Encoded, loss: str) -> np.ndarray:
    if loss == "bce" or not data.n_groups:
        return np.arange(data.n_groups)
    positives = np.add.reduceat(data.label, data.starts[:-1])
    return np.flatnonzero(positives > 0)  # a group without a positive carries no listwise signal


def _batches(data: _Encoded, groups: np.ndarray, batch_size: int, rng: np.random.Generator):
    """Shuffled whole groups, cut into batches of about ``batch_size`` rows.

    Yields ``(rows, group index within the batch per row, groups in the batch)`` as numpy.
    """
    perm = rng.permutation(groups)
    lengths = np.diff(data.starts)[perm]
    ends = np.cumsum(lengths)
    # a new batch starts at the first group that would take the batch past batch_size rows
    cut = np.flatnonzero(np.diff(ends // max(batch_size, 1), prepend=0) > 0)
    bounds = np.unique(np.r_[0, cut, len(perm)])
    for a, b in zip(bounds[:-1], bounds[1:]):
        chosen, length = perm[a:b], lengths[a:b]
        offsets = np.repeat(data.starts[chosen] - np.r_[0, np.cumsum(length)[:-1]], length)
        rows = np.arange(int(length.sum())) + offsets
        yield rows, np.repeat(np.arange(len(chosen)), length), len(chosen)


def _step(model, optimiser, t, rows, gid, n_groups, loss, device) -> None:
    rows_t = torch.from_numpy(rows).to(device)
    logits = model(t["indices"][rows_t], t["dense"][rows_t])
    if loss == "bce":
        value = nn.functional.binary_cross_entropy_with_logits(logits, t["label"][rows_t])
    else:
        gid_t = torch.from_numpy(gid).to(device)
        pos = t["position"][rows_t]
        width = int(pos.max()) + 1
        # groups as rows of a padded matrix: the softmax normaliser is one logsumexp per row
        padded = logits.new_full((n_groups, width), -torch.inf).index_put((gid_t, pos), logits)
        log_softmax = logits - torch.logsumexp(padded, dim=1)[gid_t]
        value = -(t["target"][rows_t] * log_softmax).sum() / n_groups
    optimiser.zero_grad(set_to_none=True)
    value.backward()
    optimiser.step()


def _predict_encoded(model, data: _Encoded, batch_rows: int, device) -> np.ndarray:
    model.eval()
    out = np.empty(len(data.label), dtype=np.float32)
    with torch.no_grad():
        for start in range(0, len(out), batch_rows):
            sl = slice(start, start + batch_rows)
            idx = torch.from_numpy(data.indices[sl]).to(device)
            dense = torch.from_numpy(data.dense[sl]).to(device)
            out[sl] = model(idx, dense).float().cpu().numpy()
    return out


def _map_at_k(data: _Encoded, scores: np.ndarray, k: int = c.K) -> float:
    """MAP@k of ranking each group's candidates by score, over groups with a positive.

    A proxy for the week's MAP@12: a buyer whose purchases are not among the candidates is not
    counted here (those rows are absent from the frame).
    """
    group = np.repeat(np.arange(data.n_groups), np.diff(data.starts))
    row = np.arange(len(scores))
    predictions = pd.DataFrame({c.CUSTOMER_ID: group, c.ARTICLE_ID: row, c.RANK: -scores})
    positive = data.label > 0
    actual = pd.DataFrame({c.CUSTOMER_ID: group[positive], c.ARTICLE_ID: row[positive]})
    return metrics.map_at_k(predictions, actual, k)


__all__ = ["DNNConfig", "DNNRanker", "FeatureSpec", "MODULE_CLASS", "default_device", "predict_dnn", "train_dnn"]
