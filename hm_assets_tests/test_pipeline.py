"""The Dagster wiring, run as the UI runs it: jobs from the project's Definitions.

MAP@12 on the hand-built data (conftest), held-out week 2020-09-16:
- last week's popularity by distinct buyers: A3 (2 buyers), A1, A2 (1 each, id order); the
  window then widens to two weeks (A4), and the catalogue fills the rest: A5, A6, ...
- buyers: c0 bought A1, c1 bought A5, c3 bought A3.
- popularity baseline: A1 at slot 2, A5 at slot 5, A3 at slot 1 -> (1/2 + 1/5 + 1) / 3
- recent purchases + popularity: c0 [A1, A4, ...] slot 1; c1 [A2, A3, A1, A4, A5] slot 5;
  c3 [A3, ...] slot 1 -> (1 + 1/5 + 1) / 3
- recall of the recent candidates: (c0,A1) and (c3,A3) of 3 true pairs -> 2/3
"""

import pandas as pd
import pytest

from hm_assets.definitions import RAW_JOB, WEEKLY_JOB, defs as load_defs
from hm_assets.io.storage import ParquetHandle, resolve
from hm_assets.recsys import strategies
from hm_assets.runs import failure_messages, materializations
from hm_assets_tests.conftest import HEX, article, transactions_csv
from upath import UPath

HOLDOUT, TARGET = "2020-09-16", "2020-09-23"


def materialized(result) -> set[str]:
    return set(materializations(result))


def metadata(result, asset: str) -> dict:
    return materializations(result)[asset]


def test_definitions_load_as_the_ui_loads_them(monkeypatch, tmp_path):
    monkeypatch.setenv("HM_WAREHOUSE", str(tmp_path))
    d = load_defs()
    keys = {k.to_user_string() for k in d.resolve_asset_graph().get_all_asset_keys()}
    assert {"articles", "customers", "transactions", "candidates_popular", "candidates_repurchase", "candidates", "als_model",
            "recommendations", "submission", "backtest"} <= keys
    weekly = d.resolve_job_def(WEEKLY_JOB).partitions_def.get_partition_keys()
    assert (weekly[0], weekly[-1], len(weekly)) == ("2018-09-19", "2020-09-23", 106)


def test_raw_ingestion_stores_weeks_and_passes_checks(project):
    result = project.run_job(RAW_JOB)
    assert result.success
    assert materialized(result) == {"articles", "customers", "transactions"}
    checks = result.get_asset_check_evaluations()
    assert checks and all(c.passed for c in checks if c.blocking)
    tx = metadata(result, "transactions")
    assert tx["dagster/row_count"] == 9 and tx["parts"] == 5  # weeks 08-26 .. 09-23
    assert tx["bytes_on_disk"] > 0
    assert [col.name for col in tx["dagster/column_schema"].columns] == ["t_dat", "customer_id", "article_id", "price", "sales_channel_id"]
    handle = ParquetHandle(resolve(UPath(project.settings.warehouse) / "warehouse" / "transactions"))
    assert handle.names == ["2020-08-26", "2020-09-02", "2020-09-09", "2020-09-16", "2020-09-23"]
    assert handle.select([HOLDOUT]).num_rows() == 3 and handle.select([TARGET]).num_rows() == 0


def test_backtest_scores_hand_worked_map(project):
    assert project.run_job(RAW_JOB).success
    result = project.run_job(WEEKLY_JOB, HOLDOUT)
    assert result.success
    meta = metadata(result, "backtest")
    assert meta["map_at_12_popularity"] == pytest.approx((1 / 2 + 1 / 5 + 1) / 3)
    assert meta["map_at_12_recent"] == pytest.approx((1 + 1 / 5 + 1) / 3)
    assert meta["map_at_12"] == pytest.approx((1 + 1 / 5 + 1) / 3)
    assert meta["recall_candidates_recent"] == pytest.approx(2 / 3)
    assert meta["buyers"] == 3


