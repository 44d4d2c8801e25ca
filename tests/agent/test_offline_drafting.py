"""The offline model drafts group posts: scene, channel, offer and day from the words,
re-writes and re-channels the last draft, checks a pasted draft, and still answers how-to
and sending requests the way it did."""

from __future__ import annotations

from tests.agent.conftest import Talk


def _call(result) -> tuple[str, dict]:
    [call] = result.tool_calls
    assert call.ok, call.error
    return call.name, call.args


def test_a_request_names_scene_offer_and_day_and_follow_ups_change_it(talk: Talk) -> None:
    first, again, sms = talk("E03", "帮我写一条会员日群消息 满500减80 周六", "换个写法", "改成短信")
    assert _call(first) == ("draft_group_post",
                            {"scene": "member_day", "offer": "满500减80", "date": "周六"})
    shown = first.tool_calls[0].result["drafts"][0]["variant"]
    assert _call(again)[1]["variant"] == shown % 3 + 1  # the next variation, not the same
    assert again.answer != first.answer
    args = _call(sms)[1]
    assert args["channel"] == "sms" and args["offer"] == "满500减80"
    assert "回T退订" in sms.answer and "检查结果:通过" in sms.answer


def test_a_pasted_draft_is_checked_not_rewritten(talk: Talk) -> None:
    [checked] = talk("E03", "帮我看看这段文案有没有问题:全网最低价!史上最强会员日,快来抢")
    assert _call(checked) == ("draft_group_post", {"text": "全网最低价!史上最强会员日,快来抢",
                                                   "channel": "wecom_group"})
    assert "必须改" in checked.answer and "最低" in checked.answer


def test_holidays_stores_and_notices(talk: Talk) -> None:
    [moon] = talk("E07", "帮我写一条中秋节的群消息 送月饼")  # a trainee may draft
    assert _call(moon)[1] == {"scene": "holiday", "occasion": "中秋", "offer": "送月饼"}
    [notice] = talk("E03", "起草一条新品上新的群公告 朝阳店 12月5日")
    assert _call(notice)[1] == {"scene": "new_arrivals", "channel": "group_notice",
                                "date": "12月5日", "store": "S001"}


def test_how_to_and_sending_requests_do_not_draft(talk: Talk) -> None:
    [how] = talk("E03", "会员日邀约文案怎么写")
    assert [c.name for c in how.tool_calls] == ["search_playbooks"]
    [send] = talk("E03", "帮我给店里所有金卡会员群发条短信 就说周六会员日全场八折")
    # sending asks for a saved segment first (a campaign goes to one), and drafts nothing
    assert send.tool_calls == [] and "哪个分组" in send.answer
