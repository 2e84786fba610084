"""Stream the Kaggle CSV files into compact Arrow tables, stopping on anything unreadable.

Every column is first read as text in blocks and then converted here, so that a value that does
not parse is reported with the file, the column, its data-row numbers and the offending values,
instead of a bare parser message. Data-row numbers count from 1 after the header (the CSV line
is the row number + 1). Value rules (nulls, ranges, uniqueness, referential integrity) are the
quality layer's job (``hm_assets.quality``); what must be known here to build integer keys
(every transaction's customer exists) is checked here.

Memory: only one block of text is alive at a time; the result holds compact columns only.
"""

import dataclasses
import os
import re
import warnings
from collections.abc import Iterator

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from hm_assets import columns as c
from hm_assets import schemas

BLOCK_BYTES = 16 << 20  # text per parsed block: with read-ahead, bounds the reader's memory
MAX_EXAMPLES = 5

_INT = r"^[+-]?\d+$"
_FLOAT = r"^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$"
_DATE = r"^\d{4}-\d{2}-\d{2}$"


class RawDataError(ValueError):
    """Input that cannot be ingested. The message names the file, the column and example rows."""


class ExtraColumnsWarning(UserWarning):
    """A CSV carries columns the Kaggle schema does not have; they are ignored."""


@dataclasses.dataclass(frozen=True)
class CsvHeader:
    columns: tuple[str, ...]
    extra: tuple[str, ...]


def read_header(path: str | os.PathLike, schema: pa.Schema) -> CsvHeader:
    """Check that ``path`` exists, is UTF-8 text with a header, and has every schema column."""
    path = os.fspath(path)
    if not os.path.exists(path):
        raise RawDataError(f"{path}: file not found (expected the Kaggle file {os.path.basename(path)})")
    with open(path, "rb") as f:
        first = f.readline()
    if not first.strip():
        raise RawDataError(f"{path}: file is empty; expected a header with columns {schema.names}")
    try:
        header = first.decode("utf-8-sig").rstrip("\r\n")
    except UnicodeDecodeError as e:
        raise RawDataError(f"{path}: header line is not UTF-8 text ({e})") from None
    names = tuple(h.strip().strip('"') for h in header.split(","))
    missing = [n for n in schema.names if n not in names]
    if missing:
        raise RawDataError(
            f"{path}: missing column(s) {missing}; header has {list(names)}, "
            f"expected {schema.names}"
        )
    extra = tuple(n for n in names if n not in schema.names)
    if extra:
        warnings.warn(f"{path}: ignoring unknown column(s) {list(extra)}", ExtraColumnsWarning, stacklevel=2)
    return CsvHeader(columns=names, extra=extra)


def iter_text_blocks(path: str | os.PathLike, schema: pa.Schema) -> Iterator[tuple[int, pa.RecordBatch]]:
    """Yield ``(first_row_number, batch)`` with every column of the file as nullable text."""
    path = os.fspath(path)
    header = read_header(path, schema)
    row = 1
    try:  # the reader parses its first block on open, so errors can surface there too
        reader = pacsv.open_csv(
            path,
            read_options=pacsv.ReadOptions(block_size=BLOCK_BYTES),
            parse_options=pacsv.ParseOptions(newlines_in_values=False),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in header.columns},
                strings_can_be_null=True,
                quoted_strings_can_be_null=True,
            ),
        )
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            yield row, batch
            row += batch.num_rows
    except pa.ArrowInvalid as e:
        raise RawDataError(f"{path}: {_describe_parse_error(str(e), row, header.columns)}") from None


def _describe_parse_error(message: str, row: int, names: tuple[str, ...]) -> str:
    message = message.strip()
    found = re.search(r"CSV column #(\d+)", message)
    column = f"column {names[int(found.group(1))]!r}: " if found and int(found.group(1)) < len(names) else ""
    if "UTF8" in message or "UTF-8" in message:
        return f"{column}text is not valid UTF-8 in data row {row} or after ({message})"
    return f"malformed CSV in data row {row} or after: {message}"


