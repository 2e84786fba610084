"""The whole graph on generated `tiny` data, run through the project's jobs as the demo runs it.

Weeks are run in the demo's order: the weekly inputs (features, candidates, candidate feature
rows) of every week the models need, oldest first, then the models and the submission of each
predicted week.
"""

import shutil

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar
from hm_assets.defs.models.assets import TRAIN_WEEKS
from hm_assets.definitions import INPUTS_JOB, MODELS_JOB, RAW_JOB
from hm_assets.runs import failure_messages, materializations
from hm_assets.settings import Settings
from hm_assets.synth import generate
from hm_assets_tests.conftest import Project

BACKTEST_WEEKS = 3
SUBMISSION = r"\d{10}( \d{10}){11}"


def run_weeks(project: Project, predicted: list[str]) -> dict:
    """Inputs of every week from the first training week of ``predicted[0]``, then the models."""
    first = calendar.shift_week(predicted[0], -(TRAIN_WEEKS + 1))
    needed = [calendar.week_key(calendar.shift_week(first, i)) for i in range(TRAIN_WEEKS + 1 + len(predicted))]
    for week in needed:
        result = project.run_job(INPUTS_JOB, week)
        assert result.success, failure_messages(result)
    return {week: project.run_job(MODELS_JOB, week) for week in predicted}


def valid_submission(result, customers_csv) -> bool:
    sub = pd.read_csv(materializations(result)["submission"]["path"], dtype=str)
    customers = pd.read_csv(customers_csv, usecols=["customer_id"], dtype=str)
    return (
        list(sub.columns) == ["customer_id", "prediction"]
        and sub["customer_id"].tolist() == customers["customer_id"].tolist()
        and bool(sub["prediction"].str.fullmatch(SUBMISSION).all())
        and bool(sub["prediction"].map(lambda p: len(set(p.split()))).eq(12).all())
    )


@pytest.fixture(scope="module")
def tiny_run(tmp_path_factory):
    root = tmp_path_factory.mktemp("e2e")
    info = generate(root / "raw", scale="tiny", seed=0)
    project = Project(root, Settings(raw_dir=str(root / "raw"), warehouse=str(root / "store")), dg.DagsterInstance.ephemeral())
    assert project.run_job(RAW_JOB).success
    target = project.settings.target_week
    weeks = [calendar.week_key(calendar.shift_week(target, -i)) for i in range(BACKTEST_WEEKS, -1, -1)]
    return info, project, run_weeks(project, weeks)


def _meta(result, asset):
    return materializations(result)[asset]


def test_every_week_runs(tiny_run):
    _, _, runs = tiny_run
    assert all(r.success for r in runs.values()), [failure_messages(r) for r in runs.values()]


def test_submission_has_one_well_formed_row_per_customer(tiny_run):
    info, project, runs = tiny_run
    target = calendar.week_key(project.settings.target_week)
    assert valid_submission(runs[target], info["customers"])
    sub = pd.read_csv(_meta(runs[target], "submission")["path"], dtype=str)
    known = set(pd.read_csv(info["articles"], usecols=["article_id"])["article_id"])
    assert {int(a) for p in sub["prediction"].head(200) for a in p.split()} <= known


def test_cold_customers_of_the_target_week_share_their_representatives_list(tiny_run):
    _, project, runs = tiny_run
    target = calendar.week_key(project.settings.target_week)
    members = project.stored_week("cold_customers", target)
    assert len(members) > 0 and _meta(runs[target], "recommendations")["shared_with_representative"] == int((members["customer_id"] != members["representative"]).sum())
    scored = set(project.stored_week("candidate_features", target)["customer_id"])
    assert scored.isdisjoint(set(members.loc[members["customer_id"] != members["representative"], "customer_id"]))
    assert set(members["representative"]) <= scored
    recs = project.stored_week("recommendations", target)
    lists = recs.sort_values(["customer_id", "rank"]).groupby("customer_id")["article_id"].agg(tuple)
    assert (lists.loc[members["customer_id"]].to_numpy() == lists.loc[members["representative"]].to_numpy()).all()
    # a past week is scored buyer by buyer
    assert len(project.stored_week("cold_customers", calendar.week_key(calendar.shift_week(target, -1)))) == 0


def test_blend_beats_popularity_on_held_out_weeks(tiny_run):
    _, project, runs = tiny_run
    scored = [_meta(r, "evaluation_report") for w, r in runs.items() if w != calendar.week_key(project.settings.target_week)]
    assert len(scored) == BACKTEST_WEEKS and all(m["buyers"] > 0 for m in scored)
    blend = np.mean([m["map_at_12"] for m in scored])
    popular = np.mean([m["map_at_12_popularity"] for m in scored])
    assert blend > popular > 0
    assert {"report", "map_at_12_by_segment", "feature_importance", "plot"} <= set(scored[0])


