"""Every data-quality rule on the warehouse tables, declared statically.

This module is what the Dagster layer reads to declare its asset checks (one check per rule,
``blocking=True`` for the rules that must stop downstream assets), so it must stay cheap to
import: no great_expectations here. ``hm_assets.quality.expectations`` evaluates the rules.

A blocking rule guards a property later code relies on (keys present and unique, prices and
dates in range, every transaction pointing at a known article and customer). A non-blocking
rule is a warning: the data is usable but looks unlike H&M's (drift-style checks).
"""

import dataclasses

from hm_assets import columns as c

ARTICLES = "articles"
CUSTOMERS = "customers"
TRANSACTIONS = "transactions"
TABLES = (ARTICLES, CUSTOMERS, TRANSACTIONS)

# Thresholds, named once so rule descriptions, evaluation and tests agree.
ARTICLE_VARIANTS = 1000  # article_id = product_code * 1000 + variant
AGE_MIN, AGE_MAX = 16, 99
MAX_MISSING_AGE_SHARE = 0.5  # H&M has 1.2% missing ages; half missing means a broken feed
CUSTOMER_HEX_PATTERN = r"^[0-9a-f]{64}$"
PRICE_MIN, PRICE_MAX = 0.0, 1.0  # price is shelf price / 590: strictly positive, at most 1
SALES_CHANNELS = (1, 2)
WEEK_ROWS_MIN_RATIO = 0.1  # a week under 10% of the median week looks truncated
WEEK_ROWS_MAX_RATIO = 10.0  # a week over 10x the median week looks duplicated
MAX_EXAMPLES = 5  # offending rows quoted per failed check


@dataclasses.dataclass(frozen=True)
class Rule:
    """One property of one warehouse table.

    ``name`` is a valid Dagster check name (letters, digits, underscore), unique within its
    table; ``column`` is None for table-level rules; ``blocking`` rules stop downstream assets,
    the others only warn.
    """

    name: str
    table: str
    column: str | None
    blocking: bool
    description: str


def _schema_rules(table: str) -> tuple[Rule, ...]:
    return (
        Rule(
            "required_columns",
            table,
            None,
            True,
            f"every column of the warehouse {table} schema is present",
        ),
        Rule(
            "column_dtypes",
            table,
            None,
            True,
            f"every {table} column has its warehouse dtype",
        ),
        Rule(
            "unknown_columns",
            table,
            None,
            False,
            f"no column outside the warehouse {table} schema",
        ),
    )


def _not_null(table: str, column: str) -> Rule:
    return Rule(f"{column}_not_null", table, column, True, f"{column} is never null")


def _unique(table: str, column: str) -> Rule:
    return Rule(
        f"{column}_unique",
        table,
        column,
        True,
        f"{column} values are unique (every row of a repeated value counts)",
    )


RULES: dict[str, tuple[Rule, ...]] = {
    ARTICLES: (
        *_schema_rules(ARTICLES),
        _not_null(ARTICLES, c.ARTICLE_ID),
        _unique(ARTICLES, c.ARTICLE_ID),
        _not_null(ARTICLES, c.PRODUCT_CODE),
        Rule(
            "article_id_matches_product_code",
            ARTICLES,
            c.ARTICLE_ID,
            False,
            f"article_id // {ARTICLE_VARIANTS} == product_code",
        ),
    ),
    CUSTOMERS: (
        *_schema_rules(CUSTOMERS),
        _not_null(CUSTOMERS, c.CUSTOMER_ID),
        _unique(CUSTOMERS, c.CUSTOMER_ID),
        _not_null(CUSTOMERS, c.CUSTOMER_HEX),
        _unique(CUSTOMERS, c.CUSTOMER_HEX),
        Rule(
            "customer_hex_format",
            CUSTOMERS,
            c.CUSTOMER_HEX,
            True,
            "customer_hex is 64 lowercase hex characters",
        ),
        Rule(
            "age_in_range",
            CUSTOMERS,
            c.AGE,
            False,
            f"age is within [{AGE_MIN}, {AGE_MAX}] when present",
        ),
        Rule(
            "age_missing_share",
            CUSTOMERS,
            c.AGE,
            False,
            f"at most {MAX_MISSING_AGE_SHARE:.0%} of ages are missing",
        ),
    ),
    TRANSACTIONS: (
        *_schema_rules(TRANSACTIONS),
        _not_null(TRANSACTIONS, c.T_DAT),
        _not_null(TRANSACTIONS, c.CUSTOMER_ID),
        _not_null(TRANSACTIONS, c.ARTICLE_ID),
        _not_null(TRANSACTIONS, c.PRICE),
        _not_null(TRANSACTIONS, c.SALES_CHANNEL_ID),
        Rule(
            "price_in_range",
            TRANSACTIONS,
            c.PRICE,
            True,
            f"price is within ({PRICE_MIN:g}, {PRICE_MAX:g}]",
        ),
        Rule(
            "t_dat_in_range",
            TRANSACTIONS,
            c.T_DAT,
            True,
            "t_dat is within the settings' [first_day, last_day]",
        ),
        Rule(
            "sales_channel_id_in_set",
            TRANSACTIONS,
            c.SALES_CHANNEL_ID,
            True,
            f"sales_channel_id is one of {', '.join(map(str, SALES_CHANNELS))}",
        ),
        Rule(
            "article_id_known",
            TRANSACTIONS,
            c.ARTICLE_ID,
            True,
            "every article_id is in the articles table",
        ),
        Rule(
            "customer_id_known",
            TRANSACTIONS,
            c.CUSTOMER_ID,
            True,
            "every customer_id is in the customers table",
        ),
        Rule(
            "weekly_row_count",
            TRANSACTIONS,
            c.T_DAT,
            False,
            "no empty week inside the data's span and every week has "
            f"{WEEK_ROWS_MIN_RATIO:g}x..{WEEK_ROWS_MAX_RATIO:g}x the median week's rows",
        ),
    ),
}


def get_rule(table: str, name: str) -> Rule:
    """The rule ``name`` of ``table``; KeyError names the known rules when there is none."""
    for rule in rules_for(table):
        if rule.name == name:
            return rule
    raise KeyError(f"no rule {name!r} on {table}; known: {[r.name for r in RULES[table]]}")


def rules_for(table: str) -> tuple[Rule, ...]:
    """The rules of ``table``; ValueError for a table that is not a warehouse table."""
    try:
        return RULES[table]
    except KeyError:
        raise ValueError(f"unknown table {table!r}; expected one of {TABLES}") from None
