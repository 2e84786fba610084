"""The memory budget: how many customers the heavy steps take at a time.

Four steps grow with customers x candidates: factor-model recommending (ALS, BPR), candidate
merging, feature joining and model scoring. Each works in customer chunks; the chunk size is
the number of customers whose working set fits in the step's ``share`` of the budget, from a
per-customer estimate below. A lower budget gives more, smaller chunks: the run is slower, not
dead, and its results are the same (every step's output for a customer depends only on that
customer's rows). The estimates are of what the code allocates, rounded up, not measurements
of the process: the Python interpreter, the loaded libraries and the step's shared inputs (the
history, the feature tables) come on top, which is why a step takes only a share.

Environment: ``HM_MEMORY_BUDGET_GIB`` (default 8).
"""

import dataclasses
import math
import os
from collections.abc import Mapping

ENV = "HM_MEMORY_BUDGET_GIB"
DEFAULT_GIB = 8.0
GIB = 2**30
FLOOR = 64  # customers: below this the chunk loop's own overhead dominates

# share of the budget each step's chunk may take (the rest: shared inputs, interpreter, output)
RECOMMEND_SHARE = 0.125
MERGE_SHARE = 0.25
FEATURES_SHARE = 0.25
SCORING_SHARE = 0.125

FLOAT32 = 4
CANDIDATE_ROW_BYTES = 15  # the candidate contract: customer int32, article int32, strategy (1-byte code), score float32, rank int16
MERGE_WORK_BYTES = 32  # per strategy row in merge_candidates: the pair key, its sort permutation, the sorted keys, its slot (int64 each)
PANDAS_COPIES = 3  # a feature chunk exists about three times at its peak: the joined pieces, the concatenated frame, the Parquet write
FEATURE_COLUMNS = 150  # columns of a candidate_features row (candidates, c_, a_, s_, p_ columns), rounded up
DNN_HIDDEN_FLOATS = 256  # per row scored by the DNN: embeddings and hidden activations (16-wide embeddings x columns, 128 + 64 hidden), rounded up


