"""Cold customers with identical candidates share one scored list: who is cold, who represents, what is copied."""

import numpy as np
import pandas as pd
import pytest

from hm_assets import columns as c
from hm_assets.recsys import sharing, strategies

PERSONAL = ("repurchase", "als")


def candidates(rows):
    """rows: (customer, article, by_repurchase, by_als, by_popular)"""
    frame = pd.DataFrame(rows, columns=[c.CUSTOMER_ID, c.ARTICLE_ID, "by_repurchase", "by_als", "by_popular"])
    return frame.astype({c.CUSTOMER_ID: np.int32, c.ARTICLE_ID: np.int32, "by_repurchase": np.int8, "by_als": np.int8, "by_popular": np.int8})


def test_registry_marks_segment_lists_as_shared():
    assert set(strategies.NAMES) - set(strategies.PERSONAL) == {"popular", "trending", "popular_age_band", "popular_postal_code"}


def test_cold_customers_have_no_personal_candidate():
    frame = candidates([(0, 10, 1, 0, 1), (0, 11, 0, 0, 1), (1, 10, 0, 0, 1), (2, 12, 0, 1, 0), (3, 10, 0, 0, 1), (3, 11, 0, 0, 1)])
    assert sharing.cold_customers(frame, PERSONAL).tolist() == [1, 3]
    # a personal strategy without a column (it proposed nothing) is ignored
    assert sharing.cold_customers(frame.drop(columns=["by_als"]), PERSONAL).tolist() == [1, 2, 3]


def test_fingerprints_follow_the_rows_not_their_order():
    frame = candidates([(0, 10, 0, 0, 1), (0, 11, 0, 0, 1), (1, 11, 0, 0, 1), (1, 10, 0, 0, 1), (2, 10, 0, 0, 1), (3, 10, 0, 0, 1), (3, 12, 0, 0, 1)])
    ids, keys = sharing.candidate_fingerprints(frame)
    assert ids.tolist() == [0, 1, 2, 3]
    assert keys[0] == keys[1]  # the same two rows, in another order
    assert len({keys[0], keys[2], keys[3]}) == 3  # a subset, and another article
    with pytest.raises(ValueError, match="sorted by customer_id"):
        sharing.candidate_fingerprints(frame.iloc[::-1])


def test_members_share_with_the_smallest_id_of_identical_rows_whatever_the_chunks():
    # cold: 0, 2, 3, 4, 5 (1 has a repurchase); 0, 2, 5 hold articles {10, 11}; 3 holds {10}; 4 holds {10, 11} with another flag
    rows = [(0, 10, 0, 0, 1), (0, 11, 0, 0, 1), (1, 10, 1, 0, 0), (1, 11, 0, 0, 1), (2, 10, 0, 0, 1), (2, 11, 0, 0, 1),
            (3, 10, 0, 0, 1), (4, 10, 0, 0, 1), (4, 11, 0, 0, 0), (5, 10, 0, 0, 1), (5, 11, 0, 0, 1)]
    frame = candidates(rows)
    whole = sharing.ColdGroups(PERSONAL).members(frame)
    assert whole[c.CUSTOMER_ID].tolist() == [0, 2, 3, 4, 5]
    assert whole[sharing.REPRESENTATIVE].tolist() == [0, 0, 3, 4, 0]
    share = sharing.ColdGroups(PERSONAL)
    chunked = pd.concat([share.members(frame[frame[c.CUSTOMER_ID] < 3]), share.members(frame[frame[c.CUSTOMER_ID] >= 3])], ignore_index=True)
    pd.testing.assert_frame_equal(chunked, whole)
    assert share.groups == 3
    with pytest.raises(ValueError, match="ascending customer order"):
        share.members(frame[frame[c.CUSTOMER_ID] == 2])


def test_rows_to_score_keep_representatives_and_warm_customers():
    frame = candidates([(0, 10, 0, 0, 1), (0, 11, 0, 0, 1), (1, 10, 1, 0, 0), (2, 10, 0, 0, 1), (2, 11, 0, 0, 1)])
    members = pd.DataFrame({c.CUSTOMER_ID: [0, 2], sharing.REPRESENTATIVE: [0, 0]}, dtype=np.int32)
    assert sharing.unscored(members).tolist() == [2]
    kept = sharing.rows_to_score(frame, sharing.unscored(members))
    assert kept[c.CUSTOMER_ID].tolist() == [0, 0, 1]
    assert sharing.rows_to_score(frame, sharing.unscored(members.iloc[:0])) is frame


def test_share_picks_copies_the_representatives_list():
    picks = pd.DataFrame({c.CUSTOMER_ID: [0, 0, 1, 2], c.ARTICLE_ID: [10, 11, 12, 99], c.RANK: [0, 1, 0, 0]})
    # customer 2 is a member of 0's group: its own (stale) picks are replaced by 0's; 3 had none
    members = pd.DataFrame({c.CUSTOMER_ID: [0, 2, 3], sharing.REPRESENTATIVE: [0, 0, 0]}, dtype=np.int32)
    out = sharing.share_picks(picks, members)
    assert list(out.itertuples(index=False, name=None)) == [(0, 10, 0), (0, 11, 1), (1, 12, 0), (2, 10, 0), (2, 11, 1), (3, 10, 0), (3, 11, 1)]
