"""draft_group_post over the small chain: drafts for every scene pass their own checks, and
every check catches its problem (and only it)."""

from __future__ import annotations

import itertools
import re

import pytest

from copilot.config import Settings
from copilot.data.store import MemberStore
from tests.conftest import pg_schema_url
from tests.tools import chain
from tests.tools.fixtures import make_ctx
from tools.drafts import check_draft, templates
from tools.drafts.checks import SMS_MAX_SEGMENTS, SMS_PART, SMS_SINGLE, measure, sms_segments
from tools.drafts.tool import SceneKey
from tools.runner import ToolOutcome, run_tool

SCENES = list(SceneKey.__args__)
OFFER = "满500减80"


@pytest.fixture
def draft(settings: Settings, chain_store: MemberStore):
    """draft({...}, who="E03") → the outcome of draft_group_post as that user."""

    def _draft(args: dict, who: str = "E03") -> ToolOutcome:
        return run_tool(make_ctx(settings, chain_store, who), "draft_group_post", args)

    return _draft


def _ok(out: ToolOutcome):
    assert out.ok, out.error
    return out.result


def _codes(problems) -> set[str]:
    return {p.code for p in problems}


# ---- the template file ------------------------------------------------------------------------

def test_templates_cover_every_scene_tone_and_channel() -> None:
    scenes = templates.scenes()
    assert list(scenes) == SCENES  # the file and the argument's choices agree
    for scene in scenes.values():
        assert scene.zh and scene.title
        for options in (*scene.chat.values(), scene.sms):
            assert len(options) == templates.VARIANTS, scene.key
            assert len(set(options)) == len(options), scene.key


@pytest.mark.parametrize("scene", SCENES)
def test_every_template_reads_clean_with_or_without_optional_slots(scene: str) -> None:
    """Every variation, with every combination of optional slots, fills all its slots and
    passes the checks; no template brings figures or slots of its own."""
    s = templates.scenes()[scene]
    always = {"store"} | set(s.needs) | ({"occasion"} if s.occasion else set())
    for tone, channel in itertools.product(templates.TONES, ("wecom_group", "sms")):
        for t in s.variations(tone, channel):
            assert templates.slots_in(t) <= templates.SLOTS, t
            assert templates.required_slots(t) <= always, t
            assert not re.search(r"\d", re.sub(r"\{\w+\}", "", t)), f"figure in {t}"
            for given in itertools.product((False, True), repeat=3):
                values = {"store": "北京朝阳大悦城店", "occasion": s.occasion or "年终答谢",
                          "offer": OFFER if given[0] or "offer" in s.needs else None,
                          "date": "12月5日(周六)" if given[1] or "date" in s.needs else None,
                          "audience": "金卡会员" if given[2] else None}
                text = templates.render(t, values)
                assert not re.search(r"[{}\[\]]", text), text
                assert not re.search(r"[,。:;][,。:;]|^[,。]", text), text
                if channel == "sms":
                    text = f"【北京朝阳大悦城店】{text}回T退订"
                assert check_draft(text, channel, values["offer"], values["date"]) == [], text


# ---- drafting through the runner ------------------------------------------------------------

@pytest.mark.parametrize("scene", SCENES)
def test_every_scene_drafts_a_post_that_passes_with_offer_date_and_store(draft, scene) -> None:
    res = _ok(draft({"scene": scene, "offer": OFFER, "date": "2026-12-05", "store": "朝阳",
                     "occasion": "年终答谢", "count": 3}))
    assert res.mode == "draft" and res.scene == scene
    assert res.store == "北京朝阳大悦城店(S001)" and res.date == "12月5日(周六)"
    assert len(res.drafts) == 3
    for d in res.drafts:
        assert d.problems == [] and d.passed, (d.text, d.problems)
        assert OFFER in d.text and "12月5日" in d.text and "北京朝阳大悦城店" in d.text
        assert d.chars == len(d.text) and d.limit == 1000
    text = res.text()
    assert text.count("检查结果:通过,没有发现问题。") == 3 and "写法 1/3" in text


@pytest.mark.parametrize("scene", SCENES)
def test_every_scene_drafts_an_sms_with_signature_and_opt_out(draft, scene) -> None:
    res = _ok(draft({"scene": scene, "offer": OFFER, "date": "12月5日", "channel": "sms",
                     "occasion": "年终答谢", "brand": "悦衣坊", "count": 3}))
    for d in res.drafts:
        assert d.text.startswith("【悦衣坊】") and d.text.endswith("回T退订")
        assert d.segments is not None and d.segments <= SMS_MAX_SEGMENTS
        assert d.problems == [], (d.text, d.problems)


