"""`draft_group_post`: a post for a member group, moments, SMS or a group notice, checked.

Drafts come from our templates (templates.toml) with the user's own offer, date, store and
audience filled in; nothing else is made up. Every draft, and any text a user pastes to have
it checked, goes through `checks.check_draft`: length for the channel, SMS signature and
opt-out, absolute wording, personal data, and whether the offer and the date are in it.

Drafting needs no member data, so trainees may draft too: their store is their own, and
saved segments (member data) are not theirs to use.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any, Literal

from pydantic import BaseModel, Field, field_validator
from sqlalchemy import Connection

from copilot.analytics.scope import resolve_store, store_rows
from copilot.data.access import Access, Caller
from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext, ToolResult
from tools.drafts import templates
from tools.drafts.checks import (
    CHANNEL_ZH,
    OPT_OUT,
    Channel,
    Problem,
    check_draft,
    measure,
)
from tools.drafts.templates import TONE_ZH, VARIANTS, Scene, Tone
from tools.drafts.when import parse_event_date
from tools.segments import saved

SceneKey = Literal["birthday", "member_day", "new_arrivals", "season_change", "holiday",
                   "new_store", "anniversary", "reactivation", "churn_recall", "points_expiring",
                   "live_invite", "free"]
_TONE_NAMES = {"亲切": "warm", "温暖": "warm", "活泼": "lively", "正式": "formal"}
_CHANNEL_NAMES = {"企业微信群": "wecom_group", "企业微信": "wecom_group", "企微群": "wecom_group",
                  "企微": "wecom_group", "微信群": "wecom_group", "群": "wecom_group",
                  "社群": "wecom_group", "朋友圈": "wecom_moments", "企微朋友圈": "wecom_moments",
                  "短信": "sms", "群公告": "group_notice", "公告": "group_notice"}
_NEEDS = {"offer": ("优惠内容 offer", "例如 满500减80、全场9折、积分兑换护手霜",
                    "an offer (offer), e.g. 满500减80"),
          "date": ("活动时间 date", "例如 周六晚上7点、12月5日",
                   "a date (date), e.g. 周六晚上7点"),
          "occasion": ("主题 occasion", "例如 年终答谢、中秋", "a theme (occasion), e.g. 中秋")}
SEND_WINDOW = "营销消息请在 09:00–21:00 之间发送;顾客说过不要的,当天标记退订,不再发。"


class DraftPostArgs(ToolArgs):
    scene: SceneKey | None = Field(
        None, description="场景:birthday 生日、member_day 会员日、new_arrivals 新品上市、"
                          "season_change 换季、holiday 节日、new_store 新店开业、"
                          "anniversary 周年庆、reactivation 沉睡唤醒、churn_recall 流失召回、"
                          "points_expiring 积分到期、live_invite 快闪群/直播邀请、free 自由;"
                          "也可写中文名。只检查 text 时可不填")
    text: str | None = Field(
        None, min_length=1, max_length=5000,
        description="员工自己写好的文案:给了就只检查这段文字(字数、广告法用语、个人信息、"
                    "短信退订等),不另写")
    audience: str | None = Field(
        None, max_length=30, description="发给谁,会写进称呼,如 金卡会员、宝妈会员")
    segment: str | None = Field(
        None, max_length=100,
        description="已保存的会员分组名称或编号:核对分组存在并给出人数,分组名不会写进文案")
    offer: str | None = Field(
        None, max_length=60,
        description="优惠内容,原样写进文案,如 满500减80、全场9折、积分兑换护手霜;"
                    "会员日、积分到期、沉睡唤醒、流失召回必填")
    store: str | None = Field(
        None, max_length=50, description="门店:名称、简称或编号,如 朝阳店、S001;留空为你所在门店")
    date: str | None = Field(
        None, max_length=40,
        description="活动时间:周六、下周一晚上7点、12月5日、12月5日到12月7日、2026-12-05;"
                    "直播邀请必填")
    occasion: str | None = Field(
        None, max_length=20,
        description="节日或主题,如 中秋、元旦、三周年;节日、周年庆、自由场景用")
    brand: str | None = Field(
        None, max_length=16, description="品牌名,用作短信签名【品牌】;留空用门店名")
    tone: Tone = Field("warm", description="语气:warm 亲切(默认)、lively 活泼、formal 正式")
    channel: Channel = Field(
        "wecom_group", description="渠道:wecom_group 企业微信群(默认)、wecom_moments 朋友圈、"
                                   "sms 短信、group_notice 群公告")
    variant: int | None = Field(
        None, ge=1, le=VARIANTS, description="第几种写法(1~3);留空时按内容固定挑一种")
    count: int = Field(1, ge=1, le=VARIANTS, description="给几种写法(1~3)")

    @field_validator("scene", mode="before")
    @classmethod
    def _scene(cls, v: Any) -> Any:
        if not isinstance(v, str) or not v.strip():
            return None if isinstance(v, str) else v
        key = templates.find_scene(v)
        if key is None:
            raise ValueError(f"不认识场景“{v}”;可选:{templates.scene_choices()}")
        return key

    @field_validator("tone", mode="before")
    @classmethod
    def _tone(cls, v: Any) -> Any:
        return _TONE_NAMES.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v

    @field_validator("channel", mode="before")
    @classmethod
    def _channel(cls, v: Any) -> Any:
        return _CHANNEL_NAMES.get(v.strip(), v.strip().lower()) if isinstance(v, str) else v

    @field_validator("audience", "offer", "store", "date", "occasion", "brand", "segment")
    @classmethod
    def _blank(cls, v: str | None) -> str | None:
        return v or None


class SegmentRef(BaseModel):
    segment_id: str
    name: str
    size: int
    as_of: str


class Draft(BaseModel):
    variant: int | None  # which template variation; None for the user's own text
    channel: Channel
    text: str
    chars: int
    limit: int
    bytes: int | None = None  # WeCom group posts: UTF-8 bytes against the 4000-byte limit
    segments: int | None = None  # SMS: billed parts
    passed: bool  # no problem that must be fixed
    problems: list[Problem] = Field(default_factory=list)


class DraftPostResult(ToolResult):
    mode: Literal["draft", "check"]
    scene: str | None
    scene_zh: str | None
    tone: Tone
    channel: Channel
    store: str | None
    audience: str | None
    segment: SegmentRef | None
    offer: str | None
    date: str | None  # as the post says it
    start: str | None
    end: str | None
    drafts: list[Draft]
    notes: list[str] = Field(default_factory=list)

    def text(self, lang: str = "zh") -> str:
        where = CHANNEL_ZH[self.channel]
        if self.mode == "check":
            head = [f"文案检查 · {where}"]
        else:
            head = [" · ".join(x for x in (f"{self.scene_zh}文案", where, TONE_ZH[self.tone],
                                           self.store) if x)]
        if self.segment:
            s = self.segment
            head.append(f"发送对象:分组“{s.name}”({s.segment_id}){s.size:,} 人,截至 {s.as_of}")
        elif self.audience:
            head.append(f"发送对象:{self.audience}")
        lines = head
        for d in self.drafts:
            if self.mode == "draft":  # the user's own text is not repeated back to them
                lines += [f"—— 写法 {d.variant}/{VARIANTS} ——", d.text]
            lines += [f"字数:{measure(d.text, d.channel).describe()}", _verdict(d)]
        return "\n".join(lines + self.notes)


def _verdict(d: Draft) -> str:
    if not d.problems:
        return "检查结果:通过,没有发现问题。"
    must = [p for p in d.problems if p.level == "error"]
    head = (f"检查结果:有 {len(must)} 处必须修改" if must else "检查结果:通过") + (
        f",另有 {len(d.problems) - len(must)} 条提醒" if len(d.problems) > len(must) else "")
    items = [f"{i}. {'【必须改】' if p.level == 'error' else '【提醒】'}{p.message}"
             f"建议:{p.suggestion}" for i, p in enumerate(d.problems, 1)]
    return "\n".join([head + ":", *items])


def draft_group_post(ctx: ToolContext, args: DraftPostArgs) -> DraftPostResult:
    """写社群/朋友圈/短信/群公告文案,并逐条检查。按场景(生日、会员日、新品上市、换季、节日、
    新店开业、周年庆、沉睡唤醒、流失召回、积分到期、直播邀请、自由)和语气(亲切/活泼/正式)
    套用模板,把优惠、时间、门店、称呼原样填进去,给 1~3 种写法;每条都检查字数(短信按条数)、
    广告法绝对化用语、短信签名和“回T退订”、手机号等个人信息、优惠和时间是否写到。
    员工贴来自己的文案时放在 text 里,只做检查。不会编造任何数字。
    例:“写一条周六会员日的群公告,满500减80,语气活泼一点” → scene="member_day",
    date="周六", offer="满500减80", tone="lively", channel="group_notice"。"""
    scene = templates.scenes()[args.scene] if args.scene else None
    if args.text is None:
        if scene is None:
            raise UserError(f"要写哪种文案?请给场景 scene:{templates.scene_choices()};"
                            "如果是检查自己写好的文案,请放在 text 里。",
                            "Which scene? Give scene, or text to check your own post.")
        _require(scene, args)
    event = parse_event_date(args.date, ctx.today) if args.date else None
    date_text = event.text(ctx.today) if event else None
    segment = _segment(ctx, args.segment) if args.segment else None
    theirs = [args.text] if args.text is not None else [
        v for v in (args.offer, args.audience, args.occasion, args.brand) if v]
    with ctx.members.read() as conn:
        access = _access(conn, ctx.caller)
        store_label, store_name = _store(conn, access, ctx.caller, args.store)
        names = _member_names(conn, access, theirs) if access.role != "trainee" else []
    if args.text is not None:
        drafts = [_checked(args.text, None, args, date_text, names)]
    else:
        assert scene is not None
        drafts = _drafts(scene, args, store_name, date_text, names)
    return DraftPostResult(
        mode="check" if args.text is not None else "draft",
        scene=scene.key if scene else None, scene_zh=scene.zh if scene else None,
        tone=args.tone, channel=args.channel, store=store_label, audience=args.audience,
        segment=segment, offer=args.offer, date=date_text,
        start=event.start.isoformat() if event else None,
        end=event.end.isoformat() if event else None, drafts=drafts,
        notes=[f"提醒:{SEND_WINDOW}"] if args.text is None else [])


def _require(scene: Scene, args: DraftPostArgs) -> None:
    missing = [n for n in scene.needs if not getattr(args, n)]
    if missing:
        zh = "、".join(_NEEDS[n][0] for n in missing)
        hints = ";".join(_NEEDS[n][1] for n in missing)
        raise UserError(f"写{scene.zh}文案需要{zh},请补充({hints})。",
                        f"A {scene.key} post needs " + " and ".join(_NEEDS[n][2] for n in missing)
                        + ".")
    if scene.needs_any and not any(getattr(args, n) for n in scene.needs_any):
        zh = "、".join(_NEEDS[n][0] for n in scene.needs_any)
        raise UserError(f"{scene.zh}文案至少要写点内容:请给出{zh}(任选其一)。",
                        f"A {scene.key} post needs one of: {', '.join(scene.needs_any)}.")


def _drafts(scene: Scene, args: DraftPostArgs, store_name: str | None, date_text: str | None,
            names: list[str]) -> list[Draft]:
    values = {"store": store_name or "门店", "offer": args.offer, "date": date_text,
              "audience": args.audience, "occasion": args.occasion or scene.occasion,
              "brand": args.brand}
    signature = args.brand or store_name
    if args.channel == "sms" and not signature:
        raise UserError("短信需要【品牌】签名:请给 brand(品牌名),或指定门店 store。",
                        "An SMS needs a signature: give brand, or a store.")
    options = scene.variations(args.tone, args.channel)
    first = args.variant - 1 if args.variant else _default_variant(scene, args, values,
                                                                   len(options))
    out = []
    for i in range(args.count):
        n = (first + i) % len(options)
        body = templates.render(options[n], values)
        if args.channel == "sms":
            body = f"【{signature}】{body}{OPT_OUT}"
        elif args.channel == "group_notice":
            body = f"【{scene.title}】\n{body}"
        out.append(_checked(body, n + 1, args, date_text, names))
    return out


def _default_variant(scene: Scene, args: DraftPostArgs, values: dict[str, str | None],
                     n: int) -> int:
    """The same inputs always pick the same variation; different inputs spread over all."""
    key = json.dumps([scene.key, args.tone, args.channel, values], ensure_ascii=False,
                     sort_keys=True)
    return int(hashlib.sha256(key.encode("utf-8")).hexdigest()[:8], 16) % n


def _checked(text: str, variant: int | None, args: DraftPostArgs, date_text: str | None,
             names: list[str]) -> Draft:
    problems = check_draft(text, args.channel, args.offer, date_text, names=names)
    m = measure(text, args.channel)
    return Draft(variant=variant, channel=args.channel, text=text, chars=m.chars,
                 limit=m.limit, bytes=m.bytes, segments=m.segments,
                 passed=not any(p.level == "error" for p in problems), problems=problems)


def _access(conn: Connection, caller: Caller) -> Access:
    """The caller's store scope. A trainee sees no member data, but a store's name is not
    member data: for drafting, a trainee's scope is their own store."""
    if caller.user.role != "trainee":
        return Access.for_caller(conn, caller)
    own = [r for r in store_rows(conn) if r.store_id == caller.user.store_id]
    label = f"{own[0].name}({own[0].store_id})" if own else "你所在的门店"
    return Access(caller, tuple(r.store_id for r in own), label)


