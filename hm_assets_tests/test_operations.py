"""Operating the platform as its users do: new data arrives, the sensor and the schedule act.

Sensors and schedules are evaluated through Dagster's test APIs against a real instance, and the
runs they request are executed as the daemon would run them. "Reloading the code location" is
building the Definitions again, as the daemon does every minute.
"""

import datetime as dt
import json
import shutil
from pathlib import Path

import dagster as dg
import pandas as pd
import pytest

from hm_assets import calendar
from hm_assets.definitions import EVALUATE_JOB, INPUTS_JOB, MODELS_JOB, RAW_JOB, RETRAIN_JOB, WEEKLY_JOB, build_definitions
from hm_assets.defs import operations
from hm_assets.defs.monitoring.assets import EVALUATION_ASSET
from hm_assets.partitions import weekly_partitions
from hm_assets.settings import Settings
from hm_assets.synth import generate

REPO = Path(__file__).resolve().parents[1]
FIRST_DAY, LAST_DAY = dt.date(2020, 6, 1), dt.date(2020, 9, 22)
HELD_BACK = "2020-09-16"  # the last week of the generated data, appended later as "new data"
OLD_TARGET, NEW_TARGET = "2020-09-16", "2020-09-23"


def _sensor_tick(defs: dg.Definitions, instance: dg.DagsterInstance, cursor: str | None):
    sensor = defs.resolve_sensor_def(operations.RAW_SENSOR)
    return sensor.evaluate_tick(dg.build_sensor_context(instance=instance, cursor=cursor, resources={"raw_data": defs.resources["raw_data"]}))


def _schedule_tick(defs: dg.Definitions, instance: dg.DagsterInstance, when: dt.datetime, name=operations.RETRAIN_SCHEDULE):
    schedule = defs.resolve_schedule_def(name)
    context = dg.build_schedule_context(
        instance=instance, scheduled_execution_time=when, repository_def=defs.get_repository_def()
    )
    return schedule.evaluate_tick(context)


def _run(defs: dg.Definitions, instance: dg.DagsterInstance, job: str, partition_key: str | None = None):
    result = defs.resolve_job_def(job).execute_in_process(instance=instance, partition_key=partition_key, raise_on_error=False)
    assert result.success, job
    return result


def _materialized_count(instance: dg.DagsterInstance, asset: str, partition: str) -> int:
    records = instance.fetch_materializations(
        dg.AssetRecordsFilter(asset_key=dg.AssetKey(asset), asset_partitions=[partition]), limit=100
    ).records
    return len(records)


@pytest.fixture(scope="module")
def grown(tmp_path_factory):
    """Tiny data minus its last week, run as users run it; then the week arrives."""
    root = tmp_path_factory.mktemp("ops")
    generate(root / "raw", scale="tiny", seed=0, first_day=FIRST_DAY, last_day=LAST_DAY)
    tx = root / "raw" / "transactions_train.csv"
    header, *rows = tx.read_text().splitlines(keepends=True)
    kept = [r for r in rows if r[:10] < HELD_BACK]
    held = [r for r in rows if r[:10] >= HELD_BACK]
    assert kept and held
    tx.write_text(header + "".join(kept))

    settings = Settings(first_day=FIRST_DAY, raw_dir=str(root / "raw"), warehouse=str(root / "store"))
    (root / "dagster_home").mkdir()
    shutil.copy(REPO / "dagster.yaml", root / "dagster_home" / "dagster.yaml")  # the shipped instance settings
    instance = dg.DagsterInstance.local_temp(str(root / "dagster_home"))
    state = {"settings": settings, "instance": instance}

    # 1. a fresh deployment: the sensor sees raw files never ingested and requests ingestion
    defs = build_definitions(settings)
    first = _sensor_tick(defs, instance, None)
    state["first_requests"] = first.run_requests
    _run(defs, instance, RAW_JOB)
    # 2. the code location reloads: the calendar now ends with the stored data's target week
    defs = build_definitions(settings)
    state["old_keys"] = defs.resolve_job_def(WEEKLY_JOB).partitions_def.get_partition_keys()
    # as the README says: the inputs of the weeks, oldest first, then the models that read them
    for week in ("2020-08-19", "2020-08-26", "2020-09-02", "2020-09-09", OLD_TARGET):
        _run(defs, instance, INPUTS_JOB, week)
    for week in ("2020-09-02", "2020-09-09", OLD_TARGET):
        _run(defs, instance, MODELS_JOB, week)
    state["unchanged"] = _sensor_tick(defs, instance, first.cursor)
    old_submission = Path(settings.warehouse) / "submissions" / f"submission_{OLD_TARGET}.csv"
    state["old_submission_mtime"] = old_submission.stat().st_mtime_ns
    state["old_schedule"] = _schedule_tick(defs, instance, dt.datetime(2020, 9, 23, 6, tzinfo=dt.timezone.utc))

    # 3. the held-back week is appended to the raw file: the sensor requests ingestion
    with tx.open("a") as f:
        f.write("".join(held))
    grown_tick = _sensor_tick(defs, instance, first.cursor)
    state["grown_requests"] = grown_tick.run_requests
    for _ in grown_tick.run_requests:
        _run(defs, instance, RAW_JOB)
    state["after_ingest"] = _sensor_tick(defs, instance, grown_tick.cursor)

    # 4. reload; the weekly schedule ticks on Wednesday and retrains the newest week
    defs = build_definitions(settings)
    state["new_keys"] = defs.resolve_job_def(WEEKLY_JOB).partitions_def.get_partition_keys()
    tick = _schedule_tick(defs, instance, dt.datetime(2020, 9, 23, 6, tzinfo=dt.timezone.utc))
    state["schedule_requests"] = tick.run_requests
    state["retrain_results"] = [_run(defs, instance, RETRAIN_JOB, r.partition_key) for r in tick.run_requests]
    # the former target week can now be scored against its purchases: the evaluation schedule
    wednesday = dt.datetime(2020, 9, 23, 6, tzinfo=dt.timezone.utc)
    scoring = _schedule_tick(defs, instance, wednesday, operations.EVALUATE_SCHEDULE)
    state["evaluation_requests"] = scoring.run_requests
    for request in scoring.run_requests:
        _run(defs, instance, EVALUATE_JOB, request.partition_key)
    state["evaluation_again"] = _schedule_tick(defs, instance, wednesday, operations.EVALUATE_SCHEDULE)
    state.update(defs=defs, old_submission=old_submission)
    return state


