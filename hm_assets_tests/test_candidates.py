"""The merged candidate set, the recall curve, the week's scope, and the Dagster wiring."""

import dagster as dg
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from upath import UPath

from hm_assets.definitions import RAW_JOB
from hm_assets.io.storage import ParquetHandle, resolve
from hm_assets.recsys import merge, metrics, scope
from hm_assets.recsys import strategies as st
from hm_assets.recsys.contracts import candidates_frame
from hm_assets.runs import materializations
from hm_assets_tests import test_strategies as ts

NAMES = ["a", "b"]


def frames() -> dict[str, pd.DataFrame]:
    return {
        "a": candidates_frame([1, 1, 1, 2], [10, 11, 12, 10], "a", [0.9, 0.8, 0.7, 0.5], [0, 1, 2, 0]),
        "b": candidates_frame([1, 1, 3], [11, 13, 14], "b", [5, 4, 3], [0, 1, 0]),
    }


def test_merge_flags_ranks_and_scores_each_pair_once():
    out = merge.merge_candidates(frames(), NAMES, np.array([1, 2, 3], np.int32), {}, total_cap=10)
    assert list(out.columns) == ["customer_id", "article_id", "n_strategies", "by_a", "by_b", "rank_a", "rank_b", "score_a", "score_b"]
    assert [str(t) for t in out.dtypes] == ["int32", "int32", "int8", "int8", "int8", "float32", "float32", "float32", "float32"]
    # customer 1: best ranks 10 (a0), 11 (a1, b0 -> best 0, two strategies), 12 (a2), 13 (b1)
    # merged order: best rank, then more strategies, then earlier strategy, then id
    one = out[out.customer_id == 1]
    assert one["article_id"].tolist() == [11, 10, 13, 12]
    row = one.iloc[0]
    assert (row.n_strategies, row.by_a, row.by_b, row.rank_a, row.rank_b, row.score_b) == (2, 1, 1, 1.0, 0.0, 5.0)
    assert np.isnan(one.iloc[1].rank_b) and np.isnan(one.iloc[1].score_b)
    assert out["customer_id"].tolist() == [1, 1, 1, 1, 2, 3]


def test_merge_caps_per_strategy_and_in_total():
    out = merge.merge_candidates(frames(), NAMES, np.array([1, 2, 3], np.int32), {"a": 1}, total_cap=2)
    # a keeps its rank 0 only (10); 10 and 11 (b's rank 0) tie on rank and count: a comes first
    assert out[out.customer_id == 1]["article_id"].tolist() == [10, 11]
    assert out[out.customer_id == 1]["by_a"].tolist() == [1, 0]


def test_merge_names_scope_customers_without_candidates():
    with pytest.raises(ValueError, match=r"1 of 4 customers in scope have no candidate.*\[7\]"):
        merge.merge_candidates(frames(), NAMES, np.array([1, 2, 3, 7], np.int32), {}, total_cap=10)


def test_recall_curve_by_cap():
    cands = frames()["a"]
    actual = pd.DataFrame({"customer_id": [1, 1, 2, 2], "article_id": [11, 11, 10, 99]})
    curve = metrics.recall_curve(cands, actual, n_customers=2, caps=(1, 2))
    # cap 1: (1,10), (2,10) -> 1 hit of 3 true pairs; cap 2 adds (1,11): 2 hits; all adds (1,12)
    assert curve["cap"].tolist() == ["1", "2", "all"]
    assert curve["recall"].tolist() == pytest.approx([1 / 3, 2 / 3, 2 / 3])
    assert curve["precision"].tolist() == pytest.approx([1 / 2, 2 / 3, 2 / 4])
    assert curve["candidates_per_customer"].tolist() == pytest.approx([1, 1.5, 2])


def all_strategies(scope_ids: np.ndarray) -> dict[str, pd.DataFrame]:
    inp = ts.inputs(scope=scope_ids)
    return {s.name: s(inp) for s in st.REGISTRY}


def test_every_scope_customer_gets_candidates_and_scope_does_not_change_them():
    everyone = np.array([0, 1, 2, 3], np.int32)
    buyers = np.array([1, 3], np.int32)
    caps = {n: 5 for n in st.NAMES}
    wide = merge.merge_candidates(all_strategies(everyone), st.NAMES, everyone, caps, total_cap=8)
    narrow = merge.merge_candidates(all_strategies(buyers), st.NAMES, buyers, caps, total_cap=8)
    assert set(wide.customer_id) == {0, 1, 2, 3} and set(narrow.customer_id) == {1, 3}
    assert (wide.groupby("customer_id").size() <= 8).all()
    pd.testing.assert_frame_equal(wide[wide.customer_id.isin(buyers)].reset_index(drop=True), narrow)
    assert wide[wide.customer_id == 3]["by_popular"].sum() > 0  # c3 has no history: popularity covers them


