"""Endpoints: health, one chat turn (the JSON of `copilot ask --json` plus the thread id),
and read-only views of saved segments.

Who asks is a staff id. The API trusts it only from callers that prove they are the
chain's own systems: a bearer token (COPILOT_API_TOKEN), or, without one configured,
requests made directly on this machine, and only while no chat channel makes the service
reachable from outside (behind a reverse proxy every request looks local).
"""

from __future__ import annotations

import ipaddress
import re
import secrets
import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Header, Request
from pydantic import BaseModel, Field

from copilot.agent.service import Copilot
from copilot.data.access import Caller, load_user
from copilot.data.dataset import data_version
from copilot.errors import UserError
from tools.base import ToolContext
from tools.runner import run_tool

router = APIRouter()


class Forbidden(UserError):
    status = 403


class ChatRequest(BaseModel):
    message: str = Field(..., max_length=4000, description="要问的话")
    staff_id: str = Field(..., min_length=1, max_length=32, description="提问人的员工编号")
    thread_id: str | None = Field(None, max_length=200, description="接着哪段对话;留空新开")
    direct: bool = Field(False, description="一对一对话(否则按群聊脱敏)")
    today: date | None = Field(None, description="把哪天当作今天(测试、回放用)")


def _copilot(request: Request) -> Copilot:
    return request.app.state.copilot


def trusted(request: Request, authorization: str | None = Header(None)) -> None:
    """Only the chain's own systems may speak for a staff member."""
    token = request.app.state.settings.api_token
    if token:
        given = re.sub(r"(?i)^bearer\s+", "", (authorization or "").strip())
        if not secrets.compare_digest(given.encode(), token.encode()):
            raise Forbidden("API 令牌不对或缺失(Authorization: Bearer …)。",
                            "Missing or wrong API token (Authorization: Bearer …).")
        return
    cfg = request.app.state.settings
    if cfg.slack_enabled or cfg.wecom_enabled:  # reachable from outside: never on trust
        raise Forbidden("已启用 Slack 或企业微信,服务对外可达:"
                        "/api/* 需要先配置 COPILOT_API_TOKEN。",
                        "Slack or WeCom is on, so the service is reachable from outside: "
                        "/api/* needs COPILOT_API_TOKEN.")
    host = request.client.host if request.client else ""
    try:
        local = ipaddress.ip_address(host).is_loopback
    except ValueError:
        local = host == "localhost"
    proxied = any(h in request.headers for h in ("forwarded", "x-forwarded-for", "x-real-ip"))
    if not local or proxied:  # a reverse proxy on this machine is not "this machine"
        raise Forbidden("未配置 COPILOT_API_TOKEN 时只接受本机直接发来的请求。",
                        "Without COPILOT_API_TOKEN only direct requests from this machine are "
                        "served.")


@router.get("/healthz", tags=["service"])
def healthz(request: Request) -> dict[str, Any]:
    """Alive, which model answers, and which member data version it reads."""
    copilot = _copilot(request)
    with copilot.members.read() as conn:
        version = data_version(conn)
    return {"status": "ok", "model": copilot.settings.llm_provider, "data_version": version}


@router.post("/api/chat", tags=["chat"], dependencies=[Depends(trusted)])
async def chat(body: ChatRequest, request: Request) -> dict[str, Any]:
    """One turn, as `copilot ask --json`, plus the thread id to continue the conversation."""
    thread = body.thread_id or uuid.uuid4().hex[:12]
    result = await request.app.state.turns.turn(body.message, staff_id=body.staff_id, thread=thread,
                                          channel="api", direct=body.direct,
                                          today=body.today or request.app.state.settings.today())
    request.app.state.gate.after_turn(result)  # a campaign decision tells whom it concerns
    return {**result.as_json(), "thread_id": thread}


@router.get("/api/segments", tags=["segments"], dependencies=[Depends(trusted)])
def segments(request: Request, staff_id: str, everyone: bool = False) -> dict[str, Any]:
    """The segments a staff member saved (everyone's, for those who may see them)."""
    copilot = _copilot(request)
    with copilot.members.read() as conn:
        user = load_user(conn, staff_id)
    ctx = ToolContext(copilot.settings, copilot.members, copilot.state,
                      Caller(user, channel="api"))
    outcome = run_tool(ctx, "list_segments", {"everyone": everyone})
    if not outcome.ok:
        raise UserError(outcome.error or "", outcome.error or "")
    return outcome.result.as_json() if outcome.result else {}