def test_chinese_names_channels_and_tones_are_understood(draft) -> None:
    res = _ok(draft({"scene": "会员日", "offer": "9折", "tone": "正式", "channel": "群公告",
                     "audience": "金卡会员", "variant": 1}))
    assert (res.scene, res.tone, res.channel) == ("member_day", "formal", "group_notice")
    d = res.drafts[0]
    assert d.text.startswith("【会员日活动通知】\n") and d.limit == 500 and d.problems == []
    assert "金卡会员" in d.text
    assert _ok(draft({"scene": "直播", "date": "周六晚上7点", "channel": "朋友圈"})).drafts[0] \
        .text.count("11月28日(周六)晚上7点") == 1


def test_variations_differ_and_are_deterministic(draft) -> None:
    args = {"scene": "new_arrivals", "offer": OFFER, "date": "周六", "count": 3}
    first, again = _ok(draft(args)), _ok(draft(args))
    texts = [d.text for d in first.drafts]
    assert len(set(texts)) == 3 and texts == [d.text for d in again.drafts]
    assert sorted(d.variant for d in first.drafts) == [1, 2, 3]
    # a chosen variant is that one, whoever asks for it
    two = _ok(draft({**args, "count": 1, "variant": 2})).drafts[0]
    assert two.variant == 2 and two.text in texts
    # tones are different texts
    lively = _ok(draft({**args, "tone": "lively"}))
    assert not {d.text for d in lively.drafts} & set(texts)
    # the default variation follows the inputs: not always the same one
    picked = {_ok(draft({"scene": "new_arrivals", "offer": f"满{n}00减50"})).drafts[0].variant
              for n in range(2, 12)}
    assert len(picked) > 1


def test_the_caller_store_is_the_default_and_supervisors_may_name_none(draft) -> None:
    mine = _ok(draft({"scene": "birthday"}, who="E01"))
    assert mine.store == "北京朝阳大悦城店(S001)" and "北京朝阳大悦城店" in mine.drafts[0].text
    region = _ok(draft({"scene": "birthday"}, who="E05"))  # 华北 supervisor
    assert region.store is None and "门店" in region.drafts[0].text
    other = _ok(draft({"scene": "birthday", "store": "西单"}, who="E05"))
    assert "北京西单大悦城店" in other.drafts[0].text
    sms = draft({"scene": "birthday", "channel": "sms"}, who="E05")
    assert not sms.ok and "签名" in sms.error


def test_a_saved_segment_is_verified_and_its_size_shown(draft, settings, chain_store) -> None:
    saved = run_tool(make_ctx(settings, chain_store, "E03"), "build_segment",
                     {"tiers": ["金卡"], "save_as": "金卡会员日"})
    assert saved.ok, saved.error
    res = _ok(draft({"scene": "member_day", "offer": OFFER, "segment": "金卡会员日"}))
    assert res.segment is not None and res.segment.name == "金卡会员日"
    assert res.segment.size == saved.result.size == 1  # M01; M07 has opted out
    assert "分组“金卡会员日”" in res.text() and "1 人" in res.text()
    assert "金卡会员日" not in res.drafts[0].text  # an internal name, not for customers
    # someone else's segment is not found for another user
    assert not draft({"scene": "member_day", "offer": OFFER, "segment": "金卡会员日"},
                     who="E01").ok


# ---- each check catches its problem ------------------------------------------------------------

@pytest.mark.parametrize(("text", "shown"), [
    ("全场最低价,快来抢", "最低"),
    ("这款是最好的选择", "最好"),
    ("销量第一的面霜", "第一"),
    ("本店唯一指定款", "唯一"),
    ("国家级工艺", "国家级"),
    ("顶级面料", "顶级"),
    ("100%有效", "100%"),
    ("１００％满意", "100%"),  # full-width too
    ("史上力度空前", "史上"),
    ("绝对划算", "绝对"),
    ("最美的一季", "最美"),
])
def test_absolute_wording_is_caught(text: str, shown: str) -> None:
    problems = check_draft(text, "wecom_group")
    assert [p.code for p in problems] == ["absolute_word"], problems
    assert shown in problems[0].message and problems[0].suggestion


@pytest.mark.parametrize("text", [
    "最近天气转凉,注意保暖。",
    "今天是活动最后一天,别错过。",
    "每人最多领一份。",
    "第一次来的朋友可以先看看。",
    "开业第一天到店有小礼物。",
    "这件大衣100%羊毛,按吊牌标注。",
])
def test_ordinary_words_are_not_absolute(text: str) -> None:
    assert check_draft(text, "wecom_group") == []


def test_longer_words_report_their_own_advice_once() -> None:
    problems = check_draft("全网最低价", "wecom_group")
    assert len(problems) == 1 and "“最低”" in problems[0].message
    assert "价格" in problems[0].suggestion


