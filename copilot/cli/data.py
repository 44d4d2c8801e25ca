"""`copilot data …`: build demo data, import a chain's own files, show what is loaded."""

from __future__ import annotations

from datetime import date

import typer
from rich.progress import Progress
from rich.table import Table
from sqlalchemy import text

from copilot.analytics.period import parse_day
from copilot.cli.common import console, open_store, settings, user_errors
from copilot.cli.data_import import import_command
from copilot.data.dataset import data_range, holds_imported_data, read_info
from copilot.data.demo import SIZES, build_demo
from copilot.errors import UserError

app = typer.Typer(no_args_is_help=True)
app.command("import", help="导入门店/员工/会员/交易等 CSV 或 Excel 文件(可任选其中几项)。")(
    import_command
)

_TABLES = ("stores", "staff", "members", "products", "transactions", "line_items")


@app.command()
@user_errors
def demo(
    size: str = typer.Option("demo", help="small | demo | bench"),
    seed: int = typer.Option(7, help="随机种子:同一种子与结束日期生成完全相同的数据"),
    end: str | None = typer.Option(None, help="数据截止日期 YYYY-MM-DD(默认昨天)"),
    replace: bool = typer.Option(False, "--replace", help="覆盖已导入的真实数据(慎用)"),
    if_missing: bool = typer.Option(False, "--if-missing", help="已有任何会员数据时什么也不做"),
) -> None:
    """生成确定性的演示连锁数据(门店、员工、会员、两年交易)。"""
    if size not in SIZES:
        raise UserError(f"未知规模 {size!r},可选:{', '.join(SIZES)}",
                        f"Unknown size {size!r}; choose one of {', '.join(SIZES)}")
    end_date = _parse_end(end)
    store = open_store(settings())
    if if_missing and store.exists():
        console.print(f"已有会员数据,未生成演示数据:{store.describe()}")
        return
    if store.exists() and not replace:
        with store.read() as conn:
            if holds_imported_data(read_info(conn)):
                raise UserError(
                    "数据目录里已有导入的真实数据,演示数据不会覆盖它。"
                    "确需覆盖请加 --replace,或设置另一个 COPILOT_DATA_DIR。",
                    "The data dir holds imported data; demo data will not overwrite it. "
                    "Pass --replace to overwrite, or use another COPILOT_DATA_DIR.",
                )
    with Progress(console=console, transient=True) as progress:
        task = progress.add_task("生成演示数据", total=None)

        def step(label: str, done: float) -> None:
            progress.update(task, description=label, completed=done, total=1.0)

        summary = build_demo(store, size=size, seed=seed, end=end_date, progress=step)
    console.print(f"[green]演示数据已生成[/green] {summary}")
    console.print(f"位置:{store.describe()}")


@app.command()
@user_errors
def info() -> None:
    """显示会员数据的位置、来源与各表行数。"""
    store = open_store(settings())
    with store.read() as conn:
        meta = read_info(conn)
        span = data_range(conn)
        table = Table("表 table", "行数 rows")
        for name in _TABLES:
            count = conn.execute(text(f"SELECT COUNT(*) FROM {name}")).scalar_one()
            table.add_row(name, f"{count:,}")
    console.print(f"位置:{store.describe()}")
    console.print(f"来源:{meta.get('source', '?')}  更新:{meta.get('updated_at', '?')}")
    console.print(f"交易日期:{span[0]} ~ {span[1]}" if span else "交易日期:(还没有交易)")
    console.print(table)


def _parse_end(value: str | None) -> date | None:
    return None if value is None else parse_day(value, "截止日期", "end date")
