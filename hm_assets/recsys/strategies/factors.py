"""Learned similarities: matrix factorisation models trained weekly, used as strategies and as
pair features.

A trained model is a plain ``dict[str, np.ndarray]`` (what the model IO manager stores):
``user_ids`` (int32, sorted), ``user_factors`` (float32, one row per user id), ``item_ids``
(int32, sorted), ``item_factors`` (float32). A score is the dot product of a user's and an
item's rows. Training sees only the given history (callers pass the weeks strictly before W).
"""

import dataclasses
import os
from collections.abc import Callable

import numpy as np
import pandas as pd
import scipy.sparse as sp

from hm_assets import columns as c
from hm_assets.recsys import budget, stats
from hm_assets.recsys.strategies.base import StrategyInputs, StrategyParams, candidates_frame

USER_IDS, USER_FACTORS, ITEM_IDS, ITEM_FACTORS = "user_ids", "user_factors", "item_ids", "item_factors"
PAIR_SCORE_BLOCK = 65_536  # pairs scored at a time by pair_scores
BLOCK_BYTES = 64 * 2**20  # bounds the (users x items) score block recommending works on
SEED = 0
BPR_ITERATIONS = 25  # SGD epochs; BPR needs more than ALS's alternating solves


@dataclasses.dataclass(frozen=True)
class FactorParams:
    """Training knobs: the weeks of history, the articles kept, the model size."""

    weeks: int = 12
    item_weeks: int = 4  # only articles sold in the last item_weeks weeks are learned and proposed
    max_items: int = 12_000  # and at most this many of them, by distinct buyers
    factors: int = 64
    iterations: int = 8
    regularization: float = 0.01
    learning_rate: float = 0.05  # BPR only
    alpha: float = 1.0  # ALS only: confidence = 1 + alpha * purchases


def _interactions(history: pd.DataFrame, week: pd.Timestamp, params: FactorParams):
    """The user x item purchase-count matrix over the window, restricted to recently sold items."""
    week = pd.Timestamp(week)
    t = history[c.T_DAT]
    past = history[(t < week) & (t >= week - pd.Timedelta(weeks=params.weeks))]
    recent = past[past[c.T_DAT] >= week - pd.Timedelta(weeks=params.item_weeks)]
    buyers = recent[[c.CUSTOMER_ID, c.ARTICLE_ID]].drop_duplicates()[c.ARTICLE_ID].value_counts()
    buyers = buyers.rename("n").reset_index().sort_values(["n", c.ARTICLE_ID], ascending=[False, True], kind="stable")
    items = np.sort(buyers[c.ARTICLE_ID].to_numpy(np.int32)[: params.max_items])
    past = past[stats.isin_sorted(past[c.ARTICLE_ID].to_numpy(), items)]
    buyers_in_window = past[c.CUSTOMER_ID].to_numpy(np.int32)
    users = stats.unique(buyers_in_window)
    user_index = np.searchsorted(users, buyers_in_window)
    item_index = np.searchsorted(items, past[c.ARTICLE_ID].to_numpy())
    matrix = sp.csr_matrix(
        (np.ones(len(past), dtype=np.float32), (user_index, item_index)), shape=(len(users), len(items))
    )
    matrix.sum_duplicates()
    return users.astype(np.int32), items, matrix


def _fit(model_class: Callable, history, week, params: FactorParams, threads: int = 1, **kwargs) -> dict[str, np.ndarray]:
    from threadpoolctl import threadpool_limits

    # implicit warns, and slows down, with a threaded BLAS; the limit also holds where
    # OPENBLAS_NUM_THREADS was not set before numpy loaded (setting it later does nothing).
    # ``threads`` are implicit's own (its solver's), not BLAS's
    with threadpool_limits(1, "blas"):
        return _fit_unthreaded_blas(model_class, history, week, params, threads, **kwargs)


def _fit_unthreaded_blas(model_class: Callable, history, week, params: FactorParams, threads: int, **kwargs) -> dict[str, np.ndarray]:
    users, items, matrix = _interactions(history, week, params)
    if matrix.nnz == 0:
        return {
            USER_IDS: users, USER_FACTORS: np.zeros((0, params.factors), np.float32),
            ITEM_IDS: items, ITEM_FACTORS: np.zeros((len(items), params.factors), np.float32),
        }
    model = model_class(factors=params.factors, iterations=params.iterations, regularization=params.regularization,
                        num_threads=threads, random_state=SEED, **kwargs)
    model.fit(matrix, show_progress=False)
    return {
        USER_IDS: users,
        USER_FACTORS: np.ascontiguousarray(model.user_factors, dtype=np.float32),
        ITEM_IDS: items,
        ITEM_FACTORS: np.ascontiguousarray(model.item_factors, dtype=np.float32),
    }