def test_sms_rules() -> None:
    good = "【悦衣坊】会员日满500减80,欢迎到店。回T退订"
    assert check_draft(good, "sms") == []
    assert _codes(check_draft("【悦衣坊】会员日满500减80,欢迎到店。", "sms")) == {"sms_opt_out"}
    assert _codes(check_draft("会员日满500减80,欢迎到店。回T退订", "sms")) == {"sms_signature"}
    assert check_draft("会员日满500减80,欢迎到店。回T退订【悦衣坊】", "sms") == []
    # the same text in a group needs neither
    assert check_draft("会员日满500减80,欢迎到店。", "wecom_group") == []


def test_sms_segments_are_counted_as_carriers_do() -> None:
    assert [sms_segments(n) for n in (1, SMS_SINGLE, SMS_SINGLE + 1, SMS_PART * 2,
                                      SMS_PART * 2 + 1, SMS_PART * 3)] == [1, 1, 2, 2, 3, 3]
    base = "【悦衣坊】" + "回T退订"
    fits = "【悦衣坊】" + "好" * (SMS_PART * SMS_MAX_SEGMENTS - len(base)) + "回T退订"
    assert measure(fits, "sms").segments == SMS_MAX_SEGMENTS and check_draft(fits, "sms") == []
    long = "【悦衣坊】" + "好" * (SMS_PART * SMS_MAX_SEGMENTS) + "回T退订"
    problems = check_draft(long, "sms")
    assert _codes(problems) == {"sms_segments"}
    assert f"{measure(long, 'sms').segments} 条" in problems[0].message


def test_channel_length_limits() -> None:
    assert _codes(check_draft("好" * 1001, "wecom_group")) == {"too_long"}
    assert check_draft("好" * 1000, "wecom_group") == []
    assert _codes(check_draft("好" * 501, "group_notice")) == {"too_long"}
    assert _codes(check_draft("好" * 1001, "wecom_moments")) == {"too_long"}
    # emoji are 4 bytes: 1000 characters can pass WeCom's 4000-byte limit
    assert _codes(check_draft("😀" * 1000 + "好", "wecom_group")) == {"too_long"}


@pytest.mark.parametrize("phone", ["13812341234", "138 1234 1234", "+86 138-1234-1234",
                                   "１３８１２３４１２３４"])
def test_phone_numbers_are_personal_data(phone: str) -> None:
    problems = check_draft(f"中奖的是张女士,电话{phone},请来领奖。", "wecom_group")
    assert _codes(problems) == {"phone_number"}
    assert "138****1234" in problems[0].message and phone not in problems[0].message


def test_masked_phones_and_other_numbers_are_fine() -> None:
    assert check_draft("本周中奖:王*(尾号 1234)、138****1234。", "wecom_group") == []
    assert check_draft("订单号 20261125000123456789 已发货。", "wecom_group") == []


def test_id_numbers_are_caught_by_their_check_digit() -> None:
    problems = check_draft("登记身份证 11010519491231002X 领奖", "wecom_group")
    assert _codes(problems) == {"id_number"} and "11010519491231002X" not in problems[0].message
    assert check_draft("登记编号 110105194912310021 领奖", "wecom_group") == []  # bad check digit


def test_offer_and_date_must_be_in_the_text() -> None:
    text = "会员日12月5日到店,满500减80。"
    assert check_draft(text, "wecom_group", OFFER, "12月5日(周六)") == []
    assert check_draft("会员日12-05到店,满 500 减 80。", "wecom_group", OFFER, "12月5日") == []
    assert _codes(check_draft(text, "wecom_group", "9折", None)) == {"offer_missing"}
    assert _codes(check_draft(text, "wecom_group", None, "12月6日(周日)")) == {"date_missing"}
    ranged = "12月5日至12月7日"
    assert _codes(check_draft("12月5日起满500减80", "wecom_group", OFFER, ranged)) \
        == {"date_missing"}


def test_placeholders_and_internal_words() -> None:
    assert _codes(check_draft("{姓名}您好,会员日满500减80", "wecom_group")) == {"placeholder"}
    problems = check_draft("各位沉睡会员,好久不见", "wecom_group")
    assert [(p.code, p.level) for p in problems] == [("internal_term", "warn")]


def test_a_bad_offer_is_reported_in_the_draft(draft) -> None:
    res = _ok(draft({"scene": "member_day", "offer": "全场最低5折"}))
    d = res.drafts[0]
    assert not d.passed and "absolute_word" in _codes(d.problems)
    assert "【必须改】" in res.text() and "建议:" in res.text()


# ---- checking the user's own text ---------------------------------------------------------

