"""A turn's parts as channels show them: tables for metrics, charts, sources, splitting."""

from __future__ import annotations

from pathlib import Path

from copilot.agent.turn import ToolCall, TurnResult
from copilot.channels.render import markdown, split, view
from tools.base import Citation

METRICS = {"scope": "朝阳店", "period": "2026-10", "rows": [
    {"name": "复购率", "display": "33.3%", "comparisons": [
        {"label": "环比", "display": "25.0%", "delta": "+8.3pp"}]}]}


def test_metric_lines_give_way_to_a_table() -> None:
    result = TurnResult(answer="朝阳店 2026-10:\n- 复购率:33.3%",
                        tool_calls=[ToolCall(name="member_metrics", args={}, ok=True,
                                             result=METRICS)])
    part = view(result)
    assert part.text == "朝阳店 2026-10:"
    [table] = part.tables
    assert table.header == ["指标", "数值", "环比"]
    assert table.rows == [["复购率", "33.3%", "25.0% +8.3pp"]]


def test_charts_are_existing_files_of_successful_calls(tmp_path: Path) -> None:
    png = tmp_path / "chart.png"
    png.write_bytes(b"\x89PNG")
    calls = [ToolCall(name="diagnose_store", args={}, ok=True, result={"chart_path": str(png)}),
             ToolCall(name="diagnose_store", args={}, ok=True,
                      result={"chart_path": str(tmp_path / "gone.png")}),
             ToolCall(name="diagnose_store", args={}, ok=False, error="x",
                      result={"chart_path": str(png)})]
    assert view(TurnResult(answer="诊断", tool_calls=calls)).charts == [png]


def test_markdown_keeps_masks_literal_and_names_sources() -> None:
    cite = Citation(playbook="recall", title="沉睡会员唤醒", section="话术", text="…")
    part = view(TurnResult(answer="张*:138****1234", citations=[cite]))
    md = markdown(part)
    assert "138＊＊＊＊1234" in md and "*" not in md.replace("＊", "")
    assert "出处:《沉睡会员唤醒》话术" in md


def test_split_respects_the_byte_limit_and_keeps_everything() -> None:
    text = "\n".join(f"第{i}行:" + "会员" * 30 for i in range(60))
    pieces = split(text, 500)
    assert len(pieces) > 1 and all(len(p.encode()) <= 500 for p in pieces)
    assert "".join(pieces).replace("\n", "") == text.replace("\n", "")
    long_line = "长" * 400  # 1,200 bytes with no line break
    assert all(len(p.encode()) <= 500 for p in split(long_line, 500))
    assert "".join(split(long_line, 500)) == long_line


def test_split_by_characters_for_slack_sections() -> None:
    text = "\n".join("复购" * 40 for _ in range(10))  # 80 characters, 240 bytes a line
    pieces = split(text, 200, size=len)
    assert all(len(p) <= 200 for p in pieces) and len(pieces) == 5
    assert "\n".join(pieces) == text