def import_trainers() -> None:
    """Import implicit's trainers now. They are imported lazily (implicit is slow to import);
    two threads importing the same module at once can hit Python's import deadlock detection,
    so a caller training models in threads imports them first."""
    import implicit.cpu.als  # noqa: F401
    import implicit.cpu.bpr  # noqa: F401
    import threadpoolctl  # noqa: F401


def train_als(
    history: pd.DataFrame, week: pd.Timestamp, params: FactorParams = FactorParams(), threads: int | None = None
) -> dict[str, np.ndarray]:
    """Implicit ALS on purchase counts in the ``params.weeks`` weeks strictly before ``week``
    (confidence ``1 + alpha * count``), over articles sold in the last ``item_weeks`` weeks.
    Deterministic: fixed seed, and each half-step solves every user (or item) on its own given
    the other side's factors, so the threads (default: every core) change no value (tested).
    Two threads fit a 300k x 20k synthetic matrix 1.5x faster; at `full` the step took about
    as long as on one (16.5-18.0 s against 14.6-19.4 s), nearly all of it in the fit, so
    ``factor_models`` trains it on one thread beside BPR when the machine has two cores."""
    from implicit.cpu.als import AlternatingLeastSquares

    return _fit(AlternatingLeastSquares, history, week, params, threads or os.cpu_count() or 1, alpha=params.alpha)


def train_bpr(
    history: pd.DataFrame, week: pd.Timestamp, params: FactorParams = FactorParams(iterations=BPR_ITERATIONS), threads: int | None = None
) -> dict[str, np.ndarray]:
    """Bayesian personalised ranking (implicit's BPR) on the same interactions as :func:`train_als`:
    learns to rank a customer's bought articles above sampled others. Deterministic: one thread,
    whatever ``threads`` says (implicit's BPR updates shared factors from every thread without
    locks, so more threads give other factors run to run)."""
    from implicit.cpu.bpr import BayesianPersonalizedRanking

    return _fit(BayesianPersonalizedRanking, history, week, params, learning_rate=params.learning_rate)


def known_customers(factors: dict[str, np.ndarray], customers: np.ndarray) -> int:
    """How many of ``customers`` the model learned (those :func:`recommend` scores)."""
    return int(stats.isin_sorted(np.asarray(customers, dtype=np.int32), factors[USER_IDS]).sum())


def recommend_chunk(factors: dict[str, np.ndarray], n: int, memory: "budget.MemoryBudget") -> int:
    """Customers per block of :func:`recommend` under the memory budget."""
    return memory.chunk_customers(budget.recommend_bytes(len(factors[ITEM_IDS]), n), budget.RECOMMEND_SHARE)


def pair_scores(factors: dict[str, np.ndarray], pairs: pd.DataFrame) -> np.ndarray:
    """Dot product of user and item factors for each ``customer_id, article_id`` row of ``pairs``
    (same order and length), float32; NaN where the customer or the article was not learned."""
    users, items = factors[USER_IDS], factors[ITEM_IDS]
    cust, art = pairs[c.CUSTOMER_ID].to_numpy(), pairs[c.ARTICLE_ID].to_numpy()
    u = np.searchsorted(users, cust).clip(0, max(len(users) - 1, 0))
    i = np.searchsorted(items, art).clip(0, max(len(items) - 1, 0))
    known = (len(users) > 0) & (len(items) > 0)
    known = known & (users[u] == cust) & (items[i] == art) if known else np.zeros(len(pairs), bool)
    out = np.full(len(pairs), np.nan, dtype=np.float32)
    rows = np.flatnonzero(known)
    # blocks of gathered factor rows that stay in cache: a third faster than one gather of every
    # row (1.3M pairs x 64 factors: 0.50 s against 0.74 s), and no pair-sized temporaries
    for lo in range(0, len(rows), PAIR_SCORE_BLOCK):
        at = rows[lo : lo + PAIR_SCORE_BLOCK]
        out[at] = np.einsum("ij,ij->i", factors[USER_FACTORS][u[at]], factors[ITEM_FACTORS][i[at]])
    return out


