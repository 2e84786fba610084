"""The catalogue of bad inputs, each run through the raw ingestion job as a user would.

Every case starts from a good ingestion, breaks one file, and re-runs. A bad input must fail
with a message naming the file, the column and example rows; nothing after the failing asset
is materialized; and the stored tables still hold the good data.
"""

import pytest

from hm_assets.definitions import RAW_JOB
from hm_assets.runs import failure_messages, materializations
from hm_assets_tests.conftest import HEX, article, articles_csv, customers_csv, transactions_csv


def replace_line(text: str, line_no: int, new: str) -> str:
    lines = text.splitlines()
    lines[line_no] = new
    return "\n".join(lines) + "\n"


A1 = f"{article(1):010d}"
TX_ROW = f"2020-09-17,{HEX['a']},{A1},0.0254,2"  # data row 7 of transactions_csv()

# (file, broken text, failing asset, fragments the error must contain)
CASES = {
    "missing file": ("transactions_train.csv", None, "transactions", ["transactions_train.csv: file not found"]),
    "empty file": ("customers.csv", "", "customers", ["customers.csv: file is empty"]),
    "missing column": (
        "articles.csv",
        articles_csv().replace("garment_group_name,", "").replace(",Jersey Basic,A plain top", ",A plain top"),
        "articles",
        ["articles.csv: missing column(s) ['garment_group_name']"],
    ),
    "wrong dtype": (
        "articles.csv",
        replace_line(articles_csv(), 3, articles_csv().splitlines()[3].replace(",253,", ",vest,")),
        "articles",
        ["articles.csv", "'product_type_no' is not an integer", "row 3: 'vest'"],
    ),
    "malformed line": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW + ",oops"),
        "transactions",
        ["transactions_train.csv: malformed CSV", "Expected 5 columns, got 6"],
    ),
    "non-utf8 bytes": (
        "articles.csv",
        articles_csv().replace("Item 2,", "Item \udcff,"),
        "articles",
        ["articles.csv", "'prod_name'", "not valid UTF-8"],
    ),
    "null ids": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, f"2020-09-17,{HEX['a']},,0.0254,2"),
        "transactions",
        ["transactions_train.csv", "article_id", "row", "7"],
    ),
    "duplicate article ids": (
        "articles.csv",
        articles_csv() + articles_csv().splitlines()[1] + "\n",
        "articles",
        ["articles.csv", "article_id", "unique", "15"],
    ),
    "zero price": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW.replace("0.0254", "0")),
        "transactions",
        ["transactions_train.csv", "price", "7"],
    ),
    "negative price": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW.replace("0.0254", "-0.5")),
        "transactions",
        ["transactions_train.csv", "price", "-0.5"],
    ),
    "date outside range": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW.replace("2020-09-17", "2020-10-01")),
        "transactions",
        ["transactions_train.csv", "t_dat", "2020-10-01"],
    ),
    "unknown channel": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW[:-1] + "3"),
        "transactions",
        ["transactions_train.csv", "sales_channel_id", "7"],
    ),
    "unknown article": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW.replace(A1, "0999999001")),
        "transactions",
        ["transactions_train.csv", "article_id", "999999001"],
    ),
    "unknown customer": (
        "transactions_train.csv",
        replace_line(transactions_csv(), 7, TX_ROW.replace(HEX["a"], "f" * 64)),
        "transactions",
        ["transactions_train.csv", "'customer_id' names a customer missing from customers.csv", "row 7"],
    ),
}
DOWNSTREAM = {"articles": {"transactions"}, "customers": {"transactions"}, "transactions": set()}


@pytest.mark.parametrize("case", list(CASES))
def test_bad_input_fails_clearly_and_keeps_good_data(project, case):
    file, text, failing, fragments = CASES[case]
    assert project.run_job(RAW_JOB).success
    good = {asset: project.stored(asset) for asset in ("articles", "customers", "transactions")}

    if text is None:
        (project.raw / file).unlink()
    elif "\udcff" in text:
        (project.raw / file).write_bytes(text.encode("utf-8", "surrogateescape"))
    else:
        project.write(file, text)
    result = project.run_job(RAW_JOB)

    assert not result.success
    message = failure_messages(result)
    for fragment in fragments:
        assert fragment in message, f"{fragment!r} not in:\n{message}"
    done = set(materializations(result))
    assert failing not in done and not (DOWNSTREAM[failing] & done)
    for asset, frame in good.items():
        assert project.stored(asset).equals(frame), f"{asset} changed after a failed run"


def test_extra_column_warns_but_ingests(project):
    project.write("customers.csv", customers_csv().replace("postal_code\n", "postal_code,loyalty\n").replace(f"{'e' * 64}\n", f"{'e' * 64},gold\n"))
    result = project.run_job(RAW_JOB)
    assert result.success
    warned = [c for c in result.get_asset_check_evaluations() if c.check_name == "unknown_columns" and c.asset_key.to_user_string() == "customers"]
    assert len(warned) == 1 and not warned[0].passed and not warned[0].blocking
    assert "loyalty" not in project.stored("customers").columns


def test_errors_quote_the_data_row_numbers_of_the_broken_rows(project):
    """The cases above break data row 7 and expect "row 7"; the number must come from where the
    bad rows are, counted from 1 after the header, not from the fixture."""
    text = transactions_csv()
    for line in (2, 9):
        text = replace_line(text, line, text.splitlines()[line][:-1] + "3")  # channel 2 -> 3
    project.write("transactions_train.csv", text)
    result = project.run_job(RAW_JOB)
    assert not result.success
    message = failure_messages(result)
    assert "row 2 (sales_channel_id=3)" in message and "row 9 (sales_channel_id=3)" in message, message
    assert "row 7" not in message