def test_a_fresh_deployment_ingests_once(grown):
    assert len(grown["first_requests"]) == 1
    assert grown["first_requests"][0].job_name in (None, RAW_JOB)
    assert grown["unchanged"].run_requests == [] and grown["unchanged"].skip_message == "raw files unchanged"


def test_the_calendar_grows_with_the_data(grown):
    old, new = grown["old_keys"], grown["new_keys"]
    assert old[-1] == OLD_TARGET and new[-1] == NEW_TARGET
    assert new[:-1] == old  # one more week, the same weeks before it


def test_a_grown_file_requests_one_ingestion_then_nothing(grown):
    assert len(grown["grown_requests"]) == 1
    assert grown["grown_requests"][0].tags["hm/changed"] == "transactions"
    assert grown["after_ingest"].run_requests == []


def test_the_schedule_retrains_only_the_new_week(grown):
    before = grown["old_schedule"].run_requests
    assert [r.partition_key for r in before] == [OLD_TARGET]  # the old calendar's newest week
    requests = grown["schedule_requests"]
    assert [(r.partition_key, r.run_key) for r in requests] == [(NEW_TARGET, f"retrain-{NEW_TARGET}")]
    (result,) = grown["retrain_results"]
    done = {e.asset_key.to_user_string() for e in result.get_asset_materialization_events()}
    assert "submission" in done and EVALUATION_ASSET not in done
    assert {e.partition for e in result.get_asset_materialization_events()} == {NEW_TARGET}


def test_the_evaluation_schedule_scores_the_former_target_week_once(grown):
    assert [(r.partition_key, r.run_key) for r in grown["evaluation_requests"]] == [(OLD_TARGET, f"evaluate-{OLD_TARGET}")]
    again = grown["evaluation_again"]
    assert again.run_requests == [] and "scored already" in again.skip_message


def test_the_new_week_has_its_submission(grown):
    path = Path(grown["settings"].warehouse) / "submissions" / f"submission_{NEW_TARGET}.csv"
    sub = pd.read_csv(path, dtype=str)
    customers = pd.read_csv(Path(grown["settings"].raw_dir) / "customers.csv", usecols=["customer_id"], dtype=str)
    assert sub["customer_id"].tolist() == customers["customer_id"].tolist()
    assert sub["prediction"].str.fullmatch(r"\d{10}( \d{10}){11}").all()


def test_weeks_already_materialised_are_not_recomputed(grown):
    instance = grown["instance"]
    assert grown["old_submission"].stat().st_mtime_ns == grown["old_submission_mtime"]
    for week in ("2020-09-02", "2020-09-09", OLD_TARGET):
        for asset in ("candidates_repurchase", "recommendations", "submission"):
            assert _materialized_count(instance, asset, week) == 1, (asset, week)


