"""Parquet storage primitives: atomic single files, versioned multi-part folders, lazy handles.

No Dagster import: the IO managers wrap these, and tests drive them directly.

Layout under a base path (local folder or any fsspec URL through ``UPath``):

- a table: ``<name>.parquet``, written to ``<name>.parquet.tmp-<id>`` and renamed over the old
  file, so a reader sees the old version or the new one, never half a file;
- a multi-part output (week files, customer chunks): a folder ``<name>/`` holding versions
  ``v-<id>/<part>.parquet`` and a ``CURRENT`` file naming the published version. The pointer is
  replaced only after every part is written, so a killed writer leaves the old version live.
"""

import concurrent.futures
import dataclasses
import time
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence

import pandas as pd
import pyarrow as pa
import pyarrow.dataset as pads
import pyarrow.parquet as pq
from upath import UPath

POINTER = "CURRENT"
SUFFIX = ".parquet"
DEFAULT_ROW_GROUP_ROWS = 256_000


@dataclasses.dataclass(frozen=True)
class Parts:
    """A multi-part output: ``(part name, table or frame)`` pairs, consumed lazily.

    Parts are written one at a time, so a producer can stream customer chunks or week slices
    without holding them all in memory. Part names must be unique and file-name safe.
    """

    items: Iterable[tuple[str, "pa.Table | pd.DataFrame"]]


def as_table(obj: "pa.Table | pd.DataFrame") -> pa.Table:
    if isinstance(obj, pa.Table):
        return obj
    if isinstance(obj, pd.DataFrame):
        return pa.Table.from_pandas(obj, preserve_index=False)
    raise TypeError(f"expected a pyarrow Table or pandas DataFrame, got {type(obj).__name__}")


def _token() -> str:
    return f"{time.time_ns():x}-{uuid.uuid4().hex[:8]}"


def _write_file(table: pa.Table, path: UPath, row_group_rows: int) -> None:
    # Dictionary-encoding float columns (model features: nearly every value distinct) costs time
    # and buys little: measured on 1.7M candidate feature rows x 142 columns, writing took 3.2 s
    # and reading 4.7 s with it, 2.5 s and 2.3 s without it (87 MB instead of 72 MB).
    dictionary = [f.name for f in table.schema if not pa.types.is_floating(f.type)]
    with path.open("wb") as f:
        pq.write_table(table, f, row_group_size=row_group_rows, compression="zstd", use_dictionary=dictionary)


def write_atomically(target: UPath, write: Callable[[UPath], None]) -> UPath:
    """Let ``write`` fill a temporary sibling of ``target``, then rename it over ``target``.

    Readers see the old file or the new one, never half a file; a failed or killed writer
    leaves only a temporary file, which the next successful write removes.
    """
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f"{target.name}.tmp-{_token()}")
    try:
        write(tmp)
        tmp.rename(target)
    finally:
        if tmp.exists():
            tmp.unlink()
    _sweep(target.parent, prefix=f"{target.name}.tmp-")
    return target


def write_table(table: pa.Table, target: UPath, row_group_rows: int = DEFAULT_ROW_GROUP_ROWS) -> UPath:
    """Write ``target`` (a ``.parquet`` path) atomically; returns it."""
    return write_atomically(target, lambda tmp: _write_file(table, tmp, row_group_rows))


def new_version(target: UPath) -> UPath:
    """A fresh, unpublished version folder under ``target``."""
    folder = target / f"v-{_token()}"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def publish(target: UPath, version: UPath) -> None:
    """Make ``version`` the one readers see (atomic pointer swap), then drop older versions.

    The version published before stays until the next publish: a reader that resolved its
    files just before the swap can still finish reading them. Anything else (unpublished
    versions of killed writers, stale pointer temp files) is removed.
    """
    pointer = target / POINTER
    previous = pointer.read_text().strip() if pointer.is_file() else None
    pointer_tmp = target / f"{POINTER}.tmp-{_token()}"
    pointer_tmp.write_text(version.name)
    pointer_tmp.rename(pointer)
    for old in target.iterdir():
        if old.name not in (version.name, previous, POINTER):
            _remove(old)


def current_version(target: UPath) -> UPath:
    """The published version folder of ``target``; FileNotFoundError if none."""
    pointer = target / POINTER
    if not pointer.is_file():
        raise FileNotFoundError(f"nothing has been materialized at {target} (no {POINTER})")
    return target / pointer.read_text().strip()


