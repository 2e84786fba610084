"""Parquet storage: atomic writes, versioned parts, lazy handles, and surviving SIGKILL."""

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import pandas as pd
import pytest
from upath import UPath

from hm_assets.io import models, storage


def test_table_roundtrip_and_replace(tmp_path):
    target = UPath(tmp_path) / "t.parquet"
    storage.write_table(storage.as_table(pd.DataFrame({"x": [1, 2]})), target)
    storage.write_table(storage.as_table(pd.DataFrame({"x": [3]})), target)
    handle = storage.ParquetHandle(storage.resolve(UPath(tmp_path) / "t"))
    assert handle.to_pandas()["x"].tolist() == [3]
    assert sorted(p.name for p in UPath(tmp_path).iterdir()) == ["t.parquet"]  # no temp files left


def test_parts_publish_a_new_version_and_keep_only_the_one_before(tmp_path):
    target = UPath(tmp_path) / "weeks"
    storage.write_parts(storage.Parts([("2020-01-01", pd.DataFrame({"x": [0]}))]), target)
    storage.write_parts(storage.Parts([("2020-01-01", pd.DataFrame({"x": [1]}))]), target)
    storage.write_parts(storage.Parts([("2020-01-01", pd.DataFrame({"x": [2]})), ("2020-01-08", pd.DataFrame({"x": [3, 4]}))]), target)
    handle = storage.ParquetHandle(storage.resolve(target))
    assert handle.names == ["2020-01-01", "2020-01-08"]
    assert handle.num_rows() == 3
    assert handle.select(["2020-01-08"]).to_pandas(columns=["x"])["x"].tolist() == [3, 4]
    assert handle.dataset().count_rows() == 3
    # the version published just before stays readable for readers that resolved it already
    versions = sorted(p.name for p in target.iterdir() if p.name.startswith("v-"))
    assert len(versions) == 2 and (target / "CURRENT").read_text() == versions[-1]


def test_resolve_names_what_is_missing(tmp_path):
    with pytest.raises(FileNotFoundError, match="nothing has been materialized"):
        storage.resolve(UPath(tmp_path) / "absent")


def test_models_in_native_formats(tmp_path):
    target = UPath(tmp_path) / "als"
    models.save_model({"users": np.ones((2, 3), np.float32)}, target)
    assert models.load_model(target)["users"].shape == (2, 3)
    with pytest.raises(TypeError, match="no native format"):
        models.save_model(object(), target)
    assert models.load_model(target)["users"].shape == (2, 3)  # the failed save changed nothing


def _run_and_kill(script: str, ready, timeout=60.0):
    proc = subprocess.Popen([sys.executable, "-c", textwrap.dedent(script)])
    deadline = time.time() + timeout
    try:
        while not ready():
            assert proc.poll() is None, "writer exited before it could be killed"
            assert time.time() < deadline, "writer never reached the kill point"
            time.sleep(0.01)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait()


def test_sigkill_while_writing_parts_leaves_the_last_good_version(tmp_path):
    target = UPath(tmp_path) / "weeks"
    storage.write_parts(storage.Parts([("a", pd.DataFrame({"x": [1]}))]), target)
    marker = tmp_path / "second-part-written"
    _run_and_kill(
        f"""
        import time, pandas as pd
        from upath import UPath
        from hm_assets.io import storage
        def parts():
            yield "a", pd.DataFrame({{"x": [10]}})
            yield "b", pd.DataFrame({{"x": [20]}})
            open({str(marker)!r}, "w").close()
            time.sleep(60)
            yield "c", pd.DataFrame({{"x": [30]}})
        storage.write_parts(storage.Parts(parts()), UPath({str(target)!r}))
        """,
        ready=marker.exists,
    )
    assert storage.ParquetHandle(storage.resolve(target)).to_pandas()["x"].tolist() == [1]
    storage.write_parts(storage.Parts([("a", pd.DataFrame({"x": [5]}))]), target)  # a re-run succeeds
    assert storage.ParquetHandle(storage.resolve(target)).to_pandas()["x"].tolist() == [5]
    # the killed writer's unpublished version is gone; the last good one stays as the previous
    assert len([p for p in target.iterdir() if p.name.startswith("v-")]) == 2


def test_sigkill_while_writing_a_table_leaves_the_last_good_file(tmp_path):
    target = UPath(tmp_path) / "big.parquet"
    storage.write_table(storage.as_table(pd.DataFrame({"x": [1, 2, 3]})), target)
    _run_and_kill(
        f"""
        import numpy as np, pyarrow as pa
        from upath import UPath
        from hm_assets.io import storage
        rng = np.random.default_rng(0)
        table = pa.table({{"x": rng.random(30_000_000)}})
        storage.write_table(table, UPath({str(target)!r}), row_group_rows=10_000)
        """,
        ready=lambda: any(".tmp-" in p.name and p.stat().st_size > 0 for p in tmp_path.iterdir()),
    )
    assert storage.ParquetHandle(storage.resolve(UPath(tmp_path) / "big")).to_pandas()["x"].tolist() == [1, 2, 3]
    storage.write_table(storage.as_table(pd.DataFrame({"x": [7]})), target)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.parquet"]
