"""The shopping simulation: who visits each day and what goes into their basket.

Visits. Every customer follows a renewal process: after a visit, the next one comes after a gap
drawn from a mixture (a quick return within days, the customer's usual rhythm of weeks, or a
long lapse of months), scaled by the customer's personal rhythm; after some visits a customer
stops coming. The gaps run on a shared *demand clock*: each day serves the customers whose next
visit is due, in order, until the day's volume is met, and the clock advances to the last one
served. Busy days (a summer peak, Black Friday) therefore pull visits forward, quiet days delay
them, and the day's row count is exact. New customers join through the period and shop on the
day they join; pre-existing customers' first visit in the data falls early.

Baskets. Each visit buys a few distinct items (online baskets are larger). Each item is, in
order of checks:
- a follow-up of one of the customer's recent purchases (mostly the latest): the same article
  again (a second size, a gift, a replacement), another colour of that product, the piece
  completing its set, or another article of its department;
- something the customer's household (people sharing a real postal code) bought lately;
- after the first item, something tied to an item already in the basket: the other piece of
  its set, another colour of it, or another article from its department;
- otherwise a fresh pick: a category (index group x product type) by the customer's taste
  (index group by age, gender and children; product type by an age-dependent embedding and
  regional quirks) times what the category currently sells to the customer's age group, then a
  colour family by taste, then an article of that category and colour in proportion to its
  current demand (life cycle, season) and its appeal to the customer's age group. A fresh pick
  the customer already owns is mostly put back: people rarely re-buy by accident.
Some items are bought in several units (rows repeat), prices follow the article's markdowns.

All draws are vectorized over the day's visits; state is a few arrays per customer.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Iterator

import numpy as np

from hm_assets.synth import demand
from hm_assets.synth.catalog import Catalog, weekly_weights
from hm_assets.synth.population import TASTE_DIM, Population
from hm_assets.synth.taxonomy import PRICE_DIVISOR

N_FAMILIES = 6
HISTORY = 32  # recent purchases remembered per customer
SHARED = 16  # recent purchases remembered per household (postal code)
MAX_ITEMS = 60  # distinct items in one visit
BATCH = 16_384  # visits per vectorized batch (bounds memory on peak days)
# Customers are grouped by age to match them with what products are designed for: the appeal of
# a product to a group falls off with the distance between the group's age and the product's
AGE_EDGES = np.array([25, 40, 55])  # groups: <25, 25-39, 40-54, 55+
AGE_MIDS = np.array([21.0, 32.0, 47.0, 62.0])
AGE_SPREAD = 10.0  # years
# sales per unit of catalogue demand by index group (Ladieswear, Divided, Menswear,
# Baby/Children, Sport): women's and young fashion sell more per article than the rest
GROUP_SALES = np.array([1.35, 1.3, 0.6, 0.6, 0.9])


@dataclasses.dataclass(frozen=True)
class Habits:
    """Visit rhythm and basket behaviour (calibrated to the facts in HM_FACTS.md)."""

    never: float = 0.007  # customers who never buy
    pre_existing: float = 0.55  # customers already shopping before the first day
    join_trend: float = 1.0  # new customers per day grow by e^trend over the period
    quick_return: float = 0.27  # share of gaps that are a quick return ...
    quick_days: float = 4.0  # ... of about this many days
    lapse: float = 0.06  # share of gaps that are a long lapse ...
    usual_days: float = 40.0  # median usual gap
    lapse_days: float = 150.0  # median lapse
    churn: float = 0.065  # chance to stop coming after a visit
    items_store: float = 1.45  # mean extra distinct items per store visit
    items_online: float = 2.2  # ... per online visit
    items_dispersion: float = 0.75  # negative-binomial shape of basket sizes
    own_history: float = 0.12  # chance an item follows up one of the customer's recent purchases
    recency: float = 0.75  # ... of the latest purchase (else the one before, and so on)
    own_exact: float = 0.3  # ... and then is the same article
    own_colour: float = 0.25  # ... or another colour of it
    own_set: float = 0.12  # ... or the rest of its set (else another article of its department)
    household: float = 0.07  # chance an item is one the customer's household bought lately
    skip_owned: float = 0.95  # chance a fresh pick already bought recently is put back
    skip_owned_product: float = 0.8  # ... and one whose other colour was bought recently
    partner: float = 0.10  # chance a later item is the other piece of an earlier item's set
    colour: float = 0.05  # ... another colour of an earlier item
    department: float = 0.15  # ... another article of an earlier item's department
    multi_units: float = 0.55  # scales each type's chance of several units
    region_taste: float = 0.35  # spread of regional preferences over product types
    type_taste: float = 1.0  # weight of the personal product-type embedding
    markdown_after: float = 1.3  # decay times after the peak before markdowns start


@dataclasses.dataclass
class Day:
    """One day's rows, sorted by customer: article *indices* into the catalogue."""

    day: int
    customer: np.ndarray  # int32 customer index
    article: np.ndarray  # int32 article index
    price: np.ndarray  # float64 Kaggle price
    channel: np.ndarray  # int8 sales_channel_id


