"""The Dagster wiring, run as the UI runs it: jobs from the project's Definitions.

MAP@12 on the hand-built data (conftest), held-out week 2020-09-16:
- last week's popularity by distinct buyers: A3 (2 buyers), A1, A2 (1 each, id order); the
  window then widens to two weeks (A4), and the catalogue fills the rest: A5, A6, ...
- buyers: c0 bought A1, c1 bought A5, c3 bought A3.
- popularity baseline: A1 at slot 2, A5 at slot 5, A3 at slot 1 -> (1/2 + 1/5 + 1) / 3
- recent purchases + popularity: c0 [A1, A4, ...] slot 1; c1 [A2, A3, A1, A4, A5] slot 5;
  c3 [A3, ...] slot 1 -> (1 + 1/5 + 1) / 3
- recall of the recent candidates: (c0,A1) and (c3,A3) of 3 true pairs -> 2/3

Four customers cannot train a ranker (the first weeks have no buyer with a history), so here
the inputs job is checked and the models job must fail clearly; the models run end to end on
generated data in test_end_to_end.
"""

import pandas as pd
import pytest

from hm_assets.definitions import INPUTS_JOB, MODELS_JOB, RAW_JOB, WEEKLY_JOB, defs as load_defs
from hm_assets.defs.models.assets import popular_list
from hm_assets.recsys import baselines, evaluation
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
            "candidate_features", "training_set", "lgbm_ranker", "lgbm_classifier", "dnn_ranker", "blend",
            "recommendations", "submission", "evaluation_report"} <= keys
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


def test_inputs_job_builds_feature_rows_for_the_weeks_buyers_and_hand_worked_baselines(project):
    assert project.run_job(RAW_JOB).success
    result = project.run_job(INPUTS_JOB, HOLDOUT)
    assert result.success, failure_messages(result)
    assert {"customer_features", "candidates", "candidate_features"} <= materialized(result)
    rows = ParquetHandle(resolve(UPath(project.settings.warehouse) / "warehouse" / "candidate_features" / HOLDOUT)).to_pandas()
    assert set(rows["customer_id"]) == {0, 1, 3}  # a past week is built for its buyers only
    prefixes = {col.split("_")[0] for col in rows.columns}
    assert {"c", "a", "p", "s", "by", "rank", "score"} <= prefixes
    # the two baselines of evaluation_report, on the stored candidates (hand-worked in the docstring)
    store = UPath(project.settings.warehouse) / "warehouse"
    popular = popular_list(ParquetHandle(resolve(store / "candidates_popular" / HOLDOUT)))
    repurchase = ParquetHandle(resolve(store / "candidates_repurchase" / HOLDOUT)).to_pandas()
    buyers = [0, 1, 3]
    actual = pd.DataFrame({"customer_id": [0, 1, 3], "article_id": [article(1), article(5), article(3)]})
    table = evaluation.score_predictions(
        {"popularity": baselines.popularity_predictions(popular, buyers), "recent": baselines.fill_with_popular(repurchase, popular, buyers)},
        actual,
    )
    assert table["map_at_12"].tolist() == pytest.approx([(1 / 2 + 1 / 5 + 1) / 3, (1 + 1 / 5 + 1) / 3])


def test_models_need_a_training_week_and_a_tuning_week(project):
    assert project.run_job(RAW_JOB).success
    assert project.run_job(INPUTS_JOB, "2020-08-26").success
    for week in ("2020-08-26", "2020-09-02"):  # no earlier week at all; only one
        result = project.run_job(MODELS_JOB, week)
        assert not result.success and "too little history" in failure_messages(result)


def test_target_week_submission_covers_every_customer(project):
    assert project.run_job(RAW_JOB).success
    for week in ("2020-08-26", "2020-09-02", "2020-09-09", HOLDOUT, TARGET):
        assert project.run_job(INPUTS_JOB, week).success
    result = project.run_job(MODELS_JOB, TARGET)
    assert result.success, failure_messages(result)
    assert "evaluation_report" not in materialized(result)  # no known purchases in the target week
    sub = pd.read_csv(metadata(result, "submission")["path"], dtype=str)
    assert list(sub.columns) == ["customer_id", "prediction"]
    assert sub["customer_id"].tolist() == [HEX[k] for k in "abcd"]
    assert sub["prediction"].str.fullmatch(r"\d{10}( \d{10}){11}").all()
    assert sub["prediction"].map(lambda p: len(set(p.split()))).eq(12).all()
    checks = {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}
    assert checks[("recommendations", "twelve_distinct_picks_per_customer")].metadata["rows_checked"].value == 4 * 12


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
    result = project.run_job(INPUTS_JOB, HOLDOUT)
    assert result.success
    assert metadata(result, "candidate_features")["dagster/row_count"] > 0
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
    out = done.stdout + done.stderr
    # the name pyproject gives: CLI-launched runs look the location up by it
    assert "Validation successful for code location hm_assets." in out
    assert "hm_assets.definitions" not in out


def test_weekly_checks_pass_and_read_only_their_partition(project):
    assert project.run_job(RAW_JOB).success
    holdout, target = project.run_job(INPUTS_JOB, HOLDOUT), project.run_job(INPUTS_JOB, TARGET)
    for week, result in ((HOLDOUT, holdout), (TARGET, target)):
        checks = {(c.asset_key.to_user_string(), c.check_name): c for c in result.get_asset_check_evaluations()}
        contract_checked = {asset for asset, name in checks if name == "candidate_contract"}
        assert contract_checked == {f"candidates_{s}" for s in strategies.NAMES}  # one generated check per strategy
        assert all(c.passed and c.partition == week for c in checks.values())
        rows = metadata(result, "candidates_repurchase")["rows"]
        assert checks[("candidates_repurchase", "candidate_contract")].metadata["rows_checked"].value == rows
    # the target week knows one more week of history, so its partition is larger: each check saw its own
    assert metadata(target, "candidates_repurchase")["rows"] > metadata(holdout, "candidates_repurchase")["rows"]
