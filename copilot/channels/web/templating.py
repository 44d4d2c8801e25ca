"""Rendering a console page, with the headers every page gets.

Answers and member figures are shown to one person only: pages are never cached, never
framed, and run no script but their own (a per-response nonce in the CSP), so text that
slipped past escaping still could not run.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from fastapi import Request
from fastapi.templating import Jinja2Templates
from starlette.responses import Response

from copilot.data.access import ROLE_ZH, User

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")


def security_headers(nonce: str | None = None) -> dict[str, str]:
    script = f"'nonce-{nonce}'" if nonce else "'none'"
    return {
        "Content-Security-Policy": (
            f"default-src 'self'; script-src {script}; style-src 'self'; img-src 'self'; "
            "connect-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'"),
        "Cache-Control": "no-store",
        "X-Content-Type-Options": "nosniff",
        "Referrer-Policy": "no-referrer",
        "X-Frame-Options": "DENY",
    }


def who(user: User | None) -> dict[str, str] | None:
    """The signed-in person as the page header shows them."""
    if user is None:
        return None
    where = user.store_id or (f"{user.region}区" if user.region else "全连锁")
    return {"staff_id": user.staff_id, "name": user.name, "role": ROLE_ZH[user.role],
            "where": where}


def page(request: Request, name: str, context: dict[str, Any], *, user: User | None = None,
         status_code: int = 200) -> Response:
    nonce = secrets.token_urlsafe(16)
    return templates.TemplateResponse(
        request, name, {"nonce": nonce, "me": who(user), **context},
        status_code=status_code, headers=security_headers(nonce))
