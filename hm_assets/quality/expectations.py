"""Evaluate the rules of ``hm_assets.quality.rules`` on one warehouse frame.

Inputs are pandas frames as ``pyarrow.Table.to_pandas()`` gives the warehouse tables
(dictionary columns as categoricals, ``t_dat`` as ``datetime.date`` objects or as
``datetime64``), indexed by whatever the caller wants quoted as the row number (the CSV data-row
number for raw files). The frame is never modified.

Row-level and column-set rules run as one great_expectations suite on an in-memory, ephemeral
context (nothing is written to disk). Three kinds of rule are computed with pandas instead,
with the same outcome type:

- ``column_dtypes``: GX's pandas type expectations do not recognise pandas' ``str`` and
  categorical dtypes, and scan object columns value by value.
- ``article_id_known`` / ``customer_id_known``: ``ExpectColumnValuesToBeInSet`` re-serialises
  its ``value_set`` dozens of times per validation, which takes minutes for 1.4M customer ids.
- ``article_id_matches_product_code`` and ``weekly_row_count``: derived values, not a column.

great_expectations takes seconds to import, so it is imported inside the functions that use
it, never when this module is imported.
"""

import dataclasses
import datetime as dt
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa

from hm_assets import calendar, schemas, settings
from hm_assets import columns as c
from hm_assets.quality import rules as r
from hm_assets.quality.rules import Rule

WAREHOUSE_SCHEMAS: dict[str, pa.Schema] = {
    r.ARTICLES: schemas.ARTICLES,
    r.CUSTOMERS: schemas.CUSTOMERS,
    r.TRANSACTIONS: schemas.TRANSACTIONS,
}

# BASIC with the first few unexpected rows: counts plus examples, never a list of every
# offending index (SUMMARY/COMPLETE would build one, and a query string holding all of them).
_RESULT_FORMAT = {
    "result_format": "BASIC",
    "partial_unexpected_count": r.MAX_EXAMPLES,
    "include_unexpected_rows": True,
    "return_unexpected_index_query": False,
}


@dataclasses.dataclass(frozen=True)
class CheckOutcome:
    """The result of one rule on one frame.

    ``unexpected_count`` counts offending rows (columns for the schema rules, weeks for
    ``weekly_row_count``). Threshold rules (``age_missing_share``) may pass with a non-zero
    count. ``examples`` holds up to five offending records, each with the frame's index value
    as ``row`` and the offending values, and is empty when the rule passed or could not be
    evaluated.
    """

    rule: Rule
    passed: bool
    unexpected_count: int
    examples: tuple[dict, ...]
    message: str

    @property
    def blocks(self) -> bool:
        """True when this outcome must stop downstream assets."""
        return self.rule.blocking and not self.passed


@dataclasses.dataclass(frozen=True)
class _Inputs:
    table: str
    df: pd.DataFrame
    where: str
    first_day: dt.date
    last_day: dt.date
    known_article_ids: Any
    known_customer_ids: Any


def check_table(
    table: str,
    df: pd.DataFrame,
    *,
    first_day: "dt.date | str | None" = None,
    last_day: "dt.date | str | None" = None,
    known_article_ids: "Iterable[int] | None" = None,
    known_customer_ids: "Iterable[int] | None" = None,
    source: str | None = None,
    only: "Collection[str] | None" = None,
) -> list[CheckOutcome]:
    """Evaluate every rule of ``table`` (see ``rules.RULES``) on ``df``, or the rules in ``only``.

    ``first_day``/``last_day`` bound ``t_dat`` (default: H&M's dates, as ``Settings`` has them).
    Transactions need ``known_article_ids`` and ``known_customer_ids`` (the ids of the articles
    and customers tables); the other tables ignore them. ``source`` (e.g. the raw CSV path)
    is named in every message. Returns one outcome per rule, in ``RULES[table]`` order. A rule
    whose column is missing or has an unusable dtype fails as "not evaluated".
    """
    table_rules = tuple(rule for rule in r.rules_for(table) if only is None or rule.name in only)
    if only is not None and "unknown_columns" in only and "required_columns" not in only:
        raise ValueError("unknown_columns is read off required_columns; evaluate them together")
    needs_known = {"article_id_known", "customer_id_known"} & {rule.name for rule in table_rules}
    if needs_known and (known_article_ids is None or known_customer_ids is None):
        raise ValueError(
            "checking transactions needs known_article_ids and known_customer_ids "
            "(the article_id and customer_id columns of the articles and customers tables)"
        )
    inputs = _inputs(table, df, source, first_day, last_day, known_article_ids, known_customer_ids)
    frame, unusable = _gx_frame(inputs)
    outcomes: dict[str, CheckOutcome] = {}
    gx_plan: dict[str, tuple[str, dict]] = {}
    for rule in table_rules:
        problem = _column_problem(rule, df, unusable)
        if problem is not None:
            outcomes[rule.name] = _not_evaluated(rule, inputs, problem)
        elif rule.name in _PANDAS_RULES:
            outcomes[rule.name] = _PANDAS_RULES[rule.name](rule, inputs, frame)
        elif rule.name == "unknown_columns":
            pass  # read off the required_columns expectation's result below
        else:
            gx_plan[rule.name] = _gx_expectation(rule, inputs)

    results = _validate_with_gx(table, frame, gx_plan)
    for name, result in results.items():
        rule = r.get_rule(table, name)
        if name == "required_columns":
            outcomes.update(_column_set_outcomes(rule, inputs, result))
        else:
            outcomes[name] = _gx_row_outcome(rule, inputs, result)
    return [outcomes[rule.name] for rule in table_rules]


