"""Which sender serves each channel in this worker.

SMS (the outbox) is always there; Slack DM when its bot token and test user are set; the
WeCom senders come from `channels.wecom`, imported only here and only when senders are
built, so a worker (or a test) that never sends on WeCom does not load it. A channel
that cannot send here (WeCom not configured) is served by `Unavailable`, which fails its
recipients with the reason, so the campaign ends and shows why.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import httpx
from sqlalchemy import Connection

from copilot.campaigns.dispatch.channels.base import (
    Content,
    Outcome,
    Recipient,
    Sender,
    no_record,
)
from copilot.campaigns.dispatch.channels.slack_dm import slack_dm_sender
from copilot.campaigns.dispatch.channels.sms import SmsOutbox
from copilot.campaigns.lifecycle import CHANNEL_ZH
from copilot.config import Settings
from copilot.errors import UserError
from copilot.state.db import StateStore

log = logging.getLogger(__name__)
WECOM_MODULE = "copilot.campaigns.dispatch.channels.wecom"


def senders(settings: Settings, state: StateStore, http: httpx.AsyncClient
            ) -> dict[str, Sender]:
    found: dict[str, Sender] = {"sms": SmsOutbox()}
    slack = slack_dm_sender(settings, http)
    if slack is not None:
        found["slack_dm"] = slack
    found.update(_wecom(settings, state, http))
    return found


def _wecom(settings: Settings, state: StateStore, http: httpx.AsyncClient
           ) -> dict[str, Sender]:
    try:
        from copilot.campaigns.dispatch.channels import wecom
    except ModuleNotFoundError as exc:
        if exc.name != WECOM_MODULE:
            raise
        log.warning("no WeCom senders in this build: %s is missing", WECOM_MODULE)
        return {}
    found: dict[str, Sender] = {}
    for channel, factory in (("wecom_customer", wecom.customer_sender),
                             ("wecom_group", wecom.group_sender)):
        try:
            found[channel] = factory(settings, state, http)
        except UserError as exc:  # not configured
            log.warning("%s sender unavailable: %s", channel, exc.en)
            found[channel] = Unavailable(channel, exc.zh)
    return found


@dataclass
class Unavailable:
    """Stands in for a channel this worker cannot send on (not configured)."""

    channel: str
    reason: str | None = None

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        why = self.reason or f"发送程序没有配置{CHANNEL_ZH.get(self.channel, self.channel)}渠道"
        return [Outcome(r.member_id, False, why) for r in batch]

    def record(self, conn: Connection, content: Content, sent: list[Recipient]) -> None:
        no_record(conn, content, sent)
