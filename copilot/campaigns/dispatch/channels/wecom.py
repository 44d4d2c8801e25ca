"""WeCom mass-send adapters: to a staff member's customers, and to their customer groups.

WeCom sends nothing itself: add_msg_template makes a task for one staff member (the
sender), who then confirms it in their WeCom client; only then do customers receive it.
So a recipient is "sent" here once the task holding them exists, and `check_tasks`
(wecom_status.py) later asks WeCom which staff have confirmed.

- wecom_customer: one task per campaign, staff member and batch of their members (a batch
  holding members of several staff makes one task each), external_userid ≤ 10,000 a task.
- wecom_group: one task per campaign and staff member, to all of that staff member's
  customer groups; every member of theirs maps to it, whichever batch they come in.

Repeating a send is harmless: the task is found in wecom_tasks (wecom_tasks.py) by the
batch's members, and a row a dead worker left 'creating' is reconciled with WeCom's own
list of tasks before anything is created again.
"""

from __future__ import annotations

import asyncio
import time
from collections import defaultdict
from dataclasses import replace
from datetime import datetime

import httpx
from sqlalchemy import Connection

from copilot.campaigns.dispatch.channels import wecom_tasks as tasks
from copilot.campaigns.dispatch.channels.base import Content, Outcome, Recipient, no_record
from copilot.campaigns.dispatch.channels.wecom_groupmsg import (
    TARGET_LIMIT,
    TEXT_LIMIT,
    GroupMsgAPI,
    Refusal,
    refusal,
)
from copilot.campaigns.dispatch.channels.wecom_status import check_tasks, summary
from copilot.channels import identity
from copilot.channels.wecom.api import TokenCache, WeComAPI, WeComError
from copilot.config import Settings
from copilot.state.db import StateStore

STALE_S = 30.0  # a group task 'creating' this long: its worker died (calls time out at 10 s)
WAIT_STEP_S = 0.5
NO_STAFF = "没有所属导购,无法用企业微信群发"
NO_EXTERNAL_ID = "没有企业微信外部联系人 ID"
TOO_LONG = f"群发内容超过企业微信 {TEXT_LIMIT} 字节的上限"
BUSY = "另一个发送进程正在为这位导购创建企业微信群发,稍后重试"


def _unlinked(staff: str) -> str:
    return f"导购 {staff} 还没有绑定企业微信"


def _not_taken(staff: str) -> str:
    return f"企业微信未接受:不是导购 {staff} 的客户,或已删除好友"


def _require(settings: Settings) -> None:
    if not (settings.wecom_corp_id and settings.wecom_secret):
        raise WeComError("未配置企业微信(COPILOT_WECOM_CORP_ID 与 COPILOT_WECOM_SECRET),"
                         "无法群发。",
                         "WeCom is not configured (COPILOT_WECOM_CORP_ID and "
                         "COPILOT_WECOM_SECRET); cannot mass-send.")


def customer_sender(settings: Settings, state: StateStore, http: httpx.AsyncClient
                    ) -> CustomerSender:
    """The wecom_customer sender; WeComError (a UserError) when WeCom is not configured."""
    _require(settings)
    return CustomerSender(settings, state, http)


def group_sender(settings: Settings, state: StateStore, http: httpx.AsyncClient
                 ) -> GroupSender:
    """The wecom_group sender; WeComError (a UserError) when WeCom is not configured."""
    _require(settings)
    return GroupSender(settings, state, http)


