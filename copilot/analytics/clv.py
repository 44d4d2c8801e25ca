"""Per-member inputs for CLV models, with the exact semantics of lifetimes'
`summary_data_from_transaction_data` (daily periods, `freq='D'`):

- frequency: number of distinct purchase days after the first one (repeat periods);
- recency: days between the first and the last purchase day;
- T: days between the first purchase day and the observation end;
- monetary_value: mean of the per-day spend over the repeat days (0 when there are none).
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import pandas as pd
from sqlalchemy import Connection

from copilot.analytics.scope import Scope
from copilot.data.bulk import read_frame

_SQL = """
WITH days AS (
    SELECT t.member_id, CAST(t.ts AS DATE) AS d, SUM(t.amount) AS spend
    FROM transactions t JOIN members m ON m.member_id = t.member_id
    WHERE {member_scope} AND t.ts < :end_next
    GROUP BY t.member_id, CAST(t.ts AS DATE)
), marked AS (
    SELECT member_id, d, spend, MIN(d) OVER (PARTITION BY member_id) AS first_d FROM days
)
SELECT member_id,
       COUNT(*) - 1 AS frequency,
       MAX(d) - MIN(d) AS recency,
       CAST(:as_of AS DATE) - MIN(d) AS t_days,
       COALESCE(SUM(CASE WHEN d > first_d THEN spend END), 0) AS repeat_spend
FROM marked GROUP BY member_id ORDER BY member_id
"""


def clv_summary(conn: Connection, scope: Scope, as_of: date) -> pd.DataFrame:
    params = {**scope.params(), "as_of": as_of,
              "end_next": datetime.combine(as_of + timedelta(days=1), time.min)}
    df = read_frame(conn, scope.sql(_SQL, member_scope="m.store_id"), params)
    out = pd.DataFrame({"member_id": df["member_id"]})
    out["frequency"] = df["frequency"].astype("float64")
    out["recency"] = df["recency"].astype("float64")
    out["T"] = df["t_days"].astype("float64")
    repeat = df["repeat_spend"].astype("float64")
    out["monetary_value"] = (repeat / out["frequency"]).where(out["frequency"] > 0, 0.0)
    return out
