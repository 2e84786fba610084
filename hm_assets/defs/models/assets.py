"""The models stage for week W: feature rows, training set, three rankers, their blend, the picks.

- ``cold_customers`` [W]: in the predicted week, customers without personal candidates and
  the cold customer with identical candidate rows whose rows are scored for all of them.
- ``candidate_features`` [W]: W's merged candidates joined with W's feature tables and pair
  features, in customer chunks (a past week holds its buyers only, the target week everyone).
- ``training_set`` [W]: labelled, downsampled rows of weeks W-N-1..W-1 (a partition mapping);
  the oldest N weeks train, W-1 tunes (early stopping, blend weights).
- ``lgbm_ranker``, ``lgbm_classifier``, ``dnn_ranker`` [W]: tuned on W-1, then refit on
  W-N..W-1; each also stores its scores on W-1's candidates from the tuning fit
  (``<model>_tuning_scores``), which is what the blend is tuned on.
- ``blend`` [W]: a cheap screen keeps each customer's best candidates, every model scores those,
  and the weights tuned on W-1 combine them.
- ``recommendations`` [W]: the blend's 12 for every customer, popularity fill where short.

Nothing built for W reads W's purchases.
"""

import warnings

import dagster as dg
import numpy as np
import pandas as pd
from pydantic import Field

from hm_assets import calendar
from hm_assets import columns as c
from hm_assets.io.managers import SKIP_MISSING_PARTITIONS
from hm_assets.io.storage import ParquetHandle, Parts
from hm_assets.defs.candidates.assets import model_asset as factor_model_asset
from hm_assets.defs import pools
from hm_assets.recsys import baselines, blend as blending, budget, features, history, rankers, scope, segments, sharing, strategies, training
from hm_assets.resources import MemoryBudgetResource

GROUP = "models"
TRAIN_WEEKS = 4  # default N: training weeks before the tuning week W-1
CUSTOMER_CHUNK = 250_000  # customers filled at a time in recommendations: bounds memory at full scale
POPULAR_ROWS = 4096  # first rows of candidates_popular: holds the first customer's whole list
LGBM_MODELS = {"lgbm_ranker": rankers.LAMBDARANK, "lgbm_classifier": rankers.BINARY}
DNN_MODEL = "dnn_ranker"
FEATURE_ROWS = "candidate_features"  # one week's candidates with every feature joined: what the models read
COLD_CUSTOMERS = "cold_customers"  # the predicted week's customers scored through a representative with the same candidates
MODELS = (*LGBM_MODELS, DNN_MODEL)  # the blend's inputs, in a fixed order
GROUP_COLUMN = "query_group"  # (week, customer) id handed to the DNN's listwise loss
TUNING_CUSTOMERS = 20_000  # W-1 buyers (a seeded hash choice) the blend is tuned on: all of a small shop's, ~1/4 of H&M's


def tuning_scores_key(model: str) -> str:
    return f"{model}_tuning_scores"


class ColdCustomersConfig(dg.Config):
    share: bool = Field(
        default=True,
        description="In a week whose purchases are unknown (the predicted week), score cold customers (no personal candidates) with identical candidate rows once.",
    )


class CandidateFeaturesConfig(dg.Config):
    chunk_customers: int = Field(default=0, description="Customers whose candidate rows are built at a time; 0: sized from the memory budget (~60 rows x ~150 float32 features each).")
    history_weeks: int = Field(default=features.HISTORY_WEEKS, description="Weeks of transactions before W that pair features look at.")


class TrainingSetConfig(dg.Config):
    weeks: int = Field(default=TRAIN_WEEKS, description=f"Training weeks before W-1 (at most {TRAIN_WEEKS}, the partition mapping's reach).")
    negative_rate: float = Field(default=0.5, description="Share of negative candidate rows kept (seeded, per pair).")
    seed: int = Field(default=0, description="Seed of the negative downsampling and of the customer cap.")
    max_customers_per_week: int = Field(
        default=6_000,
        description="Customers (with a positive) kept per training week, chosen by a seeded hash: bounds training time and memory at full scale (~24k per week at H&M's); a small shop keeps all.",
    )


