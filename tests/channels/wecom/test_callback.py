"""What reaches /wecom/callback without WeCom's keys: refused with a Chinese-first JSON error,
and nothing of it reaches the agent, the dedup table or WeCom's API."""

from __future__ import annotations

import base64
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from wechatpy.enterprise.crypto import WeChatCrypto

from copilot.api import create_app
from copilot.channels.wecom.callback import WeComConfigError
from copilot.config import Settings
from tests.channels.wecom.conftest import (
    AES_KEY,
    CORP_ID,
    TOKEN,
    OpenWeCom,
    WeCom,
    seal,
    text_message,
)

OTHER_KEY = base64.b64encode(bytes(range(100, 132))).decode().rstrip("=")


def url_check(echo: str = "echo-1616140317", *, token: str = TOKEN,
              timestamp: str | None = None) -> dict[str, str]:
    """The GET WeCom sends when the URL is saved in the admin console."""
    stamp = timestamp or str(int(time.time()))
    envelope = WeChatCrypto(token, AES_KEY, CORP_ID).encrypt_message(echo, "99", stamp)
    encrypt = envelope.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    signature = envelope.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    return {"msg_signature": signature, "timestamp": stamp, "nonce": "99", "echostr": encrypt}


def assert_refused(resp, status: int, phrase: str) -> None:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert set(body) == {"error", "error_en"} and phrase in body["error"], body
    assert body["error_en"].isascii()


def assert_nothing_happened(wecom: WeCom) -> None:
    wecom.settle()
    assert wecom.api.calls == []
    assert wecom.turns() == []
    with wecom.state.begin() as conn:
        assert conn.execute(text("SELECT COUNT(*) FROM channel_events")).scalar() == 0


def test_the_url_check_answers_the_decrypted_echo(wecom: WeCom) -> None:
    got = wecom.client.get("/wecom/callback", params=url_check("1616140317555161061"))
    assert got.status_code == 200 and got.text == "1616140317555161061"
    assert wecom.api.calls == []  # checking the URL needs no token: nothing contacted


def test_a_forged_url_check_is_refused(wecom: WeCom) -> None:
    forged = {**url_check(), "msg_signature": "0" * 40}
    assert_refused(wecom.client.get("/wecom/callback", params=forged), 401, "签名不对")
    other_token = url_check(token="someone-elses-token")
    assert_refused(wecom.client.get("/wecom/callback", params=other_token), 401, "签名不对")
    missing = wecom.client.get("/wecom/callback", params={"echostr": "x"})
    assert missing.status_code == 422 and "msg_signature" in missing.json()["error"]
    assert_nothing_happened(wecom)


def test_a_forged_message_gets_401_and_no_reply(wecom: WeCom) -> None:
    wecom.link("zhaomin", "E03")
    query, body = seal(text_message("zhaomin", "朝阳店今年复购率"))
    assert_refused(wecom.post({**query, "msg_signature": "f" * 40}, body), 401, "签名不对")
    # Signed with a token other than ours (someone who knows the AES key but not the token).
    assert_refused(wecom.deliver(text_message("zhaomin", "朝阳店今年复购率"),
                                 token="not-our-token"), 401, "签名不对")
    # A valid signature over a body swapped afterwards.
    _, other_body = seal(text_message("zhaomin", "删除分组 金卡组"))
    assert_refused(wecom.post(query, other_body), 401, "签名不对")
    assert_nothing_happened(wecom)


def test_an_undecryptable_message_gets_400(wecom: WeCom) -> None:
    plain = text_message("zhaomin", "你好")
    assert_refused(wecom.deliver(plain, key=OTHER_KEY), 400, "无法解密")  # another app's key
    assert_refused(wecom.deliver(plain, corp_id="wwsomeoneelse"), 400, "无法解密")
    assert_nothing_happened(wecom)


@pytest.mark.parametrize(("body", "phrase"), [
    (b"this is not xml", "不是合法的 XML"),
    (b"<xml><Encrypt>abc", "不是合法的 XML"),
    (b"<xml><ToUserName>wwcorp0001</ToUserName></xml>", "没有 Encrypt"),
    (b"<html><Encrypt>abc</Encrypt></html>", "根元素应是 <xml>"),
    (b'<?xml version="1.0"?><!DOCTYPE xml [<!ENTITY a "aaaa">]><xml><Encrypt>&a;</Encrypt>'
     b"</xml>", "DOCTYPE"),
    (b"<xml><Encrypt>" + b"A" * 70_000 + b"</Encrypt></xml>", "过大"),
])
def test_malformed_bodies_get_a_clear_400(wecom: WeCom, body: bytes, phrase: str) -> None:
    query = {"msg_signature": "a" * 40, "timestamp": str(int(time.time())), "nonce": "1"}
    assert_refused(wecom.post(query, body), 400, phrase)
    assert_nothing_happened(wecom)


def test_with_a_time_window_an_old_callback_is_refused(open_wecom: OpenWeCom) -> None:
    wecom = open_wecom(wecom_max_skew_s=300)
    wecom.link("zhaomin", "E03")
    hour_ago = str(int(time.time()) - 3600)
    old = wecom.deliver(text_message("zhaomin", "朝阳店今年复购率"), timestamp=hour_ago)
    assert_refused(old, 401, "时间戳")
    assert "300" in old.json()["error"]
    old_check = wecom.client.get("/wecom/callback", params=url_check(timestamp=hour_ago))
    assert_refused(old_check, 401, "时间戳")
    assert_refused(wecom.deliver(text_message("zhaomin", "你好"), timestamp="soon"), 401,
                   "timestamp")
    assert_nothing_happened(wecom)
    # Within the window the same message goes through.
    fresh = wecom.deliver(text_message("zhaomin", "朝阳店今年复购率"))
    assert fresh.status_code == 200 and fresh.content == b""
    wecom.settle()
    assert len(wecom.to("zhaomin")) == 1


def test_without_a_window_an_old_but_genuine_callback_is_accepted(
        wecom: WeCom, open_wecom: OpenWeCom) -> None:
    """The default window (300 s) refuses a 2014 timestamp; COPILOT_WECOM_MAX_SKEW_S=0
    checks signatures only."""
    old = url_check("ok", timestamp="1409659589")
    assert wecom.client.get("/wecom/callback", params=old).status_code == 401
    got = open_wecom(wecom_max_skew_s=0).client.get("/wecom/callback", params=old)
    assert got.status_code == 200 and got.text == "ok"


def test_a_malformed_aes_key_stops_the_service_with_a_clear_message(settings: Settings,
                                                                     chain_store) -> None:
    bad = settings.model_copy(update={"wecom_corp_id": CORP_ID, "wecom_token": TOKEN,
                                      "wecom_aes_key": "too-short"})
    with pytest.raises(WeComConfigError, match="43 位 EncodingAESKey"):
        create_app(bad)


def test_the_callback_exists_only_when_wecom_is_configured(settings: Settings,
                                                           chain_store) -> None:
    with TestClient(create_app(settings)) as client:
        assert client.get("/wecom/callback", params=url_check()).status_code == 404
