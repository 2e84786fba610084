import numpy as np

from hm_assets.recsys import keys


def test_pair_key_round_trips_and_sorts_by_customer_then_article():
    customers = np.array([2, 0, 1_371_979, 0], dtype=np.int32)
    articles = np.array([108775015, 959461001, 108775044, 108775015], dtype=np.int32)
    k = keys.pair_key(customers, articles)
    assert k.dtype == np.int64
    assert k[1] == 959461001 and k[0] == (2 << 31) + 108775015
    c_back, a_back = keys.split_pair_key(k)
    assert c_back.tolist() == customers.tolist() and a_back.tolist() == articles.tolist()
    assert np.argsort(k).tolist() == [3, 1, 0, 2]


def test_day_key_round_trips():
    k = keys.day_key(np.array([5, 7]), np.array([0, 733]))
    assert k.tolist() == [5 << 20, (7 << 20) + 733]
    cust, day = keys.split_day_key(k)
    assert cust.tolist() == [5, 7] and day.tolist() == [0, 733]


def test_group_key_sorts_by_customer_then_group_code():
    k = keys.group_key(np.array([1, 0, 1], np.int32), np.array([0, 2**32 - 1, 5], np.int64))
    assert k.tolist() == [1 << 32, 2**32 - 1, (1 << 32) + 5]
    assert np.argsort(k).tolist() == [1, 0, 2]
