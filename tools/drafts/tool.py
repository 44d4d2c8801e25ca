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

from pydantic import Field, field_validator

from copilot.errors import UserError
from tools.base import Tool, ToolArgs, ToolContext
from tools.drafts import lookups, templates
from tools.drafts.checks import (
    OPT_OUT,
    Channel,
    check_draft,
    measure,
)
from tools.drafts.result import Draft, DraftPostResult
from tools.drafts.templates import VARIANTS, Scene, Tone
from tools.drafts.when import parse_event_date

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
    segment = lookups.segment(ctx, args.segment) if args.segment else None
    theirs = [args.text] if args.text is not None else [
        v for v in (args.offer, args.audience, args.occasion, args.brand) if v]
    with ctx.members.read() as conn:
        access = lookups.access(conn, ctx.caller)
        store_label, store_name = lookups.store(conn, access, ctx.caller, args.store)
        names = (lookups.member_names(conn, access, theirs) if access.role != "trainee"
                 else [])
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


TOOL = Tool("draft_group_post", DraftPostArgs, draft_group_post)
