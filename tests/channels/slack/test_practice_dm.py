"""Practice in a Slack DM: start, talk to the customer, "结束" for the score."""

from __future__ import annotations

from copilot.channels import identity
from tests.channels.slack.conftest import Slack


def test_a_trainee_practises_in_a_slack_dm(slack: Slack, chain_store) -> None:
    identity.link(slack.state, chain_store, "slack", "U07", "E07")  # the trainee of S001
    lines = ["我想练一下电话邀约", "王姐您好,我是朝阳大悦城店的小李,这周六会员日满500减80",
             "您这季通勤想添点什么?", "结束"]
    for i, line in enumerate(lines):
        slack.event({"type": "message", "channel_type": "im", "channel": "D7", "user": "U07",
                     "text": line, "ts": f"17000000{20 + i}.000100"}, event_id=f"EvP{i}")
        slack.settle()
    texts = [p.params["text"] for p in slack.api.of("chat.postMessage")
             if p.params["channel"] == "D7"]
    assert len(texts) == 4
    assert "电话邀约" in texts[0] and "顾客" in texts[0]
    assert texts[1].startswith("顾客") and texts[2].startswith("顾客")
    assert "得分" in texts[3] and "/100" in texts[3]
