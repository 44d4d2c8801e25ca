"""`build_segment` and the saved-segment tools: list, refresh, delete."""

from __future__ import annotations

from pydantic import BaseModel, Field
from sqlalchemy import Connection, text

from copilot.analytics.facts import facts_as_of, facts_sql
from copilot.analytics.rfm import TIER_ORDER
from copilot.data.access import Access, Caller, load_user
from copilot.data.masking import mask_name, mask_phone
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext, ToolResult
from tools.common import check_tiers, fmt
from tools.segments import saved as store
from tools.segments.compile import Query, ctes
from tools.segments.spec import SegmentSpec

SAMPLE = 10
OVERLAP_WITH = 10  # most recent saved segments of the caller


class BuildSegmentArgs(SegmentSpec):
    save_as: str | None = Field(None, min_length=1, max_length=100,
                                description="保存为分组的名称;留空只预览不保存")


class Count(BaseModel):
    key: str
    members: int


class SampleMember(BaseModel):
    member_id: str
    name: str | None
    phone: str | None
    store_id: str
    tier: str | None
    spend: float
    days_since: int | None


class Overlap(BaseModel):
    segment: str
    size: int
    overlap: int


class SegmentResult(ToolResult):
    description: str
    as_of: str
    size: int
    by_store: list[Count]
    by_tier: list[Count]
    sample: list[SampleMember]
    overlaps: list[Overlap] = Field(default_factory=list)
    saved: store.SavedSegment | None = None
    refreshed: bool = False

    def text(self, lang: str = "zh") -> str:
        head = f"分组预览({self.description};截至 {self.as_of}):共 {self.size:,} 人"
        if self.saved:
            done = "已刷新" if self.refreshed else "已保存为"
            head += f",{done}“{self.saved.name}”({self.saved.segment_id})"
        if not self.size:
            return head + "。没有会员符合这些条件,可以放宽天数、金额或等级再试。"
        lines = [head,
                 "按门店:" + "、".join(f"{c.key} {c.members:,}" for c in self.by_store[:10]),
                 "按等级:" + "、".join(f"{c.key} {c.members:,}" for c in self.by_tier)]
        lines += [f"重叠:与“{o.segment}”({o.size:,} 人)重叠 {o.overlap:,} 人"
                  for o in self.overlaps if o.overlap]
        lines.append(f"样本(累计消费最高的 {len(self.sample)} 位,已脱敏):")  # always masked
        lines += [f"  {m.member_id} {m.name} {m.phone} {m.tier} {m.store_id} "
                  f"累计 {fmt(m.spend, 'money')}"
                  + (f" · {m.days_since} 天未消费" if m.days_since is not None else "")
                  for m in self.sample]
        return "\n".join(lines)


def build_segment(ctx: ToolContext, args: BuildSegmentArgs) -> SegmentResult:
    """圈人/建分组:按等级、RFM 分类、消费间隔分组、距上次消费天数、消费笔数和金额、买过的品类、
    门店/区域、标签(任一/全部/排除)、生日月份或 N 天内生日、入会日期、是否加企微筛选会员
    (默认排除已退订)。返回人数、按门店和等级的分布、10 位脱敏样本、与已存分组的重叠;
    给 save_as 时保存为分组。例:“圈出90天没来、消费过两次以上的金卡会员” → tiers=["金卡"],
    days_since_min=90, purchases_min=2。"""
    spec = SegmentSpec.model_validate(args.model_dump(exclude={"save_as"}))
    with ctx.read() as (conn, access):
        spec = _resolve(conn, access, spec)
        mine = store.list_for(ctx.state, ctx.caller.user.staff_id, OVERLAP_WITH)
        result = preview(conn, access, ctx, spec, mine)
    if args.save_as:
        result.saved = store.save(ctx.state, ctx.caller.user.staff_id, args.save_as, spec,
                                  result.size, ctx.today)
    return result


def _resolve(conn: Connection, access: Access, spec: SegmentSpec) -> SegmentSpec:
    """Store and region names → store ids the caller may see; tiers checked against data."""
    ids: list[str] = []
    for name in spec.stores:
        ids += access.scope(conn, store=name).store_ids
    for name in spec.regions:
        ids += access.scope(conn, region=name).store_ids
    check_tiers(conn, spec.tiers)
    return spec.model_copy(update={"stores": list(dict.fromkeys(ids)), "regions": []})


def preview(conn: Connection, access: Access, ctx: ToolContext, spec: SegmentSpec,
            others: list[store.SavedSegment]) -> SegmentResult:
    facts, fparams = facts_sql(conn, ctx.today)
    cached = facts_as_of(conn)
    live = cached is None or ctx.today < cached
    specs = [(spec, tuple(spec.stores))] + [(o.spec, tuple(o.spec.stores)) for o in others]
    q = Query()
    q.params.update({**fparams, **access.params()})
    q.lists.add("access_stores")
    head = ctes(facts, specs, q, ctx.settings.metrics, ctx.today, live=live)
    # One statement: the breakdown, the overlaps and the sample all read the same s0.
    none = "NULL, NULL, NULL, NULL, NULL, NULL"
    parts = [f"SELECT 'b' AS kind, store_id AS k1, tier AS k2, COUNT(*) AS n, {none} "
             "FROM s0 GROUP BY store_id, tier"]
    parts += [f"SELECT 'o', '{i}', NULL, COUNT(*), {none} FROM s0 JOIN s{i} "
              f"ON s{i}.member_id = s0.member_id" for i in range(1, len(specs))]
    parts.append(f"SELECT 's', store_id, tier, NULL, member_id, name, phone, staff_id, spend, "
                 f"recency_days FROM ({_SAMPLE}) smp")
    rows = conn.execute(q.clause(head + "\n" + "\nUNION ALL\n".join(parts)), q.params).all()
    by_store: dict[str, int] = {}
    by_tier: dict[str, int] = {}
    overlaps, sample = [], []
    for kind, k1, k2, n, *member in rows:
        if kind == "b":
            by_store[k1] = by_store.get(k1, 0) + int(n)
            by_tier[k2 or "未分级"] = by_tier.get(k2 or "未分级", 0) + int(n)
        elif kind == "o":
            o = others[int(k1) - 1]
            overlaps.append(Overlap(segment=o.name, size=o.size, overlap=int(n)))
        else:
            sample.append(_sample_member(access, k1, k2, *member))
    sample.sort(key=lambda m: (m.days_since is None and m.spend == 0, -m.spend, m.member_id))
    names = dict(conn.execute(text("SELECT store_id, name FROM stores")).all())
    return SegmentResult(
        description=spec.describe(), as_of=ctx.today.isoformat(), size=sum(by_store.values()),
        by_store=[Count(key=f"{names.get(k, k)}({k})", members=v)
                  for k, v in sorted(by_store.items(), key=lambda kv: (-kv[1], kv[0]))],
        by_tier=[Count(key=k, members=v) for k, v in sorted(by_tier.items(), key=_tier_order)],
        sample=sample, overlaps=overlaps)


