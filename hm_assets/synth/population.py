"""Synthetic customers: the Kaggle ``customers.csv`` columns plus latent taste and habits.

Story: a customer has an age (two big groups, students/young adults and people around fifty),
sometimes children at home, a home region (postal codes nest in regions; one postal code is a
placeholder shared by a large share of customers and carries no regional information). Taste is
a preference over index groups (driven by age, gender and children), over product types (an
age-dependent embedding plus personal and regional quirks) and over colour families. Habits are
a shopping rhythm (how long between visits), a lean towards online or the store, and club and
newsletter flags that go with being an engaged customer.
"""

import dataclasses

import numpy as np
import pandas as pd

from hm_assets.synth import taxonomy as tx

TASTE_DIM = 4
GIANT_POSTAL_SHARE = 120_303 / 1_371_980
POSTAL_CODES_PER_CUSTOMER = 352_899 / 1_371_980
AGE_MISSING = 15_861 / 1_371_980
CUSTOMERS_PER_REGION = 2_500


@dataclasses.dataclass
class Population:
    """Customers in ``customer_id`` (hex) order."""

    hex_ids: np.ndarray  # (n, 64) uint8, lowercase hex characters, sorted
    frame: pd.DataFrame  # Kaggle columns (customer_id as str), Kaggle order
    age: np.ndarray  # float32 true age (also where the file has none)
    region: np.ndarray  # int32
    household: np.ndarray  # int32 postal-code index shared with others, -1 alone or in the placeholder code
    group_taste: np.ndarray  # (n, 5) float32 logits over index groups
    type_taste: np.ndarray  # (n, TASTE_DIM) float32
    colour_taste: np.ndarray  # (n, 6) float32 logits over colour families
    online: np.ndarray  # float32 logit of shopping online
    rhythm: np.ndarray  # float32 multiplier of the gaps between visits
    n_regions: int


def hex_table(rng: np.random.Generator, n: int) -> np.ndarray:
    """``n`` distinct random 64-character lowercase hex ids as an (n, 64) uint8 array, sorted."""
    digits = np.frombuffer(b"0123456789abcdef", dtype=np.uint8)
    while True:
        raw = rng.integers(0, 256, size=(n, 32), dtype=np.uint8)
        out = np.empty((n, 64), dtype=np.uint8)
        out[:, 0::2] = digits[raw >> 4]
        out[:, 1::2] = digits[raw & 15]
        keys = np.ascontiguousarray(out).view("S64").ravel()
        keys = np.sort(keys)
        if n < 2 or (keys[1:] != keys[:-1]).all():
            return keys.view(np.uint8).reshape(n, 64)


def _decode(table: np.ndarray) -> np.ndarray:
    return table.view("S64").ravel().astype("U64").astype(object)


def _age(rng: np.random.Generator, n: int) -> np.ndarray:
    """Bimodal: students and young adults (~20-30) and a second wave around fifty."""
    part = rng.choice(4, size=n, p=[0.535, 0.32, 0.14, 0.005])
    age = np.select(
        [part == 0, part == 1, part == 2],
        [rng.normal(24.7, 4.2, n), rng.normal(50.5, 6.5, n), rng.uniform(28, 70, n)],
        rng.uniform(70, 99.99, n),
    )
    # redraw the young tail below 16 within the young mode rather than piling it on 16
    low = age < 16
    age[low] = 16 + np.abs(rng.normal(0, 3.5, int(low.sum())))
    return np.clip(age, 16, 99).astype(np.float32)


def _flatten(by_age: np.ndarray, age_effect: float) -> np.ndarray:
    """``by_age`` pulled towards its mean: unchanged at ``age_effect`` 1, constant at 0."""
    if age_effect == 1.0:
        return by_age
    return age_effect * by_age + (1.0 - age_effect) * by_age.mean()


