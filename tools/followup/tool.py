"""`followup_list`: "今天我该联系谁" — the members due for a contact today, and why.

One query finds the candidates (last purchase exactly N days ago, a birthday coming up, or
close to the next tier on 365-day spend) among the members of one staff member or one
store, inside the caller's access; Python then decides each member's reasons with the same
rules (so SQL only narrows, never decides), drops marketing reasons for opted-out members,
and orders by value.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Literal

from pydantic import BaseModel, Field
from sqlalchemy import Connection, RowMapping, TextClause, bindparam

from copilot.analytics.facts import facts_sql
from copilot.data.access import Access
from copilot.errors import UserError
from tools.base import Citation, Tool, ToolArgs, ToolContext, ToolResult
from tools.common import Day, birthday_keys
from tools.followup import rules as R
from tools.followup.who import Target, resolve_target

ReasonKind = Literal["lifecycle", "birthday", "tier_upgrade"]
KIND_ZH: dict[str, str] = {"lifecycle": "生命周期节点", "birthday": "生日",
                           "tier_upgrade": "临近升级"}
FUTURE_DAYS = 366  # a list further ahead than this is a typo, not a plan

_CANDIDATES = """
WITH f AS ({facts}),
y AS (
    SELECT t.member_id, SUM(t.amount) AS spend365
    FROM transactions t
    WHERE t.ts >= :year_start AND t.ts < :as_of_next AND t.member_id IN (
        SELECT m.member_id FROM members m WHERE {access} AND {who})
    GROUP BY t.member_id
)
SELECT m.member_id, m.name, m.phone, m.tier, m.store_id, m.staff_id, m.birthday,
       m.wecom_added, m.opt_out, sf.name AS staff_name, f.last_ts, f.spend, y.spend365