_SAMPLE = f"""SELECT s0.*, m.name, m.phone, m.staff_id FROM s0
JOIN members m ON m.member_id = s0.member_id
ORDER BY s0.spend DESC NULLS LAST, s0.member_id LIMIT {SAMPLE}"""


def _sample_member(access: Access, store_id: str, tier: str | None, member_id: str,
                   name: str | None, phone: str | None, staff_id: str | None,
                   spend: object, days: int | None) -> SampleMember:
    # Always masked: a sample is for judging the segment, not for contacting anyone.
    return SampleMember(member_id=member_id, name=mask_name(name), phone=mask_phone(phone),
                        store_id=store_id, tier=tier, spend=float(spend or 0),
                        days_since=None if days is None else int(days))


def _tier_order(item: tuple[str, int]) -> tuple[int, str]:
    """Pyramid order (钻石卡 first), unknown tiers after, by name: the same on every engine."""
    rank = TIER_ORDER.index(item[0]) if item[0] in TIER_ORDER else len(TIER_ORDER)
    return rank, item[0]


class SegmentRefArgs(ToolArgs):
    segment: str = Field(..., description="分组名称或编号")


class ListSegmentsArgs(ToolArgs):
    everyone: bool = Field(False, description="管理员:列出所有人的分组")


class SegmentListResult(ToolResult):
    segments: list[store.SavedSegment]

    def text(self, lang: str = "zh") -> str:
        if not self.segments:
            return "还没有保存的分组。"
        return "\n".join(f"- {s.name}({s.segment_id}):{s.size:,} 人,截至 {s.as_of},"
                         f"{s.spec.describe()}" for s in self.segments)


def list_segments(ctx: ToolContext, args: ListSegmentsArgs) -> SegmentListResult:
    """列出我保存的会员分组:名称、编号、人数、筛选条件、上次刷新日期。
    例:“我存过哪些分组?” → {}。管理员可用 everyone=true 看所有人的分组。"""
    everyone = args.everyone and ctx.caller.user.role == "admin"
    owner = None if everyone else ctx.caller.user.staff_id
    return SegmentListResult(segments=store.list_for(ctx.state, owner))


def _owned(ctx: ToolContext, key: str) -> store.SavedSegment:
    user = ctx.caller.user
    seg = store.find(ctx.state, None if user.role == "admin" else user.staff_id, key)
    if seg.owner != user.staff_id and user.role != "admin":
        raise UserError("只能操作自己保存的分组。", "You can only change your own segments.")
    return seg


def refresh_segment(ctx: ToolContext, args: SegmentRefArgs) -> SegmentResult:
    """按今天的数据重新计算一个已保存分组(按名称或编号)的人数、分布和样本,并更新保存的人数。
    例:“把‘金卡召回’刷新一下” → segment="金卡召回"。"""
    seg = _owned(ctx, args.segment)
    with ctx.read() as (conn, access):
        if seg.owner != ctx.caller.user.staff_id:  # an admin refreshing someone's segment:
            # count what the owner may see, or the owner's size would become the chain's
            owner = Caller(load_user(conn, seg.owner), channel=ctx.caller.channel)
            access = Access.for_caller(conn, owner)
        others = [o for o in store.list_for(ctx.state, seg.owner, OVERLAP_WITH)
                  if o.segment_id != seg.segment_id]
        result = preview(conn, access, ctx, seg.spec, others)
    store.update_size(ctx.state, seg.segment_id, result.size, ctx.today)
    result.saved = store.find(ctx.state, None, seg.segment_id)
    result.refreshed = True
    return result


class DeletedResult(ToolResult):
    segment: str

    def text(self, lang: str = "zh") -> str:
        return f"已删除分组“{self.segment}”。"


def delete_segment(ctx: ToolContext, args: SegmentRefArgs) -> DeletedResult:
    """删除一个自己保存的会员分组(按名称或编号);只能删除自己的,管理员可删除任何人的。
    例:“把‘金卡召回’这个分组删掉” → segment="金卡召回"。"""
    seg = _owned(ctx, args.segment)
    store.delete(ctx.state, seg.segment_id)
    return DeletedResult(segment=seg.name)


TOOLS = [
    Tool("build_segment", BuildSegmentArgs, build_segment),
    Tool("list_segments", ListSegmentsArgs, list_segments),
    Tool("refresh_segment", SegmentRefArgs, refresh_segment),
    Tool("delete_segment", SegmentRefArgs, delete_segment, confirm=True),
]
