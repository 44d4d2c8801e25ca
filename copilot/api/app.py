"""The app factory, its lifespan and the errors every endpoint shares."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from langchain_core.language_models import BaseChatModel

from copilot.agent.service import Copilot
from copilot.channels.background import drain, later
from copilot.channels.gate import Gate
from copilot.channels.records import forget_old_events
from copilot.config import Settings, get_settings
from copilot.errors import UserError
from tools.errors import explain_errors


def create_app(settings: Settings | None = None, model: BaseChatModel | None = None, *,
               slack_socket: bool = False, agent_processes: int = 0) -> FastAPI:
    """The service. Nothing is contacted at start-up beyond the local databases: Slack and
    WeCom credentials are used on first need, and each channel is mounted only when its
    settings are present. Slack's Socket Mode, which must connect at start-up, is opt-in.
    With `agent_processes` > 0 turns run in that many worker processes (`copilot serve`
    does this), so acknowledgements never wait behind an agent turn."""
    cfg = settings or get_settings()
    if slack_socket:
        from copilot.channels.slack.socket import check

        check(cfg)

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        async with Copilot.open(cfg, model=model) as copilot:
            app.state.settings = cfg
            app.state.copilot = copilot
            app.state.background = set()  # replies still being worked on after an ack
            await asyncio.to_thread(forget_old_events, copilot.state)  # retries are minutes
            async with contextlib.AsyncExitStack() as channels:
                app.state.closing = channels  # channels register what to close at the end
                app.state.turns = copilot
                if agent_processes and model is None:
                    from copilot.agent.pool import agent_pool

                    app.state.turns = await channels.enter_async_context(
                        agent_pool(cfg, agent_processes))
                app.state.gate = Gate(copilot, turns=app.state.turns,
                                      later=lambda work: later(app, work))
                if slack_socket:
                    from copilot.channels.slack.socket import socket_mode

                    await channels.enter_async_context(socket_mode(app, cfg))
                yield
                await drain(app)

    app = FastAPI(title="Ops Copilot", version="0.1.0", lifespan=lifespan,
                  description="私域会员运营助手:对话、会员分组。")

    @app.exception_handler(UserError)
    async def user_error(request: Request, exc: UserError) -> JSONResponse:
        """A user's mistake: 400 with the message in both languages, never a traceback."""
        return JSONResponse(status_code=getattr(exc, "status", 400),
                            content={"error": exc.zh, "error_en": exc.en})

    @app.exception_handler(RequestValidationError)
    async def bad_request(request: Request, exc: RequestValidationError) -> JSONResponse:
        """A malformed request: 422, said in Chinese first like every other error."""
        errors = [{**e, "loc": tuple(p for p in e["loc"] if p not in ("body", "query"))}
                  for e in exc.errors()]
        return JSONResponse(status_code=422, content={
            "error": explain_errors(errors, "zh"), "error_en": explain_errors(errors, "en")})

    from copilot.api import routes
    from copilot.channels import slack, web, wecom

    app.include_router(routes.router)
    web.mount(app, cfg)
    if cfg.slack_enabled:
        slack.mount(app, cfg)
    if cfg.wecom_enabled:
        wecom.mount(app, cfg)
    return app
