"""A tiny chain whose every metric is worked out by hand in the tests' comments.

Stores S1, S2 in region 华东, S3 in 华南. The period under test is March 2024. Line items,
tags and a note feed the member profile (tests/data/test_derived.py); no metric reads them.
"""

from __future__ import annotations

import pandas as pd

from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore

STORES = pd.DataFrame(
    [("S1", "静安店", "华东", "上海", None), ("S2", "徐汇店", "华东", "上海", None),
     ("S3", "天河店", "华南", "广州", None)],
    columns=["store_id", "name", "region", "city", "opened_on"],
)

_M = ["member_id", "name", "phone", "gender", "birthday", "joined_at", "store_id", "staff_id",
      "tier", "points", "wecom_added", "opt_out", "note"]


def _member(
    member_id: str, joined_at: str, store_id: str, tier: str, note: str | None = None
) -> tuple:
    phone = f"138000000{member_id[1:]:>02}"
    return (member_id, "会员" + member_id, phone, "女", None, joined_at, store_id, None, tier,
            0, True, False, note)


MEMBERS = pd.DataFrame(
    [
        _member("M1", "2024-01-01 10:00", "S1", "金卡", "周末一般有空,喜欢真丝面料"),
        _member("M2", "2024-03-10 09:00", "S1", "普卡"),
        _member("M3", "2024-03-15 12:00", "S2", "普卡"),
        _member("M4", "2024-03-20 15:00", "S1", "普卡"),
        _member("M5", "2024-04-05 11:00", "S3", "普卡"),  # joins after the period
        _member("M6", "2023-06-01 11:00", "S1", "银卡"),
        _member("M7", "2023-01-01 11:00", "S1", "银卡"),
    ],
    columns=_M,
)

_T = ["tx_id", "member_id", "store_id", "staff_id", "ts", "amount", "units", "channel"]
TRANSACTIONS = pd.DataFrame(
    [
        ("T1", "M1", "S1", None, "2024-03-01 00:00:00", 100.00, 2, "store"),  # first instant
        ("T2", "M1", "S1", None, "2024-03-01 18:00:00", 50.00, 1, "store"),  # same day, 2nd
        ("T3", "M2", "S1", None, "2024-03-31 23:59:59", 200.00, 3, "store"),  # last instant
        ("T4", "M3", "S1", None, "2024-04-01 00:00:00", 80.00, 1, "store"),  # just after
        ("T5", None, "S1", None, "2024-03-15 12:00:00", 60.00, 4, "store"),  # non-member
        ("T6", "M6", "S1", None, "2023-07-01 12:00:00", 300.00, 1, "store"),
        ("T7", "M1", "S2", None, "2024-02-29 12:00:00", 40.00, 1, "store"),  # before period
        ("T9", "M2", "S2", None, "2024-03-20 12:00:00", 70.00, 2, "miniapp"),
        ("T10", "M6", "S2", None, "2023-10-03 20:00:00", 90.00, 1, "store"),  # 180 days before
        ("T11", "M7", "S1", None, "2023-10-02 09:00:00", 30.00, 1, "store"),  # 181 days before
        ("T12", None, "S3", None, "2024-03-10 12:00:00", 20.00, 1, "store"),
    ],
    columns=_T,
)

# Lines add up to their transaction's amount and units. T9 has two 连衣裙 lines (one
# purchase of the category), T3 a line without a category, T5 is a walk-in's.
_L = ["tx_id", "line_no", "sku", "category", "qty", "amount"]
LINE_ITEMS = pd.DataFrame(
    [
        ("T1", 1, "P1", "上装", 1, 60.00), ("T1", 2, "P2", "连衣裙", 1, 40.00),
        ("T2", 1, "P1", "上装", 1, 50.00),
        ("T3", 1, "P3", "连衣裙", 1, 120.00), ("T3", 2, "P4", "配饰", 1, 50.00),
        ("T3", 3, "P5", None, 1, 30.00),
        ("T5", 1, "P1", "上装", 4, 60.00),
        ("T7", 1, "P4", "配饰", 1, 40.00),
        ("T9", 1, "P3", "连衣裙", 1, 35.00), ("T9", 2, "P3", "连衣裙", 1, 35.00),
    ],
    columns=_L,
)

TAGS = pd.DataFrame(
    [("M1", "偏好", "通勤风"), ("M1", "消费", "高客单"), ("M2", "消费", "价格敏感")],
    columns=["member_id", "dimension", "tag"],
)


def load(store: MemberStore) -> None:
    members = MEMBERS.assign(joined_at=pd.to_datetime(MEMBERS["joined_at"]),
                             birthday=pd.to_datetime(MEMBERS["birthday"]))
    tx = TRANSACTIONS.assign(ts=pd.to_datetime(TRANSACTIONS["ts"]))
    with store.write(fresh=True) as conn:
        insert_frame(conn, "stores", STORES.assign(opened_on=pd.NaT))
        insert_frame(conn, "members", members)
        insert_frame(conn, "transactions", tx)
        insert_frame(conn, "line_items", LINE_ITEMS)
        insert_frame(conn, "member_tags", TAGS)
