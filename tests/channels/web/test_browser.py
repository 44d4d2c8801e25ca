"""The console in a real browser: Debian's chromium driven by Playwright, against the service
run by uvicorn on a loopback port over the small test chain.

Playwright's own browser downloads are never used: the test launches /usr/bin/chromium, and
skips without it (fails when COPILOT_REQUIRE_SERVICES=1, as CI sets). Chromium resolves no
host name but 127.0.0.1, so nothing the page does can leave the machine.
"""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import uvicorn
from playwright.sync_api import Browser, Page, sync_playwright

from copilot.api import create_app
from copilot.campaigns import store
from copilot.channels import records
from copilot.channels.render import metric_table
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore
from tests.campaigns.test_approvals import waiting
from tests.channels.web.conftest import DAY, Token
from tests.conftest import _services_required
from tests.tools.fixtures import make_ctx
from tools.runner import run_tool

CHROMIUM = Path("/usr/bin/chromium")
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    if not CHROMIUM.exists():
        why = f"Debian chromium not installed at {CHROMIUM} (apt-get install chromium)"
        if _services_required():
            pytest.fail(f"{why}; required because COPILOT_REQUIRE_SERVICES=1")
        pytest.skip(why)
    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=str(CHROMIUM), headless=True,
                                     args=[OFFLINE])
        yield launched
        launched.close()


@pytest.fixture
def live(settings: Settings, chain_store: MemberStore) -> Iterator[str]:
    """The whole service on a free loopback port, in a thread; its base URL."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(settings), log_level="warning"))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the service did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        thread.join(timeout=30)
        sock.close()


@pytest.fixture
def page(browser: Browser, live: str) -> Iterator[Page]:
    context = browser.new_context(locale="zh-CN", service_workers="block")
    tab = context.new_page()
    elsewhere: list[str] = []
    tab.on("request", lambda r: None if r.url.startswith(live) else elsewhere.append(r.url))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not elsewhere, f"the page asked for something off this service: {elsewhere}"


def _sign_in(page: Page, live: str, token: str, path: str) -> None:
    """Open a console page, be sent to the form, paste the token, land on the page."""
    page.goto(live + path)
    assert page.url.startswith(live + "/console/login")
    page.fill("#token", token)
    page.click("#sign-in")
    page.wait_for_url(live + path)


def test_sign_in_ask_and_see_the_answer(page: Page, live: str, token: Token,
                                        settings: Settings, chain_store: MemberStore) -> None:
    _sign_in(page, live, token("E03"), f"/console/chat?today={DAY}")
    page.fill("#question", "朝阳店今年复购率")
    page.click("#send")
    answer = page.locator(".answer[data-turn]").last
    answer.wait_for()
    assert "北京朝阳大悦城店" in answer.locator(".answer-text").inner_text()

    # The figures on the page are the tool's own, for the arguments the agent chose.
    turn_id = answer.get_attribute("data-turn")
    state = StateStore.from_settings(settings)
    [call] = json.loads(str(records.get_turn(state, turn_id)["tools"]))
    tool = run_tool(make_ctx(settings, chain_store, "E03", direct=True), call["name"],
                    call["args"])
    expected = metric_table(tool.result.as_json())
    cells = answer.locator("table.metrics tbody tr").first.locator("td").all_inner_texts()
    assert cells == expected.rows[0]

    answer.locator("button.rate[title='有帮助']").click()
    page.wait_for_function(
        "() => document.querySelector('.answer[data-turn] .thanks').textContent.length > 0")
    assert answer.locator(".thanks").inner_text() == "收到评价,谢谢!"
    assert records.get_turn(state, turn_id)["rating"] == 1

    page.fill("#question", "那区域平均呢?")  # the page keeps the thread for follow-ups
    page.keyboard.press("Enter")
    page.locator(".answer[data-turn]").nth(1).wait_for()
    header = page.locator(".answer[data-turn]").nth(1).locator("thead th").all_inner_texts()
    assert header[2].startswith("华北区")


def test_confirm_button_answers_a_pending_deletion(page: Page, live: str, token: Token) -> None:
    _sign_in(page, live, token("E03"), f"/console/chat?today={DAY}")
    for n, question in enumerate(["朝阳店 金卡 存成 金卡组", "删除分组 金卡组"]):
        page.fill("#question", question)
        page.click("#send")
        page.locator(".answer[data-turn]").nth(n).wait_for()
    pending = page.locator(".pending")
    assert pending.count() == 1
    pending.locator("button", has_text="确认").click()
    done = page.locator(".answer[data-turn]").nth(2)
    done.wait_for()
    assert "已删除分组“金卡组”" in done.inner_text()
    assert pending.locator("button").first.is_disabled()


def test_dashboard_shows_the_charts(page: Page, live: str, token: Token) -> None:
    _sign_in(page, live, token("E05"), f"/console/dashboard?today={DAY}")
    assert "北京朝阳大悦城店(S001)" in page.locator("#diagnosis .headline").inner_text()
    for chart in ("#diagnosis-chart", "#ranking-chart"):
        page.wait_for_function(f"() => document.querySelector('{chart}').complete")
        width = page.eval_on_selector(chart, "img => img.naturalWidth")
        assert width > 0, f"{chart} did not load"
    assert "没有待你审批的活动" in page.locator("#campaigns").inner_text()


def test_a_supervisor_approves_a_campaign_on_the_dashboard(
        page: Page, live: str, token: Token, settings: Settings,
        chain_store: MemberStore) -> None:
    state = StateStore.from_settings(settings)
    cid = waiting(state, chain_store)
    _sign_in(page, live, token("E05"), f"/console/dashboard?today={DAY}")
    item = page.locator(f"#campaigns .approval[data-campaign='{cid}']")
    assert "周六会员日" in item.inner_text() and "赵敏(E03)" in item.inner_text()
    item.locator("button", has_text="通过").click()
    page.wait_for_url(f"{live}/console/dashboard?today={DAY}")
    assert "已通过活动“周六会员日”" in page.locator(".notice").inner_text()
    assert "没有待你审批的活动" in page.locator("#campaigns").inner_text()
    assert store.get(state, cid).state == "scheduled"