class _WeComSender:
    """What both senders share: grouping a batch by owning staff, the staff's WeCom
    userid, and adopting a task a dead worker made. One per worker thread (the
    dispatcher keeps them), so the access token is fetched once, not per batch."""

    channel = ""
    chat_type = ""

    def __init__(self, settings: Settings, state: StateStore, http: httpx.AsyncClient) -> None:
        self.state = state
        self.api = GroupMsgAPI(WeComAPI(settings, http, TokenCache()))

    def record(self, conn: Connection, content: Content, sent: list[Recipient]) -> None:
        no_record(conn, content, sent)

    async def send(self, content: Content, batch: list[Recipient]) -> list[Outcome]:
        if len(content.text.encode("utf-8")) > TEXT_LIMIT:
            return [Outcome(r.member_id, False, TOO_LONG) for r in batch]
        by_staff: dict[str | None, list[Recipient]] = defaultdict(list)
        for r in batch:
            by_staff[r.staff_id].append(r)
        users = await asyncio.to_thread(identity.users_of, self.state, "wecom",
                                        [s for s in by_staff if s])
        out: list[Outcome] = []
        for staff in sorted(by_staff, key=lambda s: s or ""):
            members = by_staff[staff]
            if staff is None:
                out += [Outcome(r.member_id, False, NO_STAFF, skip=True) for r in members]
            elif staff not in users:
                out += [Outcome(r.member_id, False, _unlinked(staff)) for r in members]
            else:
                out += await self._for_staff(content, staff, users[staff], members)
        return out

    async def _for_staff(self, content: Content, staff: str, sender: str,
                         members: list[Recipient]) -> list[Outcome]:
        raise NotImplementedError

    async def _adopt(self, content: Content, row: tasks.TaskRow
                     ) -> tasks.TaskRow | Refusal | None:
        """A row left 'creating': the task WeCom made for it, now recorded (the row as it
        is now), None when WeCom has none (the row is dropped), or why we cannot tell."""
        targets = set(row.targets.values()) if self.chat_type == tasks.SINGLE else None
        try:
            skip = await asyncio.to_thread(tasks.known_msgids, self.state)
            found = await self.api.find(self.chat_type, row.sender, content.text,
                                        row.created_at, targets, skip)
        except WeComError as exc:
            return refusal(exc)
        if found is None:  # unless another worker adopted it meanwhile (drop keeps those)
            await asyncio.to_thread(tasks.drop, self.state, row.key)
            now = await asyncio.to_thread(tasks.get, self.state, row.key)
            return now if now is not None and now.state in (tasks.CREATED, tasks.SENT) else None
        msgid, reached = found
        failed = frozenset(m for m, e in row.targets.items() if e not in reached)
        await asyncio.to_thread(tasks.mark_created, self.state, row.key, msgid, failed)
        return replace(row, state=tasks.CREATED, msgid=msgid, failed=failed)

    async def _create(self, key: tasks.TaskKey, sender: str, text: str, count: int,
                      targets: dict[str, str] | None = None
                      ) -> tuple[str, set[str]] | Refusal:
        """Claim the row, make the task, record it: its msgid and the member ids WeCom
        would not take, or why it failed."""
        claimed = await asyncio.to_thread(tasks.claim, self.state, key, sender, count, targets)
        if not claimed:
            return Refusal(BUSY, True, True)
        try:
            msgid, fail_list = await self.api.create(key.chat_type, sender, text,
                                                     (targets or {}).values())
        except WeComError as exc:
            why = refusal(exc)
            if why.answered and why.retry:  # WeCom made nothing: start afresh next time
                await asyncio.to_thread(tasks.drop, self.state, key)
            elif why.answered:
                await asyncio.to_thread(tasks.mark_failed, self.state, key, why.reason)
            # not answered: the row stays 'creating' and the next try reconciles it
            return why
        refused = set(fail_list)
        failed = {m for m, e in (targets or {}).items() if e in refused}
        await asyncio.to_thread(tasks.mark_created, self.state, key, msgid, failed)
        return msgid, failed