def write_week(folder, name: str, customers: list[int]) -> None:
    table = pa.table({"customer_id": pa.array(customers, pa.int32())})
    pq.write_table(table, folder / f"{name}.parquet")


def test_scope_is_the_weeks_buyers_or_everyone(tmp_path):
    write_week(tmp_path, "2020-09-09", [3, 1, 3])
    write_week(tmp_path, "2020-09-16", [])
    handle = ParquetHandle({p.stem: UPath(p) for p in sorted(tmp_path.iterdir())})
    assert scope.scope_customers(handle, "2020-09-09", 5).tolist() == [1, 3]
    got = scope.scope_customers(handle, "2020-09-16", 5)  # a week in which nobody bought
    assert got.tolist() == [0, 1, 2, 3, 4] and got.dtype == np.int32
    assert scope.scope_customers(handle, "2020-09-23", 3).tolist() == [0, 1, 2]  # the target week


def test_weekly_candidate_assets_materialize_with_recall_metadata(project):
    """Raw tables from the hand-built project (conftest), then every candidate asset for the
    held-out week: its scope is the 3 buyers (c0 A1, c1 A5, c3 A3)."""
    assert project.run_job(RAW_JOB).success
    defs = project.defs()
    graph = defs.resolve_asset_graph()
    wanted = [k for k in graph.get_all_asset_keys() if graph.get(k).group_name == "candidates"]
    wanted.append(dg.AssetKey("segment_popularity"))
    result = dg.materialize(
        [*defs.assets, *defs.asset_checks], selection=wanted, partition_key="2020-09-16", instance=project.instance,
        resources=defs.resources,
    )
    assert result.success
    meta = materializations(result)
    assert {f"candidates_{s}" for s in st.NAMES} | {"candidates", "als_model", "bpr_model"} <= set(meta)
    assert meta["candidates_popular"]["scope_customers"] == 3
    # repurchase: c0 re-bought A1, c3 re-bought A3 (2 of 3 true pairs); c1's A5 is nobody's history
    assert meta["candidates_repurchase"]["recall"] == round(2 / 3, 5)  # rounded for people
    assert "| cap" in meta["candidates"]["recall_curve"]
    assert meta["candidates"]["recall_curve_plot"].startswith("![recall curve](data:image/png;base64,")
    merged = ParquetHandle(resolve(UPath(project.settings.warehouse) / "warehouse" / "candidates" / "2020-09-16")).to_pandas()
    assert merged["customer_id"].unique().tolist() == [0, 1, 3]
    assert list(merged.columns) == merge.merged_columns(st.NAMES)
    checks = [c for c in result.get_asset_check_evaluations() if c.asset_key.to_user_string().startswith("candidates")]
    assert len(checks) == len(st.NAMES) + 1 and all(c.passed for c in checks)  # + merged_candidate_contract


def test_one_factor_model_can_be_materialised_alone_with_its_own_config(project):
    """ALS and BPR share the step ``factor_models``; selecting one trains only that one, and its
    knobs sit under its name in the step's config."""
    assert project.run_job(RAW_JOB).success
    defs = project.defs()
    result = dg.materialize(
        defs.assets, selection=["bpr_model"], partition_key="2020-09-16", instance=project.instance, resources=defs.resources,
        run_config={"ops": {"factor_models": {"config": {"bpr": {"factors": 3, "iterations": 2}}}}},
    )
    assert result.success
    meta = materializations(result)
    assert set(meta) == {"bpr_model"} and meta["bpr_model"]["trained_alongside"] == "none"
    stored = result.output_for_node("factor_models", "bpr_model")
    assert stored[st.factors.USER_FACTORS].shape[1] == 3 + 1  # implicit's BPR adds an item-bias column


def test_merged_contract_problems_name_the_rows():
    from hm_assets.recsys import contracts

    good = merge.merge_candidates(frames(), NAMES, np.array([1, 2, 3], np.int32), {}, total_cap=10)
    assert contracts.merged_candidate_problems(good, NAMES) == []
    bad = good.copy()
    bad.loc[0, "n_strategies"] = 1
    bad.loc[1, "rank_b"] = 3.0
    assert contracts.merged_candidate_problems(bad, NAMES) == [
        "1 rows have n_strategies != the sum of by_ flags: {'customer_id': 1, 'article_id': 11, 'n_strategies': 1}",
        "1 rows have a rank without its flag or a flag without its rank: {'customer_id': 1, 'article_id': 10}",
    ]
    assert "not sorted by customer_id" in contracts.merged_candidate_problems(good.iloc[::-1], NAMES)[0]