# Rules that need every row at once; all others hold row by row and can be checked in chunks.
WHOLE_TABLE_RULES = frozenset(
    {"article_id_unique", "customer_id_unique", "customer_hex_unique", "age_missing_share", "weekly_row_count"}
)
# Rules about the columns, not the rows: every chunk gives the same answer.
_COLUMN_RULES = frozenset({"required_columns", "column_dtypes", "unknown_columns"})


def check_table_in_chunks(
    table: str,
    chunks: Iterable[pd.DataFrame],
    whole: pd.DataFrame,
    *,
    source: str | None = None,
    first_day: "dt.date | str | None" = None,
    last_day: "dt.date | str | None" = None,
    known_article_ids: "Iterable[int] | None" = None,
    known_customer_ids: "Iterable[int] | None" = None,
) -> list[CheckOutcome]:
    """The outcomes of :func:`check_table` on the concatenated chunks, at one chunk's memory.

    Row-by-row rules run on each chunk (whose index is the global row number) and are merged:
    counts add up and the first examples are kept. The rules in ``WHOLE_TABLE_RULES`` run once
    on ``whole``, a frame of every row holding just the columns those rules read (e.g.
    ``t_dat`` for transactions).
    """
    context = dict(
        first_day=first_day, last_day=last_day, known_article_ids=known_article_ids, known_customer_ids=known_customer_ids
    )
    row_rules = {rule.name for rule in r.rules_for(table)} - WHOLE_TABLE_RULES
    whole_rules = {rule.name for rule in r.rules_for(table)} & WHOLE_TABLE_RULES
    per_rule: dict[str, list[CheckOutcome]] = {}
    rows = 0
    for chunk in chunks:
        rows += len(chunk)
        for outcome in check_table(table, chunk, source=source, only=row_rules, **context):
            per_rule.setdefault(outcome.rule.name, []).append(outcome)
    if not per_rule:
        raise ValueError(f"no chunks of {table} to check")
    inputs = _inputs(table, pd.DataFrame(), source, **context)
    merged = {name: _merge(outcomes, inputs, rows) for name, outcomes in per_rule.items()}
    if whole_rules:
        for outcome in check_table(table, whole, source=source, only=whole_rules, **context):
            merged[outcome.rule.name] = outcome
    return [merged[rule.name] for rule in r.rules_for(table)]


def _merge(outcomes: list[CheckOutcome], inputs: _Inputs, rows: int) -> CheckOutcome:
    first = outcomes[0]
    if first.rule.name in _COLUMN_RULES:
        return first
    unevaluated = [o for o in outcomes if not o.passed and o.unexpected_count == 0]
    if unevaluated:
        return unevaluated[0]
    count = sum(o.unexpected_count for o in outcomes)
    examples = [e for o in outcomes for e in o.examples]
    return _outcome(first.rule, inputs, count == 0, count, rows, "rows", examples)


