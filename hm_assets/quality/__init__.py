"""Data-quality rules on the warehouse tables and their evaluation (no Dagster import).

``rules`` declares every check (cheap to import: Dagster declares its check specs from it);
``expectations`` evaluates them with great_expectations, imported only when a check runs.
"""

from hm_assets.quality.expectations import (
    CheckOutcome,
    blocking_failures,
    check_table,
    check_table_in_chunks,
    format_failures,
)
from hm_assets.quality.rules import RULES, TABLES, Rule, get_rule, rules_for

__all__ = [
    "RULES",
    "TABLES",
    "CheckOutcome",
    "Rule",
    "blocking_failures",
    "check_table",
    "check_table_in_chunks",
    "format_failures",
    "get_rule",
    "rules_for",
]
