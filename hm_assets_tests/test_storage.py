"""Parquet storage: atomic writes, versioned parts, lazy handles, and surviving SIGKILL."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
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


def test_parts_are_written_in_the_background_one_at_a_time(tmp_path):
    """While part k+1 is built, part k is being written; by the time part k+2 is asked for, part
    k is on disk (at most one part in flight), and every part lands in order."""
    target = UPath(tmp_path) / "chunks"
    on_disk_when_asked = []

    def parts():
        for k in range(5):
            folder = max((p for p in target.iterdir() if p.name.startswith("v-")), key=lambda p: p.stat().st_mtime)
            on_disk_when_asked.append(sorted(p.name for p in folder.iterdir()))
            yield f"part-{k}", pd.DataFrame({"x": np.arange(k, k + 3)})

    storage.write_parts(storage.Parts(parts()), target)
    for k, names in enumerate(on_disk_when_asked):
        assert {f"part-{j}.parquet" for j in range(k - 1)} <= set(names), (k, names)
    handle = storage.ParquetHandle(storage.resolve(target))
    assert handle.names == [f"part-{k}" for k in range(5)]
    assert handle.to_pandas()["x"].tolist() == [x for k in range(5) for x in range(k, k + 3)]


def test_a_part_is_written_while_the_next_is_built(tmp_path, monkeypatch):
    """The write of part 0 waits until the producer is building part 1: a writer that wrote
    each part before asking for the next would wait in vain."""
    building_next = threading.Event()
    real = storage._write_file

    def write(table, path, rows):
        if path.name.startswith("part-0"):
            assert building_next.wait(timeout=10), "part-0 was not written while part-1 was built"
        real(table, path, rows)

    def parts():
        yield "part-0", pd.DataFrame({"x": [0]})
        building_next.set()
        yield "part-1", pd.DataFrame({"x": [1]})

    monkeypatch.setattr(storage, "_write_file", write)
    storage.write_parts(storage.Parts(parts()), UPath(tmp_path) / "chunks")
    assert storage.ParquetHandle(storage.resolve(UPath(tmp_path) / "chunks")).to_pandas()["x"].tolist() == [0, 1]


@pytest.mark.parametrize("where", ["producer", "conversion"])
def test_a_failure_while_writing_parts_publishes_nothing(tmp_path, where):
    target = UPath(tmp_path) / "chunks"
    storage.write_parts(storage.Parts([("a", pd.DataFrame({"x": [1]}))]), target)

    def parts():
        yield "a", pd.DataFrame({"x": [10]})
        if where == "producer":
            raise RuntimeError("the producer broke")
        yield "b", "not a table"  # as_table raises TypeError before anything is queued
        yield "c", pd.DataFrame({"x": [30]})

    with pytest.raises(RuntimeError if where == "producer" else TypeError):
        storage.write_parts(storage.Parts(parts()), target)
    assert storage.ParquetHandle(storage.resolve(target)).to_pandas()["x"].tolist() == [1]


def test_a_failed_background_write_is_raised_and_publishes_nothing(tmp_path, monkeypatch):
    target = UPath(tmp_path) / "chunks"
    storage.write_parts(storage.Parts([("a", pd.DataFrame({"x": [1]}))]), target)
    real = storage._write_file

    def broken(table, path, rows):
        if path.name.startswith("b"):
            raise OSError("disk full")
        real(table, path, rows)

    monkeypatch.setattr(storage, "_write_file", broken)
    frames = [("a", pd.DataFrame({"x": [10]})), ("b", pd.DataFrame({"x": [20]})), ("c", pd.DataFrame({"x": [30]}))]
    with pytest.raises(OSError, match="disk full"):
        storage.write_parts(storage.Parts(frames), target)
    assert storage.ParquetHandle(storage.resolve(target)).to_pandas()["x"].tolist() == [1]


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
