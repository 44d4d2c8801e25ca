"""WeCom's customer mass-send APIs ("企业群发", externalcontact/*), in memory, for WeComServer.

Shapes follow WeCom's documentation as read for this (pages 92135 and 93338) and SDKs that
wrap them; where the documentation is silent the mock guesses, marked GUESS below:

- add_msg_template: {chat_type single|group, external_userid [≤10000], sender, text
  {content ≤4000 bytes}} → {msgid, fail_list}. Nothing reaches anyone until the sender
  confirms the task in their WeCom client (`GroupMsgBook.mark_sent` plays that part).
- get_groupmsg_list_v2: {chat_type, start_time, end_time (≤ 1 month apart), creator,
  filter_type 0 corp / 1 personal / 2 all, limit ≤100, cursor} → {group_msg_list
  [{msgid, creator, create_time, create_type, text}], next_cursor}. Tasks made through the
  API carry no creator (documented), so a creator filter leaves them out (GUESS).
- get_groupmsg_task: {msgid, limit ≤1000, cursor} → {task_list [{userid, status 0 unsent
  / 2 sent, send_time}], next_cursor}.
- get_groupmsg_send_result: {msgid, userid, limit ≤1000, cursor} → {send_list
  [{external_userid | chat_id, userid, status 0 unsent / 1 sent / 2 not a friend / 3 got
  another mass message, send_time}], next_cursor}. Before the send every target is listed
  with status 0 (GUESS).

Errors for a malformed request use 40058 (invalid parameter) and an unknown msgid 41058
(GUESS: the real codes for these were not checked).
"""

from __future__ import annotations

import itertools
import threading
import time
from dataclasses import dataclass, field
from typing import Any

JSON = dict[str, Any]
TEXT_LIMIT = 4000  # text.content, bytes
TARGET_LIMIT = 10_000  # external_userid per task
LIST_SPAN_S = 31 * 86_400  # get_groupmsg_list_v2: start and end at most a month apart
PATHS = ("externalcontact/add_msg_template", "externalcontact/get_groupmsg_list_v2",
         "externalcontact/get_groupmsg_task", "externalcontact/get_groupmsg_send_result")


@dataclass
class Task:
    """One mass-send task: what add_msg_template made (create_type 0) or, with
    `personal`, one a staff member wrote in their own client (create_type 1)."""

    msgid: str
    chat_type: str
    sender: str
    text: str
    create_time: int
    targets: list[str]  # external ids (single) or chat ids (group) the task reaches
    creator: str | None = None  # only for personal tasks
    sent_at: int | None = None
    results: dict[str, int] = field(default_factory=dict)  # target -> status once sent


