"""Candidate generation for week W: one weekly asset per registered strategy, the weekly factor
models some of them read, and the merged ``candidates`` asset the rankers consume.

Everything here reads transactions strictly before W and is built for W's scope
(``recsys.scope.scope_customers``): W's buyers for a past week, everyone for the target week.
The logic lives in ``hm_assets.recsys.strategies`` and ``hm_assets.recsys.merge``; these
factories only wire inputs, call it, and record recall metadata for weeks whose purchases are known.
"""

import concurrent.futures
import os

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field, create_model

from hm_assets import columns as c
from hm_assets.defs.exploration import plots
from hm_assets.io.storage import ParquetHandle, Parts
from hm_assets.recsys import budget, history, merge, metrics
from hm_assets.recsys import strategies as st
from hm_assets.recsys.scope import scope_customers
from hm_assets.recsys.strategies.factors import FactorModel, FactorParams
from hm_assets.resources import MemoryBudgetResource

GROUP = "candidates"
MERGED = "candidates"
HISTORY_COLUMNS = [c.T_DAT, c.CUSTOMER_ID, c.ARTICLE_ID]
MODEL_INPUT = "factors"


def strategy_asset(name: str) -> str:
    """The asset key of a registered strategy (the one place the naming rule lives)."""
    return f"candidates_{name}"


def model_asset(name: str) -> str:
    return f"{name}_model"


STRATEGY_ASSETS: tuple[str, ...] = tuple(strategy_asset(s.name) for s in st.REGISTRY)


def known_purchases(transactions: ParquetHandle, week: str) -> pd.DataFrame | None:
    """W's ``customer_id, article_id`` rows if W's purchases are in the data, else None."""
    if week not in transactions.names or transactions.select([week]).num_rows() == 0:
        return None
    return history.week_rows(transactions, week, [c.CUSTOMER_ID, c.ARTICLE_ID])


def recall_metadata(ranked: pd.DataFrame, actual: pd.DataFrame | None, n_customers: int, title: str) -> dict:
    """Recall, precision and candidates per customer, and the recall curve as a table and a plot."""
    if actual is None:
        return {"recall": dg.MetadataValue.text("n/a: the week's purchases are not known")}
    curve = metrics.recall_curve(ranked, actual, n_customers)
    overall = curve.iloc[-1]
    capped = curve.iloc[:-1]
    png = plots.line_chart(
        capped["candidates_per_customer"].to_numpy(), {"recall": capped["recall"].to_numpy()},
        f"{title}: recall vs candidates per customer", ylabel="recall", xlabel="candidates per customer",
        percent=True, markers=True,
    )
    return {
        "recall": round(float(overall["recall"]), 5),
        "precision": round(float(overall["precision"]), 5),
        "candidates_per_customer": round(float(overall["candidates_per_customer"]), 3),
        "recall_curve": dg.MetadataValue.md(plots.markdown_table(curve, ".5f")),
        "recall_curve_plot": dg.MetadataValue.md(plots.markdown_image("recall curve", png)),
    }


def chunk_metadata(chunk: int, n_customers: int) -> dict:
    """The chunk size a step used and how many chunks it took (``chunk_customers``, ``chunks``)."""
    return {"chunk_customers": int(chunk), "chunks": budget.n_chunks(n_customers, chunk)}


def _strategy_config(strategy: st.Strategy) -> type[dg.Config]:
    class StrategyConfig(dg.Config):
        n: int = Field(default=strategy.n, description="Candidates per customer (the strategy's top n).")
        weeks: int = Field(default=strategy.weeks, description="Weeks of history before W the strategy reads.")

    class FactorStrategyConfig(StrategyConfig):
        chunk_customers: int = Field(
            default=0, description="Customers scored against every learned article at a time; 0: sized from the memory budget."
        )

    config = FactorStrategyConfig if st.FACTORS in strategy.needs else StrategyConfig
    config.__name__ = f"{strategy.name.title().replace('_', '')}Config"
    return config


def _customer_columns(strategy: st.Strategy) -> list[str]:
    return [c.CUSTOMER_ID, c.AGE, c.POSTAL_CODE] if st.CUSTOMERS in strategy.needs else [c.CUSTOMER_ID]