def test_the_summary_tracks_every_evaluated_week(grown):
    defs, instance = grown["defs"], grown["instance"]
    # the automation sensor's first tick only takes stock; the next one requests the summary
    # (never materialised, nothing in flight), and once requested it is not requested again
    key = dg.AssetKey("evaluation_summary")
    first = dg.evaluate_automation_conditions(defs=defs, instance=instance)
    second = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=first.cursor)
    third = dg.evaluate_automation_conditions(defs=defs, instance=instance, cursor=second.cursor)
    assert (first.get_num_requested(key), second.get_num_requested(key), third.get_num_requested(key)) == (0, 1, 0)
    result = defs.resolve_implicit_global_asset_job_def().execute_in_process(
        instance=instance, asset_selection=[dg.AssetKey("evaluation_summary")]
    )
    assert result.success
    summary = result.output_for_node("evaluation_summary")
    assert list(summary.columns) == ["week", "method", "map_at_12", "recall_at_12"]
    # 2020-09-02 and 09-09 were backtested as known weeks; 09-16 once its purchases arrived;
    # the target week 09-23 has nothing to score
    assert sorted(summary["week"].unique()) == ["2020-09-02", "2020-09-09", OLD_TARGET]
    meta = result.get_asset_materialization_events()[0].materialization.metadata
    assert meta["weeks_evaluated"].value == 3
    assert "| week" in meta["map_at_12"].value and "data:image/png;base64," in meta["map_at_12_plot"].value
    for value in meta.values():  # every float a person reads is rounded
        if isinstance(value.value, float):
            assert len(repr(value.value).lstrip("-0.").replace(".", "")) <= 4 or value.value.is_integer()


def test_schedule_for_a_given_time_requests_the_week_that_has_started(project):
    # the hand-built project's calendar: weeks 2020-08-26 .. target 2020-09-23 (nothing stored)
    defs, instance = project.defs(), dg.DagsterInstance.ephemeral()
    at = lambda *d: _schedule_tick(defs, instance, dt.datetime(*d, tzinfo=dt.timezone.utc))  # noqa: E731
    assert [r.partition_key for r in at(2020, 9, 23, 6).run_requests] == ["2020-09-23"]
    assert [r.partition_key for r in at(2026, 12, 2, 6).run_requests] == ["2020-09-23"]  # data ended long ago
    assert [r.partition_key for r in at(2020, 9, 9, 6).run_requests] == ["2020-09-09"]  # live: no future week
    assert at(2020, 8, 1, 6).run_requests == [] and "no week" in at(2020, 8, 1, 6).skip_message
    assert weekly_partitions(project.settings).get_last_partition_key() == "2020-09-23"


def test_sensor_requests_for_a_new_file_then_nothing(project):
    defs, instance = project.defs(), dg.DagsterInstance.ephemeral()
    (project.raw / "transactions_train.csv").unlink()
    missing = _sensor_tick(defs, instance, None)
    assert missing.run_requests == [] and "transactions_train.csv not found" in missing.skip_message
    from hm_assets_tests.conftest import transactions_csv

    project.write("transactions_train.csv", transactions_csv())
    first = _sensor_tick(defs, instance, missing.cursor)
    assert len(first.run_requests) == 1 and first.run_requests[0].run_key.startswith("ingest-")
    assert set(json.loads(first.cursor)) == {"articles", "customers", "transactions"}
    second = _sensor_tick(defs, instance, first.cursor)
    assert second.run_requests == [] and second.cursor == first.cursor


def test_jobs_select_whole_stages(project):
    defs = project.defs()
    keys = lambda job: {k.to_user_string() for k in defs.resolve_job_def(job).asset_layer.executable_asset_keys}  # noqa: E731
    graph = defs.resolve_asset_graph()
    by_group = {}
    for key in graph.get_all_asset_keys():
        by_group.setdefault(graph.get(key).group_name, set()).add(key.to_user_string())
    for stage in operations.WEEKLY_GROUPS:
        if stage in by_group:
            assert keys(operations.stage_job(stage)) == by_group[stage]
    weekly = set().union(*(by_group.get(g, set()) for g in operations.WEEKLY_GROUPS))
    assert keys(WEEKLY_JOB) == weekly
    assert keys(RETRAIN_JOB) == weekly - {EVALUATION_ASSET}
    assert keys(RAW_JOB) == by_group["raw"]
    for job in (RAW_JOB, WEEKLY_JOB, RETRAIN_JOB):
        assert defs.resolve_job_def(job).executor_def is dg.in_process_executor


def test_install_finds_the_cpu_torch_build_with_or_without_the_local_wheels(tmp_path):
    """`make install` adds PyTorch's CPU index only where no local +cpu wheel exists; the lock
    pins the +cpu build either way, so a CUDA build is never a candidate."""
    import subprocess

    def pip_line(wheels: Path) -> str:
        out = subprocess.run(["make", "-n", "-B", "install", f"WHEELS={wheels}"], cwd=REPO, capture_output=True, text=True, check=True)
        return next(line for line in out.stdout.splitlines() if "pip install" in line)

    (tmp_path / "local").mkdir()
    (tmp_path / "local" / "torch-2.13.0+cpu-cp311-cp311-manylinux_2_28_x86_64.whl").touch()
    assert "download.pytorch.org" not in pip_line(tmp_path / "local") and f"--find-links {tmp_path / 'local'}" in pip_line(tmp_path / "local")
    assert "--extra-index-url https://download.pytorch.org/whl/cpu" in pip_line(tmp_path / "absent")
    assert "torch==2.13.0+cpu" in (REPO / "requirements.lock").read_text().splitlines()
