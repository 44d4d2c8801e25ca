"""Posting a gate's answer into a Slack thread: Block Kit, then the charts as images."""

from __future__ import annotations

import logging
from dataclasses import replace

from slack_sdk.errors import SlackApiError
from slack_sdk.web.async_client import AsyncWebClient

from copilot.channels.gate import Outbound
from copilot.channels.render import view, without_paths
from copilot.channels.slack.blocks import answer_blocks

log = logging.getLogger(__name__)
FALLBACK_MAX = 3000  # the notification text; the blocks carry the whole answer


async def post_outbound(client: AsyncWebClient, out: Outbound, *, channel: str,
                        thread_ts: str | None, user: str, direct: bool) -> None:
    if out.result is None:
        if out.kind == "unregistered" and not direct:  # only the person sees it
            await client.chat_postEphemeral(channel=channel, user=user, text=out.text,
                                            thread_ts=thread_ts)
        else:
            await client.chat_postMessage(channel=channel, thread_ts=thread_ts, text=out.text)
        return
    part = view(out.result)
    part = replace(part, text=without_paths(part.text, part.charts))  # the images follow
    await client.chat_postMessage(
        channel=channel, thread_ts=thread_ts, text=(part.text or out.text)[:FALLBACK_MAX],
        blocks=answer_blocks(part, pending=out.result.pending_action, turn_id=out.turn_id))
    for chart in part.charts:
        try:
            await client.files_upload_v2(channel=channel, thread_ts=thread_ts,
                                         file=str(chart), filename=chart.name,
                                         title="诊断图" if "ranking" not in chart.name
                                         else "排名图")
        except SlackApiError as exc:  # the answer is out; a missing image is logged
            log.warning("chart upload failed in %s: %s", channel, exc.response.get("error"))
