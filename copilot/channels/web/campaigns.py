"""Campaigns in the console: 通过 / 驳回 from the dashboard, and the person's own campaigns.

The buttons are plain HTML forms (no script), posted as the signed-in staff member: the
campaign id in the URL is all the form says, and `approvals.decide` checks on the server
that this person may decide it, exactly as for a Slack button or a WeCom reply. The
outcome comes back as a one-time notice on the page the form was on (a short-lived
cookie, so a reload does not repeat it and a link cannot fake one). The session cookie is
SameSite=Strict, so a form on another site cannot post here as the signed-in person.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote, unquote

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from copilot.campaigns import approvals, notify
from copilot.channels.background import later
from copilot.channels.web.auth import SignedIn, safe_next
from copilot.channels.web.templating import page
from copilot.data.access import User
from copilot.errors import UserError

router = APIRouter(include_in_schema=False)
FLASH = "copilot_flash"
FLASH_MAX_AGE = 60  # seconds: long enough to land on the next page
DASHBOARD = "/console/dashboard"


def waiting_for(request: Request, user: User) -> list[approvals.Summary] | None:
    """What the dashboard's approval section lists; None: this person approves nothing,
    so the page shows no section at all."""
    if user.role not in approvals.APPROVERS:
        return None
    copilot = request.app.state.copilot
    return approvals.awaiting(copilot.state, copilot.members, user)


def take_flash(request: Request) -> str | None:
    """The notice a form left for this page, if any (`forget_flash` clears it)."""
    raw = request.cookies.get(FLASH)
    return unquote(raw)[:500] if raw else None


def forget_flash(response: Response) -> Response:
    response.delete_cookie(FLASH, path="/console")
    return response


def _back(request: Request, target: str, text: str) -> RedirectResponse:
    response = RedirectResponse(safe_next(target), status_code=303)
    response.set_cookie(FLASH, quote(text[:300]), max_age=FLASH_MAX_AGE, path="/console",
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


async def _decide(request: Request, user: User, campaign_id: str, approve: bool,
                  note: str, target: str) -> RedirectResponse:
    copilot = request.app.state.copilot
    try:
        campaign = await run_in_threadpool(approvals.decide, copilot.state, campaign_id,
                                           user, approve, note.strip()[:200] or None,
                                           now=copilot.settings.now())
    except UserError as exc:
        return _back(request, target, exc.zh)
    later(request.app, notify.notify_requester(copilot.settings, copilot.state,
                                               copilot.members, campaign.campaign_id))
    said = "已通过" if approve else "已驳回"
    outcome = "将按时发送" if approve else "不会发送"
    return _back(request, target, f"{said}活动“{campaign.name}”({campaign.campaign_id}),"
                                  f"{outcome};已通知发起人。")


@router.post("/console/campaigns/{campaign_id}/approve")
async def approve(request: Request, user: SignedIn, campaign_id: str,
                  note: Annotated[str, Form(max_length=200)] = "",
                  next: Annotated[str, Form(max_length=300)] = DASHBOARD) -> Response:
    return await _decide(request, user, campaign_id, True, note, next)


@router.post("/console/campaigns/{campaign_id}/reject")
async def reject(request: Request, user: SignedIn, campaign_id: str,
                 note: Annotated[str, Form(max_length=200)] = "",
                 next: Annotated[str, Form(max_length=300)] = DASHBOARD) -> Response:
    return await _decide(request, user, campaign_id, False, note, next)


@router.get("/console/campaigns")
async def campaigns_page(request: Request, user: SignedIn) -> Response:
    """The signed-in person's own campaigns and where each stands (read-only)."""
    copilot = request.app.state.copilot
    rows = await run_in_threadpool(approvals.mine, copilot.state, copilot.members, user)
    waiting = await run_in_threadpool(waiting_for, request, user)
    response = page(request, "campaigns.html",
                    {"rows": rows, "waiting": len(waiting or []),
                     "notice": take_flash(request)}, user=user)
    return forget_flash(response)