def write_parts(
    parts: Parts, target: UPath, row_group_rows: int = DEFAULT_ROW_GROUP_ROWS, schema: pa.Schema | None = None
) -> UPath:
    """Write every part into a new version folder under ``target``, then publish it.

    A part is written by a background thread while the producer builds the next one: Parquet
    encoding releases the GIL, so on two cores the write of chunk i overlaps the join of chunk
    i+1. At most one part is in flight, so memory holds one written part on top of the part
    being built (``budget.features_bytes`` counts it). A failure on either side stops the
    writing, and nothing is published.
    """
    folder = new_version(target)
    seen: set[str] = set()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="write_parts") as writer:
        in_flight: concurrent.futures.Future | None = None
        try:
            for name, obj in parts.items:
                if name in seen:
                    raise ValueError(f"part {name!r} written twice to {target}")
                seen.add(name)
                table = as_table(obj)
                del obj  # the producer's frame is no longer held here once it is a table
                if schema is not None:
                    table = table.cast(schema)
                if in_flight is not None:
                    in_flight.result()  # one part in flight: wait for the previous before queueing this one
                in_flight = writer.submit(_write_file, table, folder / f"{name}{SUFFIX}", row_group_rows)
                del table
            if in_flight is not None:
                in_flight.result()
        except BaseException:
            if in_flight is not None:
                in_flight.cancel()
            raise
    publish(target, folder)
    return target


def _sweep(folder: UPath, prefix: str) -> None:
    for p in folder.iterdir():
        if p.name.startswith(prefix):
            _remove(p)


def _remove(path: UPath) -> None:
    if path.is_dir():
        for child in path.iterdir():
            _remove(child)
        path.rmdir()
    elif path.exists():
        path.unlink()


def resolve(target: UPath) -> dict[str, UPath]:
    """The published files of a table or multi-part output, by part name.

    Raises FileNotFoundError if nothing was ever published at ``target``.
    """
    single = target.with_name(target.name + SUFFIX)
    if single.is_file():
        return {target.name: single}
    if not (target / POINTER).is_file():
        raise FileNotFoundError(
            f"nothing has been materialized at {target} (no {single.name} or {target.name}/{POINTER})"
        )
    files = sorted(p for p in current_version(target).iterdir() if p.name.endswith(SUFFIX))
    return {p.name[: -len(SUFFIX)]: p for p in files}


@dataclasses.dataclass(frozen=True)
class ParquetHandle:
    """A lazy view of stored Parquet files: read what you need, when you need it.

    ``files`` maps part names to paths, in order (for week-parted tables the names are the week
    keys, which sort chronologically).
    """

    files: Mapping[str, UPath]

    @property
    def names(self) -> list[str]:
        return list(self.files)

    def select(self, names: Iterable[str]) -> "ParquetHandle":
        wanted = set(names)
        return ParquetHandle({n: p for n, p in self.files.items() if n in wanted})

    def schema(self) -> pa.Schema | None:
        for p in self.files.values():
            with p.open("rb") as f:
                return pq.read_schema(f)
        return None

    def num_rows(self) -> int:
        total = 0
        for p in self.files.values():
            with p.open("rb") as f:
                total += pq.ParquetFile(f).metadata.num_rows
        return total

    def read(self, columns: Sequence[str] | None = None, filter=None) -> pa.Table:
        tables = []
        for p in self.files.values():
            with p.open("rb") as f:
                tables.append(pq.read_table(f, columns=columns, filters=filter))
        if not tables:
            raise ValueError("no files to read")
        return pa.concat_tables(tables, promote_options="default") if len(tables) > 1 else tables[0]

    def to_pandas(self, columns: Sequence[str] | None = None, filter=None) -> pd.DataFrame:
        return table_to_pandas(self.read(columns, filter))

    def iter_batches(self, batch_rows: int, columns: Sequence[str] | None = None) -> Iterator[pa.RecordBatch]:
        for p in self.files.values():
            with p.open("rb") as f:
                yield from pq.ParquetFile(f).iter_batches(batch_size=batch_rows, columns=columns)

    def dataset(self) -> pads.Dataset:
        """An Arrow dataset over the files (local paths or the fsspec filesystem)."""
        paths = list(self.files.values())
        if not paths:
            raise ValueError("no files in this handle")
        return pads.dataset([p.path for p in paths], format="parquet", filesystem=paths[0].fs)


def table_to_pandas(table: pa.Table) -> pd.DataFrame:
    """Arrow to pandas the same way everywhere: dates as datetime64, dictionaries as categoricals."""
    return table.to_pandas(date_as_object=False)