def build_strategy_asset(strategy: st.Strategy, weekly: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """A weekly asset ``candidates_<name>`` running one registry entry for W's scope."""
    ins = {
        "transactions": dg.AssetIn(dagster_type=ParquetHandle),
        "customers": dg.AssetIn(metadata={"columns": _customer_columns(strategy)}),
    }
    if st.ARTICLES in strategy.needs:
        ins["articles"] = dg.AssetIn(metadata={"columns": [c.ARTICLE_ID, c.PRODUCT_CODE]})
    if st.SEGMENT_POPULARITY in strategy.needs:
        ins["segment_popularity"] = dg.AssetIn()
    if st.FACTORS in strategy.needs:
        ins[MODEL_INPUT] = dg.AssetIn(key=model_asset(strategy.model))

    @dg.asset(
        name=strategy_asset(strategy.name),
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins=ins,
        description=strategy.description,
    )
    def _asset(
        context: dg.AssetExecutionContext, config: _strategy_config(strategy), memory_budget: MemoryBudgetResource, **loaded
    ) -> pd.DataFrame:
        week = context.partition_key
        transactions, customers = loaded["transactions"], loaded["customers"]
        params = strategy.params(config.n, config.weeks)
        scope = scope_customers(transactions, week, len(customers))
        past = history.read_weeks(history.weeks_before(transactions, week, params.weeks), HISTORY_COLUMNS)
        factors, chunking = loaded.get(MODEL_INPUT), {}
        if factors is not None:
            chunk = getattr(config, "chunk_customers", 0) or st.factors.recommend_chunk(factors, params.n, memory_budget.budget)
            chunking = chunk_metadata(chunk, st.factors.known_customers(factors, scope))
        inputs = st.StrategyInputs(
            week=pd.Timestamp(week), history=past, scope=scope, customers=customers,
            articles=loaded.get("articles"), segment_popularity=loaded.get("segment_popularity"),
            factors=factors, chunk_customers=chunking.get("chunk_customers"),
        )
        frame = strategy(inputs, params)
        served = frame[c.CUSTOMER_ID].nunique()
        context.add_output_metadata(
            {
                **chunking,
                "scope_customers": len(scope),
                "customers_with_candidates": int(served),
                "rows": len(frame),
                "history_rows": len(past),
                **recall_metadata(frame, known_purchases(transactions, week), len(scope), strategy.name),
            }
        )
        return frame

    return _asset


FACTOR_MODELS = "factor_models"


def _factor_config(model: FactorModel) -> type[dg.Config]:
    """The knobs of one factor model, with its defaults (``<Name>ModelConfig``)."""
    defaults = model.params

    class FactorConfig(dg.Config):
        weeks: int = Field(default=defaults.weeks, description="Weeks of purchases before W it learns from.")
        item_weeks: int = Field(default=defaults.item_weeks, description="Only articles sold in these last weeks are learned.")
        max_items: int = Field(default=defaults.max_items, description="At most this many articles (most buyers first).")
        factors: int = Field(default=defaults.factors, description="Latent dimensions.")
        iterations: int = Field(default=defaults.iterations, description="Training epochs.")

    FactorConfig.__name__ = FactorConfig.__qualname__ = f"{model.name.title()}ModelConfig"
    return FactorConfig


def build_factor_models_asset(models: dict[str, FactorModel], weekly: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    """The weekly factor models ``<name>_model`` (ALS, BPR) in one step, trained at the same time.

    Each model learns on the weeks before W from one read of the history. BPR trains on one
    thread (its updates are lock-free, so more threads would change its factors run to run); at
    `full` its fit took 35-45 s a week and ALS's 15-19 s, one after the other, nearly all of it
    inside implicit's fit, which runs without the GIL. Side by side in threads, the step costs
    about the longer of the two. ALS gets every core but one per other model being trained (its
    factors do not depend on its threads). Each output can be materialised on its own; its
    config sits under the model's name.
    """
    configs = {name: _factor_config(model) for name, model in models.items()}
    FactorModelsConfig = create_model(
        "FactorModelsConfig",
        __base__=dg.Config,
        **{name: (cls, Field(default=cls(), description=f"{name.upper()} knobs.")) for name, cls in configs.items()},
    )

    @dg.multi_asset(
        name=FACTOR_MODELS,
        group_name=GROUP,
        partitions_def=weekly,
        can_subset=True,
        outs={
            model_asset(name): dg.AssetOut(
                io_manager_key="model_io_manager",
                kinds={"implicit", "numpy"},
                is_required=False,
                description=(model.train.__doc__ or "").strip().splitlines()[0],
            )
            for name, model in models.items()
        },
    )
    def _asset(context: dg.AssetExecutionContext, config: FactorModelsConfig, transactions: ParquetHandle):
        week = context.partition_key
        selected = context.op_execution_context.selected_output_names
        wanted = [name for name in models if model_asset(name) in selected]
        params = {
            name: FactorParams(**{**models[name].params.__dict__, **getattr(config, name).model_dump()}) for name in wanted
        }
        past = history.read_weeks(
            history.weeks_before(transactions, week, max(p.weeks for p in params.values())), HISTORY_COLUMNS
        )
        threads = max((os.cpu_count() or 1) - (len(wanted) - 1), 1)
        st.factors.import_trainers()  # before the threads: concurrent first imports can deadlock
        with concurrent.futures.ThreadPoolExecutor(max_workers=len(wanted), thread_name_prefix=FACTOR_MODELS) as pool:
            futures = {name: pool.submit(models[name].train, past, pd.Timestamp(week), params[name], threads) for name in wanted}
            for name in wanted:
                factors = futures[name].result()
                yield dg.Output(
                    factors,
                    output_name=model_asset(name),
                    metadata={
                        "users": len(factors[st.factors.USER_IDS]),
                        "items": len(factors[st.factors.ITEM_IDS]),
                        "history_rows": int((past[c.T_DAT] >= pd.Timestamp(week) - pd.Timedelta(weeks=params[name].weeks)).sum()),
                        "trained_alongside": ", ".join(model_asset(n) for n in wanted if n != name) or "none",
                    },
                )

    return _asset


class MergeConfig(dg.Config):
    total_cap: int = Field(default=100, description="Candidates kept per customer, in the merged order.")
    cap_per_strategy: int = Field(default=24, description="Rows taken from each strategy (its rank < cap).")
    caps: dict[str, int] = Field(default={}, description="Per-strategy caps overriding cap_per_strategy, by name.")
    chunk_customers: int = Field(default=0, description="Customers merged at a time; 0: sized from the memory budget.")


def build_merged_asset(weekly: dg.PartitionsDefinition) -> dg.AssetsDefinition:
    names = list(st.NAMES)

    @dg.asset(
        name=MERGED,
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={
            "transactions": dg.AssetIn(dagster_type=ParquetHandle),
            "customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]}),
            **{s: dg.AssetIn(key=strategy_asset(s), dagster_type=ParquetHandle) for s in names},
        },
    )
    def candidates(context: dg.AssetExecutionContext, config: MergeConfig, memory_budget: MemoryBudgetResource, **loaded) -> Parts:
        """The union of every strategy's candidates for W's scope, one row per (customer,
        article), with ``by_<s>``, ``rank_<s>``, ``score_<s>`` per strategy (``recsys.merge``),
        in customer chunks sized from the memory budget (the chunking changes no row)."""
        week = context.partition_key
        transactions = loaded["transactions"]
        scope = scope_customers(transactions, week, len(loaded["customers"]))
        caps = {s: config.caps.get(s, config.cap_per_strategy) for s in names}
        strategy_rows = sum(loaded[s].num_rows() for s in names) / max(len(scope), 1)
        size = budget.chunk_or_budget(
            config.chunk_customers, memory_budget.budget, budget.merge_bytes(strategy_rows, config.total_cap, len(names)), budget.MERGE_SHARE
        )

        def chunk(ids: np.ndarray) -> pd.DataFrame:
            bounds = [(c.CUSTOMER_ID, ">=", int(ids[0])), (c.CUSTOMER_ID, "<=", int(ids[-1]))]
            frames = {s: loaded[s].to_pandas(filter=bounds) for s in names}
            return merge.merge_candidates(frames, names, ids, caps, config.total_cap)

        chunks = (chunk(scope[i : i + size]) for i in range(0, len(scope), size))
        actual = known_purchases(transactions, week)
        meta: dict = {
            "scope_customers": len(scope), "caps": dg.MetadataValue.json(caps), "total_cap": config.total_cap,
            **chunk_metadata(size, len(scope)),
        }
        if actual is not None:  # a past week: scope is its buyers, small enough to hold
            chunks = list(chunks)
            merged = pd.concat(chunks, ignore_index=True)
            meta["rows"] = len(merged)
            meta.update(recall_metadata(merge.merged_ranks(merged), actual, len(scope), "merged"))
            meta["recall_by_strategy"] = dg.MetadataValue.md(
                plots.markdown_table(strategy_recall(merged, actual, names), ".5f")
            )
        context.add_output_metadata(meta)
        return Parts((f"{i:04d}", frame) for i, frame in enumerate(chunks))

    return candidates


def strategy_recall(merged: pd.DataFrame, actual: pd.DataFrame, names: list[str]) -> pd.DataFrame:
    """Within the merged set: each strategy's candidates, recall, and pairs only it found."""
    rows = []
    flags = merged[[merge.by_column(s) for s in names]].to_numpy()
    only = flags.sum(axis=1) == 1
    for j, s in enumerate(names):
        mine = merged[flags[:, j] == 1]
        alone = merged[(flags[:, j] == 1) & only]
        rows.append(
            {"strategy": s, "candidates": len(mine), "recall": metrics.recall(mine, actual),
             "recall_only_this": metrics.recall(alone, actual)}
        )
    return pd.DataFrame(rows)


def build_assets(weekly: dg.PartitionsDefinition) -> list[dg.AssetsDefinition]:
    strategies = [build_strategy_asset(s, weekly) for s in st.REGISTRY]
    return [build_factor_models_asset(st.MODELS, weekly), *strategies, build_merged_asset(weekly)]
