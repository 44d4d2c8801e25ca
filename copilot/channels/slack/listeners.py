"""Bolt listeners: Slack events, the /copilot command and button presses → the gate.

Every listener acknowledges at once (Slack wants an answer within 3 s) and hands the turn
to `Runtime.later`, so the agent runs after the acknowledgement. A turn's thread is the
Slack thread: "<channel>:<thread ts>", so the conversation memory follows the thread.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable, Coroutine
from typing import Any, Protocol

from slack_bolt.async_app import AsyncApp
from slack_sdk.web.async_client import AsyncWebClient

from copilot.channels.gate import Gate, Inbound, reply_text
from copilot.channels.slack import blocks
from copilot.channels.slack.reply import post_outbound
from copilot.errors import UserError

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_LINK = re.compile(r"<(?:https?|mailto):[^|>]+\|([^>]+)>|<((?:https?|mailto):[^>]+)>")


class Runtime(Protocol):
    """What listeners need from the service around them."""

    @property
    def gate(self) -> Gate: ...

    def later(self, work: Coroutine[Any, Any, Any]) -> Any: ...


def clean(text: str) -> str:
    """What the person wrote: bot mentions removed, Slack's escaping undone."""
    text = _MENTION.sub(" ", text or "")
    text = _LINK.sub(lambda m: m.group(1) or m.group(2), text)
    return html.unescape(text).strip()


def _direct(channel: str, channel_type: str | None = None) -> bool:
    return channel_type in ("im", "directmessage") or channel.startswith("D")


async def converse(client: AsyncWebClient, gate: Gate, *, user: str, channel: str,
                   thread_ts: str | None, text: str, direct: bool, event_id: str | None,
                   answers: str | None = None) -> None:
    """One turn in a Slack thread, answered in that thread (a direct message outside any
    thread: in the chat itself, as the one conversation of that DM)."""
    thread = f"{channel}:{thread_ts}" if thread_ts else channel
    inbound = Inbound("slack", user, thread, text, direct, event_id, answers=answers)
    if not await gate.first_time(inbound):
        return  # Slack retried a delivery we already took
    out = await gate.handle(inbound)
    await post_outbound(client, out, channel=channel, thread_ts=thread_ts, user=user,
                        direct=direct)


def register(bolt: AsyncApp, runtime: Callable[[], Runtime]) -> None:
    """Attach every listener; `runtime()` is read per request (the service's lifespan)."""

    @bolt.event("app_mention")
    async def mention(event: dict, body: dict, client: AsyncWebClient) -> None:
        rt = runtime()
        rt.later(converse(client, rt.gate, user=event.get("user", ""),
                          channel=event["channel"],
                          thread_ts=event.get("thread_ts") or event["ts"],
                          text=clean(event.get("text", "")), direct=False,
                          event_id=body.get("event_id")))

    @bolt.event("message")
    async def message(event: dict, body: dict, client: AsyncWebClient) -> None:
        # Channels are answered on a mention (app_mention); here only direct messages, and
        # never a bot's own or an edited message.
        if (event.get("channel_type") != "im" or event.get("bot_id") or event.get("subtype")
                or not event.get("user")):
            return
        # A direct message is one running conversation (people just type, one message
        # after another, answered in the chat); a thread inside it is its own.
        rt = runtime()
        rt.later(converse(client, rt.gate, user=event["user"], channel=event["channel"],
                          thread_ts=event.get("thread_ts"),
                          text=clean(event.get("text", "")), direct=True,
                          event_id=body.get("event_id")))

    @bolt.command("/copilot")
    async def command(ack: Callable, command: dict, client: AsyncWebClient) -> None:
        await ack()
        runtime().later(_command(client, runtime().gate, command))

    @bolt.action(re.compile(f"^({blocks.CONFIRM}|{blocks.CANCEL})$"))
    async def decide(ack: Callable, body: dict, action: dict, client: AsyncWebClient) -> None:
        await ack()
        runtime().later(_decide(client, runtime().gate, body, action))

    @bolt.action(re.compile(f"^({blocks.FEEDBACK_UP}|{blocks.FEEDBACK_DOWN})$"))
    async def feedback(ack: Callable, body: dict, action: dict,
                       client: AsyncWebClient) -> None:
        await ack()
        runtime().later(_feedback(client, runtime().gate, body, action))


async def _command(client: AsyncWebClient, gate: Gate, command: dict) -> None:
    """`/copilot 问题`: the question is posted in the channel and answered in its thread,
    so people can follow up there by mentioning the app."""
    user, channel, text = command["user_id"], command["channel_id"], clean(command["text"])
    direct = _direct(channel, command.get("channel_name"))
    if await gate.staff_of("slack", user) is None:
        await client.chat_postEphemeral(channel=channel, user=user,
                                        text=reply_text("unregistered"))
        return
    if not text:
        await client.chat_postEphemeral(channel=channel, user=user, text=reply_text("usage"))
        return
    # Posted as the bot: Slack's control characters are escaped so "<!channel>" typed by a
    # person never becomes a channel-wide ping sent in the bot's name.
    shown = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    asked = await client.chat_postMessage(channel=channel, text=f"<@{user}> 问:{shown}")
    await converse(client, gate, user=user, channel=channel, thread_ts=asked["ts"], text=text,
                   direct=direct, event_id=f"command:{command.get('trigger_id', asked['ts'])}")


async def _decide(client: AsyncWebClient, gate: Gate, body: dict, action: dict) -> None:
    """Confirm / cancel: only the person who asked for the action may press, checked here
    and again by the agent, and a second press of the same buttons does nothing."""
    presser, channel = body["user"]["id"], body["channel"]["id"]
    message = body["message"]
    direct = _direct(channel, body["channel"].get("name"))
    # In a DM the answer with the buttons sits in the chat itself, not in a thread.
    thread_ts = message.get("thread_ts") or (None if direct else message["ts"])
    value = json.loads(action["value"])
    wanted = value.get("staff", "")
    staff = await gate.staff_of("slack", presser)
    if staff is None or staff != wanted:
        text = (reply_text("unregistered") if staff is None
                else reply_text("not_yours", staff=wanted))
        await client.chat_postEphemeral(channel=channel, user=presser, text=text)
        return
    if not await gate.first_time(Inbound("slack", presser, "", "", False,
                                         event_id=f"decide:{channel}:{message['ts']}")):
        return
    approve = action["action_id"] == blocks.CONFIRM
    said = "确认" if approve else "取消"
    await client.chat_update(channel=channel, ts=message["ts"], text=f"{staff} 已{said}",
                             blocks=blocks.decided_blocks(
                                 _first_text(message), f"{staff} 已{said}"))
    await converse(client, gate, user=presser, channel=channel, thread_ts=thread_ts,
                   text=said, direct=direct, event_id=None, answers=value.get("wait", ""))


async def _feedback(client: AsyncWebClient, gate: Gate, body: dict, action: dict) -> None:
    presser, channel = body["user"]["id"], body["channel"]["id"]
    rating = 1 if action["action_id"] == blocks.FEEDBACK_UP else -1
    try:
        ok = await gate.rate("slack", presser, action["value"], rating)
        text = reply_text("thanks") if ok else reply_text("unregistered")
    except UserError as exc:
        text = exc.zh
    await client.chat_postEphemeral(channel=channel, user=presser, text=text)


def _first_text(message: dict) -> str:
    for block in message.get("blocks", []):
        text = (block.get("text") or {}).get("text")
        if text:
            return text
    return message.get("text", "")
