"""Console sign-in: every page and API call needs it, and the token is checked each time."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from copilot.channels import identity
from copilot.config import Settings
from copilot.state.db import StateStore
from tests.channels.web.conftest import SignIn, Token

PAGES = ["/console/chat", "/console/dashboard", "/console/dashboard?today=2026-11-25"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_send_strangers_to_the_sign_in_form(client: TestClient, path: str) -> None:
    r = client.get(path, follow_redirects=False)
    assert r.status_code == 303
    assert r.headers["location"].startswith("/console/login?next=%2Fconsole%2F")
    form = client.get(r.headers["location"])
    assert form.status_code == 200 and "控制台令牌" in form.text
    assert 'name="token"' in form.text and 'type="password"' in form.text


def test_api_and_charts_answer_401_in_both_languages(client: TestClient) -> None:
    for r in (client.post("/console/api/chat", json={"message": "你好"}),
              client.post("/console/api/feedback", json={"turn_id": "x", "rating": 1}),
              client.get("/console/charts/diagnosis-S001-0123456789ab.png")):
        assert r.status_code == 401
        assert r.json() == {"error": "请先登录控制台。",
                            "error_en": "Please sign in to the console first."}


def test_a_wrong_token_gets_the_form_again_with_a_chinese_error(client: TestClient) -> None:
    wrong = client.post("/console/login", data={"token": "oc_not-a-real-token"},
                        follow_redirects=False)
    assert wrong.status_code == 401 and "令牌无效或已作废" in wrong.text
    assert 'name="token"' in wrong.text and "copilot_console" not in wrong.headers.get(
        "set-cookie", "")
    empty = client.post("/console/login", data={"token": "   "}, follow_redirects=False)
    assert empty.status_code == 401 and "请粘贴控制台令牌" in empty.text
    assert client.get("/console/chat", follow_redirects=False).status_code == 303


def test_a_good_token_signs_in_with_a_strict_httponly_cookie(client: TestClient,
                                                             token: Token) -> None:
    r = client.post("/console/login", data={"token": "  " + token("E03") + "\n",
                                            "next": "/console/dashboard?today=2026-11-25"},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/dashboard?today=2026-11-25"
    cookie = r.headers["set-cookie"].lower()
    assert cookie.startswith("copilot_console=oc_")
    assert "httponly" in cookie and "samesite=strict" in cookie and "path=/console" in cookie
    chat = client.get("/console/chat")
    assert chat.status_code == 200 and "赵敏(E03 · 店长 · S001)" in chat.text
    assert 'id="question"' in chat.text and "退出登录" in chat.text


@pytest.mark.parametrize("target", ["https://evil.example/", "//evil.example/console/chat",
                                    "/console/../api/chat", "/healthz"])
def test_sign_in_only_continues_to_console_pages(client: TestClient, token: Token,
                                                 target: str) -> None:
    r = client.post("/console/login", data={"token": token("E03"), "next": target},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/console/chat"


def test_a_revoked_token_stops_working_at_the_next_request(client: TestClient, sign_in: SignIn,
                                                           settings: Settings) -> None:
    sign_in("E03")
    assert client.get("/console/chat").status_code == 200
    assert identity.revoke_tokens(StateStore.from_settings(settings), "E03") == 1
    api = client.post("/console/api/chat", json={"message": "你好"})
    assert api.status_code == 401 and "令牌可能已被作废" in api.json()["error"]
    page = client.get("/console/chat", follow_redirects=False)
    assert page.status_code == 303 and "expired=1" in page.headers["location"]
    again = client.get(page.headers["location"])  # the stale cookie is dropped on the way
    assert "登录已失效" in again.text and "copilot_console" not in client.cookies


def test_signing_out_forgets_the_cookie(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E01")
    out = client.post("/console/logout", follow_redirects=False)
    assert out.status_code == 303 and out.headers["location"] == "/console/login"
    assert 'copilot_console=""' in out.headers["set-cookie"]
    assert client.get("/console/chat", follow_redirects=False).status_code == 303


def test_pages_run_only_their_own_script_and_are_never_cached(client: TestClient,
                                                              sign_in: SignIn) -> None:
    sign_in("E03")
    r = client.get("/console/chat")
    csp = r.headers["content-security-policy"]
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'<script nonce="{nonce}">' in r.text and r.text.count("<script") == 1
    assert "frame-ancestors 'none'" in csp and r.headers["cache-control"] == "no-store"
    again = client.get("/console/chat").headers["content-security-policy"]
    assert nonce not in again  # a fresh nonce per response
    assert client.get("/console", follow_redirects=False).headers["location"] == "/console/chat"
    css = client.get("/console/static/console.css")  # the sign-in form needs it, unsigned
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