def build_population(rng: np.random.Generator, n: int, age_effect: float = 1.0, missing_age_share: float = AGE_MISSING,
                     n_postal_codes: int | None = None) -> Population:
    """Draw ``n`` customers.

    ``age_effect`` (0..1) scales how much taste depends on age: at 0 every customer gets the
    population's average age-driven taste (children at home included), so age says nothing
    about what they buy. ``missing_age_share`` of the ages are left empty in the file.
    ``n_postal_codes`` caps the distinct postal codes (None: H&M's structure, one giant
    placeholder code and ~0.26 codes per customer; 1: everyone shares the placeholder).
    """
    hex_ids = hex_table(rng, n)
    age = _age(rng, n)
    male = rng.random(n) < 0.09
    kids_p = _flatten(np.interp(age, [16, 25, 30, 38, 46, 55, 62, 75], [0.03, 0.1, 0.45, 0.6, 0.4, 0.25, 0.3, 0.2]), age_effect)
    kids = rng.random(n) < kids_p

    # --- flags: engaged customers take the newsletter and are club members ---------------------
    fn = rng.random(n) < 0.348
    active = fn & (rng.random(n) < 0.974)
    club = np.where(rng.random(n) < 0.068, "PRE-CREATE", "ACTIVE").astype(object)
    club[rng.random(n) < 0.00034] = "LEFT CLUB"
    club[rng.random(n) < 0.0044] = None
    news = np.where(fn, "Regularly", "NONE").astype(object)
    news[fn & (rng.random(n) < 0.0018)] = "Monthly"
    news[rng.random(n) < 0.0117] = None
    news[rng.random(n) < 1.5e-6] = "None"

    # --- postal codes within regions ------------------------------------------------------------
    n_regions = max(3, int(round(n / CUSTOMERS_PER_REGION)))
    region_w = np.exp(rng.normal(0, 0.6, n_regions))
    n_codes = max(2, int(round(POSTAL_CODES_PER_CUSTOMER * n * 1.38))) if n_postal_codes is None else n_postal_codes
    code_w = np.exp(rng.normal(0, 1.0, n_codes))
    code_region = rng.choice(n_regions, size=n_codes, p=region_w / region_w.sum())
    giant = rng.random(n) < GIANT_POSTAL_SHARE
    if n_codes == 1:
        giant[:] = True
    code = np.zeros(n, dtype=np.int64)  # code 0 is the giant placeholder
    if n_codes > 1:
        code[~giant] = 1 + rng.choice(n_codes - 1, size=int((~giant).sum()), p=code_w[1:] / code_w[1:].sum())
    region = code_region[code]
    region[giant] = rng.choice(n_regions, size=int(giant.sum()), p=region_w / region_w.sum())
    used, code_dense = np.unique(code, return_inverse=True)
    code_hex = _decode(hex_table(rng, len(used)))
    code_hex = code_hex[rng.permutation(len(used))]  # the giant code is not the smallest string
    postal = pd.Categorical.from_codes(code_dense, categories=pd.Index(code_hex))
    # people sharing a real postal code (a household, a building) influence each other's
    # shopping; the placeholder code and single-customer codes have no such tie
    sizes = np.bincount(code_dense, minlength=len(used))
    household = np.where((code != 0) & (sizes[code_dense] > 1), code_dense, -1)

    # --- taste -------------------------------------------------------------------------------------
    young_by_age = 1 / (1 + np.exp((age - 30) / 3.5))
    young = _flatten(young_by_age, age_effect)
    mid = _flatten(np.exp(-(((age - 50) / 12) ** 2)), age_effect)
    g = np.empty((n, 5), dtype=np.float32)  # Ladieswear, Divided, Menswear, Baby/Children, Sport
    g[:, 0] = 0.3 + 0.6 * mid - 2.8 * male
    g[:, 1] = -0.5 + 1.9 * young - 0.6 * mid - 2.8 * male
    g[:, 2] = -1.9 + 4.0 * male
    g[:, 3] = np.where(kids, 1.7, -1.6)
    g[:, 4] = -0.7 + 0.6 * young
    g += rng.normal(0, 0.7, (n, 5)).astype(np.float32)

    axes = np.random.default_rng(7).normal(0, 1.2, (2, TASTE_DIM))  # fixed: what "young" and "older" like
    t = young[:, None] * axes[0] + mid[:, None] * axes[1] + rng.normal(0, 0.8, (n, TASTE_DIM))

    c = rng.normal(0, 0.5, (n, len(tx.COLOUR_FAMILIES)))
    c[:, 0] += 0.35 * young  # young: black and white
    c[:, 1] += 0.2 * young
    c[:, 2] += 0.35 * mid  # older: earthy and blue
    c[:, 3] += 0.25 * mid
    c[:, 4] += 0.4 * kids  # shopping for children: brighter colours

    online = rng.normal(0.5, 1.4, n) + 0.35 * fn + 0.4 * young_by_age - 0.3 * (age > 60)
    # shopping rhythm: engaged members come back sooner; pre-created accounts rarely
    rhythm = np.exp(rng.normal(0, 0.9, n)) * np.where(active, 0.75, 1.0) * np.where(club == "PRE-CREATE", 1.6, 1.0)

    shown_age = np.floor(age).astype(np.float32)
    shown_age[rng.random(n) < missing_age_share] = np.nan
    frame = pd.DataFrame(
        {
            "customer_id": _decode(hex_ids),
            "FN": np.where(fn, 1.0, np.nan),
            "Active": np.where(active, 1.0, np.nan),
            "club_member_status": club,
            "fashion_news_frequency": news,
            "age": shown_age.astype(np.float64),
            "postal_code": postal,
        }
    )
    return Population(
        hex_ids=hex_ids,
        frame=frame,
        age=age,
        region=region.astype(np.int32),
        household=household.astype(np.int32),
        group_taste=g,
        type_taste=t.astype(np.float32),
        colour_taste=c.astype(np.float32),
        online=online.astype(np.float32),
        rhythm=rhythm.astype(np.float32),
        n_regions=n_regions,
    )
