"""The data-quality rules on tiny hand-built warehouse frames.

Each rule passes on a clean frame and fails on a frame with one planted defect, with the exact
offending count and example rows. Frames are indexed from 2, as the CSV data-row numbers a
caller passes (row 1 is the header), so examples must quote the index, not the position.
"""

import datetime as dt
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pytest

from hm_assets import columns as c
from hm_assets import schemas
from hm_assets.quality import (
    RULES,
    TABLES,
    blocking_failures,
    check_table,
    format_failures,
    get_rule,
)

FIRST_DAY, LAST_DAY = dt.date(2020, 9, 2), dt.date(2020, 9, 22)
SOURCES = {
    "articles": "data/raw/articles.csv",
    "customers": "data/raw/customers.csv",
    "transactions": "data/raw/transactions_train.csv",
}
KNOWN_ARTICLES = [108775015, 108775044, 110065001]
KNOWN_CUSTOMERS = [0, 1, 2]
HEX = ["0" * 63 + "a", "1" * 64, "f" * 64]


def _article(article_id: int, product_code: int) -> dict:
    row = {}
    for field in schemas.ARTICLES:
        if pa.types.is_integer(field.type):
            row[field.name] = 1
        else:
            row[field.name] = "x"
    row.update({c.ARTICLE_ID: article_id, c.PRODUCT_CODE: product_code, "detail_desc": "a shirt"})
    return row


def _articles() -> list[dict]:
    return [_article(108775015, 108775), _article(108775044, 108775), _article(110065001, 110065)]


def _customers() -> list[dict]:
    ages = [25.0, None, 40.0]  # a third missing: under the 50% tolerance
    return [
        {
            c.CUSTOMER_ID: i,
            c.CUSTOMER_HEX: HEX[i],
            c.FN: 1.0,
            c.ACTIVE: None,
            c.CLUB_MEMBER_STATUS: "ACTIVE",
            c.FASHION_NEWS_FREQUENCY: "NONE",
            c.AGE: ages[i],
            c.POSTAL_CODE: "ab" * 32,
        }
        for i in range(3)
    ]


def _transactions() -> list[dict]:
    # two rows in each of the weeks starting Wednesday 2020-09-09 and 2020-09-16
    days = [dt.date(2020, 9, 9), dt.date(2020, 9, 15), dt.date(2020, 9, 16), dt.date(2020, 9, 22)]
    return [
        {
            c.T_DAT: day,
            c.CUSTOMER_ID: i % 3,
            c.ARTICLE_ID: KNOWN_ARTICLES[i % 3],
            c.PRICE: 0.0254,
            c.SALES_CHANNEL_ID: 2,
        }
        for i, day in enumerate(days)
    ]


CLEAN = {"articles": _articles, "customers": _customers, "transactions": _transactions}
SCHEMAS = {
    "articles": schemas.ARTICLES,
    "customers": schemas.CUSTOMERS,
    "transactions": schemas.TRANSACTIONS,
}


def _frame(table: str, rows: list[dict] | None = None, **to_pandas) -> pd.DataFrame:
    rows = CLEAN[table]() if rows is None else rows
    df = pa.Table.from_pylist(rows, schema=SCHEMAS[table]).to_pandas(**to_pandas)
    df.index = pd.RangeIndex(2, 2 + len(df))
    return df


def _check(table: str, df: pd.DataFrame, **kwargs) -> dict:
    kwargs.setdefault("source", SOURCES[table])
    if table == "transactions":
        kwargs.setdefault("first_day", FIRST_DAY)
        kwargs.setdefault("last_day", LAST_DAY)
        kwargs.setdefault("known_article_ids", KNOWN_ARTICLES)
        kwargs.setdefault("known_customer_ids", KNOWN_CUSTOMERS)
    outcomes = check_table(table, df, **kwargs)
    assert [o.rule for o in outcomes] == list(RULES[table])
    return {o.rule.name: o for o in outcomes}


def _with(table: str, row: int, **values) -> pd.DataFrame:
    rows = CLEAN[table]()
    rows[row].update(values)
    return _frame(table, rows)


# --- the rule declarations -----------------------------------------------------------------------
def test_rule_names_are_dagster_check_names_unique_per_table():
    assert set(RULES) == set(TABLES)
    for table, table_rules in RULES.items():
        names = [rule.name for rule in table_rules]
        assert len(names) == len(set(names))
        for rule in table_rules:
            assert re.fullmatch(r"[A-Za-z0-9_]+", rule.name)
            assert rule.table == table
            assert rule.column is None or rule.column in SCHEMAS[table].names


