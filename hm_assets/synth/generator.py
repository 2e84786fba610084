"""Generate a synthetic H&M dataset: ``articles.csv``, ``customers.csv``, ``transactions_train.csv``.

The files have exactly the Kaggle schema and formats; the behaviour in them comes from a latent
model (see ``catalog``, ``population`` and ``simulation``) calibrated to the published facts
(``HM_FACTS.md``), so that what works on the real data works here for the same reasons.
``python -m hm_assets.synth.calibrate DIR`` compares a generated folder with those facts.

Scales (all cover the full H&M period by default, 2018-09-20..2020-09-22):

========  ===========  ========  ============  =====================================
scale     customers    articles  transactions  use
========  ===========  ========  ============  =====================================
tiny      1,500        400       ~35 k         unit tests (a few seconds)
small     25,000       5,000     ~580 k        the demo: the whole pipeline in minutes
medium    137,198      10,554    ~3.18 M       a tenth of the real data
full      1,371,980    105,542   31,788,324    the real sizes (~10 min, ~1.4 GiB RAM)
========  ===========  ========  ============  =====================================

The same seed gives byte-identical files.

Profiles (``hm_assets.synth.profiles``) set which signals dominate: ``fashion`` (the default,
calibrated to H&M), ``grocery`` (frequent exact repurchase, a few best sellers, no age or
postal-code effect, 18 weeks of history) and ``sparse`` (awkward data for tests). Keyword
options override single profile fields, e.g. the awkward-data ones::

    generate(out, scale="tiny", missing_age_share=0.9, n_postal_codes=1, channels=(2,), weeks=10)
"""

import dataclasses
import datetime as dt
import os
import sys
import time
from pathlib import Path

import numpy as np

from hm_assets import calendar, schemas
from hm_assets.settings import HM_FIRST_DAY, HM_LAST_DAY
from hm_assets.synth import writer
from hm_assets.synth.catalog import build_catalog
from hm_assets.synth.population import build_population
from hm_assets.synth.profiles import Profile, resolve
from hm_assets.synth.simulation import Simulation

REAL_CUSTOMERS = 1_371_980
REAL_ARTICLES = 105_542
REAL_TRANSACTIONS = 31_788_324
REAL_DAYS = (HM_LAST_DAY - HM_FIRST_DAY).days + 1  # 734


@dataclasses.dataclass(frozen=True)
class Scale:
    customers: int
    articles: int
    # exponent compressing demand differences between articles: with fewer articles on sale
    # a flatter demand keeps the week's best sellers at the share of sales they have at H&M
    contrast: float


SCALES = {
    "tiny": Scale(1_500, 400, 0.15),
    "small": Scale(25_000, 5_000, 0.2),
    "medium": Scale(137_198, 10_554, 0.35),
    "full": Scale(REAL_CUSTOMERS, REAL_ARTICLES, 0.85),
}


def transactions_for(scale: Scale, n_days: int) -> int:
    """Rows for a scale: the real rows per customer per day (exactly the real total at full)."""
    if scale.customers == REAL_CUSTOMERS and n_days == REAL_DAYS:
        return REAL_TRANSACTIONS
    return int(round(REAL_TRANSACTIONS * scale.customers / REAL_CUSTOMERS * n_days / REAL_DAYS))


def generate(
    out_dir: str | os.PathLike,
    scale: str = "small",
    seed: int = 0,
    first_day: dt.date | None = None,
    last_day: dt.date = HM_LAST_DAY,
    progress: bool = False,
    profile: "str | Profile" = "fashion",
    **options,
) -> dict:
    """Write the three Kaggle files into ``out_dir``; returns their paths and row counts.

    ``profile`` is a profile name (``fashion``, ``grocery``, ``sparse``) or a ``Profile``;
    ``options`` replace single fields of it (``weeks``, ``missing_age_share``,
    ``n_postal_codes``, ``channels``, ``habits``, ...: see ``profiles.Profile``). Transactions
    run from ``first_day`` (default: H&M's first day, or the start of the profile's ``weeks``
    whole weeks ending with ``last_day``'s week) to ``last_day``.

    Files are written under temporary names and renamed when complete, so a folder never holds
    a half-written dataset under the real names.
    """
    if scale not in SCALES:
        raise ValueError(f"unknown scale {scale!r}; choose one of {sorted(SCALES)}")
    prof = resolve(profile, **options)
    if prof.weeks is not None and first_day is not None:
        raise ValueError(f"give either first_day ({first_day}) or weeks ({prof.weeks}), not both")
    if first_day is None:
        first_day = HM_FIRST_DAY if prof.weeks is None else calendar.shift_week(calendar.week_start(last_day), 1 - prof.weeks)
    if last_day < first_day:
        raise ValueError(f"last_day {last_day} is before first_day {first_day}")
    spec = SCALES[scale]
    n_days = (last_day - first_day).days + 1
    total_rows = int(round(transactions_for(spec, n_days) * prof.volume))
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    say = _reporter(progress, started)

    catalog_rng, people_rng, sim_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))
    week0 = first_day - dt.timedelta(days=(first_day.weekday() - 2) % 7)
    n_weeks = (last_day - week0).days // 7 + 1
    catalog = build_catalog(catalog_rng, spec.articles, n_weeks, np.datetime64(week0), prof.staples, prof.pre_existing)
    people = build_population(people_rng, spec.customers, prof.age_effect, prof.missing_age_share, prof.n_postal_codes)
    say(f"catalogue ({catalog.n:,} articles) and customers ({len(people.age):,}) drawn")

    paths = {name: out / name for name in (schemas.ARTICLES_FILE, schemas.CUSTOMERS_FILE, schemas.TRANSACTIONS_FILE)}
    tmp = {name: p.with_name(p.name + ".partial") for name, p in paths.items()}
    writer.write_articles(catalog.frame, tmp[schemas.ARTICLES_FILE])
    writer.write_customers(people.frame, tmp[schemas.CUSTOMERS_FILE])

    contrast = spec.contrast if prof.contrast is None else prof.contrast
    sim = Simulation(catalog, people, sim_rng, first_day, n_days, total_rows, prof.habits, contrast, prof.age_effect, prof.channels)
    step = max(1, n_days // 20)

    def on_day(day: int, total: int) -> None:
        if (day + 1) % step == 0 or day + 1 == total:
            say(f"day {day + 1}/{total}: {tx.rows:,} of {total_rows:,} rows")

    with writer.TransactionWriter(tmp[schemas.TRANSACTIONS_FILE], people.hex_ids, catalog.article_id) as tx:
        for day in sim.days(on_day):
            tx.write(np.datetime64(first_day) + np.timedelta64(day.day, "D"), day.customer, day.article, day.price, day.channel)
    for name, p in paths.items():
        os.replace(tmp[name], p)
    say(f"wrote {out}")
    return {
        "articles": paths[schemas.ARTICLES_FILE],
        "customers": paths[schemas.CUSTOMERS_FILE],
        "transactions": paths[schemas.TRANSACTIONS_FILE],
        "n_articles": catalog.n,
        "n_customers": len(people.age),
        "n_transactions": tx.rows,
        "profile": prof.name,
        "first_day": first_day,
        "last_day": last_day,
    }


def _reporter(enabled: bool, started: float):
    def say(message: str) -> None:
        if enabled:
            print(f"[synth {time.perf_counter() - started:7.1f}s] {message}", file=sys.stderr, flush=True)

    return say
