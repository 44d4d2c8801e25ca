"""Practice in a WeCom direct message: start, talk to the customer, "结束" for the score."""

from __future__ import annotations

from tests.channels.wecom.conftest import WeCom


def test_a_trainee_practises_in_a_wecom_dm(wecom: WeCom) -> None:
    wecom.link("sunyue", "E07")  # 孙悦, the trainee of S001
    lines = ["我想练一下电话邀约", "王姐您好,我是朝阳大悦城店的小李,这周六会员日满500减80",
             "您这季通勤想添点什么?", "结束"]
    for i, line in enumerate(lines):
        assert wecom.say("sunyue", line, msg_id=f"70{i}").status_code == 200
        wecom.settle()
    replies = [m["markdown"]["content"] for m in wecom.api.sent if m["touser"] == "sunyue"]
    assert len(replies) == 4
    assert "电话邀约" in replies[0] and "顾客" in replies[0]
    assert replies[1].startswith("顾客") and replies[2].startswith("顾客")
    assert "得分" in replies[3] and "/100" in replies[3]
