"""A small chain for the member tools, every figure checkable by hand. Today is 2026-11-25.

Stores: S001 北京朝阳大悦城店, S002 北京西单大悦城店, S003 北京三里屯太古里店 (华北),
S010 广州天河正佳店 (华南). Staff cover every role. Days since the last purchase as of
today: M01 5, M02 97, M03 never, M04 26, M05 684, M06 24, M07 85.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from copilot.data.bulk import insert_frame
from copilot.data.store import MemberStore

TODAY = date(2026, 11, 25)

STORES = pd.DataFrame(
    [("S001", "北京朝阳大悦城店", "华北", "北京"), ("S002", "北京西单大悦城店", "华北", "北京"),
     ("S003", "北京三里屯太古里店", "华北", "北京"), ("S010", "广州天河正佳店", "华南", "广州")],
    columns=["store_id", "name", "region", "city"],
).assign(opened_on=pd.NaT)

STAFF = pd.DataFrame(
    [("E01", "王芳", "S001", "staff", "华北"), ("E02", "李娜", "S001", "staff", "华北"),
     ("E03", "赵敏", "S001", "store_manager", "华北"), ("E04", "周杰", "S002", "staff", "华北"),
     ("E05", "陈静", None, "supervisor", "华北"), ("E06", "刘洋", None, "admin", None),
     ("E07", "孙悦", "S001", "trainee", "华北"), ("E08", "吴磊", None, "supervisor", "华南")],
    columns=["staff_id", "name", "store_id", "role", "region"],
)

_M = ["member_id", "name", "phone", "gender", "birthday", "joined_at", "store_id", "staff_id",
      "tier", "points", "wecom_added", "opt_out", "note"]
MEMBERS = pd.DataFrame(
    [("M01", "张三丰", "13812341234", "男", "1990-11-28", "2025-01-05 10:00", "S001", "E01",
      "金卡", 1600, True, False, "喜欢通勤款,周末有空"),
     ("M02", "李四娘", "13912345678", "女", "1988-02-29", "2025-03-01 10:00", "S001", "E02",
      "银卡", 200, False, False, None),
     ("M03", "王五", "13700001111", "女", None, "2026-11-01 10:00", "S001", "E01",
      "普卡", 0, True, False, None),
     ("M04", "赵六", "13600002222", "女", "1992-12-05", "2025-06-01 10:00", "S002", "E04",
      "金卡", 2200, True, False, None),
     ("M05", "钱七", "13500003333", "女", "1979-07-07", "2024-01-01 10:00", "S003", None,
      "钻石卡", 3000, False, False, None),
     ("M06", "孙八", "13400004444", "女", None, "2026-10-01 10:00", "S010", None,
      "普卡", 100, False, True, None),
     ("M07", "周九", "13300005555", "女", "1995-06-15", "2025-02-01 10:00", "S001", "E01",
      "金卡", 2200, True, True, None)],
    columns=_M,
)

_T = ["tx_id", "member_id", "store_id", "staff_id", "ts", "amount", "units", "channel"]
TRANSACTIONS = pd.DataFrame(
    [("T01", "M01", "S001", "E01", "2026-11-20 15:00", 500.00, 2, "store"),
     ("T02", "M01", "S001", "E01", "2026-08-01 15:00", 300.00, 1, "store"),
     ("T03", "M01", "S001", "E01", "2026-05-01 15:00", 800.00, 2, "store"),
     ("T04", "M02", "S001", "E02", "2026-08-20 12:00", 200.00, 1, "store"),
     ("T05", "M04", "S002", "E04", "2026-10-30 12:00", 1000.00, 2, "store"),
     ("T06", "M04", "S002", "E04", "2026-07-01 12:00", 1200.00, 3, "miniapp"),
     ("T07", "M05", "S003", None, "2025-01-10 12:00", 3000.00, 4, "store"),
     ("T08", "M06", "S010", None, "2026-11-01 12:00", 100.00, 1, "store"),
     ("T09", "M07", "S001", "E01", "2026-09-01 12:00", 2000.00, 3, "store"),
     ("T10", "M07", "S001", "E01", "2026-06-01 12:00", 100.00, 1, "store"),
     ("T11", "M07", "S001", "E01", "2026-03-01 12:00", 100.00, 1, "store"),
     ("T12", None, "S001", None, "2026-11-24 12:00", 80.00, 1, "store")],
    columns=_T,
)

ITEMS = pd.DataFrame(
    [("T01", 1, "SKU1", "外套", 1, 400.00), ("T01", 2, "SKU2", "连衣裙", 1, 100.00),
     ("T02", 1, "SKU2", "连衣裙", 1, 300.00), ("T03", 1, "SKU1", "外套", 2, 800.00),
     ("T04", 1, "SKU3", "鞋履", 1, 200.00), ("T05", 1, "SKU1", "外套", 2, 1000.00),
     ("T06", 1, "SKU3", "鞋履", 3, 1200.00), ("T07", 1, "SKU2", "连衣裙", 4, 3000.00),
     ("T08", 1, "SKU3", "鞋履", 1, 100.00), ("T09", 1, "SKU3", "鞋履", 3, 2000.00),
     ("T10", 1, "SKU2", "连衣裙", 1, 100.00), ("T11", 1, "SKU2", "连衣裙", 1, 100.00),
     ("T12", 1, "SKU2", "连衣裙", 1, 80.00)],
    columns=["tx_id", "line_no", "sku", "category", "qty", "amount"],
)

TAGS = pd.DataFrame(
    [("M01", "偏好", "通勤风"), ("M01", "消费", "高客单"), ("M04", "消费", "高客单"),
     ("M04", "偏好", "法式"), ("M02", "消费", "价格敏感")],
    columns=["member_id", "dimension", "tag"],
)

PRODUCTS = pd.DataFrame(
    [("SKU1", "羊毛大衣", "外套", 999.0), ("SKU2", "真丝连衣裙", "连衣裙", 599.0),
     ("SKU3", "乐福鞋", "鞋履", 499.0)],
    columns=["sku", "name", "category", "price"],
)


def load(store: MemberStore) -> None:
    members = MEMBERS.assign(joined_at=pd.to_datetime(MEMBERS["joined_at"]),
                             birthday=pd.to_datetime(MEMBERS["birthday"]))
    tx = TRANSACTIONS.assign(ts=pd.to_datetime(TRANSACTIONS["ts"]))
    with store.write(fresh=True) as conn:
        insert_frame(conn, "stores", STORES)
        insert_frame(conn, "staff", STAFF)
        insert_frame(conn, "members", members)
        insert_frame(conn, "products", PRODUCTS)
        insert_frame(conn, "transactions", tx)
        insert_frame(conn, "line_items", ITEMS)
        insert_frame(conn, "member_tags", TAGS)
