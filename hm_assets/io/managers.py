"""Dagster IO managers: every byte the pipeline stores goes through these.

``ParquetIOManager`` stores frames under ``<base>/warehouse/<asset>/[<partition>]``:

- a ``pd.DataFrame`` or ``pa.Table`` output becomes one Parquet file in row-group chunks,
  replaced atomically;
- a :class:`~hm_assets.io.storage.Parts` output (week slices, customer chunks) becomes a
  versioned folder published by a pointer swap.

Each output records row count, bytes on disk, its column schema and its path as metadata.

On load, the input's type annotation picks the form: ``pd.DataFrame`` or ``pa.Table`` read
eagerly (only the ``columns`` named in the input's metadata, if any), ``ParquetHandle`` gives a
lazy view for chunked work. An input spanning several upstream partitions gets them all (a
handle keyed by partition, or one concatenated frame); with ``skip_missing_partitions`` in the
input's metadata, partitions never stored are left out.
"""

from typing import Any

import dagster as dg
import pyarrow as pa
from pydantic import Field
from upath import UPath

from hm_assets.io import storage
from hm_assets.io.storage import ParquetHandle, Parts


SKIP_MISSING_PARTITIONS = "skip_missing_partitions"  # input metadata flag, see load_input


def _asset_root(base: str, sub: str, key: dg.AssetKey) -> UPath:
    return UPath(base).joinpath(sub, *key.path)


def stored_table(base_path: str, asset: str) -> ParquetHandle | None:
    """The published version of an unpartitioned warehouse table, or None if never stored.

    Used outside a run: by the definitions loader (which weeks the stored transactions cover)
    and by tests, with the same path rule as ``ParquetIOManager``.
    """
    try:
        return ParquetHandle(storage.resolve(_asset_root(base_path, "warehouse", dg.AssetKey(asset))))
    except FileNotFoundError:
        return None


def _bytes_on_disk(files) -> int:
    return sum(p.stat().st_size for p in files)


def _column_schema(schema: pa.Schema) -> dg.TableSchema:
    return dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type)) for f in schema])


class ParquetIOManager(dg.ConfigurableIOManager):
    """Parquet frames under ``<base_path>/warehouse``, written atomically in row-group chunks."""

    base_path: str = Field(
        default="data",
        description="Local folder or fsspec URL (s3://..., gs://...) that holds warehouse/.",
    )
    row_group_rows: int = Field(
        default=storage.DEFAULT_ROW_GROUP_ROWS,
        description="Rows per Parquet row group: the unit a chunked reader loads at once.",
    )

    def _target(self, key: dg.AssetKey, partition_key: str | None) -> UPath:
        root = _asset_root(self.base_path, "warehouse", key)
        return root / partition_key if partition_key is not None else root

    def stored(self, asset: str, partition_key: str | None = None) -> ParquetHandle:
        """A lazy view of the published version of ``asset`` (one week of it if partitioned).

        For readers outside a run (the explain command): the same paths the IO manager writes.
        """
        return ParquetHandle(storage.resolve(self._target(dg.AssetKey(asset), partition_key)))

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        partition = context.asset_partition_key if context.has_asset_partitions else None
        target = self._target(context.asset_key, partition)
        if isinstance(obj, Parts):
            storage.write_parts(obj, target, self.row_group_rows)
        else:
            storage.write_table(storage.as_table(obj), target.with_name(target.name + storage.SUFFIX), self.row_group_rows)
        handle = ParquetHandle(storage.resolve(target))
        schema = handle.schema()
        metadata: dict[str, Any] = {
            "path": dg.MetadataValue.path(str(target)),
            "bytes_on_disk": _bytes_on_disk(handle.files.values()),
            "parts": len(handle.files),
            "dagster/row_count": handle.num_rows(),
        }
        if schema is not None:
            metadata["dagster/column_schema"] = _column_schema(schema)
        context.add_output_metadata(metadata)

    def load_input(self, context: dg.InputContext) -> Any:
        key = context.asset_key
        input_metadata = context.definition_metadata or {}
        if context.has_asset_partitions:
            partitions = list(context.asset_partition_keys)
            # Opt-in, for inputs that span every week (AllPartitionMapping): weeks never stored
            # (not backfilled yet, or with nothing to record) are left out instead of failing.
            skip_missing = bool(input_metadata.get(SKIP_MISSING_PARTITIONS))
            files: dict[str, UPath] = {}
            for pk in partitions:
                try:
                    resolved = storage.resolve(self._target(key, pk))
                except FileNotFoundError:
                    if skip_missing:
                        continue
                    raise
                for name, path in resolved.items():
                    files[pk if name == pk else f"{pk}/{name}"] = path
            handle = ParquetHandle(files)
        else:
            handle = ParquetHandle(storage.resolve(self._target(key, None)))
        wanted = context.dagster_type.typing_type
        columns = input_metadata.get("columns")
        if wanted is ParquetHandle:
            return handle
        if wanted is pa.Table:
            return handle.read(columns)
        return handle.to_pandas(columns)


class ModelIOManager(dg.ConfigurableIOManager):
    """Models in their native formats under ``<base_path>/models/<asset>/[<partition>]/``.

    Accepted outputs: a ``lightgbm.Booster`` (text model), a mapping of names to numpy arrays
    (``.npz``, e.g. ALS factors), or a :class:`~hm_assets.io.models.TorchModel` (state dict plus
    its constructor arguments). Never a pickle of a live object.
    """

    base_path: str = Field(default="data", description="Local folder or fsspec URL that holds models/.")

    def _target(self, context) -> UPath:
        root = _asset_root(self.base_path, "models", context.asset_key)
        if context.has_asset_partitions:
            return root / context.asset_partition_key
        return root

    def handle_output(self, context: dg.OutputContext, obj: Any) -> None:
        from hm_assets.io import models

        target = self._target(context)
        files = models.save_model(obj, target)
        context.add_output_metadata(
            {"path": dg.MetadataValue.path(str(target)), "bytes_on_disk": _bytes_on_disk(files), "format": files[0].suffix}
        )

    def load_input(self, context: dg.InputContext) -> Any:
        from hm_assets.io import models

        return models.load_model(self._target(context))


__all__ = ["ModelIOManager", "ParquetHandle", "ParquetIOManager", "Parts"]


class SubmissionIOManager(dg.ConfigurableIOManager):
    """Kaggle CSVs under ``<base_path>/submissions/<asset>_<partition>.csv``, written atomically.

    Article ids are already zero-padded strings, so no reader ever sees them as integers here.
    """

    base_path: str = Field(default="data", description="Local folder or fsspec URL that holds submissions/.")

    def path_for(self, context) -> UPath:
        name = "_".join(context.asset_key.path)
        if context.has_asset_partitions:
            name = f"{name}_{context.asset_partition_key}"
        return UPath(self.base_path) / "submissions" / f"{name}.csv"

    def handle_output(self, context: dg.OutputContext, obj) -> None:
        def write(tmp: UPath) -> None:
            with tmp.open("w", newline="") as f:
                obj.to_csv(f, index=False)

        target = storage.write_atomically(self.path_for(context), write)
        context.add_output_metadata({"path": dg.MetadataValue.path(str(target)), "bytes_on_disk": target.stat().st_size})

    def load_input(self, context: dg.InputContext):
        import pandas as pd

        return pd.read_csv(self.path_for(context.upstream_output), dtype=str, keep_default_na=False)
