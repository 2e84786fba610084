"""Training and scoring speed of the torch DNN ranker on a candidate-shaped synthetic frame.

    python benchmarks/bench_dnn.py --rows 1000000 --numeric 40 --epochs 2

The frame looks like ``training_set``: ~50 candidates per customer, a few categorical article
attributes, hashed ``article_id`` and ``customer_id``, float32 numeric features with NaNs, a
label that depends on some of them. Prints seconds per epoch, rows/s, scoring rows/s and peak RSS.
"""

import argparse
import dataclasses
import resource
import time

import numpy as np
import pandas as pd

from hm_assets.recsys import dnn


def candidate_frame(rows: int, n_numeric: int, n_categorical: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    data = {
        "customer_id": np.sort(rng.integers(0, max(rows // 50, 1), rows)).astype(np.int32),
        "article_id": rng.integers(100_000_000, 100_105_542, rows).astype(np.int32),
    }
    for j in range(n_categorical):
        data[f"a_cat{j}"] = rng.integers(0, 20 * (j + 1), rows).astype(np.int16)
    for j in range(n_numeric):
        values = rng.lognormal(size=rows).astype(np.float32)
        values[rng.random(rows) < 0.2] = np.nan
        data[f"f{j}"] = values
    frame = pd.DataFrame(data)
    signal = np.nan_to_num(frame["f0"].to_numpy()) + (frame["a_cat0"].to_numpy() % 7 == 0)
    frame["label"] = (signal + rng.normal(size=rows) > 3.5).astype(np.int8)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--numeric", type=int, default=40)
    parser.add_argument("--categorical", type=int, default=6)
    parser.add_argument("--epochs", type=int, default=2)
    parser.add_argument("--threads", type=int, default=1)
    args = parser.parse_args()

    frame = candidate_frame(args.rows, args.numeric, args.categorical, seed=0)
    categorical = [col for col in frame if col.startswith("a_cat")]
    numeric = [col for col in frame if col.startswith("f")]
    config = dataclasses.replace(dnn.DNNConfig(), epochs=args.epochs, threads=args.threads)
    print(f"{len(frame):,} rows, {frame['customer_id'].nunique():,} customers, "
          f"{len(categorical)} categorical + 2 hashed + {len(numeric)} numeric, positives {frame['label'].mean():.3f}")

    start = time.perf_counter()
    model, info = dnn.train_dnn(frame, None, label="label", categorical=categorical, numeric=numeric,
                                hashed=["article_id", "customer_id"], config=config)
    train_s = time.perf_counter() - start
    start = time.perf_counter()
    scores = dnn.predict_dnn(model, frame, threads=args.threads)
    predict_s = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    print(f"train: {train_s:.1f} s for {args.epochs} epochs ({train_s / args.epochs:.1f} s/epoch, "
          f"{args.rows * args.epochs / train_s:,.0f} rows/s incl. encoding), device {info['device']}")
    print(f"predict: {predict_s:.1f} s ({len(scores) / predict_s:,.0f} rows/s)")
    print(f"peak RSS: {peak:.2f} GiB")


if __name__ == "__main__":
    main()