def test_importing_rules_does_not_import_great_expectations():
    code = (
        "import sys, hm_assets.quality.rules, hm_assets.quality;"
        "assert 'great_expectations' not in sys.modules, 'great_expectations imported'"
    )
    root = Path(__file__).resolve().parents[1]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(root), os.environ.get("PYTHONPATH", "")])}
    subprocess.run([sys.executable, "-c", code], check=True, env=env, cwd=root)


# --- clean frames --------------------------------------------------------------------------------
@pytest.mark.parametrize("table", TABLES)
def test_clean_frame_passes_every_rule(table):
    outcomes = _check(table, _frame(table))
    failed = [o.message for o in outcomes.values() if not o.passed]
    assert failed == []
    for outcome in outcomes.values():
        assert outcome.examples == ()
        assert SOURCES[table] in outcome.message


def test_clean_transactions_with_datetime64_dates_pass():
    df = _frame("transactions", date_as_object=False)
    assert pd.api.types.is_datetime64_dtype(df[c.T_DAT])
    assert all(o.passed for o in _check("transactions", df).values())


def test_check_does_not_mutate_the_frame():
    df = _with("transactions", 1, price=0.0)
    before = df.copy()
    _check("transactions", df)
    pd.testing.assert_frame_equal(df, before)


# --- planted defects, one per rule ---------------------------------------------------------------
ROW_DEFECTS = [
    # table, rule, row to change, values, expected unexpected_count, expected examples
    ("articles", "article_id_not_null", 1, {c.ARTICLE_ID: None}, 1, [{"row": 3, "article_id": None}]),
    (
        "articles",
        "article_id_unique",
        2,
        {c.ARTICLE_ID: 108775015, c.PRODUCT_CODE: 108775},
        2,  # every row of a repeated value counts
        [{"row": 2, "article_id": 108775015}, {"row": 4, "article_id": 108775015}],
    ),
    ("articles", "product_code_not_null", 0, {c.PRODUCT_CODE: None}, 1, [{"row": 2, "product_code": None}]),
    (
        "articles",
        "article_id_matches_product_code",
        1,
        {c.PRODUCT_CODE: 999},
        1,
        [{"row": 3, "article_id": 108775044, "product_code": 999}],
    ),
    ("customers", "customer_id_not_null", 2, {c.CUSTOMER_ID: None}, 1, [{"row": 4, "customer_id": None}]),
    (
        "customers",
        "customer_id_unique",
        2,
        {c.CUSTOMER_ID: 1},
        2,
        [{"row": 3, "customer_id": 1}, {"row": 4, "customer_id": 1}],
    ),
    ("customers", "customer_hex_not_null", 0, {c.CUSTOMER_HEX: None}, 1, [{"row": 2, "customer_hex": None}]),
    (
        "customers",
        "customer_hex_unique",
        0,
        {c.CUSTOMER_HEX: HEX[2]},
        2,
        [{"row": 2, "customer_hex": HEX[2]}, {"row": 4, "customer_hex": HEX[2]}],
    ),
    (
        "customers",
        "customer_hex_format",
        1,
        {c.CUSTOMER_HEX: "F" * 64},
        1,
        [{"row": 3, "customer_hex": "F" * 64}],
    ),
    ("customers", "age_in_range", 2, {c.AGE: 12.0}, 1, [{"row": 4, "age": 12.0}]),
    ("transactions", "t_dat_not_null", 0, {c.T_DAT: None}, 1, [{"row": 2, "t_dat": None}]),
    ("transactions", "customer_id_not_null", 1, {c.CUSTOMER_ID: None}, 1, [{"row": 3, "customer_id": None}]),
    ("transactions", "article_id_not_null", 3, {c.ARTICLE_ID: None}, 1, [{"row": 5, "article_id": None}]),
    ("transactions", "price_not_null", 2, {c.PRICE: None}, 1, [{"row": 4, "price": None}]),
    (
        "transactions",
        "sales_channel_id_not_null",
        0,
        {c.SALES_CHANNEL_ID: None},
        1,
        [{"row": 2, "sales_channel_id": None}],
    ),
    ("transactions", "price_in_range", 1, {c.PRICE: 0.0}, 1, [{"row": 3, "price": 0.0}]),
    ("transactions", "price_in_range", 2, {c.PRICE: 1.05}, 1, [{"row": 4, "price": 1.05}]),
    (
        "transactions",
        "t_dat_in_range",
        3,
        {c.T_DAT: dt.date(2020, 9, 23)},
        1,
        [{"row": 5, "t_dat": "2020-09-23"}],
    ),
    ("transactions", "sales_channel_id_in_set", 2, {c.SALES_CHANNEL_ID: 3}, 1, [{"row": 4, "sales_channel_id": 3}]),
    ("transactions", "article_id_known", 0, {c.ARTICLE_ID: 123456789}, 1, [{"row": 2, "article_id": 123456789}]),
    ("transactions", "customer_id_known", 3, {c.CUSTOMER_ID: 7}, 1, [{"row": 5, "customer_id": 7}]),
]