class LgbmConfig(dg.Config):
    learning_rate: float = Field(default=0.05, description="Shrinkage per boosting round.")
    num_leaves: int = Field(default=31, description="Leaves per tree.")
    min_data_in_leaf: int = Field(default=20, description="Rows a leaf needs at least.")
    feature_fraction: float = Field(default=0.8, description="Share of features each tree sees (seeded).")
    max_rounds: int = Field(default=400, description="Upper bound on boosting rounds; early stopping on W-1 picks the number.")
    early_stopping_rounds: int = Field(default=30, description="Rounds without improvement on W-1 before stopping.")
    seed: int = Field(default=0, description="LightGBM seed.")
    num_threads: int = Field(
        default=2,
        description="Threads (fixed, so that training is deterministic). Two train 1.7x faster than one on an idle 2-core machine; set 1 when other jobs share the cores.",
    )

    def settings(self, objective: str) -> rankers.LgbmSettings:
        return rankers.LgbmSettings(objective=objective, **self.model_dump())


class DnnConfig(dg.Config):
    epochs: int = Field(default=20, description="Upper bound on epochs; early stopping on W-1 (MAP@12) picks the number.")
    patience: int = Field(default=3, description="Epochs without a better W-1 MAP@12 before stopping.")
    batch_size: int = Field(default=4096, description="Rows per minibatch (whole customers).")
    lr: float = Field(default=2e-3, description="AdamW learning rate.")
    embedding_dim: int = Field(default=16, description="Width of every id and category embedding.")
    hidden: list[int] = Field(default=[128, 64], description="Widths of the MLP's hidden layers.")
    dropout: float = Field(default=0.1, description="Dropout after each hidden layer.")
    seed: int = Field(default=0, description="Seed of the weights, dropout and batch order.")
    device: str | None = Field(default=None, description="torch device; None: CUDA when present, else CPU.")

    def settings(self, epochs: int | None = None) -> "dnn.DNNConfig":
        from hm_assets.recsys import dnn

        values = self.model_dump()
        values["hidden"] = tuple(values["hidden"])
        if epochs is not None:
            values["epochs"] = epochs
        return dnn.DNNConfig(**values)


class BlendConfig(dg.Config):
    method: str = Field(default=blending.RANK_METHOD, description="'rank' (reciprocal ranks) or 'score' (per-customer min-max scores).")
    grid_step: float = Field(default=0.1, description="Step of the weight grid on the simplex, tuned by MAP@12 on W-1.")
    shrink_to_equal: float = Field(
        default=0.5, description="Pull of the tuned weights toward equal weights (0: tuned as is; 1: equal), against one noisy week."
    )
    screen_keep: int = Field(
        default=20,
        description="Rows per customer that every model scores: the best by a cheap screen, the first `screen_trees` trees of the LightGBM model best on W-1 alone (0: every row).",
    )
    screen_trees: int = Field(default=20, description="Trees of the screening model that the screen uses (its first ones).")


def _week_parts(handle: ParquetHandle) -> dict[str, ParquetHandle]:
    """A multi-partition handle split by week (part names are ``<week>`` or ``<week>/<chunk>``)."""
    weeks: dict[str, list[str]] = {}
    for name in handle.names:
        weeks.setdefault(name.split("/")[0], []).append(name)
    return {week: handle.select(names) for week, names in sorted(weeks.items())}


def _chunks(handle: ParquetHandle):
    """Each stored chunk of a customer-chunked table as a frame (one file at a time)."""
    for name in handle.names:
        yield handle.select([name]).to_pandas()