def test_users_own_text_is_checked_not_rewritten(draft) -> None:
    own = "家人们!史上最低价,12月5日到店满500减80,有问题打13812341234"
    res = _ok(draft({"text": own, "offer": OFFER, "date": "12月5日"}))
    assert res.mode == "check" and len(res.drafts) == 1
    d = res.drafts[0]
    assert d.text == own and d.variant is None and not d.passed
    assert _codes(d.problems) == {"absolute_word", "phone_number"}
    text = res.text()
    assert text.startswith("文案检查 · 企业微信群") and "“史上”" in text and "“最低”" in text
    clean = _ok(draft({"text": "会员日12月5日到店,满500减80。", "offer": OFFER, "date": "12月5日"}))
    assert clean.drafts[0].passed and "检查结果:通过,没有发现问题。" in clean.text()


def test_users_sms_is_checked_for_opt_out_and_segments(draft) -> None:
    res = _ok(draft({"text": "【悦衣坊】周六会员日满500减80", "channel": "sms",
                     "scene": "free"}))
    assert _codes(res.drafts[0].problems) == {"sms_opt_out"}
    assert res.drafts[0].segments == 1


def test_member_names_from_the_callers_data_are_caught(draft) -> None:
    own = "恭喜张三丰获得会员日大奖!"  # M01 of S001
    res = _ok(draft({"text": own}, who="E03"))
    problems = res.drafts[0].problems
    assert _codes(problems) == {"member_name"} and "张**" in problems[0].message
    assert "张三丰" not in problems[0].message
    # members of stores the caller cannot see are not looked up
    assert _ok(draft({"text": "恭喜赵六获得会员日大奖!"}, who="E01")).drafts[0].problems == []


@pytest.mark.postgres
def test_member_names_are_found_on_postgres_too(settings: Settings, pg_server: str) -> None:
    with pg_schema_url(pg_server) as url:
        pg_store = MemberStore(url)
        try:
            chain.load(pg_store)
            ctx = make_ctx(settings.model_copy(update={"database_url": url}), pg_store, "E05")
            out = run_tool(ctx, "draft_group_post", {"text": "恭喜赵六、张三丰中奖"})
            assert out.ok, out.error
            message = out.result.drafts[0].problems[0].message
            assert "赵*" in message and "张**" in message
        finally:
            pg_store.close()


# ---- bad input: clear Chinese errors through the runner ----------------------------------

@pytest.mark.parametrize(("args", "said"), [
    ({"scene": "lottery"}, "不认识场景“lottery”"),
    ({"scene": "member_day"}, "会员日文案需要优惠内容 offer"),
    ({"scene": "points_expiring", "date": "12月5日"}, "积分到期文案需要优惠内容 offer"),
    ({"scene": "live_invite"}, "需要活动时间 date"),
    ({"scene": "free"}, "至少要写点内容"),
    ({}, "要写哪种文案"),
    ({"scene": "birthday", "segment": "没有这个分组"}, "找不到分组“没有这个分组”"),
    ({"scene": "birthday", "store": "西单"}, "没有查看 北京西单大悦城店(S002) 的权限"),
    ({"scene": "birthday", "store": "火星店"}, "找不到门店“火星店”"),
    ({"scene": "birthday", "count": 0}, "参数 count 数值太小"),
    ({"scene": "birthday", "count": 5}, "参数 count 数值太大"),
    ({"scene": "birthday", "variant": 4}, "参数 variant 数值太大"),
    ({"scene": "birthday", "date": "下雨天"}, "看不懂日期“下雨天”"),
    ({"scene": "birthday", "date": "2026-02-30"}, "不存在"),
    ({"scene": "birthday", "date": "2026-11-01"}, "已经过去了"),
    ({"scene": "birthday", "tone": "搞笑"}, "参数 tone 取值不在允许范围内"),
    ({"scene": "birthday", "channel": "抖音"}, "参数 channel 取值不在允许范围内"),
    ({"scene": "birthday", "colour": "red"}, "不认识这个参数"),
])
def test_bad_input_is_a_clear_chinese_error(draft, args: dict, said: str) -> None:
    out = draft(args)
    assert not out.ok and out.result is None
    assert said in out.error, out.error
    assert re.search(r"[\u4e00-\u9fff]", out.error)


# ---- trainees: drafting needs no member data ---------------------------------------------

def test_a_trainee_may_draft_for_their_own_store_only(draft) -> None:
    res = _ok(draft({"scene": "member_day", "offer": OFFER, "date": "周六"}, who="E07"))
    assert res.store == "北京朝阳大悦城店(S001)" and res.drafts[0].passed
    assert _ok(draft({"text": "最近到店满500减80"}, who="E07")).drafts[0].problems == []
    other = draft({"scene": "birthday", "store": "西单"}, who="E07")
    assert not other.ok and "培训生" in other.error and "北京西单大悦城店" in other.error
    seg = draft({"scene": "birthday", "segment": "金卡"}, who="E07")
    assert not seg.ok and "培训账号不能使用会员分组" in seg.error
