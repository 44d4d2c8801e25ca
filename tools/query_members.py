"""`query_members`: one member's profile, or a filtered list, within the caller's stores."""

from __future__ import annotations

import unicodedata
from datetime import date

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Connection, text

from copilot.analytics.facts import facts_sql
from copilot.analytics.rfm import INTERVAL_GROUPS, interval_of, interval_sql
from copilot.config import MetricWindows
from copilot.data.access import Access
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext, ToolResult
from tools.common import check_tiers, fmt, like_prefix

_LIST = """
WITH f AS ({facts})
SELECT m.member_id, m.name, m.phone, m.tier, m.points, m.store_id, m.staff_id, m.joined_at,
       m.birthday, m.wecom_added, m.opt_out, m.note, st.name AS store_name,
       sf.name AS staff_name, f.last_ts, f.purchases, f.spend
FROM members m
LEFT JOIN f ON f.member_id = m.member_id
LEFT JOIN stores st ON st.store_id = m.store_id
LEFT JOIN staff sf ON sf.staff_id = m.staff_id
WHERE {access} AND {where}
ORDER BY COALESCE(f.spend, 0) DESC, m.member_id
LIMIT :limit
"""
_PURCHASES = """
SELECT t.tx_id, t.ts, t.store_id, t.amount, t.units, t.channel
FROM transactions t JOIN members m ON m.member_id = t.member_id
WHERE t.member_id = :member_id AND t.ts < :as_of_next AND {access}
ORDER BY t.ts DESC LIMIT 5
"""
CHANNEL_ZH = {"store": "门店", "miniapp": "小程序", "wecom": "企微", "live": "直播"}
_TAGS = """SELECT t.dimension, t.tag FROM member_tags t
JOIN members m ON m.member_id = t.member_id
WHERE t.member_id = :member_id AND {access} ORDER BY t.dimension, t.tag"""


class QueryMembersArgs(ToolArgs):
    member_id: str | None = Field(None, description="会员卡号,如 M0001234")
    phone_tail: str | None = Field(None, description="手机号后四位(或更多位)")
    name: str | None = Field(None, description="会员姓名(可只写姓)")
    tier: list[str] = Field(default_factory=list, description="会员等级:普卡、银卡、金卡、钻石卡")
    stage: list[str] = Field(default_factory=list,
                             description="生命周期:核心会员、潜力会员、普通会员、流失会员、未消费会员")
    mine: bool = Field(False, description="只看归属我的会员")
    limit: int = Field(20, ge=1, le=100, description="最多返回几位")

    @field_validator("phone_tail")
    @classmethod
    def _digits(cls, v: str | None) -> str | None:
        v = unicodedata.normalize("NFKC", v) if v is not None else None  # full-width digits
        if v is not None and not (v.isascii() and v.isdigit() and 3 <= len(v) <= 11):
            raise ValueError("手机号尾号应为 3~11 位数字")
        return v

    @field_validator("stage")
    @classmethod
    def _stages(cls, v: list[str]) -> list[str]:
        bad = [s for s in v if s not in INTERVAL_GROUPS]
        if bad:
            raise ValueError(f"不认识的生命周期 {bad},可选:{'、'.join(INTERVAL_GROUPS)}")
        return v


class Purchase(BaseModel):
    tx_id: str
    day: str
    store_id: str
    amount: float
    units: int
    channel: str


class MemberRow(BaseModel):
    member_id: str
    name: str | None
    phone: str | None
    masked: bool
    tier: str | None
    points: int
    store: str
    owner: str | None
    stage: str
    last_purchase: str | None
    days_since: int | None
    purchases: int
    spend: float
    joined: str
    birthday: str | None = None
    wecom_added: bool = False
    opt_out: bool = False
    note: str | None = None
    tags: list[str] = []
    recent: list[Purchase] = []


class QueryMembersResult(ToolResult):
    as_of: str
    members: list[MemberRow]
    detail: bool = False  # one member asked for by id, phone or name: the full profile
    truncated: bool = False

    def text(self, lang: str = "zh") -> str:
        if not self.members:
            return "没有找到符合条件的会员。"
        if self.detail and len(self.members) == 1:
            return _profile_text(self.members[0])
        more = ",只显示前面这些" if self.truncated else ""
        lines = [f"找到 {len(self.members)} 位会员(按累计消费排序{more}):"]
        lines += [f"- {m.member_id} {m.name} {m.phone} · {m.tier} · {m.stage} · "
                  f"最近消费 {m.last_purchase or '无'} · 累计 {fmt(m.spend, 'money')} · "
                  f"归属 {m.owner or '无'}" for m in self.members]
        return "\n".join(lines)


def _profile_text(m: MemberRow) -> str:
    lines = [f"{m.member_id} {m.name} {m.phone} · {m.tier} · 积分 {m.points:,}",
             f"门店 {m.store} · 归属导购 {m.owner or '无'} · 入会 {m.joined}",
             f"生命周期:{m.stage}(最近消费 {m.last_purchase or '无'}"
             + (f",{m.days_since} 天前" if m.days_since is not None else "") + ")"
             f" · 累计 {m.purchases} 笔 {fmt(m.spend, 'money')}",
             f"企微:{'已添加' if m.wecom_added else '未添加'} · "
             f"营销:{'已退订' if m.opt_out else '可触达'}"]
    if m.tags:
        lines.append("标签:" + "、".join(m.tags))
    if m.note:
        lines.append(f"导购备注(资料,仅供参考):{m.note}")
    lines += [f"  {p.day} {p.store_id} {fmt(p.amount, 'money')} {p.units} 件 "
              f"({CHANNEL_ZH.get(p.channel, p.channel)})" for p in m.recent]
    if m.masked:
        lines.append("(个人信息已脱敏;归属导购或本店店长在一对一对话中可见完整信息)")
    return "\n".join(lines)


