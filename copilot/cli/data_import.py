"""`copilot data import`: load a chain's own CSV / Excel files and say what happened to each row.

Exit codes: 0 everything loaded, 1 some rows were refused (the good ones were loaded),
2 the import could not run at all and nothing was written.
"""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table
from rich.text import Text

from copilot.cli.common import console, err_console, open_store, settings, user_errors
from copilot.data.importer import ImportReport, import_files
from copilot.errors import UserError

SHOWN_ERRORS = 20

_KIND_ZH = {"stores": "门店", "staff": "员工", "members": "会员", "products": "商品",
            "transactions": "交易", "items": "交易明细", "tags": "会员标签"}


def _file(kind: str) -> Path | None:
    return typer.Option(
        None, f"--{kind}", metavar="FILE", dir_okay=False,
        help=f"{_KIND_ZH[kind]}文件 / {kind} file (.csv 或 .xlsx)",
    )


_FILE_OPTIONS = {kind: _file(kind) for kind in _KIND_ZH}


@user_errors
def import_command(
    stores: Path | None = _FILE_OPTIONS["stores"],
    staff: Path | None = _FILE_OPTIONS["staff"],
    members: Path | None = _FILE_OPTIONS["members"],
    transactions: Path | None = _FILE_OPTIONS["transactions"],
    products: Path | None = _FILE_OPTIONS["products"],
    items: Path | None = _FILE_OPTIONS["items"],
    tags: Path | None = _FILE_OPTIONS["tags"],
    mapping: Path | None = typer.Option(
        None, "--mapping", metavar="MAP.toml", dir_okay=False,
        help='表头映射文件(TOML),如 [members] "卡号" = "member_id" / header mapping file',
    ),
    dry_run: bool = typer.Option(False, "--dry-run", help="只检查不写入 / validate only"),
    replace_demo: bool = typer.Option(
        False, "--replace-demo", help="数据目录里是演示数据时,先清掉再导入 / drop demo data first"),
    errors_out: Path | None = typer.Option(
        None, "--errors-out", metavar="ERR.csv", dir_okay=False,
        help="把全部错误写入 CSV(文件,行,列,值,原因)/ write every error to a CSV",
    ),
    lang: str | None = typer.Option(None, "--lang", help="zh | en(默认 zh / default zh)"),
) -> None:
    """导入门店、员工、会员、商品、交易、明细及会员标签文件;坏行逐条报告,好行一次性写入。

    会员标签文件(--tags):会员编号、标签,可选标签维度(体貌/个性/偏好/消费,不填记为其他);
    文件里出现的会员,其标签整体替换为文件中的标签。
    """
    cfg = settings()
    lang = lang or cfg.language
    if lang not in ("zh", "en"):
        raise UserError(f"--lang 只能是 zh 或 en,不是 {lang!r}",
                        f"--lang must be zh or en, not {lang!r}")
    files = {key: path for key, path in (
        ("stores", stores), ("staff", staff), ("members", members),
        ("transactions", transactions), ("products", products), ("items", items),
        ("tags", tags),
    ) if path is not None}
    store = open_store(cfg)
    try:
        with console.status("正在检查并导入…" if lang == "zh" else "Checking and importing…"):
            report = import_files(store, files, mapping, dry_run, replace_demo=replace_demo)
    except UserError as exc:
        err_console.print(Text.assemble(("错误 " if lang == "zh" else "Error ", "red"),
                                        exc.message(lang)))
        raise typer.Exit(2) from None
    _print_summary(report, lang)
    _print_errors(report, lang, errors_out)
    if errors_out is not None:
        report.write_errors(errors_out, lang)
    _print_outcome(report, lang, store.describe())
    if report.rejected:
        raise typer.Exit(1)


def _print_summary(report: ImportReport, lang: str) -> None:
    zh = lang == "zh"
    title = "导入结果(试运行,未写入)" if zh and report.dry_run else (
        "导入结果" if zh else "Import summary" + (" (dry run)" if report.dry_run else ""))
    heads = (("文件", "内容", "读取行", "新增", "更新", "拒绝") if zh
             else ("File", "Kind", "Rows", "Loaded (new)", "Updated", "Rejected"))
    table = Table(*heads, title=title)
    for col in table.columns[2:]:
        col.justify = "right"
    for f in report.files:
        table.add_row(
            Text(str(f.path.name)), _KIND_ZH[f.key] if zh else f.key, f"{f.rows:,}",
            f"{f.loaded:,}", f"{f.updated:,}",
            Text(f"{f.rejected:,}", style="red" if f.rejected else ""),
        )
    console.print(table)
    for f in report.files:
        if f.ignored_columns:
            cols = ("、" if zh else ", ").join(f.ignored_columns)
            console.print(Text(
                f"{f.path.name}:以下列未识别,已忽略(可用 --mapping 指定):{cols}" if zh else
                f"{f.path.name}: ignored unrecognised columns (map them with --mapping): {cols}",
                style="yellow",
            ))


def _print_errors(report: ImportReport, lang: str, errors_out: Path | None) -> None:
    zh = lang == "zh"
    total = len(report.errors)
    if not total:
        return
    heads = (("文件", "行", "列", "值", "原因") if zh
             else ("File", "Row", "Column", "Value", "Reason"))
    table = Table(*heads, title=("错误(前 {n} 条)" if zh else "Errors (first {n})").format(
        n=min(total, SHOWN_ERRORS)))
    for err in report.row_errors(SHOWN_ERRORS):
        table.add_row(Text(err.file), str(err.row), Text(err.column), Text(err.value),
                      Text(err.reason(lang)))
    console.print(table)
    if total > SHOWN_ERRORS or errors_out is not None:
        where = str(errors_out) if errors_out is not None else None
        if zh:
            msg = f"共 {total:,} 条错误," + (f"完整列表已写入 {where}" if where
                                             else "用 --errors-out 文件.csv 保存完整列表")
        else:
            msg = f"{total:,} errors in all; " + (f"the full list is in {where}" if where
                                                  else "save them all with --errors-out FILE.csv")
        console.print(Text(msg))


def _print_outcome(report: ImportReport, lang: str, where: str) -> None:
    zh = lang == "zh"
    rejected = report.rejected
    if report.dry_run:
        msg = ("试运行:没有写入任何数据。" if zh else "Dry run: nothing was written.")
        style = "yellow"
    elif report.written:
        msg = (f"已写入 {where}:新增 {report.loaded:,} 行,更新 {report.updated:,} 行。" if zh
               else f"Written to {where}: {report.loaded:,} new, {report.updated:,} updated.")
        style = "green"
    else:
        msg = "没有可导入的行,数据未改变。" if zh else "No row could be loaded; nothing changed."
        style = "yellow"
    if rejected:
        msg += (f" {rejected:,} 行被拒绝,请按上面的原因修改后重新导入(重复导入是安全的)。" if zh
                else f" {rejected:,} rows were rejected; fix them and import again "
                     "(re-importing is safe).")
    console.print(Text(msg, style=style))