def test_target_week_submission_covers_every_customer(project):
    assert project.run_job(RAW_JOB).success
    result = project.run_job(WEEKLY_JOB, TARGET)
    assert result.success
    assert "backtest" not in materialized(result)  # no known purchases in the target week
    sub = pd.read_csv(metadata(result, "submission")["path"], dtype=str)
    assert list(sub.columns) == ["customer_id", "prediction"]
    assert sub["customer_id"].tolist() == [HEX[k] for k in "abcd"]
    assert sub["prediction"].str.fullmatch(r"\d{10}( \d{10}){11}").all()
    # c0 last bought A1 (09-17) then A4; the held-out week is history now
    assert sub["prediction"].iloc[0].split()[:2] == [f"{article(1):010d}", f"{article(4):010d}"]


def test_missing_column_stops_ingestion_and_keeps_the_good_version(project):
    assert project.run_job(RAW_JOB).success
    project.write("customers.csv", "customer_id,FN\n" + HEX["a"] + ",1.0\n")
    result = project.run_job(RAW_JOB)
    assert not result.success
    text = failure_messages(result)
    assert "customers.csv" in text and "postal_code" in text
    assert "customers" not in materialized(result) and "transactions" not in materialized(result)
    assert len(project.stored("customers")) == 4


def test_blocking_check_stops_bad_prices_before_publishing(project):
    assert project.run_job(RAW_JOB).success
    project.write("transactions_train.csv", transactions_csv(price="0.0"))
    result = project.run_job(RAW_JOB)
    assert not result.success
    failed = [c for c in result.get_asset_check_evaluations() if not c.passed]
    assert any(c.asset_key.to_user_string() == "transactions" and "price" in c.check_name for c in failed)
    assert "transactions" not in materialized(result)
    kept = project.stored("transactions")
    assert (kept["price"] > 0).all() and len(kept) == 9


def test_missing_file_names_the_file(project):
    (project.raw / "articles.csv").unlink()
    result = project.run_job(RAW_JOB)
    assert not result.success
    assert materialized(result) == {"customers"}
    assert "articles.csv: file not found" in failure_messages(result)


def test_whole_pipeline_runs_against_object_storage(project):
    """Pointing the base path at an fsspec URL moves the warehouse: here fsspec's memory://."""
    import dataclasses
    import uuid

    project.settings = dataclasses.replace(project.settings, warehouse=f"memory://hm-{uuid.uuid4().hex}")
    assert project.run_job(RAW_JOB).success
    result = project.run_job(WEEKLY_JOB, HOLDOUT)
    assert result.success
    assert metadata(result, "backtest")["map_at_12_recent"] == pytest.approx((1 + 1 / 5 + 1) / 3)
    handle = ParquetHandle(resolve(UPath(project.settings.warehouse) / "warehouse" / "transactions"))
    assert handle.num_rows() == 9 and str(handle.files[HOLDOUT]).startswith("memory://")


def test_workspace_validates_with_the_dagster_cli(tmp_path):
    """`dagster dev` and the webserver load workspace.yaml; the CLI validates the same file."""
    import os
    import subprocess
    import sys
    from pathlib import Path

    repo = Path(__file__).resolve().parents[1]
    dagster = Path(sys.executable).with_name("dagster")
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path), "HM_WAREHOUSE": str(tmp_path / "data")}
    done = subprocess.run(
        [str(dagster), "definitions", "validate", "-w", "workspace.yaml"], cwd=repo, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Validation successful for code location hm_assets.definitions" in done.stdout + done.stderr


def test_weekly_checks_pass_and_read_only_their_partition(project):
    assert project.run_job(RAW_JOB).success
    holdout, target = project.run_job(WEEKLY_JOB, HOLDOUT), project.run_job(WEEKLY_JOB, TARGET)
    for week, result in ((HOLDOUT, holdout), (TARGET, target)):
        checks = {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}
        contract_checked = {asset for asset, name in checks if name == "candidate_contract"}
        assert contract_checked == {f"candidates_{s}" for s in strategies.NAMES}  # one generated check per strategy
        assert all(c.passed and c.partition == week for c in checks.values())
        rows = metadata(result, "candidates_repurchase")["rows"]
        assert checks[("candidates_repurchase", "candidate_contract")].metadata["rows_checked"].value == rows
        assert checks[("recommendations", "twelve_distinct_picks_per_customer")].metadata["rows_checked"].value == 4 * 12
    # the target week knows one more week of history, so its partition is larger: each check saw its own
    assert metadata(target, "candidates_repurchase")["rows"] > metadata(holdout, "candidates_repurchase")["rows"]
