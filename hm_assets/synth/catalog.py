"""Synthetic articles: the Kaggle ``articles.csv`` columns plus the latent facts sales are drawn from.

Story: H&M designs *products* (a ``product_code``) and makes each in one or more colours (the
articles, ``article_id = product_code * 1000 + variant``). A product belongs to an index (who it
is for), a section and department, has a product type, a garment group, a print and a shelf
price. It launches in some week (seasonal types launch ahead of their season), sells best within
a few weeks of launch and then fades, except long-lived basics. Some products are designed as
*sets* with a complementary product (bikini top and bottoms, a top and matching trousers) that
launches with it in the same colours; shoppers often buy both.

Everything here is vectorized over products or articles; nothing is built per row.
"""

import dataclasses

import numpy as np
import pandas as pd

from hm_assets.synth import taxonomy as tx

VARIANTS_PER_PRODUCT = 105_542 / 47_224  # real mean number of colours per product
PRE_EXISTING = 0.25  # share of products launched before the first day of data
PRE_EXISTING_WEEKS = 70  # ... up to this many weeks before it
BASICS = 0.12  # share of long-lived products (slow decay)
SET_SHARE = 0.18  # share of products that belong to a two-product set
LATE_VARIANT = 0.2  # share of extra colours released some weeks after the product
EMPTY_DESC = 416 / 105_542
DEPARTMENTS = 250  # in the full catalogue
APPEAL_SPREAD = 1.0  # log-sd of product attractiveness
SOLD_OUT = 0.004  # demand (relative to the peak) below which an article is no longer sold


@dataclasses.dataclass
class Catalog:
    """Articles in ``article_id`` order: the CSV frame and per-article latent arrays."""

    frame: pd.DataFrame  # the 25 Kaggle columns, Kaggle order
    product: np.ndarray  # int32 product index (articles of a product are contiguous)
    product_start: np.ndarray  # int64, first article of each product (len n_products + 1)
    launch: np.ndarray  # int16 launch week (week index relative to the first data week)
    peak: np.ndarray  # int8 weeks from launch to peak
    tau: np.ndarray  # float32 decay time in weeks after the peak
    base: np.ndarray  # float32 base attractiveness
    season: np.ndarray  # int8 season index into SEASON_NAMES
    shelf: np.ndarray  # float32 shelf price (currency units)
    units: np.ndarray  # float32 chance of several units
    cat: np.ndarray  # int16 taste category = (index group, product type)
    cat_group: np.ndarray  # int8 index-group position of each category
    cat_type: np.ndarray  # int16 product-type position of each category
    family: np.ndarray  # int8 colour family
    dept: np.ndarray  # int32 department index
    partner: np.ndarray  # int32 article completing a set with this one, -1 if none
    target_age: np.ndarray  # float32 age of the customers the product is designed for

    @property
    def n(self) -> int:
        return len(self.frame)

    @property
    def article_id(self) -> np.ndarray:
        return self.frame["article_id"].to_numpy(np.int64)


SEASON_NAMES = tuple(tx.SEASONS)


def _choice(rng: np.random.Generator, n: int, weights) -> np.ndarray:
    w = np.asarray(weights, dtype=np.float64)
    return rng.choice(len(w), size=n, p=w / w.sum())


def _weekly_doy(first_week_start: np.datetime64, weeks: np.ndarray) -> np.ndarray:
    """Day of year (1..366) of the middle of each week index."""
    mid = first_week_start + (weeks * 7 + 3).astype("timedelta64[D]")
    year_start = mid.astype("datetime64[Y]").astype("datetime64[D]")
    return (mid - year_start).astype(np.int64) + 1


def season_factor(season: np.ndarray, doy: np.ndarray) -> np.ndarray:
    """Multiplicative demand factor of each season index at day-of-year ``doy`` (broadcasts)."""
    peaks = np.array([tx.SEASONS[s][0] for s in SEASON_NAMES], dtype=np.float64)
    amps = np.array([tx.SEASONS[s][1] for s in SEASON_NAMES], dtype=np.float64)
    phase = 2 * np.pi * (doy - peaks[season]) / 365.25
    return np.exp(amps[season] * (np.cos(phase) - 1.0))


