"""通过 / 驳回 on a campaign's approval DM: the presser's own staff record decides.

The button carries only the campaign id. Who pressed is the Slack user bolt verified,
looked up in the staff links; `approvals.decide` then applies the same rules as every
other channel (an approver of the region, never the requester). A refusal is said to the
presser alone (ephemeral); a second press, or a press after another approver, is told the
campaign was already dealt with and changes nothing.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from copilot.campaigns import approvals, notify
from copilot.channels.gate import Gate, reply_text
from copilot.channels.slack import blocks
from copilot.channels.slack.listeners import Runtime
from copilot.data.access import User, load_user
from copilot.data.store import MemberStore
from copilot.errors import UserError

log = logging.getLogger(__name__)


def register(bolt: AsyncApp, runtime: Callable[[], Runtime]) -> None:
    @bolt.action(re.compile(f"^({blocks.CAMPAIGN_APPROVE}|{blocks.CAMPAIGN_REJECT})$"))
    async def approval(ack: Callable, body: dict, action: dict,
                       client: AsyncWebClient) -> None:
        await ack()
        rt = runtime()
        rt.later(press(client, rt.gate, body, action))


def _user(members: MemberStore, staff_id: str) -> User:
    with members.read() as conn:
        return load_user(conn, staff_id)


async def press(client: AsyncWebClient, gate: Gate, body: dict, action: dict) -> None:
    presser, channel = body["user"]["id"], body["channel"]["id"]
    message = body.get("message") or {}
    approve = action["action_id"] == blocks.CAMPAIGN_APPROVE
    staff = await gate.staff_of("slack", presser)
    if staff is None:
        await client.chat_postEphemeral(channel=channel, user=presser,
                                        text=reply_text("unregistered"))
        return
    copilot = gate.copilot
    at = copilot.settings.now()  # the stores' clock, as every campaign time
    try:
        user = await asyncio.to_thread(_user, copilot.members, staff)
        campaign = await asyncio.to_thread(approvals.decide, gate.state,
                                           str(action.get("value", "")), user, approve,
                                           now=at)
    except UserError as exc:
        await client.chat_postEphemeral(channel=channel, user=presser, text=exc.zh)
        return
    said = "审批通过" if approve else "驳回"
    who = f"{user.name}({user.staff_id})于 {at:%m-%d %H:%M} {said}"
    if message.get("ts"):  # the buttons give way to who decided, for every later look
        try:
            item = await asyncio.to_thread(approvals.summary, gate.state, copilot.members,
                                           campaign.campaign_id)
            await client.chat_update(channel=channel, ts=message["ts"],
                                     text=f"活动“{campaign.name}”:{who}",
                                     blocks=blocks.decided_blocks("\n".join(item.lines()),
                                                                  who))
        except Exception:  # decided all the same: the requester must still hear of it
            log.exception("approval message %s in %s not updated", message["ts"], channel)
    await notify.notify_requester(copilot.settings, gate.state, copilot.members,
                                  campaign.campaign_id, slack=client)

