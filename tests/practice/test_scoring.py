"""Scoring: each check kind, evidence, the arithmetic and the pass mark."""

from __future__ import annotations

import json
from pathlib import Path

from copilot.practice.scenarios import get, load_folder
from copilot.practice.scoring import PASS_MARK, Scorecard, is_question, score
from copilot.practice.transcript import parse_transcript


def _card(tiny_folder: Path, text: str) -> Scorecard:
    return score(get("tiny", load_folder(tiny_folder)), parse_transcript(text))


def test_all_checks_pass_with_evidence(tiny_folder: Path) -> None:
    card = _card(tiny_folder, "customer: 喂?\ntrainee: 您好,我是小李\ntrainee: 您最近想看点什么?")
    by = {r.id: r for r in card.results}
    assert card.score == 100 and card.passed
    assert by["greet"].evidence == "您好,我是小李" and by["greet"].evidence_line == 2
    assert by["ask_need"].evidence_line == 3 and by["ask_need"].better is None
    assert by["no_promise"].passed and by["no_promise"].evidence is None


def test_not_said_fails_with_the_offending_line(tiny_folder: Path) -> None:
    card = _card(tiny_folder, "trainee: 您好\ncustomer: 最低价吗\ntrainee: 我保证是最低价")
    bad = {r.id: r for r in card.results}["no_promise"]
    assert not bad.passed and bad.evidence == "我保证是最低价" and bad.evidence_line == 3
    assert bad.better == "优惠以当天为准。"


def test_asked_needs_a_question(tiny_folder: Path) -> None:
    statement = _card(tiny_folder, "trainee: 您好,您想买外套。")
    assert not {r.id: r for r in statement.results}["ask_need"].passed
    question = _card(tiny_folder, "trainee: 您想买外套吗")
    assert {r.id: r for r in question.results}["ask_need"].passed
    assert is_question("周六几点来") and is_question("好的?") and not is_question("好的。")


def test_customer_lines_do_not_count(tiny_folder: Path) -> None:
    card = _card(tiny_folder, "customer: 您好,你保证吗\ntrainee: 嗯")
    by = {r.id: r for r in card.results}
    assert not by["greet"].passed and by["no_promise"].passed


def test_arithmetic_and_pass_mark(tiny_folder: Path) -> None:
    two_of_three = _card(tiny_folder, "trainee: 您好")  # greet ✓, ask ✗, no_promise ✓
    assert two_of_three.score == 67 and not two_of_three.passed
    one_of_three = _card(tiny_folder, "trainee: 您好,我保证")  # greet ✓ only
    assert one_of_three.score == 33
    assert PASS_MARK == 70


def test_text_and_json(tiny_folder: Path) -> None:
    card = _card(tiny_folder, "trainee: 您好,我保证")
    text = card.text()
    assert text.splitlines()[0] == "小练习"
    assert "得分 33/100 · 未通过" in text
    assert "✓ 问候" in text and "✗ 不乱承诺" in text and "您好,我保证" in text
    assert "更好的说法:“您最近想看点什么?”" in text
    data = json.loads(card.as_json())
    assert data["score"] == 33 and data["passed"] is False and len(data["checks"]) == 3
