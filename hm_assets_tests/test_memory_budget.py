"""The memory budget: chunk sizes worked by hand, the environment variable, and a small pipeline
run under a tiny budget that chunks more and gives the same candidates, features and picks."""

import dagster as dg
import numpy as np
import pandas as pd
import pytest

from hm_assets import calendar
from hm_assets.definitions import INPUTS_JOB, MODELS_JOB, RAW_JOB
from hm_assets.recsys import budget
from hm_assets.recsys.budget import MemoryBudget
from hm_assets.recsys.strategies import factors
from hm_assets.runs import failure_messages, materializations
from hm_assets.settings import Settings
from hm_assets.synth import generate
from hm_assets_tests.conftest import Project

MIB = 2**20


def test_chunk_customers_worked_by_hand():
    # 8 GiB x 0.25 = 2 GiB = 2048 MiB: 2048 customers of 1 MiB
    assert MemoryBudget().bytes == 8 * 2**30
    assert MemoryBudget().chunk_customers(MIB, 0.25) == 2048
    # 1 GiB x 0.5 / 3 MiB = 170.67: whole customers only
    assert MemoryBudget(1).chunk_customers(3 * MIB, 0.5) == 170
    # 1 MiB x 0.25 / 1 MiB = 0.25: the floor
    assert MemoryBudget(1 / 1024).chunk_customers(MIB, 0.25) == budget.FLOOR
    assert MemoryBudget(1 / 1024).chunk_customers(MIB, 0.25, floor=5) == 5


def test_lower_budget_gives_smaller_chunks():
    per_customer = budget.features_bytes(rows_per_customer=60, n_columns=150)  # 60 x 150 x 4 x 3 = 108,000 bytes
    assert per_customer == 108_000
    assert MemoryBudget(8).chunk_customers(per_customer, budget.FEATURES_SHARE) == 2**31 // 108_000  # 19,884
    assert MemoryBudget(2).chunk_customers(per_customer, budget.FEATURES_SHARE) == 2**29 // 108_000  # 4,971


def test_estimators_worked_by_hand():
    assert budget.recommend_bytes(n_items=12_000, k=20) == 48_000 + 20 * 39
    assert budget.merge_bytes(strategy_rows=10, total_cap=2, n_strategies=3) == 10 * 47 + 2 * 36
    assert budget.scoring_bytes(rows_per_customer=2, n_features=100) == 2 * (200 + 256) * 4
    assert budget.n_chunks(10, 3) == 4 and budget.n_chunks(9, 3) == 3 and budget.n_chunks(0, 3) == 0


def test_explicit_chunk_overrides_the_budget():
    assert budget.chunk_or_budget(7, MemoryBudget(8), MIB, 0.25) == 7
    assert budget.chunk_or_budget(0, MemoryBudget(8), MIB, 0.25) == 2048
    assert budget.chunk_or_budget(None, MemoryBudget(8), MIB, 0.25) == 2048


@pytest.mark.parametrize("value, gib", [("", 8.0), ("  ", 8.0), ("2", 2.0), ("0.5", 0.5)])
def test_budget_from_env(value, gib):
    assert MemoryBudget.from_env({budget.ENV: value}) == MemoryBudget(gib)
    assert Settings.from_env({budget.ENV: value}).memory_gib == gib


def test_budget_from_env_defaults_to_8_gib():
    assert MemoryBudget.from_env({}).gib == 8.0
    assert Settings.from_env({}).memory_gib == 8.0


@pytest.mark.parametrize("value", ["0", "-1", "eight", "nan", "inf", "8GiB"])
def test_bad_budget_names_the_variable(value):
    with pytest.raises(ValueError, match=budget.ENV):
        MemoryBudget.from_env({budget.ENV: value})
    with pytest.raises(ValueError, match=budget.ENV):
        Settings.from_env({budget.ENV: value})


def test_non_positive_budget_is_refused():
    with pytest.raises(ValueError, match="positive"):
        MemoryBudget(0)
    with pytest.raises(ValueError, match="share"):
        MemoryBudget().chunk_customers(MIB, 0)