def _md(frame: pd.DataFrame, floatfmt: str = ".5g") -> dg.MetadataValue:
    from hm_assets.defs.exploration.plots import markdown_table

    return dg.MetadataValue.md(markdown_table(frame, floatfmt))


def build_assets(weekly: dg.PartitionsDefinition, train_weeks: int = TRAIN_WEEKS) -> list[dg.AssetsDefinition]:
    # The first weeks reach before the first partition: those weeks are skipped (and
    # training_set fails clearly if fewer than two remain). The flag is a beta Dagster
    # parameter, used knowingly, so its warning is not shown to users.
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", category=dg.BetaWarning)
        window = dg.TimeWindowPartitionMapping(start_offset=-(train_weeks + 1), end_offset=-1, allow_nonexistent_upstream_partitions=True)
        previous = dg.TimeWindowPartitionMapping(start_offset=-1, end_offset=-1, allow_nonexistent_upstream_partitions=True)

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
    )
    def cold_customers(
        context: dg.AssetExecutionContext, config: ColdCustomersConfig, candidates: ParquetHandle, transactions: ParquetHandle
    ) -> pd.DataFrame:
        """``customer_id, representative``: customers of W without personal candidates, and the
        cold customer with the same candidate rows (the smallest id) whose rows are scored for all.

        Only in a week whose purchases are unknown (the predicted week, built for every
        customer); empty in a past week, whose buyers are each labelled and scored on their own.
        """
        week = context.partition_key
        empty = pd.DataFrame({c.CUSTOMER_ID: np.array([], np.int32), sharing.REPRESENTATIVE: np.array([], np.int32)})
        if not config.share or scope.known_week(transactions, week):
            context.add_output_metadata({"members": 0, "shared": "off" if not config.share else "no: a past week, scored per buyer"})
            return empty
        share = sharing.ColdGroups(strategies.PERSONAL)
        members = pd.concat([empty, *(share.members(frame) for frame in _chunks(candidates))], ignore_index=True)
        context.add_output_metadata(
            {
                "members": len(members),
                "groups": share.groups,
                "not_scored": len(members) - share.groups,
            }
        )
        return members

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        pool=pools.MEMORY,
        ins={
            "customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID, c.AGE, c.POSTAL_CODE]}),
            "articles": dg.AssetIn(metadata={"columns": features.PAIR_ARTICLE_COLUMNS}),
            **{factor_model_asset(m): dg.AssetIn() for m in strategies.MODELS},
        },
    )
    def candidate_features(
        context: dg.AssetExecutionContext,
        config: CandidateFeaturesConfig,
        memory_budget: MemoryBudgetResource,
        candidates: ParquetHandle,
        cold_customers: pd.DataFrame,
        customer_features: pd.DataFrame,
        article_features: pd.DataFrame,
        segment_popularity: pd.DataFrame,
        customers: pd.DataFrame,
        articles: pd.DataFrame,
        transactions: ParquetHandle,
        **factor_models: dict,
    ) -> Parts:
        """W's candidate pairs with every feature of W, in customer chunks (one Parquet part each).

        Columns: the merged candidates' (``customer_id, article_id, n_strategies, by_<s>,
        rank_<s>, score_<s>``), then ``c_*`` customer, ``a_*`` article, ``s_*`` segment and ``p_*``
        pair features, including ``p_<model>_score``: each factor model's (ALS, BPR) score of
        every pair, not only of those it proposed. Every feature sees transactions strictly
        before W only. Of the ``cold_customers``, only each group's representative has rows.
        """
        week = context.partition_key
        past = history.read_weeks(history.weeks_before(transactions, week, config.history_weeks), features.PAIR_HISTORY_COLUMNS)
        history_rows = len(past)
        # prepared once for every chunk (day numbers of the whole history, sorted segment tables)
        pair_functions = [
            segments.SegmentPairTable(segment_popularity, segments.customer_segments(customers)),
            features.PairFeatureTable(past, articles, week),
            *(_factor_scores(name, factor_models[factor_model_asset(name)]) for name in strategies.MODELS),
        ]
        del past  # PairFeatureTable keeps the columns it needs
        customer_index = pd.Index(customer_features[c.CUSTOMER_ID])
        article_index = pd.Index(article_features[c.ARTICLE_ID])
        ids = np.unique(candidates.read([c.CUSTOMER_ID]).column(c.CUSTOMER_ID).to_numpy())
        rows_per_customer = candidates.num_rows() / max(len(ids), 1)
        unscored = sharing.unscored(cold_customers)
        ids = ids[~np.isin(ids, unscored)]
        n_customers = len(ids)
        chunk_customers = budget.chunk_or_budget(
            config.chunk_customers, memory_budget.budget, budget.features_bytes(rows_per_customer, budget.FEATURE_COLUMNS), budget.FEATURES_SHARE
        )

        def parts():
            for i, chunk in enumerate(training.customer_chunks(ids, chunk_customers)):
                lo, hi = int(chunk[0]), int(chunk[-1])
                cands = candidates.to_pandas(filter=[(c.CUSTOMER_ID, ">=", lo), (c.CUSTOMER_ID, "<=", hi)])
                cands = sharing.rows_to_score(cands, unscored).sort_values([c.CUSTOMER_ID, c.ARTICLE_ID], kind="stable")
                # yielded without a local name: the frame is not kept alive while the next is built
                yield f"chunk-{i:05d}", training.join_features(cands, customer_features, article_features, pair_functions, customer_index, article_index)

        context.add_output_metadata(
            {"customers": n_customers, "chunk_customers": chunk_customers, "chunks": budget.n_chunks(n_customers, chunk_customers),
             "history_rows": history_rows, "history_from": calendar.week_key(calendar.shift_week(week, -config.history_weeks))}
        )
        return Parts(parts())

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        pool=pools.MEMORY,
        # weeks of the window never built (before a backfill's first week) are left out, and named
        # in the log; fewer than a training week and the tuning week fails below
        ins={"candidate_features": dg.AssetIn(partition_mapping=window, metadata={SKIP_MISSING_PARTITIONS: True})},
    )
    def training_set(
        context: dg.AssetExecutionContext, config: TrainingSetConfig, candidate_features: ParquetHandle, transactions: ParquetHandle
    ) -> pd.DataFrame:
        """Labelled rows of the weeks W-N-1..W-1 (N = ``weeks``), each week labelled by its own purchases.

        All positives are kept, negatives at ``negative_rate``; customers without a positive
        candidate are dropped. The last week (W-1) is the tuning week. Never reads W's purchases.
        """
        week = context.partition_key
        if config.weeks > train_weeks:
            raise dg.Failure(f"weeks={config.weeks} exceeds the {train_weeks} weeks the partition mapping provides")
        by_week = _week_parts(candidate_features)
        wanted = [calendar.week_key(calendar.shift_week(week, -k)) for k in range(config.weeks + 1, 0, -1)]
        present = [w for w in wanted if w in by_week]
        if len(present) < 2 or present[-1] != wanted[-1]:
            raise dg.Failure(
                f"training_set for {week} needs candidate_features of at least two weeks ending at {wanted[-1]} "
                f"(a training week and the tuning week); found {present or 'none'}: too little history before {week}"
            )
        if present != wanted:
            context.log.warning(f"training_set for {week}: no candidate_features for {sorted(set(wanted) - set(present))}; training on {present}")
        frames, summary = [], []
        for w in present:
            bought = history.week_rows(transactions, w, [c.CUSTOMER_ID, c.ARTICLE_ID])
            kept = []
            for frame in _chunks(by_week[w]):
                label = training.label_pairs(frame, bought)
                kept.append(training.sample_training_rows(frame, label, config.negative_rate, config.seed, w))
            rows = training.cap_customers(pd.concat(kept, ignore_index=True), config.max_customers_per_week, config.seed, w)
            summary.append({"week": w, "rows": len(rows), "positives": int(rows[c.LABEL].sum()), "customers": int(rows[c.CUSTOMER_ID].nunique())})
            frames.append(rows)
        rows = training.sort_groups(pd.concat(frames, ignore_index=True))
        rows[c.WEEK] = pd.Categorical(rows[c.WEEK], categories=present)
        context.add_output_metadata(
            {"weeks": dg.MetadataValue.md(pd.DataFrame(summary).to_markdown(index=False)), "features": len(training.feature_columns(rows)), "tuning_week": present[-1]}
        )
        return rows

    def ranker_asset(name: str, kind: str, description: str):
        """The decorator of a ranker's multi-asset: the model (stored natively) and its tuning scores."""
        return dg.multi_asset(
            name=name,
            group_name=GROUP,
            partitions_def=weekly,
            pool=pools.MEMORY,
            outs={
                name: dg.AssetOut(io_manager_key="model_io_manager", kinds={kind}, description=description),
                tuning_scores_key(name): dg.AssetOut(
                    kinds={"pandas"}, description="Scores of the tuning fit on the candidates of W-1's buyers (for the blend)."
                ),
            },
            ins={"tuning_week_features": dg.AssetIn("candidate_features", partition_mapping=previous)},
        )

    def lgbm_asset(name: str, objective: str) -> dg.AssetsDefinition:
        @ranker_asset(name, "lightgbm", f"LightGBM {objective} model for W, refit on W-N..W-1.")
        def _model(
            context: dg.AssetExecutionContext,
            config: LgbmConfig,
            memory_budget: MemoryBudgetResource,
            training_set: pd.DataFrame,
            tuning_week_features: ParquetHandle,
            transactions: ParquetHandle,
        ):
            settings = config.settings(objective)
            feats = training.feature_columns(training_set)
            tuned, rounds = rankers.train_lgbm(*rankers.tuning_rows(training_set), feats, features.CATEGORICAL_FEATURES, settings)
            scores, scoring = _tuning_scores(context, tuning_week_features, transactions, memory_budget.budget, tuned)
            refit = rankers.refit_rows(training_set)
            final, _ = rankers.train_lgbm(refit, None, feats, features.CATEGORICAL_FEATURES, settings, rounds=rounds)
            importance = rankers.feature_importance(final).head(20)
            yield dg.Output(
                final,
                output_name=name,
                metadata={"rounds": rounds, "train_rows": len(refit), "features": len(feats), "importance": _md(importance)},
            )
            yield dg.Output(scores, output_name=tuning_scores_key(name), metadata={"rows": len(scores), **scoring})

        return _model

    @ranker_asset(DNN_MODEL, "pytorch", "Torch DNN ranker for W, refit on W-N..W-1.")
    def dnn_ranker(
        context: dg.AssetExecutionContext,
        config: DnnConfig,
        memory_budget: MemoryBudgetResource,
        training_set: pd.DataFrame,
        tuning_week_features: ParquetHandle,
        transactions: ParquetHandle,
    ):
        """Embeddings of article id and categories plus the numeric features, an MLP, a listwise
        loss per customer; early-stopped on W-1's MAP@12, then refit on W-N..W-1."""
        from hm_assets.recsys import dnn

        feats = training.feature_columns(training_set)
        categorical = [f for f in features.CATEGORICAL_FEATURES if f in feats]
        columns = {"label": c.LABEL, "group": GROUP_COLUMN, "categorical": categorical,
                   "numeric": [f for f in feats if f not in categorical], "hashed": [c.ARTICLE_ID]}
        training_set[GROUP_COLUMN] = training.group_ids(training_set)  # in place: this step's own copy, loaded for it
        tuned, info = dnn.train_dnn(*rankers.tuning_rows(training_set), config=config.settings(), **columns)
        scores, scoring = _tuning_scores(context, tuning_week_features, transactions, memory_budget.budget, tuned)
        refit = rankers.refit_rows(training_set)
        final, _ = dnn.train_dnn(refit, None, config=config.settings(epochs=info["best_epoch"]), **columns)
        curve = pd.DataFrame({"epoch": np.arange(1, len(info["valid_map_at_12"]) + 1), "map_at_12_on_W-1": info["valid_map_at_12"]})
        yield dg.Output(
            final,
            output_name=DNN_MODEL,
            metadata={"epochs": info["best_epoch"], "device": info["device"], "train_rows": len(refit), "features": len(feats), "tuning_curve": _md(curve)},
        )
        yield dg.Output(scores, output_name=tuning_scores_key(DNN_MODEL), metadata={"rows": len(scores), **scoring})

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        pool=pools.MEMORY,
    )
    def blend(
        context: dg.AssetExecutionContext,
        config: BlendConfig,
        memory_budget: MemoryBudgetResource,
        candidate_features: ParquetHandle,
        transactions: ParquetHandle,
        lgbm_ranker,
        lgbm_classifier,
        dnn_ranker,
        lgbm_ranker_tuning_scores: pd.DataFrame,
        lgbm_classifier_tuning_scores: pd.DataFrame,
        dnn_ranker_tuning_scores: pd.DataFrame,
    ) -> pd.DataFrame:
        """Every model scores W's screened candidates; weights tuned by MAP@12 on W-1 combine their rankings.

        The screen keeps each customer's ``screen_keep`` best rows by the first trees of the
        LightGBM model that ranks W-1 best on its own (W-1's tuning frame is screened the same
        way by that model's tuning scores, so the weights are tuned on what they will blend).

        Returns the pairs in any model's or the blend's top 12 per customer: ``customer_id,
        article_id, score_<m>, rank_<m>`` per model, ``blend_score``, ``rank`` (the blend's).
        """
        week = context.partition_key
        tuning_week = calendar.week_key(calendar.shift_week(week, -1))
        models = {"lgbm_ranker": lgbm_ranker, "lgbm_classifier": lgbm_classifier, DNN_MODEL: dnn_ranker}
        tuning = _joined_scores(
            {"lgbm_ranker": lgbm_ranker_tuning_scores, "lgbm_classifier": lgbm_classifier_tuning_scores, DNN_MODEL: dnn_ranker_tuning_scores}
        )
        actual = history.week_rows(transactions, tuning_week, [c.CUSTOMER_ID, c.ARTICLE_ID])
        # the screen: the LightGBM model best on W-1 on its own (first wins ties). W-1 is screened
        # by its full tuning scores, W by the model's first trees: the cheap version of the same
        alone = blending.single_maps(tuning, actual, LGBM_MODELS)
        screen_model = max(LGBM_MODELS, key=lambda m: alone[m])
        tuning = tuning.loc[_screen(tuning, tuning[blending.score_column(screen_model)].to_numpy(), config.screen_keep)]
        tuned, grid = blending.tune_weights(tuning, actual, MODELS, config.grid_step, config.method)
        weights = blending.shrink(tuned, config.shrink_to_equal)
        picks, scoring, rows_in, rows_scored = [], _Scoring(memory_budget.budget), 0, 0
        for frame in _chunks(candidate_features):
            rows_in += len(frame)
            # whole customers at a time (the screen and the blend are per customer), as many rows
            # as the memory budget allows
            for part in scoring.parts(frame):
                scored = _score_screened(frame.iloc[part], models, screen_model, config)
                rows_scored += len(scored)
                picks.append(blending.blend_picks(scored, weights, config.method))
        out = pd.concat(picks, ignore_index=True)
        best = grid.sort_values("map_at_12", ascending=False, kind="stable").head(10)
        singles = grid[grid[list(MODELS)].max(axis=1) == 1.0]
        context.add_output_metadata(
            {
                "weights": dg.MetadataValue.json(weights),
                "tuned_weights": dg.MetadataValue.json(tuned),
                "tuning_week": tuning_week,
                "tuning_map_at_12": float(round(grid["map_at_12"].max(), 5)),
                "tuning_grid_top": _md(best),
                "tuning_single_models": _md(singles),
                "screen": f"{screen_model}, first {config.screen_trees} trees, best {config.screen_keep} per customer" if config.screen_keep else "off",
                "rows": rows_in,
                "rows_scored": rows_scored,
                "customers": int(out[c.CUSTOMER_ID].nunique()),
                **scoring.metadata(),
            }
        )
        return out

    @dg.asset(
        group_name=GROUP,
        partitions_def=weekly,
        kinds={"pandas"},
        ins={"customers": dg.AssetIn(metadata={"columns": [c.CUSTOMER_ID]})},
    )
    def recommendations(
        context: dg.AssetExecutionContext,
        blend: pd.DataFrame,
        cold_customers: pd.DataFrame,
        candidates_popular: ParquetHandle,
        customers: pd.DataFrame,
    ) -> pd.DataFrame:
        """12 ranked articles for every customer: the blend's top 12, then popular articles.

        A cold customer gets the blend's 12 of its representative (same candidate rows). Customers outside
        W's scope (non-buyers of a past week) and those with fewer than 12 candidates get the
        popularity fill.
        """
        picks = sharing.share_picks(blend.loc[blend[c.RANK] < c.K, [c.CUSTOMER_ID, c.ARTICLE_ID, c.RANK]], cold_customers)
        popular = popular_list(candidates_popular)
        ids = customers[c.CUSTOMER_ID].to_numpy(np.int32)
        chunks = [
            baselines.fill_with_popular(picks, popular, ids[i : i + CUSTOMER_CHUNK])
            for i in range(0, len(ids), CUSTOMER_CHUNK)
        ]
        recs = pd.concat(chunks, ignore_index=True)
        short = int((picks.groupby(c.CUSTOMER_ID).size() < c.K).sum())
        context.add_output_metadata(
            {
                "customers": len(ids),
                "rows": len(recs),
                "from_blend": int(picks[c.CUSTOMER_ID].nunique()),
                "shared_with_representative": int(len(sharing.unscored(cold_customers))),
                "filled_short_lists": short,
            }
        )
        return recs

    return [cold_customers, candidate_features, training_set, *(lgbm_asset(n, o) for n, o in LGBM_MODELS.items()), dnn_ranker, blend, recommendations]


