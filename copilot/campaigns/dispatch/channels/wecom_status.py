"""Which staff have confirmed a campaign's WeCom mass-sends, and how many people they reached.

A task WeCom holds reaches nobody until its staff member confirms it in their WeCom
client, and WeCom tells no one when they do: `check_tasks` asks (get_groupmsg_task, then
get_groupmsg_send_result for the confirmed ones) and records the answer in wecom_tasks;
`summary` reads only the table, so `copilot campaign show` can say who still has to
confirm without calling WeCom.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import httpx

from copilot.campaigns.dispatch.channels import wecom_tasks as tasks
from copilot.campaigns.dispatch.channels.wecom_groupmsg import RESULT_SENT, TASK_SENT, GroupMsgAPI
from copilot.channels.wecom.api import TokenCache, WeComAPI
from copilot.config import Settings
from copilot.state.db import StateStore


@dataclass(frozen=True)
class TaskSummary:
    """A campaign's WeCom tasks by state; `received_*` count what confirmed tasks reached."""

    creating: int = 0
    waiting: int = 0  # created, the staff member has not confirmed yet
    sent: int = 0
    failed: int = 0
    waiting_staff: tuple[str, ...] = ()
    received_members: int = 0  # customer tasks
    received_groups: int = 0  # customer-group tasks

    @property
    def tasks(self) -> int:
        return self.creating + self.waiting + self.sent + self.failed

    def line(self) -> str | None:
        """The sentence for `copilot campaign show`, None when nobody has to confirm."""
        if not self.waiting_staff:
            return None
        return f"{len(self.waiting_staff)} 位导购还没在企业微信里确认发送"


def summary(state: StateStore, campaign_id: str) -> TaskSummary:
    rows = tasks.rows(state, campaign_id)
    count = {s: sum(1 for r in rows if r.state == s)
             for s in (tasks.CREATING, tasks.CREATED, tasks.SENT, tasks.FAILED)}
    sent = [r for r in rows if r.state == tasks.SENT]
    return TaskSummary(
        creating=count[tasks.CREATING], waiting=count[tasks.CREATED], sent=count[tasks.SENT],
        failed=count[tasks.FAILED],
        waiting_staff=tuple(sorted({r.key.staff_id for r in rows if r.state == tasks.CREATED})),
        received_members=sum(r.received or 0 for r in sent if r.key.chat_type == tasks.SINGLE),
        received_groups=sum(r.received or 0 for r in sent if r.key.chat_type == tasks.GROUP))


async def check_tasks(settings: Settings, state: StateStore, http: httpx.AsyncClient,
                      campaign_id: str, *, tokens: TokenCache | None = None) -> TaskSummary:
    """Ask WeCom about every task still waiting for its staff member; record the ones sent
    and how many members (or groups) received them. Raises WeComError (a UserError) when
    WeCom refuses or cannot be reached; tasks checked before that keep their answer."""
    api = GroupMsgAPI(WeComAPI(settings, http, tokens or TokenCache()))
    waiting = await asyncio.to_thread(tasks.rows, state, campaign_id, states=[tasks.CREATED])
    for row in waiting:
        if not row.msgid:
            continue
        task = await api.sender_task(row.msgid, row.sender)
        if task is None or int(task.get("status") or 0) != TASK_SENT:
            await asyncio.to_thread(tasks.touch, state, row.key)
            continue
        results = await api.results(row.msgid, row.sender)
        received = sum(1 for r in results if int(r.get("status") or 0) == RESULT_SENT)
        await asyncio.to_thread(tasks.mark_sent, state, row.key, received)
    return await asyncio.to_thread(summary, state, campaign_id)
