"""`copilot data import` on the command line: summary, errors file, exit codes."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
import typer
from sqlalchemy import text
from typer.testing import CliRunner

from copilot.cli.data_import import import_command
from copilot.config import get_settings
from copilot.data.store import MemberStore

WIDE = {"COLUMNS": "240"}  # keep rich from wrapping table cells


def _app() -> tuple[typer.Typer, list[str]]:
    """The real `copilot` app when it can be assembled, else the command alone."""
    try:
        from copilot.cli.main import app
    except ImportError:  # another feature's module is not there yet
        local = typer.Typer()
        local.command("import")(import_command)
        local.command("noop")(lambda: None)  # a second command keeps "import" a subcommand
        return local, ["import"]
    return app, ["data", "import"]


def run(*args: str):
    app, prefix = _app()
    return CliRunner().invoke(app, [*prefix, *args], env=WIDE)


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh).writerows(rows)
    return path


def row_counts() -> dict[str, int]:
    store = MemberStore.from_settings(get_settings())
    if not store.exists():
        return {}
    try:
        with store.read() as conn:
            return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one()
                    for t in ("stores", "staff", "members", "transactions")}
    finally:
        store.close()


@pytest.fixture
def files(tmp_path: Path) -> dict[str, Path]:
    return {
        "stores": write_csv(tmp_path / "门店.csv", [
            ["门店编号", "门店名称", "区域"], ["S1", "南京西路店", "华东"],
            ["S2", "天河店", "华南"]]),
        "staff": write_csv(tmp_path / "员工.csv", [
            ["工号", "姓名", "所属门店", "岗位"], ["E1", "张三", "S1", "导购"]], encoding="gbk"),
        "members": write_csv(tmp_path / "会员.csv", [
            ["会员卡号", "入会时间", "所属门店", "导购编号"], ["M1", "2023-01-05", "S1", "E1"],
            ["M2", "2023/2/1", "S2", ""]]),
        "transactions": write_csv(tmp_path / "交易.csv", [
            ["订单号", "会员卡号", "门店编号", "消费时间", "实收金额", "件数"],
            ["T1", "M1", "S1", "2024-01-05 14:30", "¥1,299.50", "2"]]),
    }


def args_for(files: dict[str, Path]) -> list[str]:
    return [arg for key, path in files.items() for arg in (f"--{key}", str(path))]


def test_clean_import_exits_0_with_a_summary(files):
    result = run(*args_for(files))
    assert result.exit_code == 0, result.output
    assert "导入结果" in result.output and "会员.csv" in result.output
    assert "已写入" in result.output and "新增 6 行,更新 0 行" in result.output
    assert row_counts() == {"stores": 2, "staff": 1, "members": 2, "transactions": 1}
    again = run(*args_for(files))
    assert again.exit_code == 0 and "新增 0 行,更新 6 行" in again.output
    assert row_counts() == {"stores": 2, "staff": 1, "members": 2, "transactions": 1}


def test_rejected_rows_exit_1_and_go_to_the_errors_file(files, tmp_path):
    files["members"] = write_csv(tmp_path / "会员.csv", [
        ["会员卡号", "入会时间", "所属门店", "手机号"], ["M1", "2023-01-05", "S1", ""],
        ["M2", "2024-02-30", "S1", ""], ["M3", "2023-01-05", "S999", "12"]])
    files["transactions"] = write_csv(tmp_path / "交易.csv", [
        ["订单号", "门店编号", "消费时间", "实收金额", "件数"],
        ["T1", "S1", "2024-01-05", "-3", "1"]])
    errors = tmp_path / "out" / "errors.csv"
    result = run(*args_for(files), "--errors-out", str(errors))
    assert result.exit_code == 1, result.output
    assert "日期或时间不存在" in result.output and "门店 S999 不存在" in result.output
    assert "被拒绝" in result.output
    with open(errors, encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0] == ["file", "row", "column", "value", "reason"]
    assert rows[1:] == [
        ["会员.csv", "3", "入会时间", "2024-02-30", "日期或时间不存在"],
        ["会员.csv", "4", "手机号", "12", "手机号应为 6–20 位数字"],
        ["会员.csv", "4", "所属门店", "S999", "门店 S999 不存在(数据库和本次导入的文件里都没有)"],
        ["交易.csv", "2", "实收金额", "-3", "金额不能为负数"],
    ]
    assert row_counts() == {"stores": 2, "staff": 1, "members": 1, "transactions": 0}


def test_only_the_first_20_errors_are_printed(files, tmp_path):
    files["members"] = write_csv(tmp_path / "会员.csv", [
        ["会员卡号", "入会时间", "所属门店"], *[[f"M{i}", "bad", "S1"] for i in range(30)]])
    errors = tmp_path / "errors.csv"
    result = run("--members", str(files["members"]), "--stores", str(files["stores"]),
                 "--errors-out", str(errors))
    assert result.exit_code == 1
    assert "错误(前 20 条)" in result.output and "共 30 条错误" in result.output
    assert result.output.count("bad") == 20  # one printed row per error shown
    assert len(errors.read_text(encoding="utf-8-sig").splitlines()) == 31


def test_structural_error_exits_2_and_writes_nothing(files, tmp_path):
    assert run("--stores", str(files["stores"])).exit_code == 0
    before = row_counts()
    files["members"] = write_csv(tmp_path / "会员.csv", [["卡号", "姓名"], ["M1", "a"]])
    result = run(*args_for(files))
    assert result.exit_code == 2
    assert "缺少必需的列" in result.output and "文件中的表头:卡号、姓名" in result.output
    assert row_counts() == before


def test_missing_file_and_no_file_exit_2(tmp_path):
    result = run("--members", str(tmp_path / "nope.csv"))
    assert result.exit_code == 2 and "找不到文件" in result.output
    result = run()
    assert result.exit_code == 2 and "没有指定要导入的文件" in result.output
    assert row_counts() == {}


def test_english_output(files, tmp_path):
    files["transactions"] = write_csv(tmp_path / "交易.csv", [
        ["订单号", "门店编号", "消费时间", "实收金额", "件数"],
        ["T1", "S1", "2024-01-05", "-3", "1"]])
    result = run(*args_for(files), "--lang", "en")
    assert result.exit_code == 1
    assert "Import summary" in result.output and "amount cannot be negative" in result.output
    assert "Written to" in result.output
    missing = run("--members", str(tmp_path / "nope.csv"), "--lang", "en")
    assert missing.exit_code == 2 and "File not found" in missing.output
    assert run("--lang", "fr", "--stores", str(files["stores"])).exit_code == 2


def test_dry_run_writes_nothing(files, tmp_path):
    result = run(*args_for(files), "--dry-run")
    assert result.exit_code == 0 and "试运行" in result.output
    assert row_counts() == {}
    files["members"] = write_csv(tmp_path / "会员.csv", [
        ["会员卡号", "入会时间", "所属门店"], ["M1", "明天", "S1"]])
    assert run(*args_for(files), "--dry-run").exit_code == 1
    assert row_counts() == {}


def test_mapping_option(files, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[members]\n"卡号" = "member_id"\n"开户" = "joined_at"\n', encoding="utf-8")
    files["members"] = write_csv(tmp_path / "会员.csv", [
        ["卡号", "开户", "所属门店", "喜欢的颜色"], ["M1", "2023-01-05", "S1", "x"]])
    result = run(*args_for(files), "--mapping", str(mapping))
    assert result.exit_code == 0, result.output
    assert "已忽略" in result.output and "喜欢的颜色" in result.output
