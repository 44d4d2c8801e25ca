"""The JSON the chat page calls: one turn through the gate, and 👍/👎 on an answer.

A console conversation is one-to-one (direct=True) with the signed-in person, whose staff
id is the gate's user, so scope, masking, confirmation and the turn record work exactly as
in Slack or WeCom. The answer comes back in parts (text, tables, charts, sources) drawn by
`render.view`, for the page to build with text nodes only.
"""

from __future__ import annotations

import asyncio
import uuid
from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from copilot.agent.service import MAX_MESSAGE
from copilot.agent.turn import TurnResult
from copilot.channels import records
from copilot.channels.gate import Gate, Inbound, Outbound, reply_text
from copilot.channels.render import View, view, without_paths
from copilot.channels.web.auth import SignedIn
from copilot.channels.web.charts import chart_url
from copilot.data.access import User
from copilot.errors import UserError

router = APIRouter(prefix="/console/api", tags=["console"])
CHANNEL = "web"
_STATUS = {"limited": 429, "refused": 400, "failed": 500, "unregistered": 403}


class ChatBody(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    message: str = Field(..., min_length=1, max_length=MAX_MESSAGE, description="要问的话")
    thread: str | None = Field(None, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$",
                               description="接着哪段对话;留空新开")
    today: date | None = Field(None, description="把哪天当作今天(测试、回放用)")
    answers: str | None = Field(None, max_length=64,
                                description="确认/取消按钮:它对应的那个等待确认的操作")


class FeedbackBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    turn_id: str = Field(..., min_length=1, max_length=64)
    rating: Literal[1, -1] = Field(..., description="1 = 👍,-1 = 👎")


class TurnNotFound(UserError):
    status = 404

    def __init__(self) -> None:
        super().__init__("找不到要评价的这条回答。", "The answer being rated was not found.")


def _gate(request: Request) -> Gate:
    return request.app.state.gate


@router.post("/chat")
async def chat(body: ChatBody, request: Request, user: SignedIn) -> JSONResponse:
    """One turn of the signed-in person's conversation; `thread` continues it."""
    thread = body.thread or f"web-{uuid.uuid4().hex[:16]}"
    out = await _gate(request).handle(Inbound(
        channel=CHANNEL, user=user.staff_id, thread=thread, text=body.message, direct=True,
        signed_in=True, today=body.today, answers=body.answers))
    if out.kind != "answer" or out.result is None:
        return JSONResponse(status_code=_STATUS.get(out.kind, 500),
                            content={"error": out.text, "error_en": _english(out),
                                     "kind": out.kind, "thread": thread})
    return JSONResponse(answer_json(out, out.result, thread, user))


def _english(out: Outbound) -> str:
    if out.kind in ("limited", "failed", "unregistered"):
        return reply_text(out.kind, "en")
    return "The message was refused; the reason is given in Chinese."


def answer_json(out: Outbound, result: TurnResult, thread: str, user: User) -> dict[str, Any]:
    """The parts of an answer as the page shows them."""
    part: View = view(result)
    pending = result.pending_action
    return {
        "kind": out.kind,
        "thread": thread,
        "turn_id": out.turn_id,
        "text": without_paths(part.text, part.charts),
        "tables": [{"title": t.title, "header": t.header, "rows": t.rows} for t in part.tables],
        "charts": [chart_url(p) for p in part.charts],
        "sources": [{"title": s.title, "section": s.section} for s in part.sources],
        "pending": ({"id": pending.id, "description": pending.description,
                     "requested_by": pending.requested_by,
                     "mine": pending.requested_by == user.staff_id} if pending else None),
        "tool_calls": [{"name": c.name, "args": c.args, "ok": c.ok, "error": c.error}
                       for c in result.tool_calls],
    }


@router.post("/feedback")
async def feedback(body: FeedbackBody, request: Request, user: SignedIn) -> dict[str, Any]:
    """👍/👎 on one of the signed-in person's own console answers."""
    gate = _gate(request)
    turn = await asyncio.to_thread(records.get_turn, gate.state, body.turn_id)
    if turn is None or turn["channel"] != CHANNEL or turn["staff_id"] != user.staff_id:
        raise TurnNotFound
    await gate.rate(CHANNEL, user.staff_id, body.turn_id, body.rating, signed_in=True)
    return {"ok": True, "rating": body.rating, "text": reply_text("thanks")}
