"""A turn's answer as Slack Block Kit: text, metric tables, sources, and buttons.

Answers go out as plain_text sections: they are written for people, not as Slack mrkdwn,
and a masked 138****1234 must not become bold. Button values carry only ids; who may
press is checked on the server when the press arrives.
"""

from __future__ import annotations

import json
from typing import Any

from copilot.agent.turn import PendingAction
from copilot.channels.render import Table, View, split

SECTION_MAX = 2900  # Slack allows 3000 characters in a section's text
MAX_BLOCKS = 50
CONFIRM, CANCEL = "copilot_confirm", "copilot_cancel"
FEEDBACK_UP, FEEDBACK_DOWN = "copilot_feedback_up", "copilot_feedback_down"
CAMPAIGN_APPROVE, CAMPAIGN_REJECT = "campaign_approve", "campaign_reject"


def _plain(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "plain_text", "text": text, "emoji": True}}


def _table(table: Table) -> list[dict[str, Any]]:
    blocks: list[dict[str, Any]] = [{"type": "header", "text": {
        "type": "plain_text", "text": table.title[:150], "emoji": True}}]
    fields = []
    for row in table.rows:
        fields.append({"type": "plain_text", "text": row[0][:1900]})
        detail = " · ".join(c for c in row[1:] if c)
        fields.append({"type": "plain_text", "text": (detail or "—")[:1900]})
    for i in range(0, len(fields), 10):  # a section holds at most 10 fields
        blocks.append({"type": "section", "fields": fields[i:i + 10]})
    return blocks


def answer_blocks(part: View, *, pending: PendingAction | None,
                  turn_id: str | None) -> list[dict[str, Any]]:
    blocks = [_plain(c) for c in split(part.text or "(没有内容)", SECTION_MAX, size=len)]
    for table in part.tables:
        blocks.extend(_table(table))
    if part.sources:
        cited = ";".join(f"《{s.title}》{s.section}" for s in part.sources)
        blocks.append({"type": "context", "elements": [
            {"type": "plain_text", "text": f"出处:{cited}"[:1900], "emoji": True}]})
    if pending is not None:
        blocks.append(action_buttons(pending))
    elif turn_id:
        blocks.append(feedback_buttons(turn_id))
    if len(blocks) > MAX_BLOCKS:  # keep the buttons, drop the tail of a very long table
        blocks = [*blocks[:MAX_BLOCKS - 2], _plain("(内容较长,已截断)"), blocks[-1]]
    return blocks


def action_buttons(pending: PendingAction) -> dict[str, Any]:
    value = json.dumps({"staff": pending.requested_by, "wait": pending.id}, ensure_ascii=False)
    return {"type": "actions", "block_id": "copilot_pending", "elements": [
        {"type": "button", "action_id": CONFIRM, "style": "primary", "value": value,
         "text": {"type": "plain_text", "text": "确认执行"}},
        {"type": "button", "action_id": CANCEL, "style": "danger", "value": value,
         "text": {"type": "plain_text", "text": "取消"}},
    ]}


def feedback_buttons(turn_id: str) -> dict[str, Any]:
    return {"type": "actions", "block_id": "copilot_feedback", "elements": [
        {"type": "button", "action_id": FEEDBACK_UP, "value": turn_id,
         "text": {"type": "plain_text", "text": "👍", "emoji": True}},
        {"type": "button", "action_id": FEEDBACK_DOWN, "value": turn_id,
         "text": {"type": "plain_text", "text": "👎", "emoji": True}},
    ]}


def decided_blocks(text: str, who: str) -> list[dict[str, Any]]:
    """The message after a button press: the buttons give way to who decided what."""
    return [_plain(text), {"type": "context", "elements": [
        {"type": "plain_text", "text": who, "emoji": True}]}]


def approval_blocks(lines: list[str], campaign_id: str) -> list[dict[str, Any]]:
    """A campaign waiting for this approver: its summary, 通过 / 驳回 (value: the id only;
    whether the presser may decide is checked when the press arrives)."""
    body = "有一个活动等你审批:\n" + "\n".join(lines)
    warn = "驳回后活动会被取消,发起人会收到通知。"
    return [_plain(body[:SECTION_MAX]), {
        "type": "actions", "block_id": "campaign_approval", "elements": [
            {"type": "button", "action_id": CAMPAIGN_APPROVE, "style": "primary",
             "value": campaign_id, "text": {"type": "plain_text", "text": "通过"}},
            {"type": "button", "action_id": CAMPAIGN_REJECT, "style": "danger",
             "value": campaign_id, "text": {"type": "plain_text", "text": "驳回"},
             "confirm": {"title": {"type": "plain_text", "text": "驳回这个活动?"},
                         "text": {"type": "plain_text", "text": warn},
                         "confirm": {"type": "plain_text", "text": "驳回"},
                         "deny": {"type": "plain_text", "text": "再想想"}}},
        ]}]
