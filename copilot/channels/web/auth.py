"""Console sign-in with the token `copilot staff token <员工编号>` prints.

The browser keeps the token itself in an HttpOnly, SameSite=Strict cookie, and every
request looks it up again: a token revoked with `copilot staff revoke` stops working on the
next click, not when the cookie expires. Pages send a stranger to the sign-in form; the
JSON API and chart files answer 401, since a script cannot follow a redirect to a form.
"""

from __future__ import annotations

import re
from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import JSONResponse, RedirectResponse
from starlette.responses import Response

from copilot.agent.service import Copilot
from copilot.channels import identity
from copilot.channels.web.templating import page
from copilot.data.access import User, load_user
from copilot.errors import UserError

router = APIRouter(include_in_schema=False)
COOKIE = "copilot_console"
COOKIE_MAX_AGE = 12 * 3600  # one working day; the token itself stays valid until revoked
HOME = "/console/chat"
_SAFE_NEXT = re.compile(r"^/console/[A-Za-z0-9_\-/?=&%.]*$")

BAD_TOKEN = ("令牌无效或已作废。请检查是否完整粘贴,或请管理员用 `copilot staff token "
             "<员工编号>` 重新生成。",
             "The token is wrong or has been revoked. Check that it was pasted whole, or ask "
             "an administrator for a new one (`copilot staff token <staff id>`).")
SIGNED_OUT = ("请先登录控制台。", "Please sign in to the console first.")
EXPIRED = ("登录已失效(令牌可能已被作废),请重新登录。",
           "Your sign-in is no longer valid (the token may have been revoked); sign in again.")


class NotSignedIn(Exception):
    """No valid console sign-in on this request."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh, self.en = zh, en


def _copilot(request: Request) -> Copilot:
    return request.app.state.copilot


def staff_user(copilot: Copilot, token: str) -> User | None:
    """The staff record behind a token, or None for an unknown or revoked one."""
    staff = identity.staff_for_token(copilot.state, token)
    if staff is None:
        return None
    with copilot.members.read() as conn:
        try:
            return load_user(conn, staff)
        except UserError:  # the staff record was removed after the token was issued
            return None


def signed_in(request: Request) -> User:
    """Dependency of every console page and API call: the signed-in staff member."""
    token = request.cookies.get(COOKIE, "")
    if not token:
        raise NotSignedIn(*SIGNED_OUT)
    user = staff_user(_copilot(request), token)
    if user is None:
        raise NotSignedIn(*EXPIRED)
    return user


SignedIn = Annotated[User, Depends(signed_in)]


def _is_page(path: str) -> bool:
    return not path.startswith(("/console/api/", "/console/charts/"))


async def not_signed_in(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, NotSignedIn)
    if not _is_page(request.url.path):
        return JSONResponse(status_code=401, content={"error": exc.zh, "error_en": exc.en})
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    expired = "&expired=1" if request.cookies.get(COOKIE) else ""
    response = RedirectResponse(f"/console/login?next={quote(target, safe='')}{expired}",
                                status_code=303)
    if expired:
        response.delete_cookie(COOKIE, path="/console")
    return response


def safe_next(target: str | None) -> str:
    """Only a console path: a sign-in link must not send anyone to another site."""
    if target and _SAFE_NEXT.match(target) and "//" not in target and ".." not in target:
        return target
    return HOME


@router.get("/console/login")
def login_form(request: Request, next: str | None = None, expired: int = 0) -> Response:
    return page(request, "login.html", {"next": safe_next(next),
                                        "error": EXPIRED[0] if expired else None})


@router.post("/console/login")
def login(request: Request, token: Annotated[str, Form()] = "",
          next: Annotated[str, Form()] = HOME) -> Response:
    value = token.strip()
    user = staff_user(_copilot(request), value) if value else None
    if user is None:
        error = BAD_TOKEN[0] if value else "请粘贴控制台令牌。"
        return page(request, "login.html", {"next": safe_next(next), "error": error},
                    status_code=401)
    response = RedirectResponse(safe_next(next), status_code=303)
    response.set_cookie(COOKIE, value, max_age=COOKIE_MAX_AGE, path="/console",
                        httponly=True, samesite="strict",
                        secure=request.url.scheme == "https")
    return response


@router.api_route("/console/logout", methods=["GET", "POST"])
def logout() -> Response:
    """Forget the sign-in in this browser; the token itself stays valid (revoke it with
    `copilot staff revoke` when it may have leaked)."""
    response = RedirectResponse("/console/login", status_code=303)
    response.delete_cookie(COOKIE, path="/console")
    return response
