"""Segment specs compiled to one portable SQL statement (DuckDB and PostgreSQL alike).

`pop` is every member the caller may see, with their purchase summary as of the day asked;
RFM scores, when a spec needs them, rank that same population, so a member's class does
not depend on which other filters are set (and matches `copilot rfm` for the same stores).
Each spec becomes one `sN` CTE of member ids; overlap with saved segments is a join of two
such CTEs in the same statement, so nothing is copied out of the engine.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import TextClause, bindparam, text

from copilot.analytics.rfm import RFM_CLASSES, interval_sql
from copilot.analytics.rollup import SCORE_CTES
from copilot.config import MetricWindows
from tools.common import birthday_keys
from tools.segments.spec import SegmentSpec

_POP = """pop AS MATERIALIZED (
    SELECT m.member_id, m.store_id, m.tier, m.birthday, m.joined_at, m.wecom_added, m.opt_out,
           f.purchases, f.spend,
           CAST(:as_of AS DATE) - CAST(f.last_ts AS DATE) AS recency_days
    FROM members m LEFT JOIN f ON f.member_id = m.member_id
    WHERE m.store_id IN :access_stores AND m.joined_at < :as_of_next
)"""


@dataclass
class Query:
    """SQL text being built, with its parameters; list parameters bind as expanding."""

    params: dict[str, object] = field(default_factory=dict)
    lists: set[str] = field(default_factory=set)

    def bind(self, name: str, value: object) -> str:
        self.params[name] = value
        if isinstance(value, list | tuple):
            self.lists.add(name)
        return f":{name}"

    def clause(self, sql: str) -> TextClause:
        return text(sql).bindparams(*(bindparam(n, expanding=True) for n in sorted(self.lists)))


def _rfm_case(high: int) -> str:
    whens = " ".join(
        f"WHEN (r_score >= {high}) = {str(r).upper()} AND (f_score >= {high}) = {str(f).upper()}"
        f" AND (m_score >= {high}) = {str(m).upper()} THEN '{name}'"
        for (r, f, m), name in RFM_CLASSES.items())
    return f"CASE WHEN purchases IS NULL THEN NULL {whens} END"


def ctes(facts: str, specs: list[tuple[SegmentSpec, tuple[str, ...]]], q: Query,
         windows: MetricWindows, as_of: date, *, live: bool) -> str:
    """`WITH f, pop[, scored], s0, s1 …`: one member-id CTE per (spec, its store ids)."""
    needs_rfm = any(spec.rfm_classes for spec, _ in specs)
    parts = [f"f AS ({facts})", _POP]
    source = "pop"
    if needs_rfm:
        parts.append(SCORE_CTES.replace("{source}", "pop"))
        parts.append(f"classed AS (SELECT scored.*, {_rfm_case(windows.rfm_high_score)} "
                     "AS rfm_class FROM scored)")
        source = "classed"
    for i, (spec, stores) in enumerate(specs):
        where = " AND ".join(conditions(spec, stores, q, f"s{i}_", windows, as_of, live))
        parts.append(f"s{i} AS MATERIALIZED (SELECT p.member_id, p.store_id, p.tier, p.spend, "
                     f"p.recency_days FROM {source} p WHERE {where})")
    return "WITH " + ",\n".join(parts)


def conditions(spec: SegmentSpec, stores: tuple[str, ...], q: Query, pre: str,
               w: MetricWindows, as_of: date, live: bool) -> list[str]:
    out = ["TRUE"]
    if stores:
        out.append(f"p.store_id IN {q.bind(pre + 'stores', list(stores))}")
    if spec.tiers:
        out.append(f"p.tier IN {q.bind(pre + 'tiers', spec.tiers)}")
    if spec.rfm_classes:
        out.append(f"p.rfm_class IN {q.bind(pre + 'rfm', spec.rfm_classes)}")
    if spec.interval_groups:
        out.append("(" + " OR ".join(interval_sql(g, w, "p.recency_days", "p.purchases IS NULL")
                                     for g in spec.interval_groups) + ")")
    # Days since the last purchase only exist for members who bought; purchase counts and
    # spend of members who never bought are 0, so "fewer than 2 purchases" includes them.
    for col, name, low, high in (
            ("p.recency_days", "recency", spec.days_since_min, spec.days_since_max),
            ("COALESCE(p.purchases, 0)", "purchases", spec.purchases_min, spec.purchases_max),
            ("COALESCE(p.spend, 0)", "spend", spec.spend_min, spec.spend_max)):
        name = pre + name
        if low is not None:
            out.append(f"{col} >= {q.bind(name + '_min', low)}")
        if high is not None:
            out.append(f"{col} <= {q.bind(name + '_max', high)}")
    out += _member_fields(spec, q, pre, as_of)
    out += _exists(spec, q, pre, live)
    if not spec.include_opted_out:
        out.append("p.opt_out = FALSE")
    return out


def _member_fields(spec: SegmentSpec, q: Query, pre: str, as_of: date) -> list[str]:
    out = []
    if spec.birthday_month:
        month = q.bind(pre + "bmonth", spec.birthday_month)
        out.append(f"EXTRACT(MONTH FROM p.birthday) = {month}")
    if spec.birthday_within_days is not None:
        days = birthday_keys(as_of, spec.birthday_within_days)
        out.append("(EXTRACT(MONTH FROM p.birthday) * 100 + EXTRACT(DAY FROM p.birthday)) IN "
                   + q.bind(pre + "bdays", days))
    if spec.joined_after:
        out.append(f"p.joined_at >= {q.bind(pre + 'joined_after', spec.joined_after)}")
    if spec.joined_before:
        before = q.bind(pre + "joined_before", spec.joined_before + timedelta(days=1))
        out.append(f"p.joined_at < {before}")
    if spec.wecom_added is not None:
        out.append(f"p.wecom_added = {'TRUE' if spec.wecom_added else 'FALSE'}")
    return out


def _exists(spec: SegmentSpec, q: Query, pre: str, live: bool) -> list[str]:
    out = []
    tag = "SELECT 1 FROM member_tags t WHERE t.member_id = p.member_id AND t.tag IN "
    if spec.tags_any:
        out.append(f"EXISTS ({tag}{q.bind(pre + 'tags_any', spec.tags_any)})")
    if spec.tags_none:
        out.append(f"NOT EXISTS ({tag}{q.bind(pre + 'tags_none', spec.tags_none)})")
    if spec.tags_all:
        wanted = sorted(set(spec.tags_all))
        out.append("(SELECT COUNT(DISTINCT t.tag) FROM member_tags t WHERE t.member_id = "
                   f"p.member_id AND t.tag IN {q.bind(pre + 'tags_all', wanted)}) = {len(wanted)}")
    if spec.categories:
        cats = q.bind(pre + "cats", spec.categories)
        # The derived table holds all purchases; a day before the data's end reads the lines.
        out.append(
            "EXISTS (SELECT 1 FROM line_items li JOIN transactions tx ON tx.tx_id = li.tx_id "
            f"WHERE tx.member_id = p.member_id AND li.category IN {cats} "
            "AND tx.ts < :as_of_next)" if live else
            "EXISTS (SELECT 1 FROM member_categories c WHERE c.member_id = p.member_id "
            f"AND c.category IN {cats})")
    return out