def recommend(
    factors: dict[str, np.ndarray], customers: np.ndarray, n: int, strategy: str, block_customers: int | None = None
) -> pd.DataFrame:
    """The ``n`` best-scoring learned articles for each customer in ``customers`` that the model
    knows (others get none), by blocked matrix products of ``block_customers`` customers at a time
    (None: as many as ``BLOCK_BYTES`` of scores hold). The block size changes nothing in the
    result: every block is padded to a multiple of ``budget.ROW_ALIGN`` rows, so each customer's
    scores come out of the same BLAS kernel, bit for bit.
    Within the top ``n`` ties go to the lower article id (which of several articles tied at the
    ``n``-th score gets in is up to ``torch.topk``: deterministic, not specified). Returns the candidate contract, sorted by customer and rank."""
    users, items = factors[USER_IDS], factors[ITEM_IDS]
    customers = np.asarray(customers, dtype=np.int32)
    rows = np.searchsorted(users, customers)
    known = (rows < len(users)) & (users[rows.clip(0, max(len(users) - 1, 0))] == customers) if len(users) else np.zeros(len(customers), bool)
    customers, rows = customers[known], rows[known]
    k = min(n, len(items))
    if k == 0 or not len(customers):
        return candidates_frame([], [], strategy, [], [])
    import torch  # its top-k is ~15x faster than numpy's argpartition on (block x items) scores

    item_t = np.ascontiguousarray(factors[ITEM_FACTORS].T)
    block = max(1, int(block_customers) if block_customers else BLOCK_BYTES // (4 * len(items)))
    min_rows = budget.min_gemm_rows(len(items), item_t.shape[0])  # see budget.pad_rows
    out_items, out_scores = [], []
    with _every_blas_thread():
        for start in range(0, len(rows), block):
            users_block = factors[USER_FACTORS][rows[start : start + block]]
            scores = (budget.pad_rows(users_block, min_rows=min_rows) @ item_t)[: len(users_block)]
            values, top = torch.topk(torch.from_numpy(scores), k, dim=1)
            top, top_scores = top.numpy(), values.numpy()
            order = np.lexsort((top, -top_scores), axis=1)  # score desc, then item index (= id) asc
            out_items.append(np.take_along_axis(top, order, axis=1))
            out_scores.append(np.take_along_axis(top_scores, order, axis=1))
    top_items, top_scores = np.concatenate(out_items), np.concatenate(out_scores)
    return candidates_frame(
        np.repeat(customers, k), items[top_items.ravel()], strategy, top_scores.ravel(), np.tile(np.arange(k), len(customers))
    )


def _every_blas_thread():
    """BLAS on every core for scoring. The project keeps BLAS on one thread for implicit's
    training (``OPENBLAS_NUM_THREADS=1``); OpenBLAS splits a product's rows and columns across
    threads, never its sums, so the scores are the same bits on any thread count (tested), and
    two threads multiply a 20k-customer block 1.4x faster."""
    from threadpoolctl import threadpool_limits

    return threadpool_limits(os.cpu_count() or 1, "blas")


def als(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Collaborative filtering: the articles with the highest ALS score for the customer (model
    ``als_model`` trained on the weeks before W); customers the model never saw get none."""
    return recommend(inputs.need("factors"), inputs.scope, params.n, "als", inputs.chunk_customers)


def bpr(inputs: StrategyInputs, params: StrategyParams) -> pd.DataFrame:
    """Learned ranking similarity: the articles with the highest BPR score for the customer
    (model ``bpr_model``); customers the model never saw get none."""
    return recommend(inputs.need("factors"), inputs.scope, params.n, "bpr", inputs.chunk_customers)


@dataclasses.dataclass(frozen=True)
class FactorModel:
    """A weekly model asset ``<name>_model``: its trainer and default knobs."""

    name: str
    train: Callable[..., dict[str, np.ndarray]]
    params: FactorParams


MODELS = {
    "als": FactorModel("als", train_als, FactorParams()),
    "bpr": FactorModel("bpr", train_bpr, FactorParams(iterations=BPR_ITERATIONS)),
}
