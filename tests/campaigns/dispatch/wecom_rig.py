"""What the WeCom adapter tests share: the mock WeCom API, a state database with staff
linked to WeCom userids, recipients, and a way to run a sender as a worker would."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from copilot.campaigns.dispatch.channels import wecom
from copilot.campaigns.dispatch.channels import wecom_tasks as tasks
from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient
from copilot.campaigns.dispatch.channels.wecom_status import TaskSummary
from copilot.config import Settings
from copilot.state.db import StateStore
from tests.support.wecom_api import WeComServer

CORP_ID, SECRET = "wwcorp0001", "app-secret"
CAMPAIGN = "c0ffee"
CONTENT = Content(CAMPAIGN, "春季焕新", "春季新品到店,会员专享九折,回复 TD 退订", "E03")
USERS = {"E01": "wangfang", "E02": "lina"}  # E04 stays unlinked


def ext(member_id: str) -> str:
    """A WeCom-shaped external_userid for a test member."""
    return f"wm{member_id.lower():0>30}"


def rcpt(member_id: str, staff: str | None, channel: str = "wecom_customer", *,
         attempts: int = 0, external: str | None = "auto") -> Recipient:
    return Recipient(CAMPAIGN, member_id, channel, "S001", staff, attempts,
                     wecom_external_id=ext(member_id) if external == "auto" else external)


@dataclass
class Rig:
    settings: Settings
    state: StateStore
    wecom: WeComServer

    def run(self, work: Callable[[Any], Awaitable[Any]], channel: str = "wecom_customer"
            ) -> Any:
        """`work(sender)` inside one event loop, as a worker thread runs its sends."""
        factory = wecom.customer_sender if channel == "wecom_customer" else wecom.group_sender

        async def go() -> Any:
            async with httpx.AsyncClient() as http:
                return await work(factory(self.settings, self.state, http))
        return asyncio.run(go())

    def send(self, batch: list[Recipient], content: Content = CONTENT) -> dict[str, Outcome]:
        channel = batch[0].channel
        outcomes: list[Outcome] = self.run(lambda s: s.send(content, batch), channel)
        assert sorted(o.member_id for o in outcomes) == sorted(r.member_id for r in batch)
        return {o.member_id: o for o in outcomes}

    def check(self) -> TaskSummary:
        async def go() -> Any:
            async with httpx.AsyncClient() as http:
                return await wecom.check_tasks(self.settings, self.state, http, CAMPAIGN)
        return asyncio.run(go())

    def rows(self) -> list[tasks.TaskRow]:
        return tasks.rows(self.state, CAMPAIGN)

    def link(self, user: str, staff: str, at: datetime | None = None) -> None:
        with self.state.begin() as conn:
            conn.execute(text("INSERT INTO channel_identities (channel, external_id, staff_id, "
                              "created_at) VALUES ('wecom', :e, :s, :t)"),
                         {"e": user, "s": staff, "t": at or datetime.now()})

    def templates(self) -> list[dict[str, Any]]:
        """Bodies of add_msg_template calls WeCom accepted."""
        return [c.body for c in self.wecom.calls_to("externalcontact/add_msg_template")
                if c.errcode == 0]


def open_rig(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Rig]:
    """The body of each test module's `rig` fixture (yield from it)."""
    for var in ("HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):  # a proxy would not reach loopback
        monkeypatch.delenv(var, raising=False)
        monkeypatch.delenv(var.lower(), raising=False)
    with WeComServer(corp_id=CORP_ID, secret=SECRET) as server:
        cfg = settings.model_copy(update={"wecom_corp_id": CORP_ID, "wecom_secret": SECRET,
                                          "wecom_api_url": server.url})
        state = StateStore.from_settings(cfg)
        r = Rig(cfg, state, server)
        for staff, user in USERS.items():
            r.link(user, staff)
        yield r
        state.close()
    assert not server.errors, server.errors[0]
