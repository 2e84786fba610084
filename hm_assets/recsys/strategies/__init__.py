"""The candidate strategies and their one registry.

Adding a strategy is one function with the signature ``(StrategyInputs, StrategyParams) ->
candidate frame`` and one ``Strategy`` entry in ``REGISTRY`` declaring its inputs, its history
window in weeks and its default number of candidates per customer. The Dagster layer turns
every entry into a weekly ``candidates_<name>`` asset; the merged ``candidates`` asset has
``by_<name>``, ``rank_<name>`` and ``score_<name>`` columns in this order.
"""

from hm_assets.recsys.strategies import factors, rules
from hm_assets.recsys.strategies.base import (
    ARTICLES,
    CUSTOMERS,
    FACTORS,
    SEGMENT_POPULARITY,
    Strategy,
    StrategyInputs,
    StrategyParams,
    candidates_frame,
)
from hm_assets.recsys.strategies.factors import MODELS, pair_scores

REGISTRY: tuple[Strategy, ...] = (
    Strategy("repurchase", rules.repurchase, weeks=26, n=20),
    Strategy("colour_variants", rules.colour_variants, weeks=12, n=12, needs=(ARTICLES,)),
    Strategy("bought_together", rules.bought_together, weeks=8, n=20),
    Strategy("popular", rules.popular, weeks=8, n=24, needs=(ARTICLES,), shared=True),
    Strategy("trending", rules.trending, weeks=2, n=12, shared=True),
    Strategy("popular_age_band", rules.popular_age_band, weeks=0, n=24, needs=(CUSTOMERS, SEGMENT_POPULARITY), shared=True),
    Strategy("popular_postal_code", rules.popular_postal_code, weeks=0, n=12, needs=(CUSTOMERS, SEGMENT_POPULARITY), shared=True),
    Strategy("als", factors.als, weeks=0, n=20, needs=(FACTORS,), model="als"),
    Strategy("bpr", factors.bpr, weeks=0, n=20, needs=(FACTORS,), model="bpr"),
)
NAMES: tuple[str, ...] = tuple(s.name for s in REGISTRY)
BY_NAME: dict[str, Strategy] = {s.name: s for s in REGISTRY}
PERSONAL: tuple[str, ...] = tuple(s.name for s in REGISTRY if not s.shared)  # lists of the customer's own

__all__ = [
    "ARTICLES", "BY_NAME", "CUSTOMERS", "FACTORS", "MODELS", "NAMES", "PERSONAL", "REGISTRY", "SEGMENT_POPULARITY",
    "Strategy", "StrategyInputs", "StrategyParams", "candidates_frame", "pair_scores",
]
