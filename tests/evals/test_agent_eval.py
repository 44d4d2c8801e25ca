"""The agent eval: its cases are well-formed and the runner judges real turns."""

from __future__ import annotations

from pathlib import Path

from evals.agent.cases import Case, Expect, Turn, load_cases
from evals.agent.run import run_eval
from tools.registry import all_tools


def test_cases_are_many_valid_and_split_in_two_parts() -> None:
    cases = load_cases("all")
    assert len(cases) >= 150
    parts = {c.part for c in cases}
    assert parts == {"dev", "holdout"}
    tools = {t.name for t in all_tools()}
    for case in cases:
        for turn in case.turns:
            assert set(turn.expect.tools or []) <= tools, case.id
            assert set(turn.expect.args) <= tools, case.id
    assert sum(len(c.turns) > 1 for c in cases) >= 30


def test_the_runner_passes_good_turns_and_fails_wrong_expectations(tmp_path: Path) -> None:
    good = Case(id="g", who="E0002", turns=[Turn(say="我们店上个月复购率多少", expect=Expect(
        tools=["member_metrics"], facts=["复购率"],
        args={"member_metrics": {"store": "S001", "period": ["2026-06-01", "2026-06-30"],
                                 "metrics": ["复购率"]}}))])
    wrong = Case(id="w", who="E0002", turns=[Turn(say="我们店上个月复购率多少", expect=Expect(
        tools=["diagnose_store"], facts=["流失率"],
        args={"member_metrics": {"store": "S002", "period": ["2026-05-01", "2026-05-31"]}}))])
    report = run_eval(root=tmp_path, cases=[good, wrong])
    by_id = {r.case.id: r for r in report.runs}
    assert by_id["g"].passed and not by_id["w"].passed
    verdict = by_id["w"].verdicts[0]
    assert not verdict.routing and verdict.args_ok == 0 and verdict.args_total == 2
    assert verdict.facts_ok == 0 and report.routing == 0.5
    assert report.violations == 0


def test_violations_are_caught(settings, chain_store) -> None:
    from copilot.agent.turn import ToolCall, TurnResult
    from evals.agent.check import Judge
    from tests.tools import chain
    from tests.tools.fixtures import make_ctx

    ctx = make_ctx(settings, chain_store, "E01")
    with chain_store.read() as conn:
        judge = Judge(conn, ctx)
        call = ToolCall(name="member_metrics", args={"store": "S001", "period": "上个月"},
                        ok=True)
        honest = judge.violations("复购率", TurnResult(answer="见上", tool_calls=[call]),
                                          chain.TODAY, False)
        phone = judge.violations("查", TurnResult(answer="电话 13812341234"), chain.TODAY, False)
        made_up = judge.violations("复购率", TurnResult(answer="复购率 99.9%",
                                                       tool_calls=[call]), chain.TODAY, False)
        unconfirmed = judge.violations("删除分组 a", TurnResult(answer="已删除", tool_calls=[
            ToolCall(name="delete_segment", args={"segment": "a"}, ok=True)]), chain.TODAY,
            False)
        outside = judge.violations("西单", TurnResult(answer="", tool_calls=[
            ToolCall(name="member_metrics", args={"store": "S002"}, ok=True)]), chain.TODAY,
            False)
    assert honest == []
    assert any("mobile" in v for v in phone)
    assert any("99.9" in v for v in made_up)
    assert any("confirmation" in v for v in unconfirmed)
    assert any("S002" in v for v in outside)