@dataclasses.dataclass(frozen=True)
class MemoryBudget:
    """A memory budget in GiB (8 by default) and the chunk sizes it implies."""

    gib: float = DEFAULT_GIB

    def __post_init__(self) -> None:
        if not (isinstance(self.gib, int | float) and math.isfinite(self.gib) and self.gib > 0):
            raise ValueError(f"the memory budget must be a positive number of GiB, got {self.gib!r}")

    @property
    def bytes(self) -> int:
        return int(self.gib * GIB)

    def chunk_customers(self, bytes_per_customer: float, share: float, floor: int = FLOOR) -> int:
        """How many customers fit in ``share`` of the budget at ``bytes_per_customer`` each (at
        least ``floor``: a tiny budget still makes progress, in small chunks)."""
        if not 0 < share <= 1:
            raise ValueError(f"share must be in (0, 1], got {share}")
        if bytes_per_customer <= 0:
            raise ValueError(f"bytes_per_customer must be positive, got {bytes_per_customer}")
        return max(int(floor), int(self.bytes * share // bytes_per_customer))

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> "MemoryBudget":
        """The budget from ``HM_MEMORY_BUDGET_GIB`` (unset or empty: 8 GiB)."""
        env = os.environ if environ is None else environ
        return cls(parse_gib(env.get(ENV, "")))


def parse_gib(text: str) -> float:
    """``HM_MEMORY_BUDGET_GIB``'s value as GiB; empty gives the default. Raises ValueError naming
    the variable for a non-numeric or non-positive value."""
    text = str(text).strip()
    if not text:
        return DEFAULT_GIB
    try:
        gib = float(text)
    except ValueError:
        raise ValueError(f"{ENV}={text!r} is not a number of GiB (e.g. {ENV}=8)") from None
    if not (math.isfinite(gib) and gib > 0):
        raise ValueError(f"{ENV}={text!r} must be a positive number of GiB (e.g. {ENV}=8)")
    return gib


def chunk_or_budget(explicit: int | None, budget: MemoryBudget, bytes_per_customer: float, share: float) -> int:
    """An explicit chunk size if one is set (> 0), else the budget's."""
    return int(explicit) if explicit else budget.chunk_customers(bytes_per_customer, share)


def n_chunks(n: int, chunk: int) -> int:
    """Chunks of ``chunk`` needed for ``n`` items."""
    return -(-int(n) // max(int(chunk), 1))


def recommend_bytes(n_items: int, k: int) -> float:
    """Bytes per customer of ``factors.recommend``: each customer of a block gets a float32 score
    of every learned article (``n_items x 4``), and top-k sorting keeps ``k`` scores, ``k`` int64
    indices and their lexsort order (``k x 24``), plus its ``k`` output rows in the contract."""
    return n_items * FLOAT32 + k * (24 + CANDIDATE_ROW_BYTES)


def merge_bytes(strategy_rows: float, total_cap: int, n_strategies: int) -> float:
    """Bytes per customer of ``merge.merge_candidates``: every strategy's rows for the customer
    as read (``strategy_rows`` in the contract, plus ``MERGE_WORK_BYTES`` of int64 keys and
    sort work each), and the merged output (``total_cap`` rows of customer, article,
    n_strategies and, per strategy, by int8, rank and score float32: ``9 + 9 x strategies``)."""
    return strategy_rows * (CANDIDATE_ROW_BYTES + MERGE_WORK_BYTES) + total_cap * (9 + 9 * n_strategies)


def features_bytes(rows_per_customer: float, n_columns: int) -> float:
    """Bytes per customer of joining features (``training.join_features``): the customer's
    candidate rows x ``n_columns`` float32 columns (about 150 with every feature joined), times
    ``PANDAS_COPIES`` for the copies pandas holds while joining and writing."""
    return rows_per_customer * n_columns * FLOAT32 * PANDAS_COPIES


def scoring_bytes(rows_per_customer: float, n_features: int) -> float:
    """Bytes per customer of scoring (``rankers.predict``, ``dnn.predict_dnn``): the float32 model
    input, twice (``2 x n_features x 4`` per row: LightGBM's input and the screened rows' copy
    of it; the DNN's encoding, built transposed and copied row-major) and the DNN's activations
    (``DNN_HIDDEN_FLOATS x 4``)."""
    return rows_per_customer * (2 * n_features + DNN_HIDDEN_FLOATS) * FLOAT32


ROW_ALIGN = 64  # rows: matrix products run on blocks padded to a multiple of this
# OpenBLAS (numpy's BLAS here) sends float32 products with M*N*K below 28*512*512 to its "direct"
# small-matrix SGEMM on SkylakeX (sgemm_direct_performant), which sums in another order
SMALL_GEMM_WORK = 28 * 512 * 512


def pad_rows(matrix, multiple: int = ROW_ALIGN, min_rows: int = 0):
    """``matrix`` (numpy or torch, 2-d) with zero rows appended up to a multiple of ``multiple``
    and to at least ``min_rows`` rows.

    Why: BLAS (OpenBLAS in numpy, oneDNN/MKL in torch) computes the last rows of a block whose
    row count is not a multiple of its kernel's unroll with other kernels, and small products
    with another algorithm, whose float32 sums differ in the last bits (measured here: blocks of
    1, 7 or 333 rows vs one block of 300 or 5000). Padding every block to a multiple of 64 rows,
    and past the small-product size (:func:`min_gemm_rows`), sends every real row through the
    same kernel, so a row's result does not depend on the chunk it was computed in. Callers
    drop the padded rows' results."""
    n = matrix.shape[0]
    target = max(n, int(min_rows))
    target += -target % multiple
    extra = target - n
    if not extra:
        return matrix
    if hasattr(matrix, "new_zeros"):  # torch
        import torch

        return torch.cat([matrix, matrix.new_zeros((extra, *matrix.shape[1:]))])
    import numpy as np

    return np.concatenate([matrix, np.zeros((extra, *matrix.shape[1:]), dtype=matrix.dtype)])


def min_gemm_rows(n: int, k: int) -> int:
    """Rows a ``(rows x k) @ (k x n)`` float32 product needs to stay out of OpenBLAS's small-product path."""
    return -(-SMALL_GEMM_WORK // max(n * k, 1))


def scoring_rows(memory: MemoryBudget, rows: int, customers: int, n_features: int) -> int:
    """Rows scored at a time in a frame of ``rows`` candidate rows of ``customers`` customers:
    the customers that fit in the scoring share (:func:`scoring_bytes`), times their rows."""
    per_customer = rows / max(customers, 1)
    chunk = memory.chunk_customers(scoring_bytes(max(per_customer, 1.0), n_features), SCORING_SHARE)
    return max(1, math.ceil(chunk * max(per_customer, 1.0)))
