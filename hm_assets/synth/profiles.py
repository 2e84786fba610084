"""Generator profiles: sets of parameters on the one latent model, not separate generators.

A profile decides which signals dominate the data; the files always have the exact Kaggle
schema. The models must earn their keep on any data in that schema, so the project measures
them on profiles whose dominant signals differ:

- ``fashion`` (the default): the H&M shop as published (HM_FACTS.md). Exact repurchases are
  rare (~4% of a week's pairs), popularity is short-lived (the previous week's top-12 covers
  ~2% of the next week's rows), taste follows age and region, two years of history.
- ``grocery`` flips those signals: customers mostly re-buy their staples (30-50% of a week's
  (customer, article) pairs were bought by that customer before), a few long-lived articles
  carry a large share of sales (the previous week's top-12 covers 10-40% of the next week's
  rows), taste has no age or postal-code effect, customers come back about four times as often
  (~18% of them buy in a week) and there are only 18 weeks of history. On ``small``, seed 0:
  ~40% exact repurchase, top-12 coverage ~17%.
- ``sparse``: the ``fashion`` shop recorded badly: 90% of ages missing, one postal code, one
  sales channel and ten weeks of history. For tests of edge cases.

The awkward-data options (``weeks``, ``missing_age_share``, ``n_postal_codes``, ``channels``)
are profile fields too, so any profile can be made awkward, e.g.
``generate(out, scale="tiny", profile="grocery", channels=(2,))``.
"""

import dataclasses

from hm_assets.synth.catalog import BASICS, PRE_EXISTING
from hm_assets.synth.population import AGE_MISSING
from hm_assets.synth.simulation import Habits

SALES_CHANNELS = (1, 2)  # store, online


@dataclasses.dataclass(frozen=True)
class Profile:
    """Parameters of the latent model that select which signals dominate the data.

    Defaults are the ``fashion`` profile: with them the generator writes exactly the files it
    wrote before profiles existed (byte for byte, for a given seed).
    """

    name: str = "fashion"
    habits: Habits = Habits()  # visits and baskets: repurchase, household and regional effects
    # history: whole weeks ending on the last day (None: from H&M's first day, 2018-09-20)
    weeks: int | None = None
    # rows per customer and day relative to H&M's: more rows means more frequent visits
    volume: float = 1.0
    # article demand contrast: >1 concentrates sales on the most attractive articles
    # (None: the scale's own, which keeps H&M's concentration in a smaller catalogue)
    contrast: float | None = None
    # how much taste and product appeal depend on age: 1 as at H&M, 0 not at all (everyone
    # gets the population's average age-driven taste; age still shapes the sales channel)
    age_effect: float = 1.0
    staples: float = BASICS  # share of long-lived products (slow decay after launch)
    pre_existing: float = PRE_EXISTING  # share of products already on sale before the first day
    missing_age_share: float = AGE_MISSING  # customers whose age is missing in customers.csv
    # distinct postal codes at most (None: as H&M, ~0.26 per customer with one giant code);
    # 1 puts every customer in one code, which then says nothing about them
    n_postal_codes: int | None = None
    channels: tuple[int, ...] = SALES_CHANNELS  # sales channels that occur

    def __post_init__(self) -> None:
        if self.weeks is not None and self.weeks < 1:
            raise ValueError(f"profile {self.name!r}: weeks must be at least 1, got {self.weeks}")
        if not 0.0 <= self.missing_age_share <= 1.0:
            raise ValueError(f"profile {self.name!r}: missing_age_share must lie in [0, 1], got {self.missing_age_share}")
        if self.n_postal_codes is not None and self.n_postal_codes < 1:
            raise ValueError(f"profile {self.name!r}: n_postal_codes must be at least 1, got {self.n_postal_codes}")
        channels = tuple(sorted(set(self.channels)))
        if not channels or not set(channels) <= set(SALES_CHANNELS):
            raise ValueError(f"profile {self.name!r}: channels must be a non-empty subset of {SALES_CHANNELS}, got {self.channels}")
        object.__setattr__(self, "channels", channels)
        if not self.volume > 0:
            raise ValueError(f"profile {self.name!r}: volume must be positive, got {self.volume}")
        if not 0.0 <= self.age_effect <= 1.0:
            raise ValueError(f"profile {self.name!r}: age_effect must lie in [0, 1], got {self.age_effect}")
        for share in ("staples", "pre_existing"):
            if not 0.0 <= getattr(self, share) <= 1.0:
                raise ValueError(f"profile {self.name!r}: {share} must lie in [0, 1], got {getattr(self, share)}")


FASHION = Profile()

GROCERY = Profile(
    name="grocery",
    habits=Habits(
        own_history=0.7,  # most items follow up the customer's own purchases ...
        recency=0.2,  # ... any of the last dozens, not mostly the latest
        own_exact=0.9,  # ... and are then the very same article
        own_colour=0.04,
        own_set=0.02,
        household=0.0,  # no postal-code effect: neighbours do not shop alike ...
        region_taste=0.0,  # ... and regions share one taste
        skip_owned=0.0,  # a favourite drawn again is simply bought again
        skip_owned_product=0.0,
    ),
    weeks=18,
    volume=4.0,  # grocery shoppers come back about every week or two
    contrast=1.6,
    age_effect=0.0,
    staples=0.8,
    pre_existing=0.9,
)

SPARSE = Profile(name="sparse", weeks=10, missing_age_share=0.9, n_postal_codes=1, channels=(2,))

PROFILES = {p.name: p for p in (FASHION, GROCERY, SPARSE)}


def resolve(profile: "str | Profile", **options) -> Profile:
    """The profile named ``profile`` (or ``profile`` itself) with ``options`` (Profile fields)
    replaced; a clear error for an unknown name or option."""
    if isinstance(profile, str):
        if profile not in PROFILES:
            raise ValueError(f"unknown profile {profile!r}; choose one of {sorted(PROFILES)}")
        profile = PROFILES[profile]
    fields = {f.name for f in dataclasses.fields(Profile)} - {"name"}
    unknown = sorted(set(options) - fields)
    if unknown:
        raise ValueError(f"unknown generator option(s) {unknown}; choose among {sorted(fields)}")
    return dataclasses.replace(profile, **options) if options else profile
