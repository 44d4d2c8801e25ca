"""Posting to a group through a WeCom group robot webhook, against the mock server."""

from __future__ import annotations

import asyncio

import pytest

from copilot.channels.wecom import RobotError, post_markdown
from copilot.channels.wecom.robot import ROBOT_LIMIT
from copilot.config import Settings
from tests.channels.wecom.conftest import wecom_settings
from tests.support.wecom_api import WeComServer

DRAFT = "**双十二老客召回**\n> 对象:朝阳店金卡会员\n> 话术:张姐好,店里到了新款外套……"


@pytest.fixture
def cfg(settings: Settings, wecom_api: WeComServer) -> Settings:
    return wecom_settings(settings, wecom_api)


def post(cfg: Settings, content: str) -> int:
    return asyncio.run(post_markdown(cfg, content))


def test_a_draft_is_posted_as_markdown(cfg: Settings, wecom_api: WeComServer) -> None:
    assert post(cfg, DRAFT) == 1
    [call] = wecom_api.calls_to("webhook/send")
    assert call.query == {"key": wecom_api.webhook_key} and call.errcode == 0
    assert call.body == {"msgtype": "markdown", "markdown": {"content": DRAFT}}
    assert wecom_api.token_fetches == 0  # a robot needs no app token


def test_a_long_post_is_split_within_the_robots_limit(cfg: Settings,
                                                      wecom_api: WeComServer) -> None:
    lines = [f"{i:03d}. 会员跟进话术示例,先问候,再介绍新品,最后邀请到店试穿。" for i in range(200)]
    sent = post(cfg, "\n".join(lines))
    posts = [p["markdown"]["content"] for p in wecom_api.robot_posts]
    assert sent == len(posts) >= 4
    assert all(len(p.encode("utf-8")) <= ROBOT_LIMIT == 4096 for p in posts)
    assert "\n".join(posts).splitlines() == lines


@pytest.mark.parametrize(("errcode", "phrase"), [
    (93000, "webhook 地址无效"), (45009, "发送太频繁"), (40035, "errcode 40035")])
def test_a_refusal_is_a_clear_chinese_error(cfg: Settings, wecom_api: WeComServer,
                                            errcode: int, phrase: str) -> None:
    wecom_api.fail_robot(errcode, "refused by test")
    with pytest.raises(RobotError) as caught:
        post(cfg, DRAFT)
    assert phrase in caught.value.zh and caught.value.zh.startswith("企业微信群机器人拒绝了消息")
    assert wecom_api.webhook_key not in caught.value.zh + caught.value.en  # the key is secret


def test_a_wrong_key_is_refused_by_the_robot(settings: Settings,
                                             wecom_api: WeComServer) -> None:
    cfg = wecom_settings(settings, wecom_api,
                         wecom_webhook_url=wecom_api.webhook_url.replace("robot-key", "old"))
    with pytest.raises(RobotError, match="93000"):
        post(cfg, DRAFT)
    assert wecom_api.robot_posts == []


def test_http_failures_are_clear_errors(settings: Settings, cfg: Settings,
                                        wecom_api: WeComServer) -> None:
    wecom_api.fail_robot(-1, "busy", status=502)
    with pytest.raises(RobotError, match="HTTP 502"):
        post(cfg, DRAFT)
    closed = wecom_settings(settings, wecom_api,
                            wecom_webhook_url="http://127.0.0.1:9/cgi-bin/webhook/send?key=k")
    with pytest.raises(RobotError, match="连不上企业微信群机器人"):
        post(closed, DRAFT)


def test_a_split_post_that_fails_halfway_says_which_part(cfg: Settings,
                                                         wecom_api: WeComServer) -> None:
    long = "\n".join(["门店活动提醒,请各位导购按时跟进。"] * 300)
    wecom_api.fail_robot(0, "ok")  # the first part goes through,
    wecom_api.fail_robot(45009, "api freq out of limit")  # the second is refused
    with pytest.raises(RobotError, match=r"第 2/\d+ 条"):
        post(cfg, long)
    assert len(wecom_api.calls_to("webhook/send")) == 2  # and nothing is sent after it


def test_missing_webhook_or_empty_content(settings: Settings, cfg: Settings,
                                          wecom_api: WeComServer) -> None:
    with pytest.raises(RobotError, match="COPILOT_WECOM_WEBHOOK_URL"):
        post(settings, DRAFT)
    with pytest.raises(RobotError, match="内容是空的"):
        post(cfg, " \n ")
    assert wecom_api.calls == []