def test_changing_what_the_weeks_buyers_bought_leaves_its_recommendations_unchanged(tiny_run, tmp_path):
    """Tuning and training never see W's labels: W's purchases, with the same buyers, swapped."""
    info, project, runs = tiny_run
    week = calendar.week_key(project.settings.last_known_week)
    before = project.stored_partition("recommendations", week)
    tx = pd.read_csv(info["transactions"], dtype={"article_id": str, "customer_id": str})
    in_week = pd.to_datetime(tx["t_dat"]) >= pd.Timestamp(week)
    articles = pd.read_csv(info["articles"], usecols=["article_id"], dtype=str)["article_id"].to_numpy()
    rng = np.random.default_rng(1)
    tx.loc[in_week, "article_id"] = rng.choice(articles, int(in_week.sum()))
    raw = tmp_path / "raw"
    shutil.copytree(project.raw, raw)
    tx.to_csv(raw / "transactions_train.csv", index=False)
    shutil.copytree(project.settings.warehouse, tmp_path / "store")
    other = Project(tmp_path, Settings(raw_dir=str(raw), warehouse=str(tmp_path / "store")), dg.DagsterInstance.ephemeral())
    assert other.run_job(RAW_JOB).success
    assert other.run_job(INPUTS_JOB, week).success
    result = other.run_job(MODELS_JOB, week)
    assert result.success, failure_messages(result)
    after = other.stored_partition("recommendations", week)
    pd.testing.assert_frame_equal(before, after)
    assert _meta(result, "evaluation_report")["map_at_12"] != _meta(runs[week], "evaluation_report")["map_at_12"]


def test_awkward_data_still_gives_a_valid_submission(tmp_path):
    """Mostly missing ages, one postal code, one sales channel, ten weeks of history."""
    info = generate(tmp_path / "raw", scale="tiny", seed=0, profile="sparse")
    days = pd.read_csv(info["transactions"], usecols=["t_dat"])["t_dat"]
    customers = pd.read_csv(info["customers"])
    assert customers["age"].isna().mean() > 0.5 and customers["postal_code"].nunique() == 1
    settings = Settings(
        first_day=calendar.as_date(days.min()), last_day=calendar.as_date(days.max()), raw_dir=str(tmp_path / "raw"), warehouse=str(tmp_path / "store")
    )
    project = Project(tmp_path, settings, dg.DagsterInstance.ephemeral())
    assert project.run_job(RAW_JOB).success
    runs = run_weeks(project, [calendar.week_key(settings.target_week)])
    (result,) = runs.values()
    assert result.success, failure_messages(result)
    assert valid_submission(result, info["customers"])


def test_the_blend_scores_only_each_customers_best_rows_by_the_screen(tiny_run, tmp_path):
    """``screen_keep=3``: every model scores only the 3 rows per customer that the first trees of
    the screening LightGBM model rank best, and the blend picks among those."""
    from upath import UPath

    from hm_assets.io.models import load_model
    from hm_assets.recsys import rankers

    _, project, _ = tiny_run
    week = calendar.week_key(project.settings.last_known_week)
    shutil.copytree(project.settings.warehouse, tmp_path / "store")
    other = Project(tmp_path, Settings(raw_dir=str(project.raw), warehouse=str(tmp_path / "store")), dg.DagsterInstance.ephemeral())
    result = other.defs().resolve_job_def(MODELS_JOB).execute_in_process(
        instance=other.instance, partition_key=week, asset_selection=[dg.AssetKey("blend")],
        run_config={"ops": {"blend": {"config": {"screen_keep": 3, "screen_trees": 5}}}}, raise_on_error=False,
    )
    assert result.success, failure_messages(result)
    meta = _meta(result, "blend")
    screen_model = meta["screen"].split(",")[0]
    assert screen_model in ("lgbm_ranker", "lgbm_classifier")
    rows = other.stored_week("candidate_features", week)
    assert meta["rows"] == len(rows) and meta["rows_scored"] == int(rows.groupby("customer_id").size().clip(upper=3).sum()) < len(rows)
    # the kept rows, worked out here from the stored model's first 5 trees
    model = load_model(UPath(tmp_path / "store" / "models" / screen_model / week))
    first = rows.assign(s=model.predict(rankers.matrix(rows, model.feature_name()), num_iteration=5))
    kept = first.sort_values(["customer_id", "s", "article_id"], ascending=[True, False, True]).groupby("customer_id").head(3)
    picks = other.stored_partition("blend", week)
    assert set(zip(picks["customer_id"], picks["article_id"])) == set(zip(kept["customer_id"], kept["article_id"]))
    assert picks.groupby("customer_id")["rank"].max().max() == 2