def build_catalog(rng: np.random.Generator, n_articles: int, n_weeks: int, first_week_start: np.datetime64,
                  basics_share: float = BASICS, pre_existing_share: float = PRE_EXISTING) -> Catalog:
    """Draw ``n_articles`` articles whose products launch over ``n_weeks`` data weeks.

    ``basics_share`` of the products are long-lived basics; ``pre_existing_share`` were launched
    before the first data week.
    """
    types = tx.PRODUCT_TYPES
    type_index = {t.name: i for i, t in enumerate(types)}
    n_products = max(1, int(round(n_articles / VARIANTS_PER_PRODUCT)))
    n_products = min(n_products, n_articles)

    # --- who each product is for, and what it is ---------------------------------------------
    index_of = _choice(rng, n_products, [ix.share for ix in tx.INDEXES])
    ptype = np.empty(n_products, dtype=np.int64)
    for i, ix in enumerate(tx.INDEXES):
        members = np.flatnonzero(index_of == i)
        if not len(members):
            continue
        allowed = [j for j, t in enumerate(types) if ix.audience in tx.AUDIENCE_OK[t.audience]]
        # product group first (the index's mix), then a type within it
        gnames = [g for g in ix.groups if any(types[j].group == g for j in allowed)]
        gpick = _choice(rng, len(members), [ix.groups[g] for g in gnames])
        for gi, g in enumerate(gnames):
            sub = members[gpick == gi]
            cand = [j for j in allowed if types[j].group == g]
            ptype[sub] = np.asarray(cand)[_choice(rng, len(sub), [types[j].weight for j in cand])]

    # --- sets: a follower product completes its leader (same index, launch and colours) ------
    has_comp = np.array([bool(types[t].complements) for t in ptype])
    eligible = np.flatnonzero(has_comp)
    n_sets = int(round(SET_SHARE / 2 * n_products))
    n_sets = min(n_sets, len(eligible), n_products // 2)
    leaders = rng.choice(eligible, size=n_sets, replace=False) if n_sets else np.zeros(0, np.int64)
    others = np.setdiff1d(np.arange(n_products), leaders)
    followers = rng.choice(others, size=n_sets, replace=False) if n_sets else np.zeros(0, np.int64)
    index_of[followers] = index_of[leaders]
    for k, (lead, fol) in enumerate(zip(leaders.tolist(), followers.tolist())):
        ix = tx.INDEXES[index_of[lead]]
        comps = [type_index[n] for n in types[ptype[lead]].complements
                 if ix.audience in tx.AUDIENCE_OK[types[type_index[n]].audience]]
        ptype[fol] = comps[int(rng.integers(len(comps)))] if comps else ptype[lead]

    # --- section, garment group, department --------------------------------------------------
    section = np.empty(n_products, dtype=np.int64)
    section_names, section_nos, section_index = [], [], []
    for i, ix in enumerate(tx.INDEXES):
        for no, name, _ in tx.SECTIONS[ix.code]:
            section_nos.append(no)
            section_names.append(name)
            section_index.append(i)
    for i, ix in enumerate(tx.INDEXES):
        members = np.flatnonzero(index_of == i)
        offs = [k for k, si in enumerate(section_index) if si == i]
        section[members] = np.asarray(offs)[_choice(rng, len(members), [s[2] for s in tx.SECTIONS[ix.code]])]
    section[followers] = section[leaders]

    garment = np.empty(n_products, dtype=np.int64)
    for j, t in enumerate(types):
        members = np.flatnonzero(ptype == j)
        if not len(members):
            continue
        opts = list(t.garment)
        w = [0.75] + [0.25 / max(len(opts) - 1, 1)] * (len(opts) - 1) if len(opts) > 1 else [1.0]
        garment[members] = np.asarray(opts)[_choice(rng, len(members), w)]
    # baby garments are filed under the baby garment group; girls' dresses under their own
    code_of = np.array([ix.code for ix in tx.INDEXES])[index_of]
    is_garment = np.isin(np.array([types[t].group for t in ptype]), ["Garment Upper body", "Garment Lower body", "Garment Full body"])
    garment[is_garment & (code_of == "G")] = 1006
    girls = np.isin(np.array([types[t].name for t in ptype]), ["Dress", "Skirt"]) & np.isin(code_of, ["H", "I"])
    garment[girls] = 1023
    special = rng.random(n_products) < 0.01
    garment[special] = 1021
    unknown = np.array([types[t].group == "Unknown" for t in ptype])
    garment[unknown] = 1001

    dept, dept_no, dept_name = _departments(rng, section, garment, section_nos, section_names)

    # --- launch, life cycle, attractiveness, price ------------------------------------------------
    season = np.array([SEASON_NAMES.index(types[t].season) for t in ptype], dtype=np.int8)
    launch = np.empty(n_products, dtype=np.int64)
    pre = rng.random(n_products) < pre_existing_share
    weeks = np.arange(n_weeks)
    doy = _weekly_doy(first_week_start, weeks)
    for s in range(len(SEASON_NAMES)):
        members = np.flatnonzero(~pre & (season == s))
        if not len(members):
            continue
        # seasonal products launch about eight weeks before their season peaks
        launch_w = season_factor(np.full(n_weeks, s), (doy + 56) % 366)
        launch[members] = _choice(rng, len(members), launch_w)
    peak = np.minimum(rng.geometric(0.45, n_products) - 1, 6)
    basics = rng.random(n_products) < basics_share
    tau = np.where(basics, np.exp(rng.normal(np.log(45), 0.5, n_products)), np.exp(rng.normal(np.log(4.5), 0.6, n_products)))
    # products already on sale when the data starts: launched within their selling life
    launch[pre] = -1 - (rng.random(int(pre.sum())) * np.minimum(peak[pre] + 2.5 * tau[pre], PRE_EXISTING_WEEKS)).astype(np.int64)
    launch[followers] = launch[leaders]
    type_price = np.array([types[t].price for t in ptype])
    index_price = np.array([ix.price for ix in tx.INDEXES])[index_of]
    raw_price = 1.05 * type_price * index_price * np.exp(rng.normal(0, 0.25, n_products))
    premium = rng.random(n_products) < 0.0015
    raw_price = np.where(premium, raw_price * 5, raw_price)
    ladder = np.asarray(tx.PRICE_LADDER)
    shelf = ladder[np.clip(np.searchsorted(ladder, raw_price), 0, len(ladder) - 1)]
    appeal = np.exp(rng.normal(0, APPEAL_SPREAD, n_products)) * (shelf / 20.0) ** -0.45
    basics_boost = np.where(basics, 0.35, 1.0)  # basics sell steadily, never explosively
    appeal = appeal * basics_boost
    tau[followers] = tau[leaders]
    # who a product is designed for: Divided for teens and students, Ladieswear for young
    # women or for women around fifty, children's clothes for their parents' age
    code_arr = np.array([ix.code for ix in tx.INDEXES])[index_of]
    mature = rng.random(n_products) < 0.5
    target_age = np.select(
        [code_arr == "D", np.isin(code_arr, ["A", "B", "C"]), code_arr == "F", np.isin(code_arr, ["G", "H", "I", "J"])],
        [rng.normal(21, 3, n_products), np.where(mature, rng.normal(48, 8, n_products), rng.normal(27, 5, n_products)),
         rng.uniform(20, 55, n_products), rng.normal(36, 6, n_products)],
        rng.normal(30, 8, n_products),
    )
    target_age = np.clip(target_age, 16, 75)
    target_age[followers] = target_age[leaders]
    peak[followers] = peak[leaders]

    # --- colours per product ---------------------------------------------------------------------------
    n_var = 1 + rng.negative_binomial(0.55, 0.55 / (0.55 + VARIANTS_PER_PRODUCT - 1), n_products)
    n_var = np.minimum(n_var, 40)
    n_var[followers] = n_var[leaders]
    # make the total exactly n_articles by adjusting products outside sets
    free = np.setdiff1d(np.arange(n_products), np.concatenate([leaders, followers]))
    diff = n_articles - int(n_var.sum())
    while diff != 0:
        if diff > 0:
            pick = rng.choice(free, size=diff, replace=True)
            np.add.at(n_var, pick, 1)
        else:
            can = free[n_var[free] > 1]
            if not len(can):  # every free product has one colour: shrink set products too
                can = np.flatnonzero(n_var > 1)
            pick = rng.choice(can, size=min(-diff, len(can)), replace=False)
            n_var[pick] -= 1
        n_var = np.minimum(n_var, 40)
        diff = n_articles - int(n_var.sum())

    colour_codes = np.array([c[0] for c in tx.COLOURS])
    colour_w = np.array([c[2] for c in tx.COLOURS], dtype=np.float64)
    # each product picks distinct colours: rank colours by Gumbel-perturbed log weights
    max_var = int(n_var.max())
    keys = np.log(colour_w)[None, :] + rng.gumbel(size=(n_products, len(colour_w)))
    denim_like = np.isin(np.array([types[t].name for t in ptype]), ["Trousers", "Shorts", "Dungarees"])
    denim = denim_like & (rng.random(n_products) < 0.3)
    keys[np.ix_(denim, np.isin(colour_codes, tx.DENIM_COLOURS))] += 3.0
    colour_rank = np.argsort(-keys, axis=1)[:, :max_var]
    colour_rank[followers] = colour_rank[leaders]

    app_w = np.array([g[2] for g in tx.GRAPHICAL_APPEARANCES], dtype=np.float64)
    appearance = _choice(rng, n_products, app_w)
    appearance[denim] = [g[0] for g in tx.GRAPHICAL_APPEARANCES].index(1010023)
    garment[denim & (ptype == type_index["Trousers"]) & (garment != 1021)] = 1016

    # --- product codes grow with launch date, as H&M's do -------------------------------------------
    codes = np.sort(rng.choice(np.arange(108_775, 959_462), size=n_products, replace=False))
    launch_order = np.argsort(launch + rng.random(n_products), kind="stable")
    product_code = np.empty(n_products, dtype=np.int64)
    product_code[launch_order] = codes

    # --- names and descriptions (one per product) ----------------------------------------------------
    style = rng.integers(len(tx.STYLE_NAMES), size=n_products)
    word = rng.integers(len(tx.STYLE_WORDS), size=n_products)
    nouns = [types[t].noun for t in ptype]
    prod_name = [
        " ".join(x for x in (tx.STYLE_NAMES[s], tx.STYLE_WORDS[w], n) if x)
        for s, w, n in zip(style.tolist(), word.tolist(), nouns)
    ]
    mat = rng.integers(len(tx.MATERIALS), size=n_products)
    f1 = rng.integers(len(tx.FEATURES), size=n_products)
    f2 = (f1 + 1 + rng.integers(len(tx.FEATURES) - 1, size=n_products)) % len(tx.FEATURES)
    desc = [
        f"{n[0].upper()}{n[1:]} in {tx.MATERIALS[m]} with {tx.FEATURES[a]} and {tx.FEATURES[b]}."
        for n, m, a, b in zip(nouns, mat.tolist(), f1.tolist(), f2.tolist())
    ]

    # --- expand products to articles ----------------------------------------------------------------
    by_code = np.argsort(product_code, kind="stable")  # article order = article_id order
    counts = n_var[by_code]
    prod_of_article = np.repeat(by_code, counts)
    product_start = np.concatenate([[0], np.cumsum(counts)])
    position = np.arange(n_articles) - np.repeat(product_start[:-1], counts)  # 0-based colour slot
    gaps = rng.geometric(0.6, n_articles)
    gaps[position == 0] = 1
    variant_no = np.cumsum(gaps) - np.repeat(np.cumsum(gaps)[product_start[:-1]] - 1, counts)
    variant_no = np.minimum(variant_no, 999)
    article_id = product_code[prod_of_article] * 1000 + variant_no
    # variants capped at 999 could collide: fall back to consecutive numbering for those products
    if len(np.unique(article_id)) != n_articles:
        variant_no = position + 1
        article_id = product_code[prod_of_article] * 1000 + variant_no

    colour = colour_rank[prod_of_article, position]
    late = (position > 0) & (rng.random(n_articles) < LATE_VARIANT)
    a_launch = launch[prod_of_article] + np.where(late, rng.integers(2, 26, n_articles), 0)
    # a product's first colour sells best; black, white and dark blue are staples
    staple = np.isin(colour_codes[colour], [9, 10, 73])
    a_base = appeal[prod_of_article] * np.exp(rng.normal(0, 0.5, n_articles)) * np.where(position == 0, 1.5, 1.0)
    a_base = a_base * np.where(staple, 1.3, 1.0)
    a_app = appearance[prod_of_article].copy()
    change = rng.random(n_articles) < 0.15
    a_app[change] = _choice(rng, int(change.sum()), app_w)
    a_shelf = shelf[prod_of_article].copy()
    bump = (position > 0) & (rng.random(n_articles) < 0.08)
    a_shelf[bump] = ladder[np.clip(np.searchsorted(ladder, a_shelf[bump]) + 1, 0, len(ladder) - 1)]

    # --- the article table, Kaggle columns ------------------------------------------------------------
    t_of = ptype[prod_of_article]
    ix_of = index_of[prod_of_article]
    sec_of = section[prod_of_article]
    gg_of = garment[prod_of_article]
    dp_of = dept[prod_of_article]
    col = [tx.COLOURS[k] for k in range(len(tx.COLOURS))]
    col_code = np.array([c[0] for c in col])[colour]
    col_name = np.array([c[1] for c in col], dtype=object)[colour]
    pv_id = np.array([c[4] for c in col])[colour]
    pm_id = np.array([c[5] for c in col])[colour]
    desc_arr = np.array(desc, dtype=object)[prod_of_article]
    desc_arr[rng.random(n_articles) < EMPTY_DESC] = None
    frame = pd.DataFrame(
        {
            "article_id": article_id.astype(np.int64),
            "product_code": product_code[prod_of_article].astype(np.int64),
            "prod_name": np.array(prod_name, dtype=object)[prod_of_article],
            "product_type_no": np.array([t.no for t in types])[t_of],
            "product_type_name": np.array([t.name for t in types], dtype=object)[t_of],
            "product_group_name": np.array([t.group for t in types], dtype=object)[t_of],
            "graphical_appearance_no": np.array([g[0] for g in tx.GRAPHICAL_APPEARANCES])[a_app],
            "graphical_appearance_name": np.array([g[1] for g in tx.GRAPHICAL_APPEARANCES], dtype=object)[a_app],
            "colour_group_code": col_code,
            "colour_group_name": col_name,
            "perceived_colour_value_id": pv_id,
            "perceived_colour_value_name": np.array([tx.PERCEIVED_VALUES[v] for v in pv_id.tolist()], dtype=object),
            "perceived_colour_master_id": pm_id,
            "perceived_colour_master_name": np.array([tx.PERCEIVED_MASTERS[v] for v in pm_id.tolist()], dtype=object),
            "department_no": dept_no[dp_of],
            "department_name": np.array(dept_name, dtype=object)[dp_of],
            "index_code": np.array([ix.code for ix in tx.INDEXES], dtype=object)[ix_of],
            "index_name": np.array([ix.name for ix in tx.INDEXES], dtype=object)[ix_of],
            "index_group_no": np.array([ix.group_no for ix in tx.INDEXES])[ix_of],
            "index_group_name": np.array([tx.INDEX_GROUPS[ix.group_no] for ix in tx.INDEXES], dtype=object)[ix_of],
            "section_no": np.array(section_nos)[sec_of],
            "section_name": np.array(section_names, dtype=object)[sec_of],
            "garment_group_no": gg_of,
            "garment_group_name": np.array([tx.GARMENT_GROUPS[g] for g in gg_of.tolist()], dtype=object),
            "detail_desc": desc_arr,
        }
    )

    # --- latent per-article arrays ----------------------------------------------------------------------
    group_pos = np.array([tx.INDEX_GROUP_ORDER.index(ix.group_no) for ix in tx.INDEXES])[ix_of]
    cat_key = group_pos * 1000 + t_of
    cat_keys, cat = np.unique(cat_key, return_inverse=True)
    family = np.array([c[3] for c in col])[colour]
    partner = np.full(n_articles, -1, dtype=np.int64)
    if n_sets:
        # article position within a product is its colour slot; leader slot k pairs follower slot k
        prod_pos = np.empty(n_products, dtype=np.int64)
        prod_pos[by_code] = np.arange(n_products)
        lead_start = product_start[prod_pos[leaders]]
        fol_start = product_start[prod_pos[followers]]
        n_pair = np.minimum(n_var[leaders], n_var[followers])
        la = np.repeat(lead_start, n_pair) + _ranges(n_pair)
        fa = np.repeat(fol_start, n_pair) + _ranges(n_pair)
        partner[la] = fa
        partner[fa] = la
        a_launch[fa] = a_launch[la]
    units = np.array([t.units for t in types])[t_of] * np.where(np.isin(ix_of, [5, 6, 7, 8]), 1.3, 1.0)

    return Catalog(
        frame=frame,
        product=np.repeat(np.arange(n_products), counts).astype(np.int32),
        product_start=product_start.astype(np.int64),
        launch=a_launch.astype(np.int16),
        peak=peak[prod_of_article].astype(np.int8),
        tau=tau[prod_of_article].astype(np.float32),
        base=a_base.astype(np.float32),
        season=season[prod_of_article].astype(np.int8),
        shelf=a_shelf.astype(np.float32),
        units=units.astype(np.float32),
        cat=cat.astype(np.int16),
        cat_group=(cat_keys // 1000).astype(np.int8),
        cat_type=(cat_keys % 1000).astype(np.int16),
        family=family.astype(np.int8),
        dept=dp_of.astype(np.int32),
        partner=partner.astype(np.int32),
        target_age=target_age[prod_of_article].astype(np.float32),
    )


def _departments(rng, section, garment, section_nos, section_names):
    """Departments: a section's main garment groups, about 250 in the full catalogue.

    Each section gets departments for its largest garment groups, in proportion to its size;
    products of a rarer garment group go to the section's largest department, as real
    departments mix a few garment groups.
    """
    n_sections = len(section_nos)
    budget = max(n_sections, int(round(DEPARTMENTS * min(1.0, len(section) / 47_224) ** 0.5)))
    sec_sizes = np.bincount(section, minlength=n_sections)
    alloc = np.maximum(1, np.floor(sec_sizes / max(sec_sizes.sum(), 1) * budget)).astype(np.int64)
    dept = np.empty(len(section), dtype=np.int64)
    numbers, names = [], []
    for sec in range(n_sections):
        members = np.flatnonzero(section == sec)
        if not len(members):
            continue
        gg, counts = np.unique(garment[members], return_counts=True)
        top = gg[np.argsort(-counts, kind="stable")][: alloc[sec]]
        first = len(numbers)
        for k, g in enumerate(top.tolist()):
            numbers.append(1000 + section_nos[sec] * 80 + k)
            short = section_names[sec].replace("Womens ", "").replace("Contemporary ", "")
            names.append(f"{short} {tx.GARMENT_GROUPS[g]}")
        # garment groups outside the section's top ones join its largest department (local 0)
        lookup = np.zeros(int(garment.max()) + 1, dtype=np.int64)
        lookup[top] = np.arange(len(top))
        dept[members] = first + lookup[garment[members]]
    return dept, np.asarray(numbers, dtype=np.int64), names


def _ranges(lengths: np.ndarray) -> np.ndarray:
    """``concatenate([arange(n) for n in lengths])`` without a Python loop."""
    lengths = np.asarray(lengths, dtype=np.int64)
    if not len(lengths):
        return np.zeros(0, dtype=np.int64)
    starts = np.repeat(np.cumsum(lengths) - lengths, lengths)
    return np.arange(int(lengths.sum())) - starts


def weekly_weights(cat: Catalog, week: int, doy: int, contrast: float = 1.0) -> np.ndarray:
    """Demand weight of every article in data week ``week`` (0 before launch and once sold out).

    Life cycle: a linear ramp to the peak ``peak`` weeks after launch, then exponential decay
    with time constant ``tau``; times the season factor of the article's type. ``contrast``
    (<= 1) compresses differences between articles (attractiveness and life cycle, not the
    season): a smaller catalogue needs a flatter demand for its best sellers to hold the same
    share of a week's sales as H&M's do among ~25,000 articles on sale.
    """
    s = week - cat.launch.astype(np.int64)
    pk = cat.peak.astype(np.int64)
    ramp = (s + 1) / (pk + 1)
    decay = np.exp(-(s - pk) / cat.tau.astype(np.float64))
    # sold out or withdrawn once demand has fallen to ~2% of the peak
    life = np.where((s < 0) | (decay < SOLD_OUT), 0.0, np.where(s <= pk, ramp, decay))
    return (cat.base * life) ** contrast * season_factor(cat.season.astype(np.int64), np.float64(doy))