def _inputs(table, df, source, first_day, last_day, known_article_ids, known_customer_ids) -> _Inputs:
    inputs = _Inputs(
        table=table,
        df=df,
        where=f"{source} ({table})" if source else f"the {table} table",
        first_day=calendar.as_date(first_day) if first_day is not None else settings.HM_FIRST_DAY,
        last_day=calendar.as_date(last_day) if last_day is not None else settings.HM_LAST_DAY,
        known_article_ids=known_article_ids,
        known_customer_ids=known_customer_ids,
    )
    if inputs.last_day < inputs.first_day:
        raise ValueError(f"last_day {inputs.last_day} is before first_day {inputs.first_day}")
    return inputs


def blocking_failures(outcomes: Iterable[CheckOutcome]) -> list[CheckOutcome]:
    """The failed outcomes of blocking rules: what must stop downstream assets."""
    return [o for o in outcomes if o.blocks]


def format_failures(outcomes: Iterable[CheckOutcome]) -> str:
    """One line per failed outcome, blocking ones first; an empty string when all passed."""
    failed = sorted((o for o in outcomes if not o.passed), key=lambda o: not o.rule.blocking)
    return "\n".join(f"{'BLOCKING' if o.rule.blocking else 'WARNING'}: {o.message}" for o in failed)


# --- dtypes ------------------------------------------------------------------------------------
def _expected_dtype(field: pa.Field) -> str:
    if pa.types.is_dictionary(field.type):
        return "category"
    if pa.types.is_string(field.type) or pa.types.is_large_string(field.type):
        return "str"
    if pa.types.is_date(field.type):
        return "date"
    return np.dtype(field.type.to_pandas_dtype()).name


def _dtype_ok(expected: str, dtype: Any) -> bool:
    if expected == "category":
        return isinstance(dtype, pd.CategoricalDtype)
    if expected == "str":
        # object too: pandas without the str dtype (or infer_string off) gives object strings
        return isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype)
    if expected == "date":
        # date32 arrives as datetime.date objects, or as datetime64[ms] with date_as_object=False
        return pd.api.types.is_object_dtype(dtype) or (
            pd.api.types.is_datetime64_dtype(dtype) and not isinstance(dtype, pd.DatetimeTZDtype)
        )
    return isinstance(dtype, np.dtype) and dtype == np.dtype(expected)


_DTYPE_LABELS = {"date": "date (datetime64 or datetime.date objects)", "str": "str"}

# The dtype family a rule's evaluation needs; stricter dtypes are the column_dtypes rule's job.
_NUMERIC, _STRING, _DATE = "numeric", "string", "date"
_NEEDS: dict[str, dict[str, str]] = {
    "article_id_matches_product_code": {c.ARTICLE_ID: _NUMERIC, c.PRODUCT_CODE: _NUMERIC},
    "customer_hex_format": {c.CUSTOMER_HEX: _STRING},
    "age_in_range": {c.AGE: _NUMERIC},
    "price_in_range": {c.PRICE: _NUMERIC},
    "t_dat_in_range": {c.T_DAT: _DATE},
    "sales_channel_id_in_set": {c.SALES_CHANNEL_ID: _NUMERIC},
    "article_id_known": {c.ARTICLE_ID: _NUMERIC},
    "customer_id_known": {c.CUSTOMER_ID: _NUMERIC},
    "weekly_row_count": {c.T_DAT: _DATE},
}


def _kind_ok(kind: str, dtype: Any) -> bool:
    if kind == _NUMERIC:
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)
    if kind == _STRING:
        return isinstance(dtype, pd.StringDtype) or pd.api.types.is_object_dtype(dtype)
    return _dtype_ok("date", dtype)


def _column_problem(rule: Rule, df: pd.DataFrame, unusable: dict[str, str]) -> str | None:
    """Why the rule cannot be evaluated on ``df``, or None."""
    needs = _NEEDS.get(rule.name, {rule.column: ""} if rule.column else {})
    for column, kind in needs.items():
        if column not in df.columns:
            return f"column {column} is missing"
        if kind and not _kind_ok(kind, df[column].dtype):
            return f"column {column} has dtype {df[column].dtype}, not {kind}"
        if column in unusable:
            return unusable[column]
    return None