@pytest.mark.parametrize(
    "table, rule_name, row, values, count, examples",
    ROW_DEFECTS,
    ids=[f"{case[0]}.{case[1]}" for case in ROW_DEFECTS],
)
def test_planted_row_defect_fails_its_rule(table, rule_name, row, values, count, examples):
    outcome = _check(table, _with(table, row, **values))[rule_name]
    rule = get_rule(table, rule_name)
    assert not outcome.passed
    assert outcome.unexpected_count == count
    assert list(outcome.examples) == examples
    assert SOURCES[table] in outcome.message
    assert f"column {rule.column}" in outcome.message
    assert f"{count} of 3 rows" in outcome.message or f"{count} of 4 rows" in outcome.message
    for example in examples:
        assert f"row {example['row']} (" in outcome.message
    assert outcome.blocks == rule.blocking


def test_price_bounds_are_exclusive_at_zero_and_inclusive_at_one():
    rows = _transactions()
    for row, price in zip(rows, [1e-5, 1.0, 0.0, -0.5]):
        row[c.PRICE] = price
    outcome = _check("transactions", _frame("transactions", rows))["price_in_range"]
    assert outcome.unexpected_count == 2
    assert outcome.examples == ({"row": 4, "price": 0.0}, {"row": 5, "price": -0.5})


def test_t_dat_bounds_include_first_and_last_day_for_both_date_dtypes():
    rows = _transactions()
    for row, day in zip(rows, [FIRST_DAY, LAST_DAY, FIRST_DAY - dt.timedelta(days=1), LAST_DAY]):
        row[c.T_DAT] = day
    for as_object in (True, False):
        df = _frame("transactions", rows, date_as_object=as_object)
        outcome = _check("transactions", df)["t_dat_in_range"]
        assert outcome.unexpected_count == 1
        assert outcome.examples == ({"row": 4, "t_dat": "2020-09-01"},)
        assert "first_day 2020-09-02, last_day 2020-09-22" in outcome.message


def test_t_dat_bounds_default_to_the_hm_dates():
    df = _with("transactions", 0, t_dat=dt.date(2018, 9, 19))
    outcome = check_table(
        "transactions", df, known_article_ids=KNOWN_ARTICLES, known_customer_ids=KNOWN_CUSTOMERS
    )
    by_name = {o.rule.name: o for o in outcome}
    assert by_name["t_dat_in_range"].examples == ({"row": 2, "t_dat": "2018-09-19"},)
    assert "the transactions table" in by_name["t_dat_in_range"].message


def test_age_missing_share_warns_above_half():
    at_half = _customers() + [{**_customers()[0], c.CUSTOMER_ID: 3, c.CUSTOMER_HEX: "2" * 64}]
    at_half[0][c.AGE] = None  # 2 of 4 missing: tolerated, but counted
    outcome = _check("customers", _frame("customers", at_half))["age_missing_share"]
    assert outcome.passed and outcome.unexpected_count == 2 and outcome.examples == ()

    above = _customers()
    above[2][c.AGE] = None  # 2 of 3 missing
    outcome = _check("customers", _frame("customers", above))["age_missing_share"]
    assert not outcome.passed and not outcome.blocks
    assert outcome.unexpected_count == 2
    assert outcome.examples == ({"row": 3, "age": None}, {"row": 4, "age": None})
    assert "data/raw/customers.csv" in outcome.message and "column age" in outcome.message


def test_examples_are_capped_at_five_rows():
    rows = [_transactions()[0] | {c.PRICE: 0.0} for _ in range(8)]
    outcome = _check("transactions", _frame("transactions", rows))["price_in_range"]
    assert outcome.unexpected_count == 8
    assert [e["row"] for e in outcome.examples] == [2, 3, 4, 5, 6]


