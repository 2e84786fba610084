"""The project's Definitions, as the UI, the CLI and the tests load them.

Settings are read when Dagster calls the loader (``hm_assets.settings`` lists the environment
variables), never at import time.
"""

import dagster as dg

from hm_assets.defs.candidates import assets as candidates
from hm_assets.defs.exploration import assets as exploration
from hm_assets.defs.features import assets as features
from hm_assets.defs.models import assets as models
from hm_assets.defs.raw import assets as raw
from hm_assets.defs import weekly_checks
from hm_assets.defs.submission import assets as submission
from hm_assets.io.managers import ModelIOManager, ParquetIOManager, SubmissionIOManager
from hm_assets.partitions import weekly_partitions
from hm_assets.resources import RawData
from hm_assets.settings import Settings

RAW_JOB = "ingest_raw"
EXPLORE_JOB = "explore"
INPUTS_JOB = "weekly_inputs"
MODELS_JOB = "weekly_models"
WEEKLY_JOB = "weekly_pipeline"


def build_definitions(settings: Settings) -> dg.Definitions:
    weekly = weekly_partitions(settings)
    weekly_assets = [
        *features.build_assets(weekly),
        *candidates.build_assets(weekly),
        *models.build_assets(weekly),
        *submission.build_assets(weekly),
    ]
    # what one week's models read: features and candidates of W, and W's feature rows
    inputs = dg.AssetSelection.groups(features.GROUP, candidates.GROUP) | dg.AssetSelection.assets("candidate_features")
    # the rest of the week: training set, models, blend, picks, submission, evaluation
    trained = dg.AssetSelection.groups(models.GROUP, submission.GROUP) - dg.AssetSelection.assets("candidate_features")
    return dg.Definitions(
        assets=[*raw.assets, *exploration.assets, *weekly_assets],
        asset_checks=[*weekly_checks.build_checks(weekly), *features.build_checks(weekly)],
        jobs=[
            dg.define_asset_job(RAW_JOB, selection=dg.AssetSelection.groups(raw.GROUP), description="Read and validate the three CSV files."),
            dg.define_asset_job(
                EXPLORE_JOB,
                selection=dg.AssetSelection.groups(exploration.GROUP),
                description="Plots and tables that tell the data's story, refreshed from the raw tables.",
            ),
            dg.define_asset_job(
                INPUTS_JOB,
                selection=inputs,
                partitions_def=weekly,
                description="Features, candidates and candidate feature rows of one week (what later weeks train on).",
            ),
            dg.define_asset_job(
                MODELS_JOB,
                selection=trained,
                partitions_def=weekly,
                description="Training set, models, blend, recommendations, submission and evaluation of one week.",
            ),
            dg.define_asset_job(
                WEEKLY_JOB,
                selection=dg.AssetSelection.assets(*weekly_assets),
                partitions_def=weekly,
                description="Everything weekly for one week (its training weeks' inputs must exist).",
            ),
        ],
        resources={
            "raw_data": RawData.from_settings(settings),
            "io_manager": ParquetIOManager(base_path=settings.warehouse),
            "model_io_manager": ModelIOManager(base_path=settings.warehouse),
            "submission_io_manager": SubmissionIOManager(base_path=settings.warehouse),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    return build_definitions(Settings.from_env())
