"""The dashboard's practice section: leads see their trainees' progress by skill; staff and
trainees see no such section."""

from __future__ import annotations

import html
import re
from datetime import datetime

from fastapi.testclient import TestClient

from copilot.config import Settings
from copilot.practice import coach
from copilot.state.db import StateStore
from tests.channels.web.conftest import DAY, SignIn

NOW = datetime(2026, 11, 25, 15, 0)


def _training(page: str) -> str | None:
    found = re.search(r'<section class="card" id="training">(.*?)</section>', page, re.S)
    return html.unescape(re.sub(r"<[^>]+>", " ", found.group(1))) if found else None


def test_a_store_manager_sees_the_trainees_progress(client: TestClient, sign_in: SignIn,
                                                    settings: Settings, chain_store) -> None:
    sign_in("E03")
    empty = _training(client.get(f"/console/dashboard?today={DAY}").text)
    assert empty is not None and "还没有完成评分的练习" in empty
    state = StateStore.from_settings(settings)
    started = coach.begin(state, "E07", scenario_id="phone_invitation", seed=1, now=NOW)
    coach.say(state, started.session_id, "王姐您好,我是朝阳大悦城店的小李")
    card = coach.finish(state, started.session_id, NOW)
    shown = _training(client.get(f"/console/dashboard?today={DAY}").text)
    assert shown is not None and "E07" in shown and "邀约" in shown
    assert str(card.score) in shown.split()


def test_staff_see_no_practice_section(client: TestClient, sign_in: SignIn) -> None:
    sign_in("E01")
    assert _training(client.get(f"/console/dashboard?today={DAY}").text) is None
