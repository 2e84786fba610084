"""Write the three files exactly as Kaggle ships them.

- ``articles.csv``: ``article_id`` as 10 digits (``0108775015``) and ``product_code`` as 7
  (``0108775``), text quoted only where it holds a comma or quote, empty ``detail_desc`` empty.
- ``customers.csv``: ``FN``/``Active`` as ``1.0`` or empty, ``age`` as ``49.0`` or empty.
- ``transactions_train.csv``: ``t_dat,customer_id,article_id,price,sales_channel_id`` with
  the article id as 10 digits and the price printed with 16 decimals. Rows are fixed-width, so
  a whole day is formatted as one numpy byte array (no Python object per row).
"""

import os

import numpy as np
import pandas as pd

from hm_assets import schemas

DIGITS = 16  # decimals printed for prices
_ZERO = ord("0")


def write_articles(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    out = frame.copy()
    out["article_id"] = out["article_id"].map("{:010d}".format)
    out["product_code"] = out["product_code"].map("{:07d}".format)
    out = out[list(schemas.ARTICLES_CSV.names)]
    out.to_csv(path, index=False, lineterminator="\n")


def write_customers(frame: pd.DataFrame, path: str | os.PathLike) -> None:
    frame[list(schemas.CUSTOMERS_CSV.names)].to_csv(path, index=False, lineterminator="\n")


class TransactionWriter:
    """Append days of rows to ``transactions_train.csv`` (fixed-width, vectorized)."""

    HEADER = ",".join(schemas.TRANSACTIONS_CSV.names) + "\n"
    WIDTH = 10 + 1 + 64 + 1 + 10 + 1 + (2 + DIGITS) + 1 + 1 + 1

    def __init__(self, path: str | os.PathLike, customer_hex: np.ndarray, article_ids: np.ndarray):
        self._file = open(path, "wb")
        self._file.write(self.HEADER.encode())
        self._hex = customer_hex  # (n_customers, 64) uint8
        ids = np.asarray(article_ids, dtype=np.int64)
        self._article = np.char.zfill(ids.astype("U10"), 10).astype("S10").view(np.uint8).reshape(len(ids), 10)
        self.rows = 0

    def write(self, day: np.datetime64, customer: np.ndarray, article: np.ndarray, price: np.ndarray,
              channel: np.ndarray) -> None:
        n = len(customer)
        if not n:
            return
        if price.max() >= 1.0 or price.min() < 0.0:
            raise ValueError("prices must lie in [0, 1) to be printed as 0.dddd")
        buf = np.empty((n, self.WIDTH), dtype=np.uint8)
        buf[:, 0:10] = np.frombuffer(str(day).encode(), dtype=np.uint8)
        buf[:, 10] = buf[:, 75] = buf[:, 86] = buf[:, 105] = ord(",")
        buf[:, 11:75] = self._hex[customer]
        buf[:, 76:86] = self._article[article]
        buf[:, 87] = _ZERO
        buf[:, 88] = ord(".")
        fraction = np.rint(price * 10.0**DIGITS).astype(np.int64)
        for k in range(DIGITS - 1, -1, -1):
            buf[:, 89 + k] = _ZERO + fraction % 10
            fraction //= 10
        buf[:, 106] = _ZERO + channel
        buf[:, 107] = ord("\n")
        self._file.write(buf.tobytes())
        self.rows += n

    def close(self) -> None:
        self._file.close()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()