def test_examples_quote_index_labels_even_when_repeated():
    df = _with("transactions", 3, price=2.0)
    df.index = [7, 7, 9, 9]
    outcome = _check("transactions", df)["price_in_range"]
    assert outcome.examples == ({"row": 9, "price": 2.0},)


# --- schema rules --------------------------------------------------------------------------------
@pytest.mark.parametrize("table", TABLES)
def test_missing_column_fails_required_columns_and_its_rules_are_not_evaluated(table):
    column = {"articles": c.PRODUCT_CODE, "customers": c.AGE, "transactions": c.PRICE}[table]
    outcomes = _check(table, _frame(table).drop(columns=[column]))
    required = outcomes["required_columns"]
    assert not required.passed and required.rule.blocking
    assert required.unexpected_count == 1
    assert required.examples == ({"column": column},)
    assert SOURCES[table] in required.message and f"column={column!r}" in required.message
    dependent = [o for o in outcomes.values() if o.rule.column == column]
    assert dependent
    for outcome in dependent:
        assert not outcome.passed and outcome.unexpected_count == 0
        assert f"not evaluated on column {column}: column {column} is missing" in outcome.message


@pytest.mark.parametrize("table", TABLES)
def test_unknown_column_warns(table):
    outcome = _check(table, _frame(table).assign(extra=1))["unknown_columns"]
    assert not outcome.passed and not outcome.rule.blocking
    assert outcome.unexpected_count == 1
    assert outcome.examples == ({"column": "extra"},)
    assert SOURCES[table] in outcome.message


@pytest.mark.parametrize(
    "table, column, dtype, expected",
    [
        ("articles", c.ARTICLE_ID, "int64", "int32"),
        ("articles", c.INDEX_GROUP_NAME, "str", "category"),
        ("customers", c.AGE, "float64", "float32"),
        ("transactions", c.SALES_CHANNEL_ID, "int64", "int8"),
    ],
)
def test_wrong_dtype_fails_column_dtypes(table, column, dtype, expected):
    df = _frame(table)
    df[column] = df[column].astype(dtype)
    outcome = _check(table, df)["column_dtypes"]
    assert not outcome.passed and outcome.rule.blocking
    assert outcome.unexpected_count == 1
    assert outcome.examples == ({"column": column, "expected": expected, "observed": dtype},)
    assert SOURCES[table] in outcome.message and f"column={column!r}" in outcome.message


def test_null_in_an_integer_column_also_breaks_its_dtype():
    # Arrow int32 with a null comes to pandas as float64: the warehouse contract is broken too
    outcomes = _check("transactions", _with("transactions", 0, customer_id=None))
    assert outcomes["column_dtypes"].examples == (
        {"column": c.CUSTOMER_ID, "expected": "int32", "observed": "float64"},
    )


def test_wrong_value_kind_is_not_evaluated():
    df = _frame("transactions")
    df[c.PRICE] = df[c.PRICE].astype(str)
    outcome = _check("transactions", df)["price_in_range"]
    assert not outcome.passed and outcome.unexpected_count == 0
    assert "not evaluated on column price: column price has dtype str, not numeric" in outcome.message


# --- weekly row counts ---------------------------------------------------------------------------
def _week_rows(counts: dict[dt.date, int]) -> pd.DataFrame:
    rows = [
        _transactions()[0] | {c.T_DAT: day}
        for day, n in counts.items()
        for _ in range(n)
    ]
    return _frame("transactions", rows)


def test_weekly_row_count_flags_an_empty_week_inside_the_span():
    df = _week_rows({dt.date(2020, 9, 2): 3, dt.date(2020, 9, 22): 3})
    outcome = _check("transactions", df)["weekly_row_count"]
    assert not outcome.passed and not outcome.rule.blocking
    assert outcome.unexpected_count == 1
    assert outcome.examples == ({"week": "2020-09-09", "rows": 0, "median_rows": 3.0},)
    assert "data/raw/transactions_train.csv" in outcome.message and "column t_dat" in outcome.message