class GroupMsgBook:
    """The tasks WeCom holds, and what tests configure about the corp's customers."""

    def __init__(self) -> None:
        self.tasks: list[Task] = []
        self.not_customers: set[str] = set()  # external ids every task lists in fail_list
        self.groups: dict[str, list[str]] = {}  # sender -> their customer groups' chat ids
        self._lock = threading.Lock()
        self._ids = itertools.count(1)

    # -- what tests use ------------------------------------------------------------------
    def tasks_of(self, sender: str, chat_type: str | None = None) -> list[Task]:
        with self._lock:
            return [t for t in self.tasks if t.sender == sender
                    and (chat_type is None or t.chat_type == chat_type)]

    def add_personal(self, sender: str, text: str, chat_type: str = "single") -> Task:
        """A mass-send the staff member wrote themselves (not through the API)."""
        with self._lock:
            task = Task(f"msgP{next(self._ids)}", chat_type, sender, text, int(time.time()),
                        [], creator=sender)
            self.tasks.append(task)
        return task

    def mark_sent(self, sender: str, *, msgid: str | None = None,
                  failed: dict[str, int] | None = None) -> int:
        """The staff member confirms their waiting tasks (or one) in WeCom: every target
        gets status 1, or the status `failed` gives it (2 not a friend, 3 already got
        one). Returns the number of tasks marked."""
        now, marked = int(time.time()), 0
        with self._lock:
            for task in self.tasks:
                if task.sender != sender or task.sent_at is not None or task.creator:
                    continue
                if msgid is not None and task.msgid != msgid:
                    continue
                task.sent_at = now
                task.results = {t: (failed or {}).get(t, 1) for t in task.targets}
                marked += 1
        return marked

    # -- the API ---------------------------------------------------------------------------
    def answer(self, endpoint: str, body: Any) -> JSON:
        if not isinstance(body, dict):
            return _err(40058, "request body must be JSON")
        handler = {"externalcontact/add_msg_template": self._add,
                   "externalcontact/get_groupmsg_list_v2": self._list,
                   "externalcontact/get_groupmsg_task": self._task,
                   "externalcontact/get_groupmsg_send_result": self._result}[endpoint]
        with self._lock:
            return handler(body)

    def _add(self, body: JSON) -> JSON:
        chat_type = body.get("chat_type", "single")
        sender = body.get("sender")
        content = (body.get("text") or {}).get("content", "")
        if chat_type not in ("single", "group"):
            return _err(40058, f"invalid chat_type {chat_type!r}")
        if not content:
            return _err(41016, "text.content missing")  # no attachments in this mock
        if len(content.encode("utf-8")) > TEXT_LIMIT:
            return _err(40058, f"text.content exceed max length {TEXT_LIMIT}")
        if not sender:  # the API can leave it out for single; this project always names it
            return _err(40058, "sender required")
        failed: list[str] = []
        if chat_type == "single":
            wanted = body.get("external_userid") or []
            if not isinstance(wanted, list) or len(wanted) > TARGET_LIMIT:
                return _err(40058, f"external_userid: a list of at most {TARGET_LIMIT}")
            failed = [e for e in wanted if e in self.not_customers]
            targets = [e for e in wanted if e not in self.not_customers]
        else:
            targets = list(self.groups.get(sender, [f"wr{sender}-1", f"wr{sender}-2"]))
        task = Task(f"msg{next(self._ids):06d}", chat_type, sender, content, int(time.time()),
                    targets)
        self.tasks.append(task)
        return {"errcode": 0, "errmsg": "ok", "fail_list": failed, "msgid": task.msgid}

    def _list(self, body: JSON) -> JSON:
        try:
            start, end = int(body["start_time"]), int(body["end_time"])
        except (KeyError, TypeError, ValueError):
            return _err(40058, "start_time and end_time required")
        if end < start or end - start > LIST_SPAN_S:
            return _err(40058, "start_time and end_time at most one month apart")
        limit = int(body.get("limit") or 50)
        if not 1 <= limit <= 100:
            return _err(40058, "limit 1..100")
        kind, creator = body.get("filter_type", 2), body.get("creator")
        found = [t for t in self.tasks
                 if t.chat_type == body.get("chat_type", "single")
                 and start <= t.create_time <= end
                 and (creator is None or t.creator == creator)
                 and (kind == 2 or (kind == 1) == (t.creator is not None))]
        page, cursor = _page(found, body.get("cursor"), limit)
        items = []
        for t in page:
            item: JSON = {"msgid": t.msgid, "create_time": str(t.create_time),
                          "create_type": 1 if t.creator else 0, "text": {"content": t.text}}
            if t.creator:
                item["creator"] = t.creator
            items.append(item)
        return {"errcode": 0, "errmsg": "ok", "next_cursor": cursor, "group_msg_list": items}

    def _find(self, msgid: object) -> Task | None:
        return next((t for t in self.tasks if t.msgid == msgid), None)

    def _task(self, body: JSON) -> JSON:
        task = self._find(body.get("msgid"))
        if task is None:
            return _err(41058, "invalid msgid")
        row: JSON = {"userid": task.sender, "status": 2 if task.sent_at else 0}
        if task.sent_at:
            row["send_time"] = task.sent_at
        page, cursor = _page([row], body.get("cursor"), int(body.get("limit") or 500))
        return {"errcode": 0, "errmsg": "ok", "next_cursor": cursor, "task_list": page}

    def _result(self, body: JSON) -> JSON:
        task = self._find(body.get("msgid"))
        if task is None:
            return _err(41058, "invalid msgid")
        if body.get("userid") != task.sender:
            return {"errcode": 0, "errmsg": "ok", "next_cursor": "", "send_list": []}
        key = "external_userid" if task.chat_type == "single" else "chat_id"
        rows = []
        for target in task.targets:
            status = task.results.get(target, 0)
            row: JSON = {key: target, "userid": task.sender, "status": status}
            if status == 1:
                row["send_time"] = task.sent_at
            rows.append(row)
        page, cursor = _page(rows, body.get("cursor"), int(body.get("limit") or 500))
        return {"errcode": 0, "errmsg": "ok", "next_cursor": cursor, "send_list": page}


def _page(rows: list[Any], cursor: object, limit: int) -> tuple[list[Any], str]:
    start = int(str(cursor)) if cursor else 0
    limit = max(1, min(limit, 1000))
    rest = start + limit
    return rows[start:rest], (str(rest) if rest < len(rows) else "")


def _err(code: int, message: str) -> JSON:
    return {"errcode": code, "errmsg": f"{message}, hint: [test], more info at "
                                       f"https://open.work.weixin.qq.com/devtool/query?e={code}"}
