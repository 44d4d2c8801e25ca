"""The HTTP service over the small test chain, through FastAPI's test client."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from copilot.api import create_app
from copilot.config import Settings
from tests.tools import chain

DAY = chain.TODAY.isoformat()
LOCAL = ("127.0.0.1", 50000)


@pytest.fixture
def client(settings: Settings, chain_store) -> Iterator[TestClient]:
    with TestClient(create_app(settings), client=LOCAL) as c:
        yield c


def test_health_says_which_model_and_data(client: TestClient) -> None:
    body = client.get("/healthz").json()
    assert body["status"] == "ok" and body["model"] == "offline" and body["data_version"]


def test_chat_is_the_ask_json_plus_a_thread(client: TestClient) -> None:
    first = client.post("/api/chat", json={"message": "朝阳店上个月复购率", "staff_id": "E03",
                                           "today": DAY}).json()
    assert list(first) == ["answer", "tool_calls", "citations", "pending_action", "thread_id"]
    assert first["tool_calls"][0]["name"] == "member_metrics" and first["tool_calls"][0]["ok"]
    again = client.post("/api/chat", json={"message": "那区域平均呢?", "staff_id": "E03",
                                           "thread_id": first["thread_id"], "today": DAY}).json()
    assert again["tool_calls"][0]["args"]["compare"] == ["region"]


def test_bad_requests_get_clear_errors(client: TestClient) -> None:
    unknown = client.post("/api/chat", json={"message": "你好", "staff_id": "E99"})
    assert unknown.status_code == 400 and "找不到员工编号" in unknown.json()["error"]
    empty = client.post("/api/chat", json={"message": "  ", "staff_id": "E03"})
    assert empty.status_code == 400 and "消息是空的" in empty.json()["error"]
    missing = client.post("/api/chat", json={"staff_id": "E03"})
    assert missing.status_code == 422 and "参数 message 缺少" in missing.json()["error"]
    bad_day = client.post("/api/chat", json={"message": "你好", "staff_id": "E03",
                                             "today": "2026-13-01"})
    assert bad_day.status_code == 422 and "today" in bad_day.json()["error"]


def test_segments_are_listed_for_their_owner(client: TestClient) -> None:
    client.post("/api/chat", json={"message": "朝阳店 金卡 存成 金卡组", "staff_id": "E03",
                                   "today": DAY})
    mine = client.get("/api/segments", params={"staff_id": "E03"}).json()
    assert [s["name"] for s in mine["segments"]] == ["金卡组"]
    other = client.get("/api/segments", params={"staff_id": "E01"}).json()
    assert other["segments"] == []


def test_a_token_is_required_once_configured(settings: Settings, chain_store) -> None:
    cfg = settings.model_copy(update={"api_token": "s3cret"})
    with TestClient(create_app(cfg), client=("10.1.2.3", 50000)) as c:
        body = {"message": "你好", "staff_id": "E03"}
        assert c.post("/api/chat", json=body).status_code == 403
        wrong = c.post("/api/chat", json=body, headers={"Authorization": "Bearer nope"})
        assert wrong.status_code == 403 and "令牌" in wrong.json()["error"]
        ok = c.post("/api/chat", json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200 and ok.json()["answer"]
        assert c.get("/healthz").status_code == 200  # health needs no token


def test_openapi_documents_the_endpoints(client: TestClient) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    assert {"/healthz", "/api/chat", "/api/segments"} <= set(paths)


def test_without_a_token_only_this_machine_may_speak_for_staff(settings: Settings,
                                                                chain_store) -> None:
    with TestClient(create_app(settings), client=("10.1.2.3", 50000)) as c:
        refused = c.post("/api/chat", json={"message": "你好", "staff_id": "E03"})
        assert refused.status_code == 403 and "本机" in refused.json()["error"]
        assert c.get("/api/segments", params={"staff_id": "E03"}).status_code == 403


def test_a_local_proxy_or_a_public_channel_is_not_trusted_without_a_token(
        settings: Settings, chain_store) -> None:
    body = {"message": "你好", "staff_id": "E03"}
    with TestClient(create_app(settings), client=LOCAL) as c:
        assert c.post("/api/chat", json=body).status_code == 200
        proxied = c.post("/api/chat", json=body, headers={"X-Forwarded-For": "203.0.113.9"})
        assert proxied.status_code == 403 and "直接" in proxied.json()["error"]
        assert c.post("/api/chat", json=body, headers={"Forwarded": "for=1.2.3.4"}
                      ).status_code == 403
    slack = settings.model_copy(update={"slack_bot_token": "xoxb-1",
                                        "slack_signing_secret": "s"})
    with TestClient(create_app(slack), client=LOCAL) as c:
        refused = c.post("/api/chat", json=body)
        assert refused.status_code == 403 and "COPILOT_API_TOKEN" in refused.json()["error"]
    both = slack.model_copy(update={"api_token": "s3cret"})
    with TestClient(create_app(both), client=LOCAL) as c:
        ok = c.post("/api/chat", json=body, headers={"Authorization": "Bearer s3cret"})
        assert ok.status_code == 200


def test_token_header_is_read_forgivingly_and_never_crashes(settings: Settings,
                                                            chain_store) -> None:
    cfg = settings.model_copy(update={"api_token": "s3cret"})
    with TestClient(create_app(cfg), client=LOCAL) as c:
        body = {"message": "你好", "staff_id": "E03"}
        lower = c.post("/api/chat", json=body, headers={"Authorization": "bearer s3cret"})
        assert lower.status_code == 200
        odd = c.post("/api/chat", json=body, headers={"Authorization": "Bearer 令牌".encode()})
        assert odd.status_code == 403
