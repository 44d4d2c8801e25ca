"""`copilot ask` (one turn) and `copilot chat` (a terminal conversation) with the agent."""

from __future__ import annotations

import asyncio
import json
import uuid
from datetime import date

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from copilot.agent.service import Copilot
from copilot.agent.turn import TurnResult
from copilot.analytics.period import parse_day
from copilot.channels.render import view
from copilot.cli.common import console, err_console, settings, user_errors
from copilot.config import Settings
from copilot.data.access import load_user
from copilot.errors import UserError

AS_HELP = "以哪位员工的身份提问(员工编号);默认 COPILOT_STAFF_ID,演示数据里是店长 E0001"
EXIT_WORDS = {"exit", "quit", "q", "退出", "再见", "bye"}


def _today(today: str | None) -> date:
    return parse_day(today, "今天", "today") if today else settings().today()


@user_errors
def ask(
    message: str = typer.Argument(..., help="要问的话,如 “朝阳店上个月复购率多少”"),
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    thread: str | None = typer.Option(None, "--thread", help="对话编号:同一编号的多次提问接着聊"),
    today: str | None = typer.Option(None, "--today", help="把哪天当作今天 YYYY-MM-DD"),
    direct: bool = typer.Option(False, "--direct", help="一对一对话(默认按群聊脱敏)"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """问一句,答一句;--thread 让几次提问成为同一段对话。"""
    cfg = settings()
    staff = as_user or cfg.staff_id

    async def run() -> TurnResult:
        async with Copilot.open(cfg) as copilot:
            return await copilot.turn(message, staff_id=staff, thread=thread or _new_thread(),
                                      direct=direct, today=_today(today))

    result = asyncio.run(run())
    if as_json:
        typer.echo(json.dumps(result.as_json(), ensure_ascii=False, indent=2))
    else:
        show(result)


@user_errors
def chat(
    as_user: str | None = typer.Option(None, "--as", help=AS_HELP),
    thread: str | None = typer.Option(None, "--thread", help="接着某段对话聊(默认新开一段)"),
    today: str | None = typer.Option(None, "--today", help="把哪天当作今天 YYYY-MM-DD"),
    direct: bool = typer.Option(False, "--direct", help="一对一对话(默认按群聊脱敏)"),
) -> None:
    """在终端里和运营助手对话;输入“退出”或 Ctrl-D 结束。"""
    cfg = settings()
    staff = as_user or cfg.staff_id
    thread_id = thread or _new_thread()
    asyncio.run(_chat(cfg, staff, thread_id, direct, _today(today)))


async def _chat(cfg: Settings, staff: str, thread_id: str, direct: bool, today: date) -> None:
    async with Copilot.open(cfg) as copilot:
        with copilot.members.read() as conn:
            user = load_user(conn, staff)  # an unknown id fails now, not at the first message
        console.print(Text(f"运营助手 · {user.name}({user.staff_id})· 对话 {thread_id} · "
                           "输入“帮助”看示例,“退出”结束", style="dim"))
        while True:
            try:
                said = console.input("[bold cyan]你[/bold cyan] › ").strip()
            except (EOFError, KeyboardInterrupt):
                console.print()
                return
            if not said:
                continue
            if said.lower() in EXIT_WORDS:
                return
            try:
                result = await copilot.turn(said, staff_id=staff, thread=thread_id,
                                            direct=direct, today=today)
            except UserError as exc:
                err_console.print(Text.assemble(("错误 ", "red"), exc.message(cfg.language)))
                continue
            show(result)


def _new_thread() -> str:
    return uuid.uuid4().hex[:12]


def show(result: TurnResult) -> None:
    """The answer as plain text (a masked 138****1234 must not turn into Markdown emphasis);
    metric results as tables in place of their lines; sources when the answer has none."""
    part = view(result)
    console.print(Text(part.text), soft_wrap=True)
    for t in part.tables:
        table = Table(*t.header, title=escape(t.title))
        for row in t.rows:
            table.add_row(*row)
        console.print(table)
    if part.sources:
        table = Table("出处 · 手册", "章节", show_edge=False, style="dim")
        for c in part.sources:
            table.add_row(c.title, c.section)
        console.print(table)