FROM members m
LEFT JOIN f ON f.member_id = m.member_id
LEFT JOIN y ON y.member_id = m.member_id
LEFT JOIN staff sf ON sf.staff_id = m.staff_id
WHERE {access} AND {who} AND m.joined_at < :as_of_next AND ({due})
ORDER BY COALESCE(f.spend, 0) DESC, m.member_id
"""
_OWNED = "SELECT COUNT(*) FROM members m WHERE {access} AND {who} AND m.joined_at < :as_of_next"


class FollowupArgs(ToolArgs):
    staff: str | None = Field(None, description="员工编号(或姓名);留空为我自己的名单")
    store: str | None = Field(None, description="看整家门店的名单:名称、简称或编号,如 朝阳店、S001")
    day: Day | None = Field(None, description="哪一天的名单 YYYY-MM-DD;留空为今天")
    limit: int = Field(30, ge=1, le=200, description="最多列出几位")
    reasons: list[ReasonKind] = Field(
        default_factory=list,
        description="只看某些原因:lifecycle 消费后第1/7/15/30/45/60/90/120天节点、"
                    "birthday 近期生日、tier_upgrade 临近升级;留空为全部")


class Reason(BaseModel):
    kind: ReasonKind
    text: str  # "上次消费在 7 天前(2026-11-18)"
    action: str
    citation: Citation


class FollowupItem(BaseModel):
    member_id: str
    name: str | None
    phone: str | None
    masked: bool
    tier: str | None
    reasons: list[Reason]
    value: float  # total spend as of the day: what the list is ordered by
    last_purchase: str | None
    wecom_added: bool
    channel: str  # 企微 when added on WeCom, else 电话
    owner: str | None = None  # owning staff, "李强(E2)"; who makes the contact
    opt_out: bool = False


class FollowupResult(ToolResult):
    day: str
    target: str
    counts: dict[str, int]  # members per reason kind, over the whole list before the cut
    total: int
    cut: int = 0
    items: list[FollowupItem] = Field(default_factory=list)
    owned: int | None = None  # members the target has, told when the list is empty
    opt_out_note: str = ""
    whole_store: bool = False  # a store's list: each line says whose member it is

    def text(self, lang: str = "zh") -> str:
        if not self.items:
            if self.owned == 0:
                return f"{self.target}:目前没有会员,{self.day} 没有需要跟进的人。"
            return (f"{self.day} {self.target}里没有需要跟进的会员:没有人正好到消费后的服务节点、"
                    "近期过生日或临近升级。可以翻翻沉睡会员名单,或在社群里做一次互动。")
        counts = "、".join(f"{KIND_ZH[k]} {n}" for k, n in self.counts.items() if n)
        lines = [f"{self.day} 跟进名单 · {self.target}:共 {self.total} 位({counts}),"
                 "按累计消费从高到低:"]
        for i, m in enumerate(self.items, 1):
            lines.append(f"{i}. {m.member_id} {m.name or ''} {m.phone or ''} · {m.tier or '无等级'}"
                         f" · 累计 {R.money(m.value)} · 建议{m.channel}联系"
                         + (f" · 归属 {m.owner or '无(店长分配)'}" if self.whole_store else "")
                         + (f" · {self.opt_out_note}" if m.opt_out else ""))
            lines += [f"   - {r.text} → {r.action}〔{r.citation.title} · {r.citation.section}〕"
                      for r in m.reasons]
        if self.cut:
            lines.append(f"(另有 {self.cut} 位未列出,可调大 limit 或按原因筛选)")
        if any(m.masked for m in self.items):
            lines.append("(个人信息已脱敏;归属导购或本店店长在一对一对话中可见完整信息)")
        return "\n".join(lines)

    def citations(self) -> list[Citation]:
        return Citation.unique(r.citation for m in self.items for r in m.reasons)


def followup_list(ctx: ToolContext, args: FollowupArgs) -> FollowupResult:
    """今天我该联系谁:列出某位导购名下(默认是我自己)或某家门店今天该跟进的会员和原因——
    消费后第 1/7/15/30/45/60/90/120 天的服务节点(售后关怀、回访、引导二次消费、邀约回店)、
    7 天内过生日、近365天消费差一点升到下一等级;每条附建议动作和出处手册,按累计消费排序。
    参数:staff 员工编号(店长可看本店任一员工)、store 整家门店(店长及以上)、day 日期
    (默认今天)、limit 最多几位、reasons 只看某些原因。已退订营销的会员只列售后关怀。
    例:“今天我该联系谁?” → {};“朝阳店明天有哪些会员过生日?” → store="朝阳店",
    day="YYYY-MM-DD"(明天的日期), reasons=["birthday"];“小李今天要跟进谁?”(店长问)
    → staff="小李的员工编号或姓名"。"""
    day = args.day or ctx.today
    if day > ctx.today + timedelta(days=FUTURE_DAYS):
        raise UserError(f"日期 {day} 太远了,最多只能看到 {FUTURE_DAYS} 天以后的名单。",
                        f"{day} is too far ahead; at most {FUTURE_DAYS} days from today.")
    kinds: list[ReasonKind] = list(dict.fromkeys(args.reasons)) or [
        "lifecycle", "birthday", "tier_upgrade"]
    with ctx.read() as (conn, access):
        target = resolve_target(conn, access, args.staff, args.store)
        rows, owned = _candidates(conn, access, ctx, target, day, kinds)
    rules = R.load_rules()
    items = [it for it in (_item(r, access, ctx, day, kinds) for r in rows) if it.reasons]
    counts = {k: sum(any(r.kind == k for r in it.reasons) for it in items) for k in kinds}
    return FollowupResult(day=day.isoformat(), target=target.label, counts=counts,
                          total=len(items), cut=max(0, len(items) - args.limit),
                          items=items[: args.limit], owned=owned if not items else None,
                          opt_out_note=rules.opt_out_note, whole_store=target.staff_id is None)


def _candidates(conn: Connection, access: Access, ctx: ToolContext, target: Target, day: date,
                kinds: list[ReasonKind]) -> tuple[list[RowMapping], int | None]:
    """Members who may be due (a superset; `_item` decides), and, if none, how many the
    target has at all (so an empty list can say why)."""
    facts, params = facts_sql(conn, day)
    who, who_params = target.where()
    rules = ctx.settings.followup
    due: list[str] = []
    params.update(who_params, **access.params(), day=day,
                  year_start=datetime.combine(day - timedelta(days=364), time.min))
    if "lifecycle" in kinds:
        due.append("(f.last_ts IS NOT NULL AND "
                   "CAST(:day AS DATE) - CAST(f.last_ts AS DATE) IN :life_days)")
        params["life_days"] = list(rules.days)
    if "birthday" in kinds:
        due.append("(m.birthday IS NOT NULL AND (EXTRACT(MONTH FROM m.birthday) * 100 "
                   "+ EXTRACT(DAY FROM m.birthday)) IN :bdays)")
        params["bdays"] = birthday_keys(day, rules.birthday_days)
    if "tier_upgrade" in kinds:
        for i, band in enumerate(R.tier_bands(ctx.settings.tier_thresholds,
                                              rules.tier_near_share)):
            due.append(f"(m.opt_out = FALSE AND COALESCE(y.spend365, 0) >= :tier_low{i} "
                       f"AND COALESCE(y.spend365, 0) < :tier_high{i})")
            params.update({f"tier_low{i}": band.low, f"tier_high{i}": band.threshold})
    sql = _CANDIDATES.format(facts=facts, who=who, due=" OR ".join(due) or "FALSE",
                             access="{access}")
    clause = access.sql(sql, access="m.store_id")
    clause = _expanding(clause, [k for k in ("life_days", "bdays") if k in params])
    rows = conn.execute(clause, params).mappings().all()
    if rows:
        return list(rows), None
    count = access.sql(_OWNED.format(who=who, access="{access}"), access="m.store_id")
    return [], int(conn.execute(count, params).scalar() or 0)


def _expanding(clause: TextClause, names: list[str]) -> TextClause:
    return clause.bindparams(*(bindparam(n, expanding=True) for n in names)) if names else clause


def _item(r: RowMapping, access: Access, ctx: ToolContext, day: date,
          kinds: list[ReasonKind]) -> FollowupItem:
    last = r["last_ts"].date() if r["last_ts"] else None
    reasons = _reasons(r, ctx, day, kinds, last)
    name, phone, masked = access.show(r["name"], r["phone"], r["store_id"], r["staff_id"])
    return FollowupItem(member_id=r["member_id"], name=name, phone=phone, masked=masked,
                        tier=r["tier"], reasons=reasons, value=float(r["spend"] or 0),
                        last_purchase=last.isoformat() if last else None,
                        wecom_added=bool(r["wecom_added"]),
                        channel="企微" if r["wecom_added"] else "电话", opt_out=bool(r["opt_out"]),
                        owner=f"{r['staff_name']}({r['staff_id']})" if r["staff_id"] else None)


def _reasons(r: RowMapping, ctx: ToolContext, day: date, kinds: list[ReasonKind],
             last: date | None) -> list[Reason]:
    """Every reason the member is due, in a fixed order; opted-out members keep only
    service contacts (after-sales care), never a marketing action."""
    rules, cfg = R.load_rules(), ctx.settings.followup
    out: list[tuple[R.Rule, Reason]] = []
    since = (day - last).days if last is not None else None
    if "lifecycle" in kinds and since is not None and since in cfg.days:
        b = rules.bucket(since)
        out.append((b, Reason(kind="lifecycle", action=b.action, citation=R.citation(b),
                              text=rules.lifecycle.text.format(days=since, last=last))))
    ahead = R.birthday_in(day, r["birthday"], cfg.birthday_days)
    if "birthday" in kinds and ahead is not None:
        b = rules.birthday
        md = f"{r['birthday'].month:02d}-{r['birthday'].day:02d}"
        out.append((b, Reason(kind="birthday", action=b.action, citation=R.citation(b),
                              text=b.text.format(when=R.when_words(ahead), md=md))))
    spend365, thresholds = float(r["spend365"] or 0), ctx.settings.tier_thresholds
    band = R.near_tier(spend365, R.tier_bands(thresholds, cfg.tier_near_share))
    if "tier_upgrade" in kinds and band is not None:
        t = rules.tier_upgrade
        keep = R.tier_rank(r["tier"], thresholds) >= R.tier_rank(band.tier, thresholds)
        words = (t.keep_text if keep else t.text).format(
            gap=R.money(R.gap_to(band, spend365)), tier=band.tier, spend=R.money(spend365))
        out.append((t, Reason(kind="tier_upgrade", action=t.action, citation=R.citation(t),
                              text=words)))
    return [reason for rule, reason in out if rule.service or not r["opt_out"]]


TOOL = Tool("followup_list", FollowupArgs, followup_list)
