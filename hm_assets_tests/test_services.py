"""The running services, used as a person uses them: a backfill launched through the
webserver's GraphQL API and run by the daemon, then the UI opened in headless Chromium.

One module fixture starts ``dagster-webserver`` and ``dagster-daemon`` on 127.0.0.1 with a
temporary ``DAGSTER_HOME`` (holding the project's ``dagster.yaml``), and stops both at the end,
checking that no process they started survives. Set ``HM_UPDATE_SCREENSHOTS=1`` to copy the
screenshots into ``docs/``.
"""

import datetime as dt
import os
import shutil
import time
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from hm_assets.definitions import INPUTS_JOB, RAW_JOB, WEEKLY_JOB, build_definitions
from hm_assets.defs.monitoring.assets import EVALUATION_ASSET
from hm_assets.settings import Settings
from hm_assets.synth import generate
from hm_assets_tests.services import BACKFILL_STATUS, LAUNCH_BACKFILL, REPO, Chromium, Services, wait_for

FIRST_DAY, LAST_DAY = dt.date(2020, 6, 1), dt.date(2020, 9, 22)
WEEKS = ["2020-09-02", "2020-09-09"]
EARLIER_INPUT_WEEKS = ["2020-08-19", "2020-08-26"]
DONE = {"COMPLETED", "COMPLETED_SUCCESS", "COMPLETED_FAILED", "FAILED", "CANCELED"}
STAGES = ["raw", "exploration", "features", "candidates", "models", "submission", "monitoring"]


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("services")
    home = root / "dagster_home"
    home.mkdir()
    shutil.copy(REPO / "dagster.yaml", home / "dagster.yaml")
    generate(root / "raw", scale="tiny", seed=1, first_day=FIRST_DAY, last_day=LAST_DAY)
    env = {
        **os.environ, "DAGSTER_HOME": str(home), "HM_DATA_DIR": str(root / "raw"), "HM_WAREHOUSE": str(root / "store"),
        "HM_FIRST_DAY": FIRST_DAY.isoformat(), "OPENBLAS_NUM_THREADS": "1",
    }
    env.pop("HM_LAST_DAY", None)
    settings = Settings.from_env(env)
    # ingested before the services start, as `make demo` would have: the sensor then has nothing to do
    instance = dg.DagsterInstance.local_temp(str(home))  # reads home/dagster.yaml
    defs = build_definitions(settings)
    assert defs.resolve_job_def(RAW_JOB).execute_in_process(instance=instance).success
    # the inputs of the two weeks before the backfilled ones, as an earlier backfill would have
    # left them: the first backfilled week's training set reads them
    defs = build_definitions(settings)
    for week in EARLIER_INPUT_WEEKS:
        assert defs.resolve_job_def(INPUTS_JOB).execute_in_process(instance=instance, partition_key=week).success
    services = Services(env, root)
    try:
        services.wait_ready()
        yield {"services": services, "settings": settings, "instance": instance, "root": root}
    finally:
        survivors = services.stop()
        assert survivors == [], f"processes left running: {survivors}"


@pytest.fixture(scope="module")
def backfill(platform):
    """A backfill of two weeks of every weekly asset, each asset given the same range of weeks.

    With ``partitionNames`` Dagster would take the weeks as the root assets' partitions and derive
    the others' through the partition mappings, so the models, which read earlier weeks, would be
    shifted to later weeks; a per-asset range targets exactly these two weeks of every asset.
    """
    services, settings = platform["services"], platform["settings"]
    job = build_definitions(settings).resolve_job_def(WEEKLY_JOB)
    keys = sorted(k.to_user_string() for k in job.asset_layer.executable_asset_keys)
    weeks = {"range": {"start": WEEKS[0], "end": WEEKS[-1]}}
    answer = services.graphql(LAUNCH_BACKFILL, {"params": {
        "partitionsByAssets": [{"assetKey": {"path": [k]}, "partitions": weeks} for k in keys], "title": "two weeks",
    }})["launchPartitionBackfill"]
    assert answer["__typename"] == "LaunchBackfillSuccess", answer

    def finished():
        services.daemon.remember_descendants()
        status = services.graphql(BACKFILL_STATUS, {"id": answer["backfillId"]})["partitionBackfillOrError"]["status"]
        return status if status in DONE else None

    status = wait_for(finished, 420, 3, "the backfill")
    return {"status": status, "keys": keys}


