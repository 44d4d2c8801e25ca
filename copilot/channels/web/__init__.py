"""The web console: sign in with a console token, chat with the copilot, read a dashboard.

Server-rendered pages (Jinja2 templates in `templates/`, one stylesheet in `static/`) and a
small JSON API the chat page calls. The console is just another channel: chat turns go
through the gate like Slack and WeCom, dashboard figures through `run_tool`, both as the
signed-in staff member, so a page can never show more than that person may ask for.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from fastapi.staticfiles import StaticFiles

from copilot.channels.web import api, auth, campaigns, charts, pages
from copilot.config import Settings

STATIC = Path(__file__).parent / "static"


def mount(app: FastAPI, settings: Settings) -> None:
    """Add the console's routes to the service. It needs no settings of its own: sign-in
    tokens live in the state database (`copilot staff token`), charts under data_dir."""
    app.add_exception_handler(auth.NotSignedIn, auth.not_signed_in)
    app.mount("/console/static", StaticFiles(directory=STATIC), name="console-static")
    for router in (auth.router, pages.router, api.router, charts.router, campaigns.router):
        app.include_router(router)

    @app.get("/console", include_in_schema=False)
    def console_home() -> RedirectResponse:
        return RedirectResponse("/console/chat", status_code=303)


__all__ = ["mount"]