def allocate(total: int, shares: np.ndarray) -> np.ndarray:
    """Integers proportional to ``shares`` summing exactly to ``total`` (largest remainder)."""
    raw = shares * total
    out = np.floor(raw).astype(np.int64)
    rest = total - int(out.sum())
    if rest > 0:
        out[np.argsort(-(raw - out), kind="stable")[:rest]] += 1
    return out


class Simulation:
    """Day-by-day shopping of ``people`` in ``catalog``; iterate ``days()`` for the rows.

    ``total_rows`` are spread over the days by the demand curve (exactly); ``contrast`` flattens
    differences in article demand for catalogues smaller than H&M's (see ``weekly_weights``).
    ``age_effect`` (0..1) scales how much a product's appeal depends on the customer's age;
    ``channels`` are the sales channels that occur (1 store, 2 online).
    All randomness comes from ``rng``, in a fixed order, so a seed fixes every row.
    """

    def __init__(self, catalog: Catalog, people: Population, rng: np.random.Generator, first_day: dt.date,
                 n_days: int, total_rows: int, habits: Habits = Habits(), contrast: float = 1.0,
                 age_effect: float = 1.0, channels: tuple[int, ...] = (1, 2)):
        self.cat, self.people, self.rng, self.h = catalog, people, rng, habits
        self.contrast = contrast
        self.channels = tuple(channels)
        self.first_day, self.n_days = first_day, n_days
        n, a = len(people.age), catalog.n
        self.n = n
        week0 = first_day - dt.timedelta(days=(first_day.weekday() - 2) % 7)  # Wednesday on/before
        self.week_offset = (first_day - week0).days
        self.rows_per_day = allocate(total_rows, demand.daily_volume(first_day, n_days, rng))
        self.online_shift = demand.online_shift(first_day, n_days).astype(np.float32)
        dates = np.datetime64(first_day) + np.arange(n_days).astype("timedelta64[D]")
        self.doy = (dates - dates.astype("datetime64[Y]").astype("datetime64[D]")).astype(np.int64) + 1

        # --- taste structure over categories -------------------------------------------------
        n_cat = int(catalog.cat.max()) + 1
        cat_type = np.zeros(n_cat, dtype=np.int64)
        cat_group = np.zeros(n_cat, dtype=np.int64)
        cat_type[catalog.cat] = catalog.cat_type[catalog.cat]
        cat_group[catalog.cat] = catalog.cat_group[catalog.cat]
        self.n_cat, self.cat_group = n_cat, cat_group
        n_types = int(cat_type.max()) + 1
        type_vec = rng.normal(0, 0.7, (n_types, TASTE_DIM)).astype(np.float32)
        self.cat_vec = np.ascontiguousarray(type_vec[cat_type].T * habits.type_taste)  # (dim, n_cat)
        # taste redistributes demand between categories; it does not make a category popular
        # with everyone (the catalogue's weights do that), so embeddings are centred
        self.taste_centre = people.type_taste.mean(axis=0)
        region = rng.normal(0, habits.region_taste, (people.n_regions, n_types)).astype(np.float32)
        self.region_cat = np.ascontiguousarray(region[:, cat_type])  # (regions, n_cat)
        # Taste moves demand between customers; on average over customers it should leave each
        # category's demand as the catalogue sets it (times its index group's sales level).
        # Otherwise categories with more varied appeal gain demand just by being varied.
        self.cat_offset = np.zeros(n_cat, dtype=np.float32)
        sample = rng.choice(self.n, size=min(self.n, 20_000), replace=False)
        taste = self._taste(np.sort(sample))
        self.cat_offset = (-np.log(np.exp(taste.astype(np.float64)).mean(axis=0))
                           + np.log(GROUP_SALES)[cat_group]).astype(np.float32)

        # --- static orderings for sampling within cells, departments and products ---------------
        self.age_group = np.searchsorted(AGE_EDGES, people.age, side="right").astype(np.int64)
        self.age_appeal = np.exp(-0.5 * ((AGE_MIDS[:, None] - catalog.target_age[None, :].astype(np.float64)) / AGE_SPREAD) ** 2)
        if age_effect != 1.0:  # at 0 every age group finds every product equally appealing
            self.age_appeal **= age_effect
        cell = catalog.cat.astype(np.int64) * N_FAMILIES + catalog.family
        self.cell_order = np.argsort(cell, kind="stable")
        self.cell_bounds = np.searchsorted(cell[self.cell_order], np.arange(n_cat * N_FAMILIES + 1))
        self.dept_order = np.argsort(catalog.dept, kind="stable")
        n_dept = int(catalog.dept.max()) + 1
        self.dept_pos = np.empty(a, dtype=np.int64)
        self.dept_pos[self.dept_order] = np.arange(a)
        self.dept_bounds = np.searchsorted(catalog.dept[self.dept_order], np.arange(n_dept + 1))
        self.product_bounds = catalog.product_start
        self.markdown_start = (catalog.launch + catalog.peak + np.ceil(habits.markdown_after * catalog.tau + 1)).astype(np.int64)

        # --- customers' visit state ------------------------------------------------------------
        kind = rng.choice(3, size=n, p=[habits.never, habits.pre_existing, 1 - habits.never - habits.pre_existing])
        self.next_visit = np.full(n, np.inf)
        pre = np.flatnonzero(kind == 1)
        first = self._gaps(pre) * rng.random(len(pre))
        self.next_visit[pre] = np.minimum(first, rng.random(len(pre)) * 200.0)
        new = np.flatnonzero(kind == 2)
        join_w = np.exp(habits.join_trend * np.arange(n_days) / n_days)
        join_day = rng.choice(n_days, size=len(new), p=join_w / join_w.sum())
        order = np.argsort(join_day, kind="stable")
        self.joiners = new[order]
        self.join_bounds = np.searchsorted(join_day[order], np.arange(n_days + 1))
        self.clock = 0.0
        self.advance = 1.0
        self.history = np.zeros((n, HISTORY), dtype=np.int32)
        self.history_n = np.zeros(n, dtype=np.int32)
        n_households = int(people.household.max()) + 1
        self.shared = np.zeros((max(n_households, 1), SHARED), dtype=np.int32)
        self.shared_by = np.zeros((max(n_households, 1), SHARED), dtype=np.int32)  # who bought it
        self.shared_n = np.zeros(max(n_households, 1), dtype=np.int32)
        self._week = None

    # --- visits ----------------------------------------------------------------------------------
    def _gaps(self, who: np.ndarray) -> np.ndarray:
        """Demand-clock time until each customer's next visit (inf: never again)."""
        h, rng, m = self.h, self.rng, len(who)
        u = rng.random(m)
        quick = u < h.quick_return
        lapse = u > 1 - h.lapse
        usual = np.exp(rng.normal(np.log(h.usual_days), 0.7, m))
        long_ = np.exp(rng.normal(np.log(h.lapse_days), 0.8, m))
        gap = np.where(quick, 1 + rng.exponential(h.quick_days, m), np.where(lapse, long_, usual) * self.people.rhythm[who])
        return np.where(rng.random(m) < h.churn, np.inf, gap)

    def _candidates(self, need: int, exclude: np.ndarray | None) -> np.ndarray:
        """Customers due soonest (at least ``need`` if enough remain), in visit order."""
        horizon = max(self.advance * 2.0, 1.0)
        finite = np.isfinite(self.next_visit)
        while True:
            due = self.next_visit <= self.clock + horizon
            if exclude is not None:
                due[exclude] = False
            cand = np.flatnonzero(due)
            if len(cand) >= need or horizon > 1e6:
                break
            horizon *= 2.0
        if len(cand) < need:  # everyone left: the rest of the finite queue
            mask = finite.copy()
            if exclude is not None:
                mask[exclude] = False
            cand = np.flatnonzero(mask)
        return cand[np.argsort(self.next_visit[cand], kind="stable")]

    # --- weekly demand ---------------------------------------------------------------------------
    def _prepare_week(self, week: int, doy: int) -> None:
        if self._week == week:
            return
        self._week = week
        w = weekly_weights(self.cat, week, doy, self.contrast).astype(np.float64)
        self.w = w
        # one cumulative sum per age group, chained so that the concatenation is increasing
        by_group = (w[None, :] * self.age_appeal)[:, self.cell_order]
        cw = np.concatenate([np.zeros((len(AGE_MIDS), 1)), np.cumsum(by_group, axis=1)], axis=1)
        cw += np.concatenate([[0.0], np.cumsum(cw[:-1, -1])])[:, None]
        self.cw_cell = cw.ravel()
        self.cw_stride = cw.shape[1]
        cell_tot = cw[:, self.cell_bounds[1:]] - cw[:, self.cell_bounds[:-1]]
        self.cell_tot = cell_tot.reshape(len(AGE_MIDS), self.n_cat, N_FAMILIES)
        with np.errstate(divide="ignore"):
            self.log_cat = np.log(self.cell_tot.sum(axis=2)).astype(np.float32)  # (groups, n_cat)
        self.cw_dept = np.concatenate([[0.0], np.cumsum(w[self.dept_order])])
        self.cw_art = np.concatenate([[0.0], np.cumsum(w)])

    @staticmethod
    def _in_range(cw: np.ndarray, lo: np.ndarray, hi: np.ndarray, u: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Position drawn in proportion to weight within ``[lo, hi)``; ok=False where all weight is 0."""
        base, total = cw[lo], cw[hi] - cw[lo]
        pos = np.searchsorted(cw, base + u * total, side="right") - 1
        return np.clip(pos, lo, np.maximum(hi - 1, lo)), total > 0

    # --- baskets ---------------------------------------------------------------------------------
    def _taste(self, cust: np.ndarray) -> np.ndarray:
        """(len(cust), n_cat) float32 taste logits: index group, product type, region."""
        p = self.people
        logits = p.group_taste[cust][:, self.cat_group]
        tt = p.type_taste[cust] - self.taste_centre
        for d in range(TASTE_DIM):
            logits += tt[:, d : d + 1] * self.cat_vec[d]
        logits += self.region_cat[p.region[cust]]
        logits += self.cat_offset
        return logits

    def _category_cdf(self, cust: np.ndarray) -> np.ndarray:
        """Flattened per-visit CDFs over categories, offset by row (row r spans [r, r+1))."""
        logits = self._taste(cust)
        logits += self.log_cat[self.age_group[cust]]
        logits -= logits.max(axis=1, keepdims=True)
        np.exp(logits, out=logits)
        np.cumsum(logits, axis=1, out=logits)
        logits /= logits[:, -1:]
        cdf = logits.astype(np.float64)
        cdf += np.arange(len(cust), dtype=np.float64)[:, None]
        return cdf.ravel()

    def _fresh(self, cust: np.ndarray, rows: np.ndarray, cdf: np.ndarray) -> np.ndarray:
        """Taste-driven picks for visits ``rows`` (positions in the batch) of customers ``cust``."""
        rng, m = self.rng, len(cust)
        u = rng.random(m)
        flat = np.searchsorted(cdf, rows + u, side="right")
        category = np.minimum(flat - rows * self.n_cat, self.n_cat - 1)
        group = self.age_group[cust]
        fam_w = self.cell_tot[group, category] * np.exp(self.people.colour_taste[cust])
        fam_cdf = np.cumsum(fam_w, axis=1)
        fam = (fam_cdf < (rng.random(m) * fam_cdf[:, -1])[:, None]).sum(axis=1)
        fam = np.minimum(fam, N_FAMILIES - 1)
        cell = category * N_FAMILIES + fam
        offset = group * self.cw_stride
        pos, ok = self._in_range(self.cw_cell, offset + self.cell_bounds[cell], offset + self.cell_bounds[cell + 1], rng.random(m))
        return np.where(ok, self.cell_order[np.clip(pos - offset, 0, len(self.cell_order) - 1)], -1)

    def _other_colour(self, art: np.ndarray) -> np.ndarray:
        """A colour of the same product, in proportion to current demand (-1 if none sells)."""
        prod = self.cat.product[art]
        pos, ok = self._in_range(self.cw_art, self.product_bounds[prod], self.product_bounds[prod + 1], self.rng.random(len(art)))
        return np.where(ok, pos, -1)

    def _same_department(self, art: np.ndarray) -> np.ndarray:
        dept = self.cat.dept[art]
        pos, ok = self._in_range(self.cw_dept, self.dept_bounds[dept], self.dept_bounds[dept + 1], self.rng.random(len(art)))
        return np.where(ok, self.dept_order[pos], -1)

    def _partner(self, art: np.ndarray) -> np.ndarray:
        p = self.cat.partner[art]
        return np.where((p >= 0) & (self.w[np.maximum(p, 0)] > 0), p, -1)

    def _baskets(self, cust: np.ndarray, day: int):
        """Items of one visit per customer in ``cust``: (visit, slot, article, units, online)."""
        h, rng, n = self.h, self.rng, len(cust)
        online = rng.random(n) < 1 / (1 + np.exp(-(self.people.online[cust] + self.online_shift[day])))
        if len(self.channels) == 1:  # one channel only: every visit goes through it
            online[:] = self.channels[0] == 2
        extra = np.where(online, h.items_online, h.items_store)
        size = 1 + rng.negative_binomial(h.items_dispersion, h.items_dispersion / (h.items_dispersion + extra))
        size = np.minimum(size, MAX_ITEMS)
        items = np.full((n, int(size.max())), -1, dtype=np.int64)
        cdf = self._category_cdf(cust)
        has_history = self.history_n[cust] > 0
        hh = self.people.household[cust]
        in_household = (hh >= 0) & (self.shared_n[np.maximum(hh, 0)] > 0)
        for j in range(items.shape[1]):
            rows = np.flatnonzero(size > j)
            c = cust[rows]
            u = rng.random(len(rows))
            pick = np.full(len(rows), -1, dtype=np.int64)
            # 1. the customer's own recent purchases, or what their household bought lately
            own = np.flatnonzero(has_history[rows] & (u < h.own_history))
            if len(own):
                pick[own] = self._from_history(c[own])
            near = np.flatnonzero(in_household[rows] & (u >= h.own_history) & (u < h.own_history + h.household))
            if len(near):
                pick[near] = self._from_household(c[near])
            # 2. tied to an earlier item of this basket
            if j > 0:
                ref = items[rows, (rng.random(len(rows)) * j).astype(np.int64)]
                lo = h.own_history + h.household
                for share, fn in ((h.partner, self._partner), (h.colour, self._other_colour), (h.department, self._same_department)):
                    sel = np.flatnonzero((pick < 0) & (u >= lo) & (u < lo + share))
                    if len(sel):
                        pick[sel] = fn(ref[sel])
                    lo += share
            # 3. a fresh, taste-driven pick (also where the above found nothing on sale)
            fresh = pick < 0
            rest = np.flatnonzero(fresh)
            if len(rest):
                pick[rest] = self._fresh(c[rest], rows[rest], cdf)
            # an article already in the basket is drawn again once (several units of one
            # article are decided separately), and so, mostly, is a fresh pick the customer
            # already owns: people rarely buy the same thing twice by accident
            again = np.zeros(len(rows), dtype=bool)
            if j > 0:
                again |= (items[rows, :j] == pick[:, None]).any(axis=1)
            again[rest] |= self._owned(c[rest], pick[rest])
            redo = np.flatnonzero(again)
            if len(redo):
                pick[redo] = self._fresh(c[redo], rows[redo], cdf)
            items[rows, j] = pick
        visit, slot = np.nonzero(items >= 0)
        art = items[visit, slot]
        several = rng.random(len(art)) < self.cat.units[art] * h.multi_units
        units = 1 + np.where(several, rng.geometric(0.55, len(art)), 0)
        return visit, slot, art, units, online

    def _from_household(self, c: np.ndarray) -> np.ndarray:
        """An article the customer's household (postal code) bought lately, if still on sale."""
        hh = self.people.household[c]
        n = self.shared_n[hh]
        back = np.minimum(self.rng.geometric(0.3, len(c)) - 1, np.minimum(n, SHARED) - 1)
        slot = (n - 1 - back) % SHARED
        art = self.shared[hh, slot].astype(np.int64)
        # the customer's own purchases come through their own history, not this way
        return np.where((self.w[art] > 0) & (self.shared_by[hh, slot] != c), art, -1)

    def _owned(self, c: np.ndarray, art: np.ndarray) -> np.ndarray:
        """Whether a fresh pick is put back because the customer recently bought it (or, less
        often, another colour of it)."""
        h, m = self.h, len(c)
        known = np.arange(HISTORY)[None, :] < np.minimum(self.history_n[c], HISTORY)[:, None]
        past = self.history[c]
        same = ((past == art[:, None]) & known).any(axis=1)
        product = self.cat.product
        sibling = ((product[past] == product[art][:, None]) & known).any(axis=1) & ~same
        u = self.rng.random(m)
        return (same & (u < h.skip_owned)) | (sibling & (u < h.skip_owned_product))

    def _from_history(self, c: np.ndarray) -> np.ndarray:
        """Follow-ups of a recent purchase (the latest most likely): the same article again,
        another colour of it, the rest of its set, or another article of its department."""
        h, rng, m = self.h, self.rng, len(c)
        back = np.minimum(rng.geometric(h.recency, m) - 1, np.minimum(self.history_n[c], HISTORY) - 1)
        past = self.history[c, (self.history_n[c] - 1 - back) % HISTORY].astype(np.int64)
        u = rng.random(m)
        out = np.where(self.w[past] > 0, past, -1)  # still on sale
        edges = np.cumsum([h.own_exact, h.own_colour, h.own_set])
        for lo, hi, follow in ((edges[0], edges[1], self._other_colour), (edges[1], edges[2], self._partner),
                               (edges[2], np.inf, self._same_department)):
            sel = (u >= lo) & (u < hi)
            out[sel] = follow(past[sel])
        return out

    def _prices(self, art: np.ndarray, week: int, visit_voucher: np.ndarray) -> np.ndarray:
        """Kaggle price: shelf price after markdowns and vouchers, divided by 590."""
        shelf = np.round(self.cat.shelf[art].astype(np.float64), 2)  # float32 storage -> exact cents
        weeks_on_markdown = week - self.markdown_start[art]
        factor = np.select([weeks_on_markdown >= 8, weeks_on_markdown >= 3, weeks_on_markdown >= 0], [0.3, 0.5, 0.7], 1.0)
        marked = np.where(factor < 1.0, np.maximum(np.floor(shelf * factor) + 0.99 - (shelf * factor < 1), 0.49), shelf)
        price = marked * visit_voucher
        price = np.where(self.rng.random(len(art)) < 2e-6, 0.01, price)  # staff and replacement items
        return price / PRICE_DIVISOR

    # --- the day loop ----------------------------------------------------------------------------
    def days(self, progress: Callable[[int, int], None] | None = None) -> Iterator[Day]:
        for day in range(self.n_days):
            yield self._day(day)
            if progress is not None:
                progress(day, self.n_days)

    def _day(self, day: int) -> Day:
        rng, h = self.rng, self.h
        week = (day + self.week_offset) // 7
        mid_week = min(max(day - (day + self.week_offset) % 7 + 3, 0), self.n_days - 1)
        self._prepare_week(week, int(self.doy[mid_week]))
        joiners = self.joiners[self.join_bounds[day] : self.join_bounds[day + 1]]
        self.next_visit[joiners] = self.clock - 1e-6 * (1 + rng.random(len(joiners)))
        target = int(self.rows_per_day[day])
        parts, served_parts, rows_done = [], [], 0
        queue = self._candidates(int(target / 2.5) + 16, None)
        pos = 0
        while rows_done < target:
            if pos >= len(queue):
                served = np.concatenate(served_parts) if served_parts else None
                queue, pos = self._candidates(int((target - rows_done) / 2.5) + 16, served), 0
                if not len(queue):  # nobody left at all: bring back lapsed customers
                    back = rng.choice(self.n, size=min(self.n, 64), replace=False)
                    self.next_visit[back] = self.clock
                    continue
            take = min(BATCH, max(8, int((target - rows_done) / 3.0 * 1.15) + 8), len(queue) - pos)
            batch = queue[pos : pos + take]
            pos += take
            visit, slot, art, units, online = self._baskets(batch, day)
            n_rows = np.bincount(visit, weights=units, minlength=len(batch)).astype(np.int64)
            ends = rows_done + np.cumsum(n_rows)
            last = int(np.searchsorted(ends, target))  # first visit reaching the target
            if last < len(batch):
                keep_visits = last + 1
                batch = batch[:keep_visits]
                kept = visit < keep_visits
                visit, slot, art, units = visit[kept], slot[kept], art[kept], units[kept]
                online = online[:keep_visits]
            parts.append((batch, visit, slot, art, units, online))
            served_parts.append(batch)
            rows_done = int(ends[min(last, len(ends) - 1)])
        day_rows = self._assemble(parts, week, target)
        served = np.concatenate(served_parts)
        due = self.next_visit[served]
        self.advance = 0.7 * self.advance + 0.3 * max(float(due.max()) - self.clock, 0.0)
        self.clock = max(self.clock, float(due.max()))
        self.next_visit[served] = due + self._gaps(served)
        return Day(day, *day_rows)

    def _assemble(self, parts, week: int, target: int):
        """Expand units to rows, cut the last visit to hit ``target`` rows, update histories."""
        custs, arts, prices, chans, slots = [], [], [], [], []
        for batch, visit, slot, art, units, online in parts:
            voucher = np.where(self.rng.random(len(batch)) < 0.08, self.rng.choice([0.9, 0.8, 0.75], len(batch)), 1.0)
            price = self._prices(art, week, voucher[visit])
            rep = units.astype(np.int64)
            custs.append(np.repeat(batch[visit], rep))
            arts.append(np.repeat(art, rep))
            prices.append(np.repeat(price, rep))
            chans.append(np.repeat(np.where(online[visit], 2, 1), rep))
            slots.append(np.repeat(slot, rep))
        cust = np.concatenate(custs)
        art = np.concatenate(arts)
        price = np.concatenate(prices)
        chan = np.concatenate(chans).astype(np.int8)
        slot = np.concatenate(slots)
        # rows are in visit order, so the overshoot is all in the final visit: drop its last rows
        cust, art, price, chan, slot = cust[:target], art[:target], price[:target], chan[:target], slot[:target]
        order = np.lexsort((slot, cust))
        cust, art, price, chan, slot = cust[order], art[order], price[order], chan[order], slot[order]
        self._remember(cust, art)
        return cust.astype(np.int32), art.astype(np.int32), price, chan

    def _remember(self, cust: np.ndarray, art: np.ndarray) -> None:
        """Append the day's distinct items (rows sorted by customer) to each customer's ring buffer."""
        if not len(cust):
            return
        first = np.ones(len(cust), dtype=bool)
        first[1:] = (cust[1:] != cust[:-1]) | (art[1:] != art[:-1])
        cust, art = cust[first], art[first]
        start = np.flatnonzero(np.concatenate([[True], cust[1:] != cust[:-1]]))
        count = np.diff(np.concatenate([start, [len(cust)]]))
        rank = np.arange(len(cust)) - np.repeat(start, count)
        total = np.repeat(count, count)
        keep = rank >= total - HISTORY  # only the last HISTORY items of the day can survive
        c, a, r = cust[keep], art[keep], rank[keep]
        self.history[c, (self.history_n[c] + r) % HISTORY] = a
        np.add.at(self.history_n, cust[start], count.astype(np.int32))
        self._ring(self.shared, self.shared_n, self.people.household[cust], art, self.shared_by, cust)

    @staticmethod
    def _ring(ring: np.ndarray, filled: np.ndarray, owner: np.ndarray, item: np.ndarray, ring_by: np.ndarray,
              by: np.ndarray) -> None:
        """Append ``item`` (bought by ``by``) to the ring buffer of each ``owner`` (>= 0), in order."""
        ok = owner >= 0
        owner, item, by = owner[ok], item[ok], by[ok]
        if not len(owner):
            return
        order = np.argsort(owner, kind="stable")
        owner, item, by = owner[order], item[order], by[order]
        start = np.flatnonzero(np.concatenate([[True], owner[1:] != owner[:-1]]))
        count = np.diff(np.concatenate([start, [len(owner)]]))
        rank = np.arange(len(owner)) - np.repeat(start, count)
        keep = rank >= np.repeat(count, count) - ring.shape[1]
        o, r = owner[keep], rank[keep]
        ring[o, (filled[o] + r) % ring.shape[1]] = item[keep]
        ring_by[o, (filled[o] + r) % ring.shape[1]] = by[keep]
        filled[owner[start]] += count.astype(filled.dtype)