def test_backfill_of_two_weeks_succeeds_through_the_daemon(platform, backfill):
    assert backfill["status"] in {"COMPLETED", "COMPLETED_SUCCESS"}, (platform["root"] / "daemon.log").read_text()[-4000:]
    store = Path(platform["settings"].warehouse)
    customers = pd.read_csv(Path(platform["settings"].raw_dir) / "customers.csv", usecols=["customer_id"], dtype=str)
    for week in WEEKS:
        sub = pd.read_csv(store / "submissions" / f"submission_{week}.csv", dtype=str)
        assert len(sub) == len(customers) and sub["prediction"].str.fullmatch(r"\d{10}( \d{10}){11}").all()
        report = pd.read_parquet(store / "warehouse" / EVALUATION_ASSET / f"{week}.parquet")
        assert {"method", "map_at_12", "recall_at_12"} <= set(report.columns) and (report["map_at_12"] > 0).all()


def test_backfill_ran_the_blocking_checks_and_they_passed(platform, backfill):
    instance = platform["instance"]
    checks = {  # the candidates of the two earlier weeks were checked when they were built, before the backfill
        dg.AssetCheckKey(dg.AssetKey("recommendations"), "twelve_distinct_picks_per_customer"): WEEKS,
        dg.AssetCheckKey(dg.AssetKey("candidates_repurchase"), "candidate_contract"): EARLIER_INPUT_WEEKS + WEEKS,
    }
    for key, weeks in checks.items():
        records = instance.event_log_storage.get_asset_check_execution_history(key, limit=10)
        evaluations = [r.event.asset_check_evaluation for r in records if r.event and r.event.asset_check_evaluation]
        assert sorted(e.partition for e in evaluations) == weeks, key
        assert all(e.passed for e in evaluations), key


def test_the_raw_files_sensor_had_nothing_to_ingest(platform, backfill):
    runs = platform["instance"].get_runs(dg.RunsFilter(job_name=RAW_JOB))
    assert len(runs) == 1  # only the ingestion before the services started


def test_ui_shows_the_stages_and_the_map_table(platform, backfill, tmp_path):
    instance, services = platform["instance"], platform["services"]
    # the automation sensor refreshes the summary once the backfill's runs are done
    wait_for(lambda: instance.get_latest_materialization_event(dg.AssetKey("evaluation_summary")), 240, 3,
             "the evaluation summary")
    browser = Chromium(tmp_path / "profile")
    try:
        browser.open(f"{services.url}/asset-groups")
        browser.wait_for_text([*STAGES, "Global asset lineage"])
        browser.dismiss_dialog()
        graph = browser.screenshot(tmp_path / "ui_asset_graph.png")
        # one stage's graph, expanded: its assets by name
        browser.open(f"{services.url}/locations/hm_assets/asset-groups/submission")
        browser.wait_for_text(["submission", EVALUATION_ASSET])
        browser.dismiss_dialog()
        stage = browser.screenshot(tmp_path / "ui_stage_submission.png")
        # the catalog lists assets by name with their group; it renders only the rows in view, so
        # look for the first names in its alphabetical order, from three different stages
        browser.open(f"{services.url}/assets")
        browser.wait_for_text(["als_model", "article_catalogue", "article_features", "candidates", "exploration", "features"])
        browser.open(f"{services.url}/assets/evaluation_summary")
        text = browser.wait_for_text(["map_at_12", "recall_at_12", *WEEKS, "recent purchases + popularity"])
        browser.dismiss_dialog()
        assert browser.scroll_to("Metadata")
        time.sleep(1)
        browser.dismiss_dialog()  # it can appear late, after the first dismissal
        summary = browser.screenshot(tmp_path / "ui_evaluation_summary.png")
    finally:
        assert browser.close() == []
    assert "weeks_evaluated" in text
    for png in (graph, stage, summary):
        assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and png.stat().st_size > 10_000
    if os.environ.get("HM_UPDATE_SCREENSHOTS"):
        for png in (graph, stage, summary):
            shutil.copy(png, REPO / "docs" / png.name)
