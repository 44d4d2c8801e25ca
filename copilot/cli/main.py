"""Entry point of the `copilot` command."""

from __future__ import annotations

import typer

from copilot.cli import data, evals, kb, metrics, tool

app = typer.Typer(
    help="Ops Copilot — 私域会员运营助手。", no_args_is_help=True, add_completion=False
)
app.add_typer(data.app, name="data", help="会员数据:生成演示数据、导入、查看状态。")
app.add_typer(kb.app, name="kb", help="知识库:建立索引、检索手册。")
app.add_typer(evals.app, name="eval", help="评测:检索质量等。")
metrics.register(app)
tool.register(app)


def main() -> None:
    app()