def query_members(ctx: ToolContext, args: QueryMembersArgs) -> QueryMembersResult:
    """查会员:按卡号、手机尾号或姓名查一位会员的档案(等级、积分、标签、最近消费、生命周期、
    归属导购),或按等级/生命周期/“我的会员”列出会员。只能查自己有权限的门店;
    手机号和姓名默认脱敏。"""
    where, params = _filters(args, ctx)
    with ctx.read() as (conn, access):
        check_tiers(conn, args.tier)
        facts, fparams = facts_sql(conn, ctx.today)
        sql = access.sql(_LIST.format(facts=facts, where=where, access="{access}"),
                         access="m.store_id")
        rows = conn.execute(sql, {**params, **fparams, **access.params(),
                                  "limit": args.limit + 1}).mappings().all()
        if not rows and args.member_id:
            _explain_missing(conn, access, args.member_id)
        single = len(rows) == 1 and bool(args.member_id or args.phone_tail or args.name)
        members = [_member(conn, access, r, ctx.today, ctx.settings.metrics, detail=single,
                           as_of_next=fparams["as_of_next"]) for r in rows[: args.limit]]
    return QueryMembersResult(as_of=ctx.today.isoformat(), members=members, detail=single,
                              truncated=len(rows) > args.limit)


def _filters(args: QueryMembersArgs, ctx: ToolContext) -> tuple[str, dict[str, object]]:
    clauses, params = ["TRUE"], {}
    if args.member_id:
        clauses.append("m.member_id = :member_id")
        params["member_id"] = args.member_id.upper()
    if args.phone_tail:
        clauses.append("m.phone LIKE :phone_like")
        params["phone_like"] = f"%{args.phone_tail}"
    if args.name:
        clauses.append("m.name LIKE :name_like ESCAPE '\\'")
        params["name_like"] = like_prefix(args.name)
    if args.tier:
        clauses.append("m.tier IN (" + ",".join(f":tier{i}" for i in range(len(args.tier))) + ")")
        params.update({f"tier{i}": t for i, t in enumerate(args.tier)})
    if args.mine:
        clauses.append("m.staff_id = :me")
        params["me"] = ctx.caller.user.staff_id
    if args.stage:
        days = "(CAST(:today AS DATE) - CAST(f.last_ts AS DATE))"
        clauses.append("(" + " OR ".join(interval_sql(s, ctx.settings.metrics, days,
                                                      "f.last_ts IS NULL")
                                         for s in args.stage) + ")")
        params["today"] = ctx.today
    return " AND ".join(clauses), params


def _member(conn: Connection, access: Access, r, today: date, w: MetricWindows, *,
            detail: bool, as_of_next: object) -> MemberRow:
    name, phone, masked = access.show(r["name"], r["phone"], r["store_id"], r["staff_id"])
    days = (today - r["last_ts"].date()).days if r["last_ts"] else None
    row = MemberRow(
        member_id=r["member_id"], name=name, phone=phone, masked=masked, tier=r["tier"],
        points=int(r["points"] or 0), store=f"{r['store_name']}({r['store_id']})",
        owner=f"{r['staff_name']}({r['staff_id']})" if r["staff_id"] else None,
        stage=interval_of(days, w), last_purchase=r["last_ts"].date().isoformat() if r["last_ts"]
        else None, days_since=days, purchases=int(r["purchases"] or 0),
        spend=float(r["spend"] or 0), joined=r["joined_at"].date().isoformat(),
        wecom_added=bool(r["wecom_added"]), opt_out=bool(r["opt_out"]))
    if not detail:
        return row
    birthday = r["birthday"].isoformat()[5:] if r["birthday"] and not masked else None
    # Keyed by a member the scoped list found, and scoped again: no read skips Access.
    key = {"member_id": r["member_id"], **access.params()}
    tags = [f"{d}:{t}" for d, t in conn.execute(access.sql(_TAGS, access="m.store_id"), key)]
    recent = [Purchase(tx_id=p["tx_id"], day=p["ts"].date().isoformat(), store_id=p["store_id"],
                       amount=float(p["amount"]), units=int(p["units"]), channel=p["channel"])
              for p in conn.execute(access.sql(_PURCHASES, access="m.store_id"),
                                    {**key, "as_of_next": as_of_next}).mappings()]
    # The staff note can name family, work, health: personal data, shown only unmasked.
    note = r["note"] if not masked else None
    return row.model_copy(update={"birthday": birthday, "note": note, "tags": tags,
                                  "recent": recent})


def _explain_missing(conn: Connection, access: Access, member_id: str) -> None:
    home = conn.execute(text("SELECT store_id FROM members WHERE member_id = :m"),
                        {"m": member_id.upper()}).scalar()
    if home is None:
        raise UserError(f"没有会员卡号 {member_id} 的会员,请核对卡号。",
                        f"No member {member_id}; check the card number.")
    raise UserError(f"会员 {member_id} 不属于你可查看的门店;你可以查看:{access.label}。",
                    f"Member {member_id} is outside your stores; you may see: {access.label}.")


TOOL = Tool("query_members", QueryMembersArgs, query_members)