def _store(conn: Connection, access: Access, caller: Caller, key: str | None
           ) -> tuple[str | None, str | None]:
    """(label, name) of the store the post is for: the one named (within the caller's scope)
    or the caller's own; (None, None) for a supervisor or admin who names none."""
    if key:
        scope = access.scope(conn, store=key)
    elif caller.user.store_id:
        scope = resolve_store(conn, caller.user.store_id)
    else:
        return None, None
    names = {r.store_id: r.name for r in store_rows(conn)}
    return scope.label, names.get(scope.store_ids[0], scope.label)


def _segment(ctx: ToolContext, key: str) -> SegmentRef:
    user = ctx.caller.user
    if user.role == "trainee":
        raise UserError("培训账号不能使用会员分组;可以不填 segment,用 audience 写发送对象,"
                        "如“金卡会员”。",
                        "Trainee accounts cannot use member segments; describe the audience.")
    seg = saved.find(ctx.state, None if user.role == "admin" else user.staff_id, key)
    return SegmentRef(segment_id=seg.segment_id, name=seg.name, size=seg.size, as_of=seg.as_of)


def _member_names(conn: Connection, access: Access, strings: list[str]) -> list[str]:
    """Full names of members the caller may see that appear in the user's own words: a
    pasted draft, or the offer/audience they typed. Our templates contain no names."""
    if not strings or not access.stores:
        return []
    query = access.sql("SELECT DISTINCT name FROM members WHERE {s} AND name IS NOT NULL "
                       "AND length(name) >= 2 AND strpos(:hay, name) > 0 LIMIT 20",
                       s="store_id")
    return [r[0] for r in conn.execute(query, {**access.params(), "hay": "\n".join(strings)})]


TOOL = Tool("draft_group_post", DraftPostArgs, draft_group_post)
