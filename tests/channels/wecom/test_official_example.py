"""The worked example of WeCom's "加解密方案说明" (token QDG6eK, corp id wx5823bf96d3bd56c7),
values verbatim from Tencent's sample code: if the channel reads these, it reads WeCom."""

from __future__ import annotations

from urllib.parse import quote

import pytest

from copilot.channels.wecom.callback import Callback, CallbackRefused
from copilot.config import Settings
from tests.channels.wecom.conftest import OpenWeCom

TOKEN = "QDG6eK"
CORP_ID = "wx5823bf96d3bd56c7"
AES_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"

# 1. Verifying the callback URL (GET).
VERIFY_SIGNATURE = "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3"
VERIFY_TIMESTAMP = "1409659589"
VERIFY_NONCE = "263014780"
VERIFY_ECHOSTR = ("P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7O"
                  "aBO+FZXvnaqQ==")
VERIFY_PLAIN = "1616140317555161061"

# 2. A user's message (POST).
MSG_SIGNATURE = "477715d11cdb4164915debcba66cb864d751f3e6"
MSG_TIMESTAMP = "1409659813"
MSG_NONCE = "1372623149"
MSG_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCU"
    "pj911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xg"
    "pue06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+Kq"
    "CKIw+3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZ"
    "S9o0MBH27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZ"
    "ZIs2pDBS8R07+qN+E7Q==")
MSG_BODY = (f"<xml><ToUserName><![CDATA[{CORP_ID}]]></ToUserName>"
            f"<Encrypt><![CDATA[{MSG_ENCRYPT}]]></Encrypt>"
            "<AgentID><![CDATA[218]]></AgentID></xml>")
MSG_PLAIN = {"ToUserName": CORP_ID, "FromUserName": "mycreate", "CreateTime": "1409659813",
             "MsgType": "text", "Content": "hello", "MsgId": "4561255354251345929",
             "AgentID": "218"}
# The documented requests are from 2014: the freshness window is off to replay them.
OFFICIAL = {"wecom_corp_id": CORP_ID, "wecom_token": TOKEN, "wecom_aes_key": AES_KEY,
            "wecom_max_skew_s": 0}


@pytest.fixture
def official(settings: Settings) -> Callback:
    return Callback(settings.model_copy(update=OFFICIAL))


def test_the_documented_url_check_decrypts_to_the_documented_echo(official: Callback) -> None:
    assert official.verify_url(VERIFY_SIGNATURE, VERIFY_TIMESTAMP, VERIFY_NONCE,
                               VERIFY_ECHOSTR) == VERIFY_PLAIN


def test_the_documented_message_decrypts_to_the_documented_xml(official: Callback) -> None:
    assert official.open(MSG_SIGNATURE, MSG_TIMESTAMP, MSG_NONCE,
                         MSG_BODY.encode()) == MSG_PLAIN


def test_one_changed_character_fails_the_documented_signature(official: Callback) -> None:
    with pytest.raises(CallbackRefused, match="签名不对"):
        official.verify_url(VERIFY_SIGNATURE, VERIFY_TIMESTAMP, VERIFY_NONCE,
                            VERIFY_ECHOSTR.replace("P9n", "P9m"))
    with pytest.raises(CallbackRefused, match="签名不对"):
        official.open(MSG_SIGNATURE, str(int(MSG_TIMESTAMP) + 1), MSG_NONCE, MSG_BODY.encode())


def test_the_documented_requests_over_http(open_wecom: OpenWeCom) -> None:
    """The GET as the document shows it (echostr URL-encoded), then the documented POST:
    its sender "mycreate" is linked to no one, so the only reply is the polite refusal."""
    wecom = open_wecom(**OFFICIAL)
    wecom.api.corp_id = CORP_ID  # the mock issues tokens to the example's corp
    url = (f"/wecom/callback?msg_signature={VERIFY_SIGNATURE}&timestamp={VERIFY_TIMESTAMP}"
           f"&nonce={VERIFY_NONCE}&echostr={quote(VERIFY_ECHOSTR, safe='')}")
    assert "%2F" in url and "%2B" in url and "%3D%3D" in url
    got = wecom.client.get(url)
    assert got.status_code == 200 and got.text == VERIFY_PLAIN
    assert got.headers["content-type"].startswith("text/plain")

    posted = wecom.post({"msg_signature": MSG_SIGNATURE, "timestamp": MSG_TIMESTAMP,
                         "nonce": MSG_NONCE}, MSG_BODY)
    assert posted.status_code == 200 and posted.content == b""
    wecom.settle()
    [reply] = wecom.api.sent
    assert reply["touser"] == "mycreate" and reply["msgtype"] == "markdown"
    assert "还没有登记为门店员工" in reply["markdown"]["content"]
    assert wecom.turns() == []
