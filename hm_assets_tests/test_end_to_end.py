"""The whole graph on generated `tiny` data, run through the project's jobs as the demo runs it."""

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar
from hm_assets.definitions import RAW_JOB, WEEKLY_JOB
from hm_assets.runs import materializations
from hm_assets.settings import Settings
from hm_assets.synth import generate
from hm_assets_tests.conftest import Project

BACKTEST_WEEKS = 4


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    info = generate(root / "raw", scale="tiny", seed=0)
    project = Project(root, Settings(raw_dir=str(root / "raw"), warehouse=str(root / "store")), dg.DagsterInstance.ephemeral())
    assert project.run_job(RAW_JOB).success
    target = project.settings.target_week
    weeks = [calendar.week_key(calendar.shift_week(target, -i)) for i in range(BACKTEST_WEEKS, -1, -1)]
    runs = {week: project.run_job(WEEKLY_JOB, week) for week in weeks}
    return info, project, runs


def _meta(result, asset):
    return materializations(result)[asset]


def test_every_week_runs(tiny_run):
    _, _, runs = tiny_run
    assert all(r.success for r in runs.values())


def test_submission_has_one_well_formed_row_per_customer(tiny_run):
    info, project, runs = tiny_run
    target = calendar.week_key(project.settings.target_week)
    sub = pd.read_csv(_meta(runs[target], "submission")["path"], dtype=str)
    customers = pd.read_csv(info["customers"], usecols=["customer_id"], dtype=str)
    assert list(sub.columns) == ["customer_id", "prediction"]
    assert sub["customer_id"].tolist() == customers["customer_id"].tolist()
    assert sub["prediction"].str.fullmatch(r"\d{10}( \d{10}){11}").all()
    assert sub["prediction"].map(lambda p: len(set(p.split()))).eq(12).all()
    known = set(pd.read_csv(info["articles"], usecols=["article_id"])["article_id"])
    assert {int(a) for p in sub["prediction"].head(200) for a in p.split()} <= known


def test_recent_purchases_beat_popularity_on_planted_data(tiny_run):
    _, project, runs = tiny_run
    scored = [_meta(r, "backtest") for w, r in runs.items() if w != calendar.week_key(project.settings.target_week)]
    assert len(scored) == BACKTEST_WEEKS and all(m["buyers"] > 0 for m in scored)
    recent = np.mean([m["map_at_12_recent"] for m in scored])
    popular = np.mean([m["map_at_12_popularity"] for m in scored])
    assert recent > popular > 0
