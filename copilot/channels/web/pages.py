"""The console's pages: chat and the supervisor dashboard (sign-in lives in auth.py,
campaign approval and the campaign list in campaigns.py)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import Response

from copilot.channels.web import campaigns, dashboard
from copilot.channels.web.auth import SignedIn
from copilot.channels.web.templating import page
from copilot.channels.web.training import progress_for
from copilot.errors import UserError

router = APIRouter(include_in_schema=False)


@router.get("/console/chat")
def chat_page(request: Request, user: SignedIn, today: str | None = None) -> Response:
    """The question box; the page keeps the thread so follow-ups continue the conversation.
    `?today=YYYY-MM-DD` answers as of that day (tests, replays)."""
    notice, day = None, None
    try:
        day = dashboard.parse_today(today).isoformat() if today else None
    except UserError as exc:
        notice = exc.zh
    return page(request, "chat.html", {"today": day, "notice": notice}, user=user)


@router.get("/console/dashboard")
async def dashboard_page(request: Request, user: SignedIn, store: str | None = None,
                         month: str | None = None, today: str | None = None) -> Response:
    """One store's diagnosis, its region's ranking and the saved segments for a month
    (default: the last full month before today; `?today=` for tests and replays)."""
    copilot = request.app.state.copilot
    notice, keep = None, None
    try:
        day = dashboard.parse_today(today, copilot.settings.today())
        keep = day.isoformat() if today else None  # carried by the form to the next view
    except UserError as exc:
        notice, day = exc.zh, copilot.settings.today()
    board = await run_in_threadpool(dashboard.build, copilot, user, store=store, month=month,
                                    today=day)
    waiting = await run_in_threadpool(campaigns.waiting_for, request, user)
    training = await run_in_threadpool(progress_for, copilot, user)
    flash = campaigns.take_flash(request)  # the outcome of an approval form just sent
    shown = " ".join(n for n in (flash, notice or board.notice) if n) or None
    response = page(request, "dashboard.html",
                    {"board": board, "notice": shown, "today": keep, "waiting": waiting,
                     "training": training,
                     "back": str(request.url.path) + (f"?{request.url.query}"
                                                      if request.url.query else "")},
                    user=user)
    return campaigns.forget_flash(response)
