"""`copilot kb index|search`: build the playbook index and look things up in it."""

from __future__ import annotations

import json

import typer
from rich.progress import Progress
from rich.table import Table

from copilot.cli.common import console, settings, user_errors
from copilot.errors import UserError
from knowledge.index import KnowledgeBase
from knowledge.playbook import PlaybookError, shipped_playbooks

app = typer.Typer(no_args_is_help=True)


@app.command()
@user_errors
def index() -> None:
    """把 playbooks 建成检索索引(只处理有变化的手册)。"""
    cfg = settings()
    folder = cfg.playbooks_dir or shipped_playbooks()
    kb = KnowledgeBase.from_settings(cfg)
    try:
        with Progress(console=console, transient=True) as progress:
            task = progress.add_task("建立索引", total=1.0)
            report = kb.index_folder(
                folder, lambda name, done: progress.update(task, completed=done,
                                                           description=f"索引 {name}"))
    except PlaybookError as exc:
        raise UserError(f"手册文件有问题,索引未更新:{exc}",
                        f"A playbook file is invalid; index not updated: {exc}") from None
    console.print(
        f"索引完成:新增 {len(report.added)}、更新 {len(report.updated)}、"
        f"删除 {len(report.removed)}、未变 {len(report.unchanged)} 本手册;"
        f"写入 {report.chunks_written} 个片段。")


@app.command()
@user_errors
def search(
    query: str = typer.Argument(..., help="问题,如 “沉睡会员怎么激活”"),
    k: int = typer.Option(5, "--k", help="返回几条"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """检索手册片段,显示得分、手册、章节与原文。"""
    hits = KnowledgeBase.from_settings(settings()).search(query, k=k)
    if as_json:
        rows = [{"playbook": h.playbook, "title": h.title, "section": h.section,
                 "score": h.score, "text": h.text} for h in hits]
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=2))
        return
    table = Table("#", "得分", "手册 / 章节", "片段", show_lines=True)
    for i, h in enumerate(hits, 1):
        table.add_row(str(i), f"{h.score:.4f}", f"{h.title}\n[dim]{h.playbook} · {h.section}[/dim]",
                      h.text)
    console.print(table)