def _factor_scores(name: str, factors: dict):
    return lambda pairs: pd.DataFrame({f"p_{name}_score": strategies.pair_scores(factors, pairs)})


def popular_list(candidates_popular: ParquetHandle) -> pd.DataFrame:
    """The popular strategy's one list (``article_id, score, rank``): it is the same for every
    customer, so only the first rows of the stored table are read."""
    return baselines.shared_list(next(candidates_popular.iter_batches(POPULAR_ROWS)).to_pandas())


def _tuning_scores(
    context: dg.AssetExecutionContext, handle: ParquetHandle, transactions: ParquetHandle, memory: budget.MemoryBudget, model
) -> tuple[pd.DataFrame, dict]:
    """``customer_id, article_id, score`` of a model on the candidate rows of the tuning week
    W-1's buyers (at most ``TUNING_CUSTOMERS`` of them, the same for every model), the only
    customers the blend is tuned on (all rows when W-1 was built as a past
    week; a subset when it was built as the predicted week, for every customer, before its
    purchases arrived), scored by ``model`` in row chunks sized from the memory
    budget; and the chunking's metadata."""
    tuning_week = calendar.week_key(calendar.shift_week(context.partition_key, -1))
    buyers = pd.DataFrame({c.CUSTOMER_ID: np.unique(history.week_rows(transactions, tuning_week, [c.CUSTOMER_ID])[c.CUSTOMER_ID].to_numpy(np.int32))})
    buyers = training.cap_customers(buyers, TUNING_CUSTOMERS, 0, tuning_week)[c.CUSTOMER_ID].to_numpy()
    parts, scoring = [], _Scoring(memory)
    for frame in _chunks(handle):
        frame = frame[np.isin(frame[c.CUSTOMER_ID].to_numpy(), buyers)]
        if frame.empty:
            continue
        values = rankers.score_model(model, frame, scoring.rows(frame))
        parts.append(pd.DataFrame({c.CUSTOMER_ID: frame[c.CUSTOMER_ID].to_numpy(np.int32), c.ARTICLE_ID: frame[c.ARTICLE_ID].to_numpy(np.int32), c.SCORE: values}))
    if not parts:
        raise ValueError("the tuning week's candidate features hold none of its buyers")
    return pd.concat(parts, ignore_index=True), scoring.metadata()


