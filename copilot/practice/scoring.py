"""Score a finished transcript against its scenario's checks: yes/no lines, no LLM.

Every verdict carries its evidence (the trainee line that earned or lost it), so a trainee
can see why, and a failed check shows the better line from the playbook instead.
"""

from __future__ import annotations

import json
import re
from dataclasses import asdict, dataclass

from copilot.practice.scenarios import Check, Scenario
from copilot.practice.transcript import Turn

PASS_MARK = 70
_QUESTION_WORDS = re.compile(r"吗|呢|什么|哪|怎么|几|多少")


@dataclass(frozen=True)
class CheckResult:
    id: str
    name: str
    kind: str
    passed: bool
    evidence: str | None  # the line that passed it, or the offending line of a not_said
    evidence_line: int | None
    better: str | None  # only when failed


@dataclass(frozen=True)
class Scorecard:
    scenario: str
    title: str
    results: list[CheckResult]

    @property
    def score(self) -> int:
        return round(100 * sum(r.passed for r in self.results) / len(self.results))

    @property
    def passed(self) -> bool:
        return self.score >= PASS_MARK

    def text(self) -> str:
        verdict = "通过" if self.passed else "未通过"
        lines = [self.title, f"得分 {self.score}/100 · {verdict}(及格线 {PASS_MARK})"]
        for r in self.results:
            lines.append(f"{'✓' if r.passed else '✗'} {r.name}")
            if r.passed and r.evidence:
                lines.append(f"    第 {r.evidence_line} 行:“{r.evidence}”")
            elif not r.passed:
                if r.evidence:
                    lines.append(f"    第 {r.evidence_line} 行说了:“{r.evidence}”")
                lines.append(f"    更好的说法:“{r.better}”")
        return "\n".join(lines)

    def as_dict(self) -> dict[str, object]:
        return {"scenario": self.scenario, "title": self.title, "score": self.score,
                "passed": self.passed, "pass_mark": PASS_MARK,
                "checks": [asdict(r) for r in self.results]}

    def as_json(self) -> str:
        return json.dumps(self.as_dict(), ensure_ascii=False, indent=2)


def is_question(text: str) -> bool:
    return text.rstrip().endswith(("?", "\uff1f")) or bool(_QUESTION_WORDS.search(text))


def _first_match(check: Check, turns: list[Turn], *, question: bool = False) -> Turn | None:
    regexes = check.regexes()
    for turn in turns:
        if any(r.search(turn.text) for r in regexes) and (not question or is_question(turn.text)):
            return turn
    return None


def judge(check: Check, trainee: list[Turn]) -> CheckResult:
    hit = _first_match(check, trainee, question=check.kind == "asked")
    passed = hit is None if check.kind == "not_said" else hit is not None
    return CheckResult(id=check.id, name=check.name, kind=check.kind, passed=passed,
                       evidence=hit.text if hit else None,
                       evidence_line=hit.line if hit else None,
                       better=None if passed else check.better)


def score(scenario: Scenario, turns: list[Turn]) -> Scorecard:
    """Only the trainee's lines count: the customer saying 最低价 is not the trainee's fault."""
    trainee = [t for t in turns if t.speaker == "trainee"]
    return Scorecard(scenario.id, scenario.title, [judge(c, trainee) for c in scenario.checks])
