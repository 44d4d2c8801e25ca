"""`copilot serve`: the HTTP service (chat API, segments, OpenAPI docs at /docs)."""

from __future__ import annotations

import os

import typer

from copilot.cli.common import console, settings, user_errors


@user_errors
def serve(
    host: str = typer.Option("127.0.0.1", "--host", help="监听地址"),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="端口"),
    slack_socket: bool = typer.Option(False, "--slack-socket",
                                      help="Slack 走 Socket Mode(没有公网地址时;启动即连接 Slack)"),
) -> None:
    """启动服务:/healthz、POST /api/chat、/api/segments,接口文档在 /docs。"""
    import uvicorn

    from copilot.api import create_app

    cfg = settings()
    console.print(f"运营助手服务:http://{host}:{port}  (接口文档 /docs,Ctrl-C 停止)")
    processes = cfg.agent_processes
    if processes is None:
        processes = min(4, os.cpu_count() or 1)
    uvicorn.run(create_app(cfg, slack_socket=slack_socket, agent_processes=processes),
                host=host, port=port, log_level="warning")