def _score_screened(frame: pd.DataFrame, models: dict, screen_model: str, config: BlendConfig) -> pd.DataFrame:
    """``customer_id, article_id, score_<m>`` of each customer's screened rows of ``frame`` (whole
    customers), every model's score. The LightGBM input is built once, for the screen, and its
    kept rows serve every LightGBM model with the same features."""
    screener = models[screen_model]
    features = screener.feature_name()
    inputs = rankers.matrix(frame, features)
    if config.screen_keep:
        first = rankers.predict_matrix(screener, inputs, trees=config.screen_trees)
        kept = _screen(frame, first, config.screen_keep)
        frame, inputs = frame.loc[kept], rankers.take_rows(inputs, kept)
    scored = frame[[c.CUSTOMER_ID, c.ARTICLE_ID]].copy()
    for m in MODELS:
        model = models[m]
        if m in LGBM_MODELS and model.feature_name() == features:
            scored[blending.score_column(m)] = rankers.predict_matrix(model, inputs)
        else:
            scored[blending.score_column(m)] = rankers.score_model(model, frame, max(len(frame), 1))
    return scored


def _screen(frame: pd.DataFrame, scores: np.ndarray, keep: int) -> np.ndarray:
    return blending.screened(frame[c.CUSTOMER_ID].to_numpy(), scores, frame[c.ARTICLE_ID].to_numpy(), keep)


