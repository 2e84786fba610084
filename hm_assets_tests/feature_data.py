"""Tiny hand-built tables for the feature and segment tests (values worked out in the tests).

Week W = 2020-09-16 (a Wednesday). Articles: A, B (product 101, colours 9 / 10), C, D (products
102 / 103, type 2, department 6), E (never sold). Customers: c0 (22, postal x), c1 (50, x),
c2 (age unknown, y), c3 (30, x, no history).
"""

import numpy as np
import pandas as pd

W = "2020-09-16"
A, B, C, D, E = 101001, 101002, 102001, 103001, 104001


def articles() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "article_id": np.int32([A, B, C, D, E]),
            "product_code": np.int32([101, 101, 102, 103, 104]),
            "product_type_no": np.int32([1, 1, 2, 2, 3]),
            "product_group_name": pd.Categorical(["Upper", "Upper", "Lower", "Lower", "Lower"]),
            "graphical_appearance_no": np.int32([1, 1, 1, 1, 1]),
            "colour_group_code": np.int32([9, 10, 9, 9, 11]),
            "perceived_colour_value_id": np.int32([1, 1, 1, 1, 1]),
            "perceived_colour_master_id": np.int32([1, 1, 1, 1, 1]),
            "department_no": np.int32([5, 5, 6, 6, 7]),
            "index_code": pd.Categorical(["A", "A", "F", "F", "F"]),
            "index_group_no": np.int32([1, 1, 3, 3, 3]),
            "index_group_name": pd.Categorical(["Ladieswear", "Ladieswear", "Menswear", "Menswear", "Menswear"]),
            "section_no": np.int32([1, 1, 2, 2, 2]),
            "garment_group_no": np.int32([1, 1, 2, 2, 2]),
        }
    )


def customers(ages=(22, 50, np.nan, 30), postal=("x", "x", "y", "x")) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "customer_id": np.arange(4, dtype=np.int32),
            "FN": np.float32([1, np.nan, 1, np.nan]),
            "Active": np.float32([1, 1, np.nan, np.nan]),
            "club_member_status": pd.Categorical(["ACTIVE", "ACTIVE", None, "PRE-CREATE"]),
            "fashion_news_frequency": pd.Categorical(["NONE", "Regularly", "NONE", None]),
            "age": np.asarray(ages, dtype=np.float32),
            "postal_code": pd.Categorical(list(postal)),
        }
    )


# (day, customer, article, price, channel)
ROWS = [
    ("2020-08-19", 0, A, 0.01, 2),  # 28 days before W
    ("2020-09-01", 0, A, 0.01, 2),  # 15
    ("2020-09-08", 0, A, 0.02, 2),  # 8
    ("2020-09-15", 0, B, 0.03, 1),  # 1
    ("2020-09-15", 1, A, 0.02, 2),  # 1, two units the same day
    ("2020-09-15", 1, A, 0.02, 2),
    ("2020-09-10", 1, C, 0.05, 1),  # 6
    ("2020-09-12", 2, D, 0.04, 2),  # 4
]
LATER = [  # on or after W: must change nothing for W
    ("2020-09-16", 3, E, 0.50, 1),
    ("2020-09-20", 0, A, 0.50, 1),
]


def history(rows=ROWS) -> pd.DataFrame:
    day, cust, art, price, channel = zip(*rows) if rows else ((), (), (), (), ())
    return pd.DataFrame(
        {
            "t_dat": pd.to_datetime(list(day)).astype("datetime64[ms]"),
            "customer_id": np.asarray(cust, dtype=np.int32),
            "article_id": np.asarray(art, dtype=np.int32),
            "price": np.asarray(price, dtype=np.float32),
            "sales_channel_id": np.asarray(channel, dtype=np.int8),
        }
    )


def random_history(seed: int = 0, n: int = 3000, customers: int = 40, weeks: int = 12) -> pd.DataFrame:
    """A seeded random history over ``weeks`` weeks ending 2020-09-22, on articles A..D."""
    rng = np.random.default_rng(seed)
    days = pd.Timestamp("2020-09-23") - pd.to_timedelta(rng.integers(1, 7 * weeks + 1, n), unit="D")
    return pd.DataFrame(
        {
            "t_dat": days.astype("datetime64[ms]"),
            "customer_id": rng.integers(0, customers, n).astype(np.int32),
            "article_id": rng.choice(np.int32([A, B, C, D]), n),
            "price": rng.uniform(0.001, 0.1, n).astype(np.float32),
            "sales_channel_id": rng.integers(1, 3, n).astype(np.int8),
        }
    ).sort_values("t_dat", kind="stable", ignore_index=True)


def random_customers(n: int = 40, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    ages = rng.integers(16, 80, n).astype(np.float32)
    ages[rng.random(n) < 0.2] = np.nan
    return pd.DataFrame(
        {
            "customer_id": np.arange(n, dtype=np.int32),
            "FN": np.float32(rng.integers(0, 2, n)),
            "Active": np.float32(rng.integers(0, 2, n)),
            "club_member_status": pd.Categorical(rng.choice(["ACTIVE", "PRE-CREATE"], n)),
            "fashion_news_frequency": pd.Categorical(rng.choice(["NONE", "Regularly"], n)),
            "age": ages,
            "postal_code": pd.Categorical(rng.choice(["p", "q", "r"], n)),
        }
    )
