"""`copilot tool`: call any tool as a given user, without the agent (for trying and scripts)."""

from __future__ import annotations

import json

import typer
from rich.text import Text

from copilot.analytics.period import parse_day
from copilot.cli.common import console, err_console, open_store, settings, user_errors
from copilot.data.access import Caller, load_user
from copilot.state.db import StateStore
from tools.base import ToolContext
from tools.registry import all_tools, get_tool
from tools.runner import run_tool


@user_errors
def tool(
    name: str = typer.Argument(..., help="工具名,如 member_metrics;`copilot tools` 列出全部"),
    as_user: str = typer.Option(..., "--as", help="以哪位员工的身份调用(员工编号,如 E0001)"),
    args: str = typer.Option("{}", "--args", help='JSON 参数,如 \'{"store": "朝阳店"}\''),
    today: str | None = typer.Option(None, "--today", help="把哪天当作今天 YYYY-MM-DD"),
    direct: bool = typer.Option(False, "--direct", help="一对一对话(默认按群聊脱敏)"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """以某位员工的身份调用一个工具(不经过对话模型),结果与审计日志和对话里一致。"""
    cfg = settings()
    members = open_store(cfg)
    with members.read() as conn:
        user = load_user(conn, as_user)
    ctx = ToolContext(
        settings=cfg, members=members, state=StateStore.from_settings(cfg),
        caller=Caller(user, direct=direct, channel="cli"),
        today=parse_day(today, "今天", "today") if today else cfg.today(), lang=cfg.language)
    outcome = run_tool(ctx, name, args)
    if as_json:
        typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
    elif outcome.ok:
        console.print(outcome.text(cfg.language), markup=False, highlight=False, soft_wrap=True)
    else:
        err_console.print(Text.assemble(("错误 ", "red"), outcome.error or ""), soft_wrap=True)
    if not outcome.ok:
        raise typer.Exit(2)


@user_errors
def tools_list(
    name: str | None = typer.Argument(None, help="只看这个工具:说明和全部参数"),
) -> None:
    """列出所有工具及其说明;给出工具名时显示它的参数。"""
    if name is None:
        for t in all_tools():
            summary = " ".join(t.description.split("。")[0].split()) if t.description else ""
            console.print(f"[bold]{t.name}[/bold]  {summary}。", highlight=False,
                          soft_wrap=True)
        return
    t = get_tool(name)
    console.print(f"[bold]{t.name}[/bold]\n{t.description}\n\n参数:", highlight=False)
    for field, info in t.schema().get("properties", {}).items():
        kind = info.get("type") or "/".join(x.get("type", "") for x in info.get("anyOf", []))
        console.print(f"  {field} ({kind})  {info.get('description', '')}", highlight=False,
                      markup=False, soft_wrap=True)


def register(app: typer.Typer) -> None:
    app.command("tool")(tool)
    app.command("tools")(tools_list)
