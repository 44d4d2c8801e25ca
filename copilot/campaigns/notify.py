"""Telling people about an approval: the approvers when a campaign starts waiting for them,
the requester when one of them has decided.

Each person is reached where they are linked (`copilot staff link`): a Slack DM from the
app (with 通过 / 驳回 buttons for an approver) and/or a WeCom app message (an approver
replies “通过 <编号>” or “驳回 <编号>”). Someone linked nowhere is skipped and logged:
the console's dashboard still lists what waits for them. These run after the turn or the
button press that caused them has been answered, so nothing here may raise into the
caller: a platform that refuses or cannot be reached costs that one message, logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Any

import aiohttp
import httpx
from slack_sdk.web.async_client import AsyncWebClient

from copilot.campaigns import approvals
from copilot.channels import identity
from copilot.channels.render import split
from copilot.channels.slack.blocks import approval_blocks
from copilot.channels.wecom.api import MARKDOWN_LIMIT, TIMEOUT_S, TokenCache, WeComAPI
from copilot.config import Settings
from copilot.data.store import MemberStore
from copilot.state.db import StateStore

log = logging.getLogger(__name__)


async def notify_approvers(settings: Settings, state: StateStore, members: MemberStore,
                           campaign_id: str, *, slack: AsyncWebClient | None = None,
                           wecom: WeComAPI | None = None) -> int:
    """Tell every approver of a campaign waiting for approval; how many messages went out.
    `slack` / `wecom`: clients to reuse (the service's), otherwise made for this call."""
    try:
        item, people = await asyncio.to_thread(_approvers, state, members, campaign_id)
        if item.state != approvals.WAITING:
            log.info("campaign %s is %s, not waiting for approval: nobody told",
                     campaign_id, item.state)
            return 0
        lines = item.lines()
        text = "有一个活动等你审批:\n" + "\n".join(lines)
        reply = f"回复“通过 {item.campaign_id}”批准,或“驳回 {item.campaign_id}”驳回。"
        markdown = "**有一个活动等你审批**\n" + "\n".join(lines) + f"\n\n{reply}"
        async with _senders(settings, slack, wecom) as send:
            for staff, links in people:
                if not links:
                    log.info("approver %s of campaign %s is linked nowhere; skipped",
                             staff, campaign_id)
                for channel, user in links:
                    if channel == "slack":
                        await send.slack(user, text, approval_blocks(lines, item.campaign_id))
                    elif channel == "wecom":
                        await send.wecom(user, markdown)
            return send.sent
    except Exception:
        log.exception("approvers of campaign %s could not be told", campaign_id)
        return 0


async def notify_requester(settings: Settings, state: StateStore, members: MemberStore,
                           campaign_id: str, *, slack: AsyncWebClient | None = None,
                           wecom: WeComAPI | None = None) -> int:
    """Tell a campaign's requester that it was approved or rejected, by whom and when."""
    try:
        text, requester, links = await asyncio.to_thread(_outcome, state, members,
                                                         campaign_id)
        if text is None:
            log.info("campaign %s has no approval decision yet: requester not told",
                     campaign_id)
            return 0
        if not links:
            log.info("requester %s of campaign %s is linked nowhere; skipped", requester,
                     campaign_id)
        async with _senders(settings, slack, wecom) as send:
            for channel, user in links:
                if channel == "slack":
                    await send.slack(user, text, None)
                elif channel == "wecom":
                    await send.wecom(user, text)
            return send.sent
    except Exception:
        log.exception("requester of campaign %s could not be told", campaign_id)
        return 0


def decision_text(item: approvals.Summary, decision: dict[str, Any], who: str) -> str:
    """The requester's news, in one paragraph."""
    at: datetime = decision["at"]
    if decision["action"] == "approve":
        said = (f"你的活动“{item.name}”(编号 {item.campaign_id})已由 {who} 于 "
                f"{at:%m-%d %H:%M} 审批通过,将于 {item.send_at:%Y-%m-%d %H:%M} 开始发送。")
    else:
        said = (f"你的活动“{item.name}”(编号 {item.campaign_id})被 {who} 于 "
                f"{at:%m-%d %H:%M} 驳回,活动已取消。")
    return said + (f"\n审批意见:{decision['note']}" if decision.get("note") else "")


Links = list[tuple[str, str]]  # (channel, platform user id)


def _links(state: StateStore, staff_id: str) -> Links:
    return [(str(r["channel"]), str(r["external_id"]))
            for r in identity.links(state, staff_id)]


def _approvers(state: StateStore, members: MemberStore, campaign_id: str
               ) -> tuple[approvals.Summary, list[tuple[str, Links]]]:
    item = approvals.summary(state, members, campaign_id)
    people = approvals.approvers(state, members, campaign_id)
    return item, [(staff, _links(state, staff)) for staff in people]


def _outcome(state: StateStore, members: MemberStore, campaign_id: str
             ) -> tuple[str | None, str, Links]:
    item = approvals.summary(state, members, campaign_id)
    decision = approvals.last_decision(state, campaign_id)
    if decision is None:
        return None, item.requester, []
    name = approvals.staff_names(members, [decision["actor"]]).get(decision["actor"], "")
    who = f"{name}({decision['actor']})" if name else decision["actor"]
    return decision_text(item, decision, who), item.requester, _links(state, item.requester)


class _Send:
    """Sends one message at a time; a refusal or an unreachable platform is logged and
    counted out, never raised, so one approver's problem does not keep the next waiting."""

    def __init__(self, settings: Settings, slack: AsyncWebClient | None,
                 wecom: WeComAPI | None) -> None:
        self.settings, self._slack, self._wecom = settings, slack, wecom
        self.sent = 0

    async def slack(self, user: str, text: str, blocks: list[dict[str, Any]] | None) -> None:
        if self._slack is None:
            log.info("Slack is not configured: %s not told", user)
            return
        try:  # a user id as the channel: the app's DM with that person
            await self._slack.chat_postMessage(channel=user, text=text[:3000], blocks=blocks)
            self.sent += 1
        except Exception as exc:
            log.warning("Slack DM to %s not delivered: %s", user, exc)

    async def wecom(self, user: str, text: str) -> None:
        if self._wecom is None:
            log.info("WeCom is not configured: %s not told", user)
            return
        try:
            for piece in split(text, MARKDOWN_LIMIT):
                await self._wecom.send_markdown(user, piece)
                self.sent += 1
        except Exception as exc:
            log.warning("WeCom message to %s not delivered: %s", user,
                        getattr(exc, "en", exc))


@contextlib.asynccontextmanager
async def _senders(settings: Settings, slack: AsyncWebClient | None,
                   wecom: WeComAPI | None) -> AsyncIterator[_Send]:
    """The clients for one notification: those given, or ones made (and closed) here for
    the channels that are configured. Approvals are rare, so a token fetched per batch
    costs WeCom one gettoken now and then."""
    async with contextlib.AsyncExitStack() as closing:
        if slack is None and settings.slack_bot_token:
            session = await closing.enter_async_context(aiohttp.ClientSession())
            slack = AsyncWebClient(token=settings.slack_bot_token,
                                   base_url=settings.slack_api_url, session=session)
        if wecom is None and settings.wecom_corp_id and settings.wecom_secret and \
                settings.wecom_agent_id is not None:
            http = await closing.enter_async_context(httpx.AsyncClient(timeout=TIMEOUT_S))
            wecom = WeComAPI(settings, http, TokenCache())
        yield _Send(settings, slack, wecom)
