"""How the platform is operated: jobs per stage, the sensor on the raw files, the weekly schedule.

Jobs select whole groups (stages), so an asset added to a stage joins its jobs with no edit here.

Executor: every job runs in-process. On the 2-core machine a multiprocess run paid about 20 s
of start-up (a Python process and the imports per step) against about 5 s in-process, and a
week's steps mostly wait on each other anyway; memory also stays one step's worth. On a larger
machine, the independent steps (the exploration assets, the candidate strategies, the rankers)
gain from ``dg.multiprocess_executor.configured({"max_concurrent": N})`` on those jobs.
"""

import datetime as dt
import hashlib
import json

import dagster as dg

from hm_assets import calendar
from hm_assets.defs.raw.assets import SOURCE_FINGERPRINT
from hm_assets.ingest import files
from hm_assets.resources import RawData

RAW_JOB = "ingest_raw"
EXPLORE_JOB = "explore"
INPUTS_JOB = "weekly_inputs"
MODELS_JOB = "weekly_models"
WEEKLY_JOB = "weekly_pipeline"
RETRAIN_JOB = "weekly_retraining"
EVALUATE_JOB = "evaluate_week"
RAW_SENSOR = "raw_files_sensor"
RETRAIN_SCHEDULE = "weekly_retraining_schedule"
EVALUATE_SCHEDULE = "weekly_evaluation_schedule"
SUMMARY_SENSOR = "evaluation_summary_automation"

# The stages whose assets are partitioned by week, in pipeline order; each gets its own job.
WEEKLY_GROUPS = ("features", "candidates", "models", "submission")
RETRAIN_CRON = "0 6 * * 3"  # Wednesdays 06:00 UTC: a new H&M week (Wednesday..Tuesday) has begun
EXECUTOR = dg.in_process_executor


def stage_job(group: str) -> str:
    """``<group>_stage``: a job may not share its name with an asset (``submission``)."""
    return f"{group}_stage"


def _groups_present(assets, groups) -> list[str]:
    """The given groups that hold at least one asset (a stage may still be empty)."""
    present = {g for a in assets for g in a.group_names_by_key.values()}
    return [g for g in groups if g in present]


def build_jobs(
    assets: list, raw_group: str, explore_group: str, evaluation_asset: str, week_inputs: dg.AssetSelection
) -> list:
    """Jobs by group: ingestion, exploration, one per weekly stage, the whole week, the retraining
    of a new week (the whole week but its evaluation, which needs the week's purchases), and the
    week split in two: ``week_inputs`` (what later weeks train on) and the models that read them.
    Weekly jobs take their week partitions from their assets."""
    stages = _groups_present(assets, WEEKLY_GROUPS)
    whole_week = dg.AssetSelection.groups(*stages)
    weekly_job = dict(executor_def=EXECUTOR)
    return [
        dg.define_asset_job(
            RAW_JOB, selection=dg.AssetSelection.groups(raw_group), executor_def=EXECUTOR,
            description="Read and validate the three CSV files; store transactions as one part per week.",
        ),
        dg.define_asset_job(
            EXPLORE_JOB, selection=dg.AssetSelection.groups(explore_group), executor_def=EXECUTOR,
            description="Plots and tables that tell the data's story, refreshed from the raw tables.",
        ),
        *[
            dg.define_asset_job(
                stage_job(stage), selection=dg.AssetSelection.groups(stage), description=f"The {stage} stage for one week.", **weekly_job
            )
            for stage in stages
        ],
        dg.define_asset_job(
            INPUTS_JOB,
            selection=week_inputs,
            description="Features, candidates and candidate feature rows of one week (what later weeks train on).",
            **weekly_job,
        ),
        dg.define_asset_job(
            MODELS_JOB,
            selection=whole_week - week_inputs,
            description="Training set, models, blend, recommendations, submission and evaluation of one week "
            "(the inputs of its training weeks must exist).",
            **weekly_job,
        ),
        dg.define_asset_job(
            WEEKLY_JOB, selection=whole_week, description=f"Every weekly stage ({', '.join(stages)}) for one week.", **weekly_job
        ),
        dg.define_asset_job(
            RETRAIN_JOB,
            selection=whole_week - dg.AssetSelection.assets(evaluation_asset),
            description="A new week from its features through its models to its submission (run by the weekly schedule).",
            **weekly_job,
        ),
        dg.define_asset_job(
            EVALUATE_JOB,
            selection=dg.AssetSelection.assets(evaluation_asset),
            description="Score one week against its purchases (a week that was the target week, once its data arrived).",
            **weekly_job,
        ),
    ]


