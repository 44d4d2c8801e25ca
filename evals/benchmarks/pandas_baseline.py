"""The peer we compare with: RFM + the four rates written plainly in pandas."""

from __future__ import annotations

import numpy as np
import pandas as pd

from copilot.analytics.period import Period
from copilot.config import MetricWindows


def _score(values: pd.Series, ascending: bool) -> pd.Series:
    ranks = values.rank(method="min", ascending=ascending)
    return 1 + np.floor(5 * (ranks - 1) / len(values))


def pandas_rfm_and_rates(
    tx: pd.DataFrame, members: pd.DataFrame, period: Period, windows: MetricWindows
) -> dict[str, object]:
    end_next = pd.Timestamp(period.end_next)
    start = pd.Timestamp(period.start_ts)
    mtx = tx[tx["member_id"].notna() & (tx["ts"] < end_next)]
    per = mtx.groupby("member_id").agg(first=("ts", "min"), last=("ts", "max"),
                                       n=("ts", "size"), spend=("amount", "sum"))
    recency = (pd.Timestamp(period.end) - per["last"].dt.normalize()).dt.days
    r = _score(recency, ascending=False)
    f = _score(per["n"], ascending=True)
    m = _score(per["spend"].astype("float64"), ascending=True)
    high = windows.rfm_high_score
    classes = ((r >= high).astype(int) * 4 + (f >= high) * 2 + (m >= high)).value_counts()

    in_period = mtx[mtx["ts"] >= start].groupby("member_id").size()
    joined = members[members["joined_at"] < end_next].set_index("member_id")
    new = joined[joined["joined_at"] >= start]
    first_day = per["first"].dt.normalize().reindex(new.index)
    converted = ((first_day - new["joined_at"].dt.normalize()).dt.days
                 <= windows.conversion_days).sum()
    return {
        "classes": classes.to_dict(),
        "active": len(in_period),
        "repurchase_rate": float((in_period >= 2).mean()),
        "churn_rate": float((recency > windows.churn_days).mean()),
        "conversion_rate": float(converted / max(len(new), 1)),
        "new_member_share": float(len(new) / max(len(joined), 1)),
    }