def _gx_frame(inputs: _Inputs) -> tuple[pd.DataFrame, dict[str, str]]:
    """The frame GX validates: positional index, range-checked columns in float64/ns dtypes.

    GX compares only int64, float64 and datetime64[ns] columns vectorised; any other dtype
    (the warehouse's float32 price, date objects, datetime64[ms]) goes through a Python
    function per value. The positional index maps GX's unexpected rows back to ``df``'s index
    even when that index has repeats. Returns the frame and, per column that could not be
    converted, why.
    """
    df = inputs.df
    frame = df.reset_index(drop=True)  # copy-on-write: no data is copied until a column is set
    unusable: dict[str, str] = {}
    for column in (c.PRICE, c.AGE):
        if column in frame.columns and _kind_ok(_NUMERIC, frame[column].dtype):
            if frame[column].dtype != np.float64:
                frame[column] = frame[column].astype(np.float64)
    if c.T_DAT in frame.columns and _kind_ok(_DATE, frame[c.T_DAT].dtype):
        try:
            frame[c.T_DAT] = frame[c.T_DAT].astype("datetime64[ns]")
        except (TypeError, ValueError) as exc:
            unusable[c.T_DAT] = f"column {c.T_DAT} does not hold dates ({exc})"
    return frame, unusable


# --- great_expectations ------------------------------------------------------------------------
def _gx_expectation(rule: Rule, inputs: _Inputs) -> tuple[str, dict]:
    """The GX expectation class name and arguments that evaluate ``rule``."""
    column = rule.column
    if rule.name == "required_columns":
        column_set = WAREHOUSE_SCHEMAS[inputs.table].names
        return "ExpectTableColumnsToMatchSet", {"column_set": column_set, "exact_match": False}
    if rule.name.endswith("_not_null"):
        return "ExpectColumnValuesToNotBeNull", {"column": column}
    if rule.name.endswith("_unique"):
        return "ExpectColumnValuesToBeUnique", {"column": column}
    if rule.name == "customer_hex_format":
        return "ExpectColumnValuesToMatchRegex", {"column": column, "regex": r.CUSTOMER_HEX_PATTERN}
    if rule.name == "age_in_range":
        return "ExpectColumnValuesToBeBetween", {
            "column": column,
            "min_value": r.AGE_MIN,
            "max_value": r.AGE_MAX,
        }
    if rule.name == "age_missing_share":
        return "ExpectColumnValuesToNotBeNull", {
            "column": column,
            "mostly": 1.0 - r.MAX_MISSING_AGE_SHARE,
        }
    if rule.name == "price_in_range":
        return "ExpectColumnValuesToBeBetween", {
            "column": column,
            "min_value": r.PRICE_MIN,
            "max_value": r.PRICE_MAX,
            "strict_min": True,
        }
    if rule.name == "t_dat_in_range":
        # up to the end of last_day, so a timestamp with a time of day on last_day passes
        return "ExpectColumnValuesToBeBetween", {
            "column": column,
            "min_value": dt.datetime.combine(inputs.first_day, dt.time()),
            "max_value": dt.datetime.combine(calendar.shift_day(inputs.last_day, 1), dt.time()),
            "strict_max": True,
        }
    if rule.name == "sales_channel_id_in_set":
        return "ExpectColumnValuesToBeInSet", {"column": column, "value_set": list(r.SALES_CHANNELS)}
    raise AssertionError(f"no evaluation declared for rule {rule.table}.{rule.name}")


def _validate_with_gx(table: str, frame: pd.DataFrame, plan: dict[str, tuple[str, dict]]) -> dict:
    """Run ``plan`` (rule name -> expectation) as one suite on ``frame``; results by rule name.

    One suite, one batch: GX fingerprints (hashes) the whole frame each time it loads a batch,
    so validating rule by rule would hash it once per rule, and ``batch.validate`` hashes it
    twice (``get_batch``, then again inside ``validate``); a validation definition run loads it
    once. The context is ephemeral and local to this call: nothing is written, and the results
    it stores in memory go with it.
    """
    if not plan:
        return {}
    import great_expectations as gx
    import great_expectations.expectations as gxe
    from great_expectations.data_context.types.base import ProgressBarsConfig

    context = gx.get_context(mode="ephemeral")
    context.variables.progress_bars = ProgressBarsConfig(globally=False)
    batch_definition = (
        context.data_sources.add_pandas(name="hm_quality")
        .add_dataframe_asset(name=table)
        .add_batch_definition_whole_dataframe(name="whole_frame")
    )
    suite = context.suites.add(
        gx.ExpectationSuite(
            name=f"{table}_rules",
            expectations=[
                getattr(gxe, class_name)(**kwargs, meta={"rule": name})
                for name, (class_name, kwargs) in plan.items()
            ],
        )
    )
    validation = context.validation_definitions.add(
        gx.ValidationDefinition(name=f"{table}_validation", data=batch_definition, suite=suite)
    )
    suite_result = validation.run(
        batch_parameters={"dataframe": frame}, result_format=_RESULT_FORMAT
    )
    results = {}
    for result in suite_result.results:
        name = result.expectation_config.meta["rule"]
        if result.exception_info.get("raised_exception"):
            raise RuntimeError(
                f"great_expectations could not evaluate {table}.{name}: "
                f"{result.exception_info.get('exception_message')}"
            )
        results[name] = result
    return results


