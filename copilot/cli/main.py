"""Entry point of the `copilot` command."""

from __future__ import annotations

import typer

from copilot.cli import data, metrics

app = typer.Typer(
    help="Ops Copilot — 私域会员运营助手。", no_args_is_help=True, add_completion=False
)
app.add_typer(data.app, name="data", help="会员数据:生成演示数据、导入、查看状态。")
metrics.register(app)


def main() -> None:
    app()
