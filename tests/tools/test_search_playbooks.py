"""`search_playbooks`: passages with their sources; a playbook's steps before its intro."""

from __future__ import annotations

from knowledge.index import Hit
from tools.search_playbooks import _steps_first


def _hit(book: str, section: str) -> Hit:
    return Hit(playbook=book, title=book, section=section, score=0.0, text="", chunk="")


def test_steps_come_before_the_intro_within_the_best_playbook() -> None:
    hits = [_hit("a", "A > 什么时候用"), _hit("b", "B > 步骤"), _hit("a", "A > 步骤"),
            _hit("a", "A > 看什么指标"), _hit("a", "A > 话术示例")]
    order = [(h.playbook, h.section) for h in _steps_first(hits)]
    assert order == [("a", "A > 步骤"), ("a", "A > 话术示例"), ("a", "A > 什么时候用"),
                     ("a", "A > 看什么指标"), ("b", "B > 步骤")]


def test_search_through_the_runner_cites_every_passage(ask) -> None:
    outcome = ask("E07", "search_playbooks", {"query": "沉睡会员怎么激活", "k": 3})
    assert outcome.ok, outcome.error
    passages = outcome.result.passages
    assert len(passages) == 3 and passages[0].playbook == "sleeping-member-reactivation"
    assert {(c.playbook, c.section) for c in outcome.result.citations()} == {
        (p.playbook, p.section) for p in passages}
    assert "<资料" in outcome.text()  # wrapped as reference data for a model


def test_an_empty_query_is_refused_in_chinese(ask) -> None:
    outcome = ask("E01", "search_playbooks", {"query": ""})
    assert not outcome.ok and "query" in (outcome.error or "")
