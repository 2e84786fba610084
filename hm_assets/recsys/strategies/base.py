"""What every candidate strategy takes and returns.

A strategy is a pure function ``generate(inputs: StrategyInputs, params: StrategyParams)``
returning a frame in the candidate contract (``columns.CANDIDATE_COLUMNS``) built by
``contracts.candidates_frame``, the one place its dtypes are written. It proposes articles for the
customers in ``inputs.scope`` only, and what it proposes for one customer never depends on which
other customers are in scope.
"""

import dataclasses
from collections.abc import Callable

import numpy as np
import pandas as pd

from hm_assets import columns as c
from hm_assets.recsys import stats
from hm_assets.recsys.contracts import candidates_frame

# Inputs a strategy may declare beyond the history before W (names of StrategyInputs fields).
CUSTOMERS = "customers"
ARTICLES = "articles"
SEGMENT_POPULARITY = "segment_popularity"
FACTORS = "factors"


@dataclasses.dataclass(frozen=True)
class StrategyInputs:
    """Everything a strategy may read for week ``week``.

    history: ``t_dat, customer_id, article_id`` rows; only rows strictly before ``week`` are
    ever used (later rows are ignored, so passing them leaks nothing).
    scope: sorted int32 customer ids to propose candidates for.
    customers / articles / segment_popularity / factors: given when the strategy declares them.
    chunk_customers: the block size the memory budget allows (factor strategies); it changes
    how fast, never what, a strategy proposes.
    """

    week: pd.Timestamp
    history: pd.DataFrame
    scope: np.ndarray
    customers: pd.DataFrame | None = None
    articles: pd.DataFrame | None = None
    segment_popularity: pd.DataFrame | None = None
    factors: dict[str, np.ndarray] | None = None
    chunk_customers: int | None = None  # customers per block where a strategy works in blocks (None: its own default)

    def past(self, weeks: int) -> pd.DataFrame:
        """History rows in the ``weeks`` weeks strictly before ``week``."""
        week = pd.Timestamp(self.week)
        t = self.history[c.T_DAT]
        return self.history[(t < week) & (t >= week - pd.Timedelta(weeks=weeks))]

    def need(self, name: str):
        value = getattr(self, name)
        if value is None:
            raise ValueError(f"this strategy needs `{name}` in its StrategyInputs, got None")
        return value


@dataclasses.dataclass(frozen=True)
class StrategyParams:
    """The knobs every strategy has: candidates per customer, weeks of history it may read."""

    n: int
    weeks: int


@dataclasses.dataclass(frozen=True)
class Strategy:
    """One registry entry: the function and what it declares.

    needs: StrategyInputs fields it reads besides ``history`` (``CUSTOMERS``, ``ARTICLES``,
    ``SEGMENT_POPULARITY``, ``FACTORS``); model: the factor model (``recsys.strategies.MODELS``)
    whose arrays fill ``factors``; weeks: default history window; n: default candidates per customer;
    shared: the strategy proposes one list per segment (the same to every customer of an age band,
    a postal code, or everyone), so its candidates say nothing about the customer's own history.
    """

    name: str
    generate: Callable[[StrategyInputs, StrategyParams], pd.DataFrame]
    weeks: int
    n: int
    needs: tuple[str, ...] = ()
    model: str | None = None
    shared: bool = False

    @property
    def description(self) -> str:
        return (self.generate.__doc__ or self.name).strip().splitlines()[0]

    def params(self, n: int | None = None, weeks: int | None = None) -> StrategyParams:
        return StrategyParams(n=self.n if n is None else n, weeks=self.weeks if weeks is None else weeks)

    def __call__(self, inputs: StrategyInputs, params: StrategyParams | None = None) -> pd.DataFrame:
        return self.generate(inputs, params or self.params())


def ranked(frame: pd.DataFrame, strategy: str, n: int) -> pd.DataFrame:
    """Rank ``customer_id, article_id, score`` rows per customer (score desc, then article id asc),
    keep the first ``n``, and return them in the contract sorted by customer and rank."""
    frame = frame.sort_values([c.CUSTOMER_ID, c.SCORE, c.ARTICLE_ID], ascending=[True, False, True], kind="stable")
    rank = frame.groupby(c.CUSTOMER_ID, sort=False).cumcount().to_numpy()
    keep = rank < n
    return candidates_frame(
        frame[c.CUSTOMER_ID].to_numpy()[keep], frame[c.ARTICLE_ID].to_numpy()[keep], strategy,
        frame[c.SCORE].to_numpy()[keep], rank[keep],
    )


def for_everyone(scope: np.ndarray, articles: np.ndarray, scores: np.ndarray, strategy: str) -> pd.DataFrame:
    """One shared ranked list (``articles`` best first) proposed to every customer in ``scope``."""
    scope = np.asarray(scope, dtype=np.int32)
    k = len(articles)
    return candidates_frame(
        np.repeat(scope, k), np.tile(np.asarray(articles), len(scope)), strategy,
        np.tile(np.asarray(scores, dtype=np.float32), len(scope)), np.tile(np.arange(k), len(scope)),
    )


def in_scope(frame: pd.DataFrame, scope: np.ndarray) -> pd.DataFrame:
    """Rows of customers in ``scope`` (sorted distinct ids, as ``scope_customers`` returns)."""
    return frame[stats.isin_sorted(frame[c.CUSTOMER_ID].to_numpy(), scope)]