def _gx_row_outcome(rule: Rule, inputs: _Inputs, result: Any) -> CheckOutcome:
    count = int(result.result.get("unexpected_count") or 0)
    rows = result.result.get("unexpected_rows")
    positions = [] if result.success or rows is None else list(rows.index)
    return _row_outcome(rule, inputs, bool(result.success), count, positions, [rule.column])


def _detail(rule: Rule, inputs: _Inputs) -> str:
    """Per-call facts a message needs beyond the rule's static description."""
    if rule.name == "t_dat_in_range":
        return f"first_day {inputs.first_day}, last_day {inputs.last_day}"
    return ""


def _column_set_outcomes(rule: Rule, inputs: _Inputs, result: Any) -> dict[str, CheckOutcome]:
    """required_columns and unknown_columns, both read off one ExpectTableColumnsToMatchSet."""
    mismatched = result.result.get("details", {}).get("mismatched", {})
    missing, unknown = mismatched.get("missing", []), mismatched.get("unexpected", [])
    n_schema = len(WAREHOUSE_SCHEMAS[inputs.table])
    unknown_rule = r.get_rule(inputs.table, "unknown_columns")
    return {
        rule.name: _outcome(
            rule,
            inputs,
            bool(result.success),
            len(missing),
            n_schema,
            "columns",
            [{"column": name} for name in missing],
        ),
        unknown_rule.name: _outcome(
            unknown_rule,
            inputs,
            not unknown,
            len(unknown),
            inputs.df.shape[1],
            "columns",
            [{"column": name} for name in unknown],
        ),
    }


# --- rules computed with pandas ----------------------------------------------------------------
def _column_dtypes(rule: Rule, inputs: _Inputs, frame: pd.DataFrame) -> CheckOutcome:
    df = inputs.df
    present = [f for f in WAREHOUSE_SCHEMAS[inputs.table] if f.name in df.columns]
    wrong = []
    for field in present:
        expected, observed = _expected_dtype(field), df[field.name].dtype
        if not _dtype_ok(expected, observed):
            label = _DTYPE_LABELS.get(expected, expected)
            wrong.append({"column": field.name, "expected": label, "observed": str(observed)})
    return _outcome(rule, inputs, not wrong, len(wrong), len(present), "columns", wrong)