def raw_files_sensor(raw_group_assets: list[str]) -> dg.SensorDefinition:
    """Requests ``ingest_raw`` when a raw file differs from what was last seen or ingested.

    The cursor holds each file's fingerprint (size and modification time) at the last request;
    with no cursor yet (a fresh sensor), the fingerprints recorded by the last ingestion stand
    in, so a deployment whose data is already ingested requests nothing. An unchanged file
    never requests anything.
    """

    @dg.sensor(
        name=RAW_SENSOR,
        job_name=RAW_JOB,
        minimum_interval_seconds=60,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Ingests the raw CSV files when one of them changes (a new week appended, say).",
    )
    def _sensor(context: dg.SensorEvaluationContext, raw_data: RawData):
        current = {asset: files.fingerprint(path) for asset, path in raw_data.files.items() if asset in raw_group_assets}
        absent = sorted(raw_data.files[a] for a, fp in current.items() if fp is None)
        if absent:
            return dg.SkipReason(f"waiting for the raw files: {', '.join(absent)} not found")
        seen = json.loads(context.cursor) if context.cursor else _last_ingested(context.instance, current)
        changed = sorted(a for a, fp in current.items() if seen.get(a) != fp)
        if not changed:
            return dg.SensorResult(skip_reason=dg.SkipReason("raw files unchanged"), cursor=json.dumps(current))
        run_key = "ingest-" + hashlib.sha1(json.dumps(current, sort_keys=True).encode()).hexdigest()[:16]
        context.log.info(f"changed since last seen: {', '.join(changed)}; requesting {RAW_JOB}")
        return dg.SensorResult(
            run_requests=[dg.RunRequest(run_key=run_key, tags={"hm/changed": ",".join(changed)})],
            cursor=json.dumps(current),
        )

    return _sensor


def _last_ingested(instance: dg.DagsterInstance, assets) -> dict[str, str]:
    """Source fingerprints recorded on each raw asset's latest materialization."""
    seen = {}
    for asset in assets:
        event = instance.get_latest_materialization_event(dg.AssetKey(asset))
        value = event.asset_materialization.metadata.get(SOURCE_FINGERPRINT) if event and event.asset_materialization else None
        if value is not None:
            seen[asset] = value.value
    return seen


def newest_week(weekly: dg.PartitionsDefinition, now: dt.datetime) -> str | None:
    """The week to retrain at ``now``: the target week of the stored data, unless that week
    has not started yet by ``now`` (then the latest week that has); None before the first week."""
    keys = weekly.get_partition_keys()
    started = calendar.week_key(calendar.week_start(now.date()))
    eligible = [k for k in keys if k <= started]
    return eligible[-1] if eligible else None


def retraining_schedule(weekly: dg.PartitionsDefinition) -> dg.ScheduleDefinition:
    """Every Wednesday: retrain the newest week, features through to its submission.

    ``run_key`` per week: the schedule retrains a week once, and only that week's partition, so
    the weeks materialised before are never recomputed by it."""

    @dg.schedule(
        name=RETRAIN_SCHEDULE,
        cron_schedule=RETRAIN_CRON,
        execution_timezone="UTC",
        job_name=RETRAIN_JOB,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Wednesdays 06:00 UTC: retrain the newest week of data through to its submission.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        now = context.scheduled_execution_time or dt.datetime.now(dt.timezone.utc)
        week = newest_week(weekly, now)
        if week is None:
            return dg.SkipReason(f"no week of the calendar has started by {now:%Y-%m-%d}")
        return dg.RunRequest(run_key=f"retrain-{week}", partition_key=week)

    return _schedule


def evaluation_schedule(weekly: dg.PartitionsDefinition, evaluation_asset: str) -> dg.ScheduleDefinition:
    """Every Wednesday, beside the retraining: score the week before the newest one, which was
    the target week until its purchases arrived, unless it is scored already. With it, the
    evaluation summary (refreshed by its automation sensor) gains one week per week."""

    @dg.schedule(
        name=EVALUATE_SCHEDULE,
        cron_schedule=RETRAIN_CRON,
        execution_timezone="UTC",
        job_name=EVALUATE_JOB,
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Wednesdays 06:00 UTC: score the week that has just become known.",
    )
    def _schedule(context: dg.ScheduleEvaluationContext):
        now = context.scheduled_execution_time or dt.datetime.now(dt.timezone.utc)
        newest = newest_week(weekly, now)
        week = calendar.week_key(calendar.shift_week(newest, -1)) if newest else None
        if week is None or not weekly.has_partition_key(week):
            return dg.SkipReason(f"no known week to score at {now:%Y-%m-%d}")
        if week in context.instance.get_materialized_partitions(dg.AssetKey(evaluation_asset)):
            return dg.SkipReason(f"week {week} is scored already")
        return dg.RunRequest(run_key=f"evaluate-{week}", partition_key=week)

    return _schedule

