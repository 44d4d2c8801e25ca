"""WeCom's customer mass-send APIs ("企业群发"), over the app client of copilot/channels/wecom.

The calls go through `WeComAPI.call`, so the access token, its refresh on 40001/40014/42001
and the errors that never show the URL are the channel's, not a second copy. Shapes as
documented by WeCom (pages 92135, 93338):

- add_msg_template {chat_type, sender, external_userid ≤ 10,000, text.content ≤ 4,000
  bytes} → {msgid, fail_list}; the staff member then has to confirm it in WeCom.
- get_groupmsg_list_v2 {chat_type, start_time, end_time ≤ 1 month apart, filter_type,
  limit ≤ 100, cursor} → {group_msg_list [{msgid, create_time, create_type, text}]}.
  Tasks created through the API carry no `creator`, so the lookup does not filter by it
  (WeCom's documentation leaves open whether a creator filter would match them) and
  checks the sender through get_groupmsg_task instead.
- get_groupmsg_task {msgid} → {task_list [{userid, status 0 unsent / 2 sent}]}.
- get_groupmsg_send_result {msgid, userid} → {send_list [{external_userid | chat_id,
  status 0 unsent / 1 sent / 2 not a friend / 3 got another mass message today}]}.
  Before the send every target is assumed listed with status 0 (not stated in the docs).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from copilot.channels.wecom.api import WeComAPI, WeComError

JSON = dict[str, Any]
TEXT_LIMIT = 4000  # bytes of text.content
TARGET_LIMIT = 10_000  # external_userid per task
LIST_SPAN = timedelta(days=30)  # get_groupmsg_list_v2 looks back at most a month
SKEW = timedelta(minutes=5)  # our clock against WeCom's, when looking a task up
TASK_SENT = 2  # get_groupmsg_task status
RESULT_SENT = 1  # get_groupmsg_send_result status
_MAX_PAGES = 200  # a cursor that never ends is WeCom's bug, not a reason to loop for ever

# Passing errors, tried again later: WeCom busy or a frequency limit.
PASSING = {-1: "企业微信系统繁忙", 45009: "企业微信接口调用超过频率限制",
           45011: "企业微信接口调用太频繁", 45033: "企业微信接口并发调用超过限制",
           42001: "企业微信 access_token 刷新后仍然过期"}
# Refusals that will not pass by themselves; the reason says what to fix where known.
PERMANENT = {
    40001: "企业微信 Secret 不正确(COPILOT_WECOM_SECRET)",
    40003: "导购绑定的企业微信账号不存在,请重新绑定(copilot staff link)",
    60111: "导购绑定的企业微信账号不存在,请重新绑定(copilot staff link)",
    40096: "外部联系人 ID 无效",
    48002: "应用没有客户联系接口的权限:请在企业微信管理后台「客户联系」→「API」"
           "把本应用加入可调用应用",
    60020: "服务器 IP 不在企业微信应用的可信 IP 中",
    41016: "群发内容为空",
}
_ERRCODE = re.compile(r"errcode (-?\d+)")


@dataclass(frozen=True)
class Refusal:
    """Why a call failed, for the outcome: a Chinese reason, whether to try again later,
    and whether WeCom answered at all (if not, a task may exist that we never heard of)."""

    reason: str
    retry: bool
    answered: bool


def refusal(exc: WeComError) -> Refusal:
    """Classify an error of `WeComAPI.call`. The client puts the errcode in its message and
    nowhere else; no errcode means WeCom could not be reached or answered garbage."""
    found = _ERRCODE.search(exc.en)
    if found is None:
        return Refusal(f"{exc.zh.rstrip('。')};稍后重试(重试前会先核对企业微信里是否已有任务)",
                       True, False)
    code = int(found.group(1))
    if code in PASSING:
        return Refusal(f"{PASSING[code]}(errcode {code}),稍后重试", True, True)
    if code in PERMANENT:
        return Refusal(f"企业微信拒绝了群发:{PERMANENT[code]}(errcode {code})", False, True)
    return Refusal(exc.zh, False, True)


class GroupMsgAPI:
    def __init__(self, api: WeComAPI) -> None:
        self.api = api

    async def create(self, chat_type: str, sender: str, text: str,
                     external_ids: Iterable[str] = ()) -> tuple[str, list[str]]:
        """A new task; its msgid and the external ids WeCom would not take (fail_list)."""
        body: JSON = {"chat_type": chat_type, "sender": sender, "text": {"content": text}}
        if chat_type == "single":
            body["external_userid"] = list(external_ids)
        answer = await self.api.call("POST", "externalcontact/add_msg_template", json=body)
        return str(answer["msgid"]), [str(e) for e in answer.get("fail_list") or []]

    async def _pages(self, endpoint: str, body: JSON, key: str) -> list[JSON]:
        out: list[JSON] = []
        cursor = ""
        for _ in range(_MAX_PAGES):
            answer = await self.api.call("POST", endpoint,
                                         json={**body, **({"cursor": cursor} if cursor else {})})
            out.extend(x for x in answer.get(key) or [] if isinstance(x, dict))
            cursor = str(answer.get("next_cursor") or "")
            if not cursor:
                break
        return out

    async def messages(self, chat_type: str, start: datetime, end: datetime) -> list[JSON]:
        """Tasks the corp (not a person in their client: filter_type 0) made in the window."""
        end = min(end, start + LIST_SPAN)
        return await self._pages("externalcontact/get_groupmsg_list_v2", {
            "chat_type": chat_type, "start_time": int(start.timestamp()),
            "end_time": int(end.timestamp()), "filter_type": 0, "limit": 100},
            "group_msg_list")

    async def sender_task(self, msgid: str, sender: str) -> JSON | None:
        """The sender's part of a task ({userid, status, send_time}), None if not theirs."""
        tasks = await self._pages("externalcontact/get_groupmsg_task",
                                  {"msgid": msgid, "limit": 1000}, "task_list")
        return next((t for t in tasks if t.get("userid") == sender), None)

    async def results(self, msgid: str, sender: str) -> list[JSON]:
        return await self._pages("externalcontact/get_groupmsg_send_result",
                                 {"msgid": msgid, "userid": sender, "limit": 1000}, "send_list")

    async def find(self, chat_type: str, sender: str, text: str, since: datetime,
                   targets: set[str] | None, skip: set[str]) -> tuple[str, set[str]] | None:
        """The task a worker made before it died: same text, made since `since`, for this
        sender, and (single) reaching only `targets`; its msgid and the external ids it
        reaches. Tasks in `skip` are already someone's."""
        for msg in await self.messages(chat_type, since - SKEW, datetime.now() + SKEW):
            msgid = str(msg.get("msgid") or "")
            if not msgid or msgid in skip or int(msg.get("create_type") or 0) != 0:
                continue
            if (msg.get("text") or {}).get("content") != text:
                continue
            if await self.sender_task(msgid, sender) is None:
                continue
            if targets is None:
                return msgid, set()
            reached = {str(r["external_userid"]) for r in await self.results(msgid, sender)
                       if r.get("external_userid")}
            if reached and reached <= targets:
                return msgid, reached
        return None
