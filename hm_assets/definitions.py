"""The project's Definitions, as the UI, the CLI and the tests load them.

Settings are read when Dagster calls the loader (``hm_assets.settings`` lists the environment
variables), never at import time. The week partitions are built once here, from the stored
data (``hm_assets.partitions``), and passed to every factory; the daemon reloads this code
location every minute, so a newly ingested week appears as a new partition.
"""

import dagster as dg

from hm_assets.defs import operations, weekly_checks
from hm_assets.defs.candidates import assets as candidates
from hm_assets.defs.exploration import assets as exploration
from hm_assets.defs.features import assets as features
from hm_assets.defs.models import assets as models
from hm_assets.defs.monitoring import assets as monitoring
from hm_assets.defs.raw import assets as raw
from hm_assets.defs.submission import assets as submission
from hm_assets.io.managers import ModelIOManager, ParquetIOManager, SubmissionIOManager
from hm_assets.partitions import weekly_partitions
from hm_assets.resources import MemoryBudgetResource, RawData
from hm_assets.settings import Settings

# Job names, re-exported for the demo, the benchmarks and the tests.
RAW_JOB = operations.RAW_JOB
EXPLORE_JOB = operations.EXPLORE_JOB
INPUTS_JOB = operations.INPUTS_JOB
MODELS_JOB = operations.MODELS_JOB
WEEKLY_JOB = operations.WEEKLY_JOB
RETRAIN_JOB = operations.RETRAIN_JOB
EVALUATE_JOB = operations.EVALUATE_JOB


def build_definitions(settings: Settings) -> dg.Definitions:
    weekly = weekly_partitions(settings)
    weekly_assets = [
        *features.build_assets(weekly),
        *candidates.build_assets(weekly),
        *models.build_assets(weekly),
        *submission.build_assets(weekly),
    ]
    assets = [*raw.assets, *exploration.assets, *weekly_assets, *monitoring.build_assets(weekly)]
    # what later weeks train on: features and candidates of W, and W's candidate feature rows
    week_inputs = dg.AssetSelection.groups(features.GROUP, candidates.GROUP) | dg.AssetSelection.assets(models.FEATURE_ROWS, models.COLD_CUSTOMERS)
    return dg.Definitions(
        assets=assets,
        asset_checks=[*weekly_checks.build_checks(weekly), *features.build_checks(weekly)],
        jobs=operations.build_jobs(assets, raw.GROUP, exploration.GROUP, monitoring.EVALUATION_ASSET, week_inputs),
        schedules=[
            operations.retraining_schedule(weekly),
            operations.evaluation_schedule(weekly, monitoring.EVALUATION_ASSET),
        ],
        sensors=[
            operations.raw_files_sensor([a.key.to_user_string() for a in raw.assets]),
            dg.AutomationConditionSensorDefinition(
                operations.SUMMARY_SENSOR,
                target=dg.AssetSelection.groups(monitoring.GROUP),
                default_status=dg.DefaultSensorStatus.RUNNING,
                minimum_interval_seconds=30,
                description="Refreshes the evaluation summary after evaluated weeks change (a backfill, a new week).",
            ),
        ],
        # runs of single assets from the UI (and the automation sensor) start in-process too
        executor=operations.EXECUTOR,
        resources={
            "raw_data": RawData.from_settings(settings),
            "memory_budget": MemoryBudgetResource.from_settings(settings),
            "io_manager": ParquetIOManager(base_path=settings.warehouse),
            "model_io_manager": ModelIOManager(base_path=settings.warehouse),
            "submission_io_manager": SubmissionIOManager(base_path=settings.warehouse),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