def convert_column(
    path: str, name: str, text: pa.Array, target: pa.DataType, first_row: int
) -> pa.Array:
    """Convert one text column to ``target``, naming the rows whose values do not parse.

    The fast path is Arrow's own cast; only when it fails is the column scanned again to find
    and quote the offending rows.
    """
    if pa.types.is_string(target):
        return text
    try:
        if pa.types.is_integer(target):
            wide = pc.cast(text, pa.int64())
        elif pa.types.is_floating(target):
            return pc.cast(pc.cast(text, pa.float64()), target)
        elif pa.types.is_date(target):
            return pc.cast(text, target)
        else:  # pragma: no cover - schemas only use the types above
            raise TypeError(f"no converter for {target}")
    except pa.ArrowInvalid:
        _locate_bad_values(path, name, text, target, first_row)
        raise  # the cast failed for a reason no value explains: let Arrow's message through
    info = np.iinfo(target.to_pandas_dtype())
    low, high = pc.min_max(wide).values()
    if (low.is_valid and low.as_py() < info.min) or (high.is_valid and high.as_py() > info.max):
        bad = pc.or_(pc.less(wide, info.min), pc.greater(wide, info.max))
        _raise_bad_values(path, name, text, bad, first_row, f"is out of range for {target}")
    return pc.cast(wide, target)


def _locate_bad_values(path: str, name: str, text: pa.Array, target: pa.DataType, first_row: int) -> None:
    """Raise RawDataError quoting the values of ``text`` that are not valid ``target`` values."""
    if pa.types.is_integer(target):
        pattern, kind = _INT, "an integer"
    elif pa.types.is_floating(target):
        pattern, kind = _FLOAT, "a number"
    else:
        pattern, kind = _DATE, "a YYYY-MM-DD date"
    bad = pc.and_(pc.is_valid(text), pc.invert(pc.match_substring_regex(text, pattern)))
    if pc.any(bad).as_py():
        _raise_bad_values(path, name, text, bad, first_row, f"is not {kind}")
    if pa.types.is_date(target):
        parsed = pc.strptime(text, format="%Y-%m-%d", unit="s", error_is_null=True)
        bad = pc.and_(pc.is_valid(text), pc.is_null(parsed))
        if pc.any(bad).as_py():
            _raise_bad_values(path, name, text, bad, first_row, "is not a calendar date")


def _raise_bad_values(path, name, text, bad_mask, first_row, problem) -> None:
    idx = np.flatnonzero(bad_mask.to_numpy(zero_copy_only=False))
    examples = ", ".join(f"row {first_row + i}: {text[int(i)].as_py()!r}" for i in idx[:MAX_EXAMPLES])
    raise RawDataError(f"{path}: column {name!r} {problem} in {len(idx)} row(s) of this block, e.g. {examples}")


def _typed_batches(path, schema) -> Iterator[tuple[int, pa.Table]]:
    """Schema columns converted to their types, then any unknown columns, still as text."""
    for first_row, batch in iter_text_blocks(path, schema):
        arrays = [convert_column(path, f.name, batch.column(f.name), f.type, first_row) for f in schema]
        extra = [n for n in batch.schema.names if n not in schema.names]
        yield first_row, pa.Table.from_arrays(
            arrays + [batch.column(n) for n in extra], names=schema.names + extra
        )


def _encode(table: pa.Table, target: pa.Schema) -> pa.Table:
    """Cast to the warehouse schema (strings to dictionaries), in its order.

    Columns the schema does not know stay at the end as text, so that the quality layer can warn
    about them; :func:`schema_columns` drops them before storing.
    """
    extra = [n for n in table.column_names if n not in target.names]
    arrays = [table.column(f.name).cast(f.type) for f in target] + [table.column(n) for n in extra]
    return pa.Table.from_arrays(arrays, schema=pa.schema(list(target) + [table.schema.field(n) for n in extra]))


def schema_columns(table: pa.Table, schema: pa.Schema) -> pa.Table:
    """Only the columns of ``schema``, in its order (drops columns the Kaggle schema lacks)."""
    return table.select(schema.names)


def read_articles(path: str | os.PathLike) -> pa.Table:
    """``articles.csv`` as the warehouse ``ARTICLES`` table (row order kept)."""
    path = os.fspath(path)
    parts = [t for _, t in _typed_batches(path, schemas.ARTICLES_CSV)]
    if not parts:
        raise RawDataError(f"{path}: has a header but no rows")
    return _encode(pa.concat_tables(parts, promote_options="permissive"), schemas.ARTICLES)


