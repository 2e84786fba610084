"""The CSV readers: compact output, and a clear error for each kind of unreadable input."""

import pyarrow as pa
import pytest

from hm_assets import schemas
from hm_assets.ingest import readers

HEX_A, HEX_B = "a" * 64, "b" * 64
CUSTOMERS = (
    "customer_id,FN,Active,club_member_status,fashion_news_frequency,age,postal_code\n"
    f"{HEX_A},1.0,,ACTIVE,NONE,25,{'p' * 64}\n"
    f"{HEX_B},,,,,,{'p' * 64}\n"
)
TX_HEADER = "t_dat,customer_id,article_id,price,sales_channel_id\n"


def write(tmp_path, name, text: str | bytes):
    path = tmp_path / name
    path.write_bytes(text if isinstance(text, bytes) else text.encode())
    return path


@pytest.fixture
def customers(tmp_path):
    return readers.read_customers(write(tmp_path, "customers.csv", CUSTOMERS))


def test_customers_get_dense_keys_and_keep_hex(customers):
    assert customers.schema == schemas.CUSTOMERS
    assert customers.column("customer_id").to_pylist() == [0, 1]
    assert customers.column("customer_hex").to_pylist() == [HEX_A, HEX_B]
    assert customers.column("age").to_pylist() == [25.0, None]


def test_transactions_are_compact_and_keyed(tmp_path, customers):
    path = write(tmp_path, "t.csv", TX_HEADER + f"2020-09-01,{HEX_B},0108775015,0.0508,2\n2020-09-02,{HEX_A},108775015,0.01,1\n")
    table = readers.read_transactions(path, customers)
    assert table.schema == schemas.TRANSACTIONS
    assert table.column("customer_id").to_pylist() == [1, 0]
    assert table.column("article_id").to_pylist() == [108775015, 108775015]
    assert table.column("sales_channel_id").type == pa.int8()


@pytest.mark.parametrize(
    "body, match",
    [
        (f"2020-09-01,{HEX_A},abc,0.05,2\n", r"t\.csv: column 'article_id' is not an integer .*row 1: 'abc'"),
        (f"2020-09-01,{HEX_A},1,0.05,2\n2020-13-45,{HEX_A},1,0.05,2\n", r"column 't_dat' is not a calendar date .*row 2: '2020-13-45'"),
        (f"01/09/2020,{HEX_A},1,0.05,2\n", r"column 't_dat' is not a YYYY-MM-DD date .*row 1: '01/09/2020'"),
        (f"2020-09-01,{HEX_A},1,cheap,2\n", r"column 'price' is not a number .*row 1: 'cheap'"),
        (f"2020-09-01,{HEX_A},1,0.05,300\n", r"column 'sales_channel_id' is out of range for int8 .*row 1: '300'"),
        (f"2020-09-01,{'c' * 64},1,0.05,2\n", r"column 'customer_id' names a customer missing from customers.csv .*row 1"),
        (f"2020-09-01,{HEX_A},1,0.05,2,extra\n", r"t\.csv: malformed CSV .*Expected 5 columns, got 6"),
    ],
)
def test_bad_transaction_values_name_file_column_and_rows(tmp_path, customers, body, match):
    path = write(tmp_path, "t.csv", TX_HEADER + body)
    with pytest.raises(readers.RawDataError, match=match):
        readers.read_transactions(path, customers)


def test_non_utf8_bytes_are_reported(tmp_path, customers):
    path = write(tmp_path, "t.csv", TX_HEADER.encode() + b"2020-09-01," + b"\xff\xfe" * 32 + b",1,0.05,2\n")
    with pytest.raises(readers.RawDataError, match=r"t\.csv: column 'customer_id': text is not valid UTF-8"):
        readers.read_transactions(path, customers)


def test_missing_empty_and_headerless_files(tmp_path):
    with pytest.raises(readers.RawDataError, match=r"articles\.csv: file not found"):
        readers.read_articles(tmp_path / "articles.csv")
    with pytest.raises(readers.RawDataError, match=r"articles\.csv: file is empty"):
        readers.read_articles(write(tmp_path, "articles.csv", ""))


def test_missing_column_is_named(tmp_path):
    text = CUSTOMERS.replace("postal_code", "postcode")
    with pytest.raises(readers.RawDataError, match=r"customers\.csv: missing column\(s\) \['postal_code'\]"):
        readers.read_customers(write(tmp_path, "customers.csv", text))


def test_extra_column_warns_and_is_carried_as_text_until_stored(tmp_path):
    text = CUSTOMERS.replace("postal_code\n", "postal_code,loyalty\n").replace(f"{'p' * 64}\n", f"{'p' * 64},7\n")
    with pytest.warns(readers.ExtraColumnsWarning, match="loyalty"):
        table = readers.read_customers(write(tmp_path, "customers.csv", text))
    assert table.column_names == schemas.CUSTOMERS.names + ["loyalty"]
    assert table.column("loyalty").to_pylist() == ["7", "7"]
    assert readers.schema_columns(table, schemas.CUSTOMERS).schema == schemas.CUSTOMERS


def test_key_lookup_matches_index_in_for_fixed_and_ragged_ids():
    import pyarrow.compute as pc

    keys = pa.array(["c" * 64, "a" * 64, "b" * 64])
    lookup = readers.KeyLookup(keys)
    values = pa.array(["b" * 64, "z" * 64, "c" * 64, "a" * 64])
    assert lookup.positions(values).to_pylist() == [2, None, 0, 1]
    ragged = pa.array(["b" * 64, "short", None])  # falls back to index_in
    assert lookup.positions(ragged).to_pylist() == pc.index_in(ragged, value_set=keys).to_pylist() == [2, None, None]
    assert readers.KeyLookup(pa.array(["x", "yy"])).positions(pa.array(["yy"])).to_pylist() == [1]