def test_recommend_gives_the_same_bits_in_any_block_size():
    rng = np.random.default_rng(0)
    model = {
        factors.USER_IDS: np.arange(0, 600, 2, dtype=np.int32),
        factors.USER_FACTORS: rng.standard_normal((300, 64)).astype(np.float32),
        factors.ITEM_IDS: np.arange(50, dtype=np.int32),
        factors.ITEM_FACTORS: rng.standard_normal((50, 64)).astype(np.float32),
    }
    customers = np.arange(0, 601, dtype=np.int32)
    whole = factors.recommend(model, customers, 5, "als")
    assert whole["customer_id"].nunique() == 300
    for block in (1, 7, 64, 333):
        pd.testing.assert_frame_equal(factors.recommend(model, customers, 5, "als", block_customers=block), whole, check_exact=True)


# --- the pipeline under a tiny budget ---------------------------------------------------------

TINY_GIB = 1 / 1024  # 1 MiB: every heavy step falls to the floor of 64 customers per chunk
CHEAP_MODELS = {
    "ops": {
        "lgbm_ranker": {"config": {"max_rounds": 5, "early_stopping_rounds": 2}},
        "lgbm_classifier": {"config": {"max_rounds": 5, "early_stopping_rounds": 2}},
        "dnn_ranker": {"config": {"epochs": 1, "patience": 1}},
    }
}
CHUNKED = {  # step: (asset, chunk size key, chunk count key)
    "recommend": ("candidates_als", "chunk_customers", "chunks"),
    "merge": ("candidates", "chunk_customers", "chunks"),
    "features": ("candidate_features", "chunk_customers", "chunks"),
    "scoring": ("blend", "scoring_chunk_rows", "scoring_chunks"),
}


def _run(project: Project, job: str, week: str, run_config: dict | None = None):
    result = project.defs().resolve_job_def(job).execute_in_process(
        instance=project.instance, partition_key=week, run_config=run_config or {}, raise_on_error=False
    )
    assert result.success, failure_messages(result)
    return materializations(result)


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The target week's candidates and models (trained on one week, tuned on W-1) under the
    default budget and under 1 MiB, on the same ingested tiny data."""
    root = tmp_path_factory.mktemp("budget")
    generate(root / "raw", scale="tiny", seed=0)
    out = {}
    for name, gib in (("default", budget.DEFAULT_GIB), ("tiny", TINY_GIB)):
        settings = Settings(raw_dir=str(root / "raw"), warehouse=str(root / name), memory_gib=gib)
        project = Project(root, settings, dg.DagsterInstance.ephemeral())
        _run(project, RAW_JOB, None)
        target = settings.target_week
        weeks = [calendar.week_key(calendar.shift_week(target, -k)) for k in (2, 1, 0)]
        meta = {}
        for week in weeks:
            meta.update(_run(project, INPUTS_JOB, week))
        meta.update(_run(project, MODELS_JOB, weeks[-1], CHEAP_MODELS))
        out[name] = (project, weeks, meta)
    return out


def test_tiny_budget_uses_more_smaller_chunks(runs):
    _, _, default = runs["default"]
    _, _, tiny = runs["tiny"]
    for step, (asset, size, count) in CHUNKED.items():
        assert tiny[asset][size] < default[asset][size], step
        assert tiny[asset][count] > default[asset][count] > 0, step
    assert tiny["candidate_features"]["chunk_customers"] == budget.FLOOR


@pytest.mark.parametrize("asset", ["candidates", "candidate_features", "candidates_als", "candidates_bpr"])
def test_tiny_budget_gives_identical_weekly_inputs(runs, asset):
    default, weeks, _ = runs["default"]
    tiny, _, _ = runs["tiny"]
    for week in weeks:
        pd.testing.assert_frame_equal(tiny.stored_partition(asset, week), default.stored_partition(asset, week), check_exact=True)


@pytest.mark.parametrize("asset", ["blend", "recommendations"])
def test_tiny_budget_gives_identical_picks(runs, asset):
    default, weeks, _ = runs["default"]
    tiny, _, _ = runs["tiny"]
    pd.testing.assert_frame_equal(tiny.stored_partition(asset, weeks[-1]), default.stored_partition(asset, weeks[-1]), check_exact=True)
