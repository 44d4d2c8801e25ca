"""`copilot data demo` and `copilot data info`: demo data never lands on imported data."""

from __future__ import annotations

from typer.testing import CliRunner

from copilot.cli.main import app
from copilot.data.dataset import mark_import, read_info
from copilot.data.store import MemberStore

runner = CliRunner()
SMALL = ["data", "demo", "--size", "small", "--end", "2025-06-30"]


def test_demo_then_info(settings) -> None:
    result = runner.invoke(app, SMALL)
    assert result.exit_code == 0, result.output
    info = runner.invoke(app, ["data", "info"])
    assert info.exit_code == 0, info.output
    assert "demo:small" in info.output and "transactions" in info.output


def test_demo_refuses_to_overwrite_imported_data(settings) -> None:
    assert runner.invoke(app, SMALL).exit_code == 0
    store = MemberStore.from_settings(settings)
    with store.write() as conn:
        mark_import(conn)
    refused = runner.invoke(app, SMALL)
    assert refused.exit_code == 2
    assert "已有导入的真实数据" in refused.output
    with store.read() as conn:
        assert read_info(conn)["source"] == "import"  # untouched
    assert runner.invoke(app, [*SMALL, "--replace"]).exit_code == 0
    with store.read() as conn:
        assert read_info(conn)["source"] == "demo:small"


def test_if_missing_builds_only_once(settings) -> None:
    store = MemberStore.from_settings(settings)
    assert runner.invoke(app, [*SMALL, "--if-missing"]).exit_code == 0
    first = store.path.stat().st_mtime_ns
    again = runner.invoke(app, [*SMALL, "--if-missing"])
    assert again.exit_code == 0 and "已有会员数据" in again.output
    assert store.path.stat().st_mtime_ns == first


def test_bad_demo_arguments() -> None:
    bad_size = runner.invoke(app, ["data", "demo", "--size", "huge"])
    assert bad_size.exit_code == 2 and "未知规模" in bad_size.output
    bad_end = runner.invoke(app, ["data", "demo", "--size", "small", "--end", "2025-02-30"])
    assert bad_end.exit_code == 2 and "2025-02-30 不存在" in bad_end.output


def test_info_without_data() -> None:
    result = runner.invoke(app, ["data", "info"])
    assert result.exit_code == 2 and "还没有会员数据" in result.output