def read_customers(path: str | os.PathLike) -> pa.Table:
    """``customers.csv`` as the warehouse ``CUSTOMERS`` table.

    ``customer_id`` becomes the row's position (int32, 0-based); the original string moves to
    ``customer_hex``.
    """
    path = os.fspath(path)
    parts = [t for _, t in _typed_batches(path, schemas.CUSTOMERS_CSV)]
    if not parts:
        raise RawDataError(f"{path}: has a header but no rows")
    raw = pa.concat_tables(parts, promote_options="permissive")
    table = raw.rename_columns([c.CUSTOMER_HEX if n == c.CUSTOMER_ID else n for n in raw.column_names])
    table = table.append_column(c.CUSTOMER_ID, pa.array(np.arange(len(table), dtype=np.int32)))
    return _encode(table, schemas.CUSTOMERS)


def _fixed_width(strings: pa.Array) -> np.ndarray | None:
    """Zero-copy ``S<width>`` view of a string array whose values all have one width, else None."""
    if isinstance(strings, pa.ChunkedArray):
        strings = strings.combine_chunks()
    if len(strings) == 0 or strings.null_count:
        return None
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int32, count=len(strings) + 1, offset=4 * strings.offset)
    widths = np.diff(offsets)
    width = int(widths[0])
    if width == 0 or not (widths == width).all():
        return None
    return np.frombuffer(strings.buffers()[2], dtype=f"S{width}", count=len(strings), offset=int(offsets[0]))


class KeyLookup:
    """Map id strings to their position in a key column, built once and probed per block.

    Kaggle ids all have one width (64 hex characters), so the keys are sorted once as fixed-width
    bytes and each block is binary-searched: Arrow's ``index_in`` would rebuild a hash of all
    1.37M keys for every block. Ragged or null ids fall back to ``index_in``.
    """

    def __init__(self, keys: pa.Array):
        self.keys = keys.combine_chunks() if isinstance(keys, pa.ChunkedArray) else keys
        view = _fixed_width(self.keys)
        self.order = None if view is None else np.argsort(view, kind="stable").astype(np.int32)
        self.sorted = None if view is None else view[self.order]

    def positions(self, values: pa.Array) -> pa.Array:
        """int32 position of each value among the keys; null where unknown (or null)."""
        view = _fixed_width(values)
        if self.sorted is None or view is None or view.dtype != self.sorted.dtype:
            return pc.cast(pc.index_in(values, value_set=self.keys), pa.int32())
        at = np.minimum(np.searchsorted(self.sorted, view), len(self.sorted) - 1)
        found = self.sorted[at] == view
        return pa.array(self.order[at], type=pa.int32(), mask=~found)


def iter_transactions(
    path: str | os.PathLike, customers: pa.Table
) -> Iterator[tuple[int, pa.Table]]:
    """Stream ``transactions_train.csv`` as compact ``TRANSACTIONS`` blocks.

    Yields ``(first_row_number, block)``. Customer strings are replaced by their integer key;
    a transaction whose customer is not in ``customers`` stops the read, since no key exists.
    """
    path = os.fspath(path)
    lookup = KeyLookup(customers.column(c.CUSTOMER_HEX))
    for first_row, typed in _typed_batches(path, schemas.TRANSACTIONS_CSV):
        hexes = typed.column(c.CUSTOMER_ID).combine_chunks()
        keys = lookup.positions(hexes)
        unknown = pc.and_(pc.is_valid(hexes), pc.is_null(keys))
        if pc.any(unknown).as_py():
            _raise_bad_values(path, c.CUSTOMER_ID, hexes, unknown, first_row, "names a customer missing from customers.csv")
        block = typed.set_column(typed.schema.get_field_index(c.CUSTOMER_ID), c.CUSTOMER_ID, keys)
        yield first_row, _encode(block, schemas.TRANSACTIONS)


def read_transactions(path: str | os.PathLike, customers: pa.Table) -> pa.Table:
    """All of ``transactions_train.csv`` as one compact table (about 17 bytes a row)."""
    parts = [t for _, t in iter_transactions(path, customers)]
    if not parts:
        return schemas.TRANSACTIONS.empty_table()
    return pa.concat_tables(parts, promote_options="permissive")  # zero-copy: blocks stay chunks