def test_weekly_row_count_flags_weeks_far_from_the_median():
    df = _week_rows(
        {dt.date(2020, 9, 2): 1, dt.date(2020, 9, 9): 20, dt.date(2020, 9, 16): 20}
        | {dt.date(2020, 9, 3): 19}  # week 2020-09-02 has 20 rows too
    )
    assert _check("transactions", df)["weekly_row_count"].passed
    spike = _week_rows({dt.date(2020, 9, 2): 2, dt.date(2020, 9, 9): 2, dt.date(2020, 9, 16): 21})
    outcome = _check("transactions", spike)["weekly_row_count"]
    assert outcome.examples == ({"week": "2020-09-16", "rows": 21, "median_rows": 2.0},)
    dip = _week_rows({dt.date(2020, 9, 2): 11, dt.date(2020, 9, 9): 1, dt.date(2020, 9, 16): 11})
    outcome = _check("transactions", dip)["weekly_row_count"]
    assert outcome.examples == ({"week": "2020-09-09", "rows": 1, "median_rows": 11.0},)


# --- API edges -----------------------------------------------------------------------------------
def test_transactions_need_the_known_ids():
    with pytest.raises(ValueError, match="known_article_ids"):
        check_table("transactions", _frame("transactions"))


def test_unknown_table_is_refused():
    with pytest.raises(ValueError, match="unknown table"):
        check_table("orders", _frame("transactions"))


def test_known_ids_accept_sets_arrays_and_series():
    df = _frame("transactions")
    for known in (set(KNOWN_CUSTOMERS), np.array(KNOWN_CUSTOMERS, dtype=np.int32), pd.Series(KNOWN_CUSTOMERS)):
        assert _check("transactions", df, known_customer_ids=known)["customer_id_known"].passed


def test_blocking_failures_and_format_failures():
    rows = _transactions()
    rows[0][c.SALES_CHANNEL_ID] = 9
    df = _frame("transactions", rows).assign(extra=0)
    outcomes = check_table(
        "transactions",
        df,
        first_day=FIRST_DAY,
        last_day=LAST_DAY,
        known_article_ids=KNOWN_ARTICLES,
        known_customer_ids=KNOWN_CUSTOMERS,
        source=SOURCES["transactions"],
    )
    assert [o.rule.name for o in blocking_failures(outcomes)] == ["sales_channel_id_in_set"]
    lines = format_failures(outcomes).splitlines()
    assert len(lines) == 2
    assert lines[0].startswith("BLOCKING: data/raw/transactions_train.csv (transactions): sales_channel_id_in_set")
    assert "row 2 (sales_channel_id=9)" in lines[0]
    assert lines[1].startswith("WARNING: data/raw/transactions_train.csv (transactions): unknown_columns")
    assert format_failures(_check("transactions", _frame("transactions")).values()) == ""


@pytest.mark.parametrize("table", TABLES)
def test_empty_frame_passes(table):
    df = SCHEMAS[table].empty_table().to_pandas()
    outcomes = check_table(table, df, known_article_ids=[], known_customer_ids=[])
    assert all(o.passed and o.unexpected_count == 0 for o in outcomes)


# --- chunked evaluation ----------------------------------------------------------------------------
@pytest.mark.parametrize("chunk_rows", [1, 3, 100])
def test_chunked_check_matches_the_whole_frame_check(chunk_rows):
    from hm_assets.quality import check_table_in_chunks

    rows = _transactions() * 3  # 12 rows over two weeks, then plant defects in several chunks
    rows = [dict(r) for r in rows]
    rows[1][c.PRICE] = 0.0
    rows[6][c.PRICE] = -1.0
    rows[7][c.SALES_CHANNEL_ID] = 3
    rows[11][c.ARTICLE_ID] = 999
    df = _frame("transactions", rows)
    kwargs = dict(source=SOURCES["transactions"], first_day=FIRST_DAY, last_day=LAST_DAY,
                  known_article_ids=KNOWN_ARTICLES, known_customer_ids=KNOWN_CUSTOMERS)
    whole = check_table("transactions", df, **kwargs)
    chunks = (df.iloc[i : i + chunk_rows] for i in range(0, len(df), chunk_rows))
    chunked = check_table_in_chunks("transactions", chunks, whole=df[[c.T_DAT]], **kwargs)
    assert [(o.rule.name, o.passed, o.unexpected_count, o.examples, o.message) for o in chunked] == [
        (o.rule.name, o.passed, o.unexpected_count, o.examples, o.message) for o in whole
    ]
    price = next(o for o in chunked if o.rule.name == "price_in_range")
    assert (price.unexpected_count, [e["row"] for e in price.examples]) == (2, [3, 8])