def _article_id_matches_product_code(rule: Rule, inputs: _Inputs, frame: pd.DataFrame) -> CheckOutcome:
    article, product = inputs.df[c.ARTICLE_ID], inputs.df[c.PRODUCT_CODE]
    both = (article.notna() & product.notna()).to_numpy(dtype=bool)
    mismatch = (article // r.ARTICLE_VARIANTS != product).to_numpy(dtype=bool, na_value=False)
    return _mask_outcome(rule, inputs, mismatch & both, [c.ARTICLE_ID, c.PRODUCT_CODE])


def _known(known_attr: str) -> Callable[[Rule, _Inputs, pd.DataFrame], CheckOutcome]:
    def evaluate(rule: Rule, inputs: _Inputs, frame: pd.DataFrame) -> CheckOutcome:
        values = inputs.df[rule.column]
        unknown = ~values.isin(_as_array(getattr(inputs, known_attr))) & values.notna()
        return _mask_outcome(rule, inputs, unknown.to_numpy(dtype=bool), [rule.column])

    return evaluate


def _as_array(ids: Any) -> np.ndarray:
    if isinstance(ids, (pd.Series, pd.Index)):
        return ids.to_numpy()
    if isinstance(ids, (np.ndarray, list, tuple, range)):
        return np.asarray(ids)
    return np.fromiter(ids, dtype=np.int64)  # a set or any other iterable of ids


def _weekly_row_count(rule: Rule, inputs: _Inputs, frame: pd.DataFrame) -> CheckOutcome:
    """Rows per Wednesday..Tuesday week, over the weeks from the first row's to the last row's.

    Only rows within [first_day, last_day] count (t_dat_in_range reports the others). The
    median is taken over the non-empty weeks, so that a long gap cannot drag it to zero.
    """
    days = calendar.day_numbers(frame[c.T_DAT].dropna()).astype(np.int64)
    lo, hi = calendar.day_number(inputs.first_day), calendar.day_number(inputs.last_day)
    days = days[(days >= lo) & (days <= hi)]
    if len(days) == 0:
        return _outcome(rule, inputs, True, 0, 0, "weeks", [])
    week_days = calendar.week_start_days(days)
    first = int(week_days.min())
    counts = np.bincount(calendar.weeks_since(week_days, first))  # zeros for empty weeks
    median = float(np.median(counts[counts > 0]))
    bad = (counts == 0) | (counts < r.WEEK_ROWS_MIN_RATIO * median)
    bad |= counts > r.WEEK_ROWS_MAX_RATIO * median
    examples = [
        {
            "week": calendar.week_key(calendar.shift_week(calendar.from_day_number(first), int(i))),
            "rows": int(counts[i]),
            "median_rows": median,
        }
        for i in np.flatnonzero(bad)
    ]
    return _outcome(rule, inputs, not examples, len(examples), len(counts), "weeks", examples)


_PANDAS_RULES: dict[str, Callable[[Rule, _Inputs, pd.DataFrame], CheckOutcome]] = {
    "column_dtypes": _column_dtypes,
    "article_id_matches_product_code": _article_id_matches_product_code,
    "article_id_known": _known("known_article_ids"),
    "customer_id_known": _known("known_customer_ids"),
    "weekly_row_count": _weekly_row_count,
}


# --- outcomes and messages ---------------------------------------------------------------------
def _mask_outcome(rule: Rule, inputs: _Inputs, mask: np.ndarray, show: list[str]) -> CheckOutcome:
    positions = np.flatnonzero(mask)
    return _row_outcome(rule, inputs, len(positions) == 0, len(positions), positions, show)


def _row_outcome(
    rule: Rule,
    inputs: _Inputs,
    passed: bool,
    count: int,
    positions: Sequence[int],
    show: list[str],
) -> CheckOutcome:
    df = inputs.df
    examples = [
        {"row": _plain(df.index[pos]), **{col: _plain(df[col].iloc[pos]) for col in show}}
        for pos in list(positions)[: r.MAX_EXAMPLES]
    ]
    return _outcome(rule, inputs, passed, count, len(df), "rows", [] if passed else examples)


def _outcome(
    rule: Rule,
    inputs: _Inputs,
    passed: bool,
    count: int,
    total: int,
    unit: str,
    examples: list[dict],
) -> CheckOutcome:
    examples = examples[: r.MAX_EXAMPLES]
    on_column = f" on column {rule.column}" if rule.column else ""
    message = (
        f"{inputs.where}: {rule.name} {'passed' if passed else 'failed'}{on_column}: "
        f"{count} of {total} {unit} break it ({rule.description}"
    )
    detail = _detail(rule, inputs)
    message += f"; {detail})" if detail else ")"
    if examples:
        message += "; e.g. " + "; ".join(_describe(example) for example in examples)
    return CheckOutcome(rule, passed, count, tuple(examples), message)


def _not_evaluated(rule: Rule, inputs: _Inputs, problem: str) -> CheckOutcome:
    on_column = f" on column {rule.column}" if rule.column else ""
    message = f"{inputs.where}: {rule.name} not evaluated{on_column}: {problem}"
    return CheckOutcome(rule, False, 0, (), message)


def _describe(example: dict) -> str:
    values = ", ".join(f"{k}={v!r}" for k, v in example.items() if k != "row")
    return f"row {example['row']} ({values})" if "row" in example else values


def _plain(value: Any) -> Any:
    """A JSON-friendly Python value: ints, floats, strings (dates as ISO strings) or None."""
    if value is None or (pd.api.types.is_scalar(value) and pd.isna(value)):
        return None
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.datetime):  # pd.Timestamp included
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, np.float32):
        return float(str(value))  # the float32's shortest repr: 0.59, not 0.5899999737739563
    if isinstance(value, np.generic):
        return value.item()
    return value
