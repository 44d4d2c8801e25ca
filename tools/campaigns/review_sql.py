"""The review's two reads: who was sent and who was held out (state database), and what
they bought (member database).

The recipients live in one database and the purchases in another, so the members are
carried across as a relation of (member, group, window start, window end) and joined to
the transactions in one query: DuckDB scans a registered DataFrame, PostgreSQL unnests
arrays bound as parameters. Binding 100 k ids in an IN list would be slower on both and
hit PostgreSQL's limit of 65,535 parameters.
"""

from __future__ import annotations

import contextlib
import itertools
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

import pandas as pd
from sqlalchemy import Connection, text

from copilot.state.db import StateStore

SENT, HOLDOUT = "sent", "holdout"
_views = itertools.count()

# One row per member: "sent" if they were chosen to receive it on any channel, else
# "holdout". Chosen means every row the preview kept for sending, whatever happened at
# send time (sent, failed, or skipped then: attempts > 0): the holdout was drawn from the
# same members, so dropping those who later opted out or failed from one side only would
# bias the comparison. Their window starts at their own send, or at the campaign's first
# send when nothing went out. A member held out on one channel but chosen on another did
# get the message, so is not part of the comparison group.
_RECIPIENTS = text("""
    SELECT member_id,
           MAX(CASE WHEN state <> 'holdout' THEN 1 ELSE 0 END) AS sent,
           MIN(CASE WHEN state = 'sent' THEN sent_at END) AS sent_at,
           SUM(CASE WHEN state = 'sent' AND channel = 'sms' THEN 1 ELSE 0 END) AS sms
    FROM campaign_recipients
    WHERE campaign_id = :c AND (state IN ('sent', 'holdout', 'failed', 'pending', 'claimed')
                                OR (state = 'skipped' AND attempts > 0))
    GROUP BY member_id
""")

_STATES = text("SELECT state, COUNT(DISTINCT member_id) FROM campaign_recipients "
               "WHERE campaign_id = :c GROUP BY state")


@dataclass(frozen=True)
class Recipients:
    """The campaign's members as the review needs them."""

    frame: pd.DataFrame  # member_id, grp (sent|holdout), sent_at (NaT for holdout)
    sms_sent: int  # SMS messages that went out (billed)
    states: dict[str, int]  # members per recipient state, for the counts line

    def sent_times(self) -> pd.Series:
        return self.frame.loc[self.frame["grp"] == SENT, "sent_at"].dropna()


def read_recipients(state: StateStore, campaign_id: str, fallback: datetime | None
                    ) -> Recipients:
    """Sent and held-out members of the campaign; a sent row without a time (written
    before times were kept) counts from `fallback`, the campaign's send time."""
    with state.begin() as conn:
        rows = conn.execute(_RECIPIENTS, {"c": campaign_id}).all()
        states = {s: int(n) for s, n in conn.execute(_STATES, {"c": campaign_id}).all()}
    # Plain tuples: pandas probes every SQLAlchemy Row for attributes, 10x slower.
    frame = pd.DataFrame([tuple(r) for r in rows], columns=["member_id", "sent", "sent_at", "sms"])
    # SQLite hands timestamps back as text, PostgreSQL as datetimes: one parse for both.
    frame["sent_at"] = pd.to_datetime(frame["sent_at"], format="mixed")
    frame["grp"] = [SENT if s else HOLDOUT for s in frame["sent"]]
    sent = frame["grp"] == SENT
    if fallback is not None:
        frame.loc[sent & frame["sent_at"].isna(), "sent_at"] = pd.Timestamp(fallback)
    sms = int(frame["sms"].sum()) if len(frame) else 0
    return Recipients(frame[["member_id", "grp", "sent_at"]], sms, states)


@dataclass(frozen=True)
class Figures:
    """One group's purchases in its window and in the same members' earlier window."""

    members: int = 0
    buyers: int = 0
    orders: int = 0
    revenue: Decimal = Decimal(0)
    base_buyers: int = 0  # bought in the baseline window before the campaign


# Per member: purchases (amount > 0, so a refund is not a purchase) and net sales inside
# their own window, and purchases in the baseline window; then summed per group.
_FIGURES = """
WITH per AS (
    SELECT r.member_id, r.grp,
           SUM(CASE WHEN t.ts >= r.start_ts AND t.ts < r.end_ts AND t.amount > 0
                    THEN 1 ELSE 0 END) AS n_in,
           SUM(CASE WHEN t.ts >= r.start_ts AND t.ts < r.end_ts
                    THEN t.amount ELSE 0 END) AS rev_in,
           SUM(CASE WHEN t.ts >= :base_start AND t.ts < :base_end AND t.amount > 0
                    THEN 1 ELSE 0 END) AS n_base
    FROM {relation}
    LEFT JOIN transactions t
           ON t.member_id = r.member_id AND t.ts >= :lo AND t.ts < :hi
    GROUP BY r.member_id, r.grp
)
SELECT grp, COUNT(*) AS members,
       SUM(CASE WHEN n_in > 0 THEN 1 ELSE 0 END) AS buyers,
       SUM(n_in) AS orders,
       SUM(rev_in) AS revenue,
       SUM(CASE WHEN n_base > 0 THEN 1 ELSE 0 END) AS base_buyers
FROM per
GROUP BY grp
"""


def group_figures(conn: Connection, windows: pd.DataFrame, base_start: datetime,
                  base_end: datetime) -> dict[str, Figures]:
    """`windows`: member_id, grp, start_ts, end_ts (end exclusive). The baseline window
    [base_start, base_end) is the same for every member."""
    if windows.empty:
        return {}
    lo = min(base_start, windows["start_ts"].min().to_pydatetime())
    hi = max(base_end, windows["end_ts"].max().to_pydatetime())
    params: dict[str, Any] = {"base_start": base_start, "base_end": base_end, "lo": lo,
                              "hi": hi}
    with _relation(conn, windows) as (relation, extra):
        rows = conn.execute(text(_FIGURES.format(relation=relation)),
                            {**params, **extra}).all()
    return {grp: Figures(int(n), int(b or 0), int(o or 0), Decimal(str(rev or 0)),
                         int(bb or 0))
            for grp, n, b, o, rev, bb in rows}


@contextlib.contextmanager
def _relation(conn: Connection, frame: pd.DataFrame) -> Iterator[tuple[str, dict[str, Any]]]:
    """SQL naming `frame` as relation `r` in this connection, and the parameters it needs."""
    cols = frame[["member_id", "grp", "start_ts", "end_ts"]]
    if conn.dialect.name == "duckdb":
        raw: Any = conn.connection.driver_connection
        view = f"_review_{next(_views)}"
        raw.register(view, cols)
        try:
            yield f"{view} AS r", {}
        finally:
            raw.unregister(view)
        return
    yield ("unnest(CAST(:r_member AS text[]), CAST(:r_grp AS text[]), "
           "CAST(:r_start AS timestamp[]), CAST(:r_end AS timestamp[])) "
           "AS r(member_id, grp, start_ts, end_ts)",
           {"r_member": cols["member_id"].tolist(), "r_grp": cols["grp"].tolist(),
            "r_start": [t.to_pydatetime() for t in cols["start_ts"]],
            "r_end": [t.to_pydatetime() for t in cols["end_ts"]]})