class _Scoring:
    """Rows scored at a time in each stored chunk of candidate features (from the memory
    budget), and what it came to: the smallest such size and the number of scoring chunks."""

    def __init__(self, memory: budget.MemoryBudget):
        self.memory, self.sizes, self.chunks = memory, [], 0

    def rows(self, frame: pd.DataFrame) -> int:
        n = self._size(frame)
        self.chunks += budget.n_chunks(len(frame), n)
        return n

    def parts(self, frame: pd.DataFrame) -> list[slice]:
        """Row slices of ``frame`` (sorted by customer) of whole customers, each within :meth:`rows`'s size."""
        parts = rankers.customer_parts(frame[c.CUSTOMER_ID].to_numpy(), self._size(frame))
        self.chunks += len(parts)
        return parts

    def _size(self, frame: pd.DataFrame) -> int:
        n = budget.scoring_rows(self.memory, len(frame), frame[c.CUSTOMER_ID].nunique(), len(frame.columns))
        self.sizes.append(n)
        return n

    def metadata(self) -> dict:
        return {"scoring_chunk_rows": min(self.sizes, default=0), "scoring_chunks": self.chunks}


def _joined_scores(scores: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """One frame with ``score_<m>`` per model, keyed by (customer, article)."""
    joined = None
    for m, frame in scores.items():
        frame = frame.rename(columns={c.SCORE: blending.score_column(m)})
        joined = frame if joined is None else joined.merge(frame, on=[c.CUSTOMER_ID, c.ARTICLE_ID], how="inner", validate="one_to_one")
    return joined
