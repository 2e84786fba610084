"""What scoring cold customers once per group of identical candidates costs in MAP@12, on known weeks.

In the predicted week, customers without personal candidates get the 12 of a representative
with identical candidate rows (``hm_assets.recsys.sharing``). A past week is scored buyer by buyer, so the
evaluation report never sees that approximation. This benchmark applies it to known weeks: it
builds the graph on synthetic data through ``rankers_small.run`` (or reuses ``--out``), takes
each week's blend picks per buyer, then gives every cold buyer its representative's picks
instead (the cold buyer with identical candidate rows and the smallest id) and scores both
against the week's purchases.

Usage: ``python benchmarks/bench_sharing.py [--profile fashion] [--scale small] [--weeks 4]
[--out DIR] [--models-only]``
"""

import argparse
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

import importlib.util

import numpy as np
import pandas as pd

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.defs.models.assets import popular_list
from hm_assets.io.managers import ParquetIOManager
from hm_assets.recsys import baselines, history, metrics, sharing, strategies


def _rankers_small():
    """The sibling benchmark that builds the graph and scores its weeks (benchmarks is no package)."""
    spec = importlib.util.spec_from_file_location("rankers_small", Path(__file__).resolve().parent / "rankers_small.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def compare(warehouse: str, week: str) -> dict:
    store = ParquetIOManager(base_path=warehouse)
    candidates = store.stored("candidates", week).to_pandas()
    actual = history.week_rows(store.stored("transactions"), week, [c.CUSTOMER_ID, c.ARTICLE_ID])
    buyers = np.unique(actual[c.CUSTOMER_ID].to_numpy(np.int32))
    members = sharing.ColdGroups(strategies.PERSONAL).members(candidates.sort_values([c.CUSTOMER_ID, c.ARTICLE_ID], kind="stable"))
    blend = store.stored("blend", week).to_pandas()
    picks = blend.loc[blend[c.RANK] < c.K, [c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]]
    popular = popular_list(store.stored("candidates_popular", week))
    own = baselines.fill_with_popular(picks, popular, buyers)
    shared = baselines.fill_with_popular(sharing.share_picks(picks, members), popular, buyers)
    cold = actual[actual[c.CUSTOMER_ID].isin(members[c.CUSTOMER_ID])]
    return {
        "week": week,
        "buyers": len(buyers),
        "cold buyers": int(members[c.CUSTOMER_ID].isin(buyers).sum()),
        "groups": int(members[sharing.REPRESENTATIVE].nunique()),
        "MAP@12 all, own": metrics.map_at_k(own, actual),
        "MAP@12 all, shared": metrics.map_at_k(shared, actual),
        "MAP@12 cold, own": metrics.map_at_k(own, cold) if len(cold) else float("nan"),
        "MAP@12 cold, shared": metrics.map_at_k(shared, cold) if len(cold) else float("nan"),
    }


def main(argv: list[str] | None = None) -> pd.DataFrame:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--profile", default="fashion")
    parser.add_argument("--scale", default="small")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--weeks", type=int, default=4)
    parser.add_argument("--models-only", action="store_true", help="the graph is already built in --out: only compare")
    parser.add_argument("--out", type=Path)
    args = parser.parse_args(argv)

    def measure(root: Path) -> pd.DataFrame:
        if not args.models_only:
            _rankers_small().run(root, args.profile, args.scale, args.seed, args.weeks)
        weeks = sorted(p.stem for p in (root / "store" / "warehouse" / "blend").iterdir())[-args.weeks :]
        table = pd.DataFrame([compare(str(root / "store"), w) for w in weeks])
        print(f"\n{args.profile} {args.scale}: cold buyers get their representative's picks\n")
        print(table.to_markdown(index=False, floatfmt=".5f"))
        means = table[[col for col in table.columns if col.startswith("MAP")]].mean()
        print("\nmean over the weeks:\n" + means.to_frame("MAP@12").to_markdown(floatfmt=".5f"))
        return table

    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        return measure(args.out)
    with tempfile.TemporaryDirectory() as tmp:
        return measure(Path(tmp))


if __name__ == "__main__":
    main()
