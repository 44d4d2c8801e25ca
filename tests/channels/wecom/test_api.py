"""The WeCom API client on its own, against the mock server: the token's life, refreshing it
once (not for ever), concurrent callers, errors that name the setting to fix."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest

from copilot.channels.wecom.api import MARKDOWN_LIMIT, TokenCache, WeComAPI, WeComError
from copilot.config import Settings
from tests.channels.wecom.conftest import wecom_settings
from tests.support.wecom_api import WeComServer

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def run(cfg: Settings, tokens: TokenCache, work: Callable[[WeComAPI], Awaitable[Any]]) -> Any:
    async def go() -> Any:
        async with httpx.AsyncClient() as http:
            return await work(WeComAPI(cfg, http, tokens))
    return asyncio.run(go())


@pytest.fixture
def cfg(settings: Settings, wecom_api: WeComServer) -> Settings:
    return wecom_settings(settings, wecom_api)


def test_the_token_is_kept_until_shortly_before_it_expires(cfg: Settings,
                                                          wecom_api: WeComServer) -> None:
    clock = Clock()
    tokens = TokenCache(clock)
    run(cfg, tokens, lambda api: api.send_markdown("u1", "一"))
    clock.now += 6000  # WeCom's 7200 s are not up, nor the 300 s kept in reserve
    run(cfg, tokens, lambda api: api.send_markdown("u1", "二"))
    assert wecom_api.token_fetches == 1
    clock.now += 1000  # past 7200 - 300
    run(cfg, tokens, lambda api: api.send_markdown("u1", "三"))
    assert wecom_api.token_fetches == 2
    assert [m["markdown"]["content"] for m in wecom_api.sent] == ["一", "二", "三"]
    gettoken = wecom_api.calls_to("gettoken")[0]
    assert gettoken.query == {"corpid": cfg.wecom_corp_id, "corpsecret": cfg.wecom_secret}


def test_a_token_error_refreshes_once_then_gives_up(cfg: Settings,
                                                    wecom_api: WeComServer) -> None:
    tokens = TokenCache()
    wecom_api.expire_token(times=1)
    run(cfg, tokens, lambda api: api.send_markdown("u1", "到了"))
    assert wecom_api.token_fetches == 2 and len(wecom_api.sent) == 1
    wecom_api.expire_token(times=5)  # a token refused again right after a refresh
    with pytest.raises(WeComError, match="errcode 42001"):
        run(cfg, tokens, lambda api: api.send_markdown("u1", "不会无限重试"))
    assert [c.errcode for c in wecom_api.calls_to("message/send")] == [42001, 0, 42001, 42001]
    assert wecom_api.token_fetches == 3


def test_callers_arriving_together_share_one_token_fetch(cfg: Settings,
                                                         wecom_api: WeComServer) -> None:
    async def many(api: WeComAPI) -> None:
        await asyncio.gather(*(api.send_markdown(f"u{i}", "hi") for i in range(8)))
    run(cfg, TokenCache(), many)
    assert wecom_api.token_fetches == 1 and len(wecom_api.sent) == 8


def test_an_upload_retried_after_a_token_error_sends_the_same_bytes(
        cfg: Settings, wecom_api: WeComServer, tmp_path: Path) -> None:
    chart = tmp_path / "chart.png"
    chart.write_bytes(PNG)
    tokens = TokenCache()
    run(cfg, tokens, lambda api: api.token())
    wecom_api.expire_token()
    media_id = run(cfg, tokens, lambda api: api.upload_image(chart))
    first, second = wecom_api.calls_to("media/upload")
    assert first.errcode == 42001 and second.errcode == 0
    assert first.body.data == second.body.data == PNG and media_id == second.reply["media_id"]


def test_a_wrong_secret_names_the_setting_and_not_the_secret(settings: Settings,
                                                             wecom_api: WeComServer) -> None:
    cfg = wecom_settings(settings, wecom_api, wecom_secret="s3cr3t-wrong")
    with pytest.raises(WeComError) as caught:
        run(cfg, TokenCache(), lambda api: api.send_markdown("u1", "hi"))
    assert "COPILOT_WECOM_SECRET" in caught.value.zh and "40001" in caught.value.zh
    assert "s3cr3t-wrong" not in caught.value.zh + caught.value.en
    assert caught.value.status == 502


def test_missing_credentials_are_reported_before_any_request(settings: Settings,
                                                             wecom_api: WeComServer) -> None:
    no_secret = wecom_settings(settings, wecom_api, wecom_secret=None)
    with pytest.raises(WeComError, match="COPILOT_WECOM_SECRET"):
        run(no_secret, TokenCache(), lambda api: api.send_markdown("u1", "hi"))
    no_agent = wecom_settings(settings, wecom_api, wecom_agent_id=None)
    with pytest.raises(WeComError, match="COPILOT_WECOM_AGENT_ID"):
        run(no_agent, TokenCache(), lambda api: api.send_markdown("u1", "hi"))
    assert wecom_api.calls == []


def test_an_unreachable_api_is_a_clear_error(settings: Settings,
                                             wecom_api: WeComServer) -> None:
    cfg = wecom_settings(settings, wecom_api, wecom_api_url="http://127.0.0.1:9")
    with pytest.raises(WeComError, match="连不上企业微信接口 gettoken"):
        run(cfg, TokenCache(), lambda api: api.send_markdown("u1", "hi"))


def test_markdown_over_the_limit_is_a_programming_error(cfg: Settings,
                                                        wecom_api: WeComServer) -> None:
    with pytest.raises(ValueError, match="split it first"):
        run(cfg, TokenCache(), lambda api: api.send_markdown("u1", "字" * MARKDOWN_LIMIT))
    assert wecom_api.calls_to("message/send") == []
