"""`copilot wecom post`: send Markdown to a store group through its group robot."""

from __future__ import annotations

import asyncio
from pathlib import Path

import typer

from copilot.cli.common import console, settings, user_errors
from copilot.errors import UserError

app = typer.Typer(no_args_is_help=True)


@app.command("post")
@user_errors
def post(text: str | None = typer.Argument(None, help="要发到群里的内容(Markdown)"),
         file: Path | None = typer.Option(None, "--file", help="从文件读取内容(UTF-8)")) -> None:
    """通过群机器人(COPILOT_WECOM_WEBHOOK_URL)把内容发到企业微信群;过长自动分条。"""
    from copilot.channels.wecom.robot import post_markdown

    if (text is None) == (file is None):
        raise UserError("请给出要发送的内容,或用 --file 指定文件(二选一)。",
                        "Give the text, or --file (one of the two).")
    if file is not None:
        try:
            text = file.read_text("utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise UserError(f"读不了文件 {file}:{exc}", f"Cannot read {file}: {exc}") from None
    sent = asyncio.run(post_markdown(settings(), text or ""))
    console.print(f"已发到群里({sent} 条消息)。")