class CustomerSender(_WeComSender):
    channel = "wecom_customer"
    chat_type = tasks.SINGLE

    async def _for_staff(self, content: Content, staff: str, sender: str,
                         members: list[Recipient]) -> list[Outcome]:
        out = [Outcome(r.member_id, False, NO_EXTERNAL_ID, skip=True)
               for r in members if not r.wecom_external_id]
        todo = {r.member_id: str(r.wecom_external_id) for r in members if r.wecom_external_id}
        out += await self._earlier(content, staff, todo)
        ordered = sorted(todo)
        for start in range(0, len(ordered), TARGET_LIMIT):
            chunk = {m: todo[m] for m in ordered[start:start + TARGET_LIMIT]}
            key = tasks.TaskKey(content.campaign_id, staff, tasks.SINGLE,
                                tasks.batch_key(chunk))
            made = await self._create(key, sender, content.text, len(chunk), chunk)
            if isinstance(made, Refusal):
                out += [Outcome(m, False, made.reason, retry=made.retry) for m in chunk]
            else:
                out += [self._outcome(m, staff, made[1]) for m in chunk]
        return out

    async def _earlier(self, content: Content, staff: str, todo: dict[str, str]
                       ) -> list[Outcome]:
        """Answer for the members an earlier task of this campaign holds (taken out of
        `todo`): a re-sent batch, or members of a task whose worker died. Rows of failed
        tasks are left alone, their members are sent again."""
        out: list[Outcome] = []
        rows = await asyncio.to_thread(tasks.rows, self.state, content.campaign_id,
                                       staff_id=staff, chat_type=tasks.SINGLE)
        for row in rows:
            mine = sorted(todo.keys() & row.targets.keys())
            if not mine or row.state == tasks.FAILED:
                continue
            now: tasks.TaskRow | Refusal | None = row
            if row.state == tasks.CREATING and _fresh(row):
                # a worker whose claim ran out may still be making it: try these later,
                # rather than make a second task beside its call in flight
                now = Refusal(BUSY, True, True)
            elif row.state == tasks.CREATING:  # older than STALE_S: its worker is gone
                now = await self._adopt(content, row)
            if now is None:
                continue
            for m in mine:
                del todo[m]
                if isinstance(now, Refusal):
                    out.append(Outcome(m, False, now.reason, retry=now.retry))
                else:
                    out.append(self._outcome(m, staff, now.failed))
        return out

    @staticmethod
    def _outcome(member_id: str, staff: str, failed: set[str] | frozenset[str]) -> Outcome:
        if member_id in failed:
            return Outcome(member_id, False, _not_taken(staff))
        return Outcome(member_id, True)


def _fresh(row: tasks.TaskRow) -> bool:
    return (datetime.now() - row.created_at).total_seconds() < STALE_S


class GroupSender(_WeComSender):
    channel = "wecom_group"
    chat_type = tasks.GROUP

    async def _for_staff(self, content: Content, staff: str, sender: str,
                         members: list[Recipient]) -> list[Outcome]:
        key = tasks.TaskKey(content.campaign_id, staff, tasks.GROUP, tasks.GROUP_KEY)
        why = Refusal(BUSY, True, True)
        for _ in range(2):  # a second round when another worker claimed the row first
            row = await self._settled(content, key)
            if isinstance(row, Refusal):
                why = row
                break
            if row is not None and row.state != tasks.FAILED:
                return [Outcome(r.member_id, True) for r in members]
            made = await self._create(key, sender, content.text, len(members))
            if not isinstance(made, Refusal):
                return [Outcome(r.member_id, True) for r in members]
            why = made
            if made.reason != BUSY:
                break
        return [Outcome(r.member_id, False, why.reason, retry=why.retry) for r in members]

    async def _settled(self, content: Content, key: tasks.TaskKey
                       ) -> tasks.TaskRow | Refusal | None:
        """The staff's group task row once no live worker is creating it. Members of one
        staff arrive in several batches, possibly in two workers at once: a fresh
        'creating' row is someone's call in flight, so wait for it rather than make a
        second task; one older than STALE_S was left by a dead worker and is reconciled."""
        row = await asyncio.to_thread(tasks.get, self.state, key)
        deadline = time.monotonic() + STALE_S
        while row is not None and row.state == tasks.CREATING and time.monotonic() < deadline:
            if (datetime.now() - row.created_at).total_seconds() >= STALE_S:
                break
            await asyncio.sleep(WAIT_STEP_S)
            row = await asyncio.to_thread(tasks.get, self.state, key)
        if row is not None and row.state == tasks.CREATING:
            return await self._adopt(content, row)
        return row


__all__ = ["CustomerSender", "GroupSender", "check_tasks", "customer_sender", "group_sender",
           "summary"]
