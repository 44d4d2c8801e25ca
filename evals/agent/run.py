"""Run the agent eval: every case through the real agent loop on a fixed demo chain.

    copilot eval agent [--model offline|openai] [--runs k] [--part dev|holdout|all]

The chain (demo size, seed 7, data to 2026-06-30) is built once under the eval folder;
each run gets a fresh state and memory folder, so saved segments and threads of one run
never leak into the next. Prints routing accuracy, argument accuracy, fact recall,
violations and pass^k per part.
"""

from __future__ import annotations

import asyncio
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from copilot.agent.service import Copilot
from copilot.config import Settings, get_settings
from copilot.data.access import Caller, load_user
from copilot.data.store import MemberStore
from evals.agent.cases import Case, load_cases
from evals.agent.check import Judge, Verdict
from evals.benchmarks.analytics import END, ensure_data
from tools.base import ToolContext

DATA_SIZE = "demo"


@dataclass
class CaseRun:
    case: Case
    run: int
    verdicts: list[Verdict] = field(default_factory=list)
    answers: list[str] = field(default_factory=list)
    ms: list[float] = field(default_factory=list)

    @property
    def passed(self) -> bool:
        return all(v.passed for v in self.verdicts)


@dataclass
class Report:
    runs: list[CaseRun]
    k: int

    def part(self, name: str) -> Report:
        return Report([r for r in self.runs if name == "all" or r.case.part == name], self.k)

    def _sum(self, get: Callable[[Verdict], float]) -> float:
        return sum(get(v) for r in self.runs for v in r.verdicts)

    @property
    def cases(self) -> int:
        return len({r.case.id for r in self.runs})

    @property
    def turns(self) -> int:
        return sum(len(r.verdicts) for r in self.runs)

    @property
    def routing(self) -> float:
        return self._sum(lambda v: v.routing) / max(self.turns, 1)

    @property
    def arguments(self) -> float:
        total = self._sum(lambda v: v.args_total)
        return self._sum(lambda v: v.args_ok) / total if total else 1.0

    @property
    def facts(self) -> float:
        total = self._sum(lambda v: v.facts_total)
        return self._sum(lambda v: v.facts_ok) / total if total else 1.0

    @property
    def violations(self) -> int:
        return int(self._sum(lambda v: len(v.violations)))

    @property
    def pass_rate(self) -> float:
        return sum(r.passed for r in self.runs) / max(len(self.runs), 1)

    @property
    def pass_k(self) -> float:
        """Share of cases that passed in every one of the k runs."""
        ids = {r.case.id for r in self.runs}
        ok = [all(r.passed for r in self.runs if r.case.id == i) for i in ids]
        return sum(ok) / max(len(ok), 1)


def eval_settings(root: Path, model: str, base: Settings | None = None) -> Settings:
    """Settings for one eval run: the shared eval chain, a fresh state folder."""
    cfg = base or get_settings()
    run_dir = Path(tempfile.mkdtemp(prefix="agent-eval-", dir=root))
    store_path = root / DATA_SIZE / "members.duckdb"
    return cfg.model_copy(update={
        "data_dir": run_dir, "database_url": f"duckdb:///{store_path}", "state_url": None,
        "memory_url": None, "chroma_url": None, "llm_provider": model})


async def run_case(copilot: Copilot, case: Case, run: int, members: MemberStore) -> CaseRun:
    out = CaseRun(case, run)
    thread = f"{case.id}-{run}"
    direct = case.channel == "dm"
    with members.read() as conn:
        user = load_user(conn, case.who)
        ctx = ToolContext(copilot.settings, members, copilot.state, Caller(user, direct=direct),
                          today=case.today, knowledge=copilot.knowledge)
        judge = Judge(conn, ctx)
        for turn in case.turns:
            t0 = time.perf_counter()
            result = await copilot.turn(turn.say, staff_id=case.who, thread=thread,
                                        channel="eval", direct=direct, today=case.today)
            out.ms.append((time.perf_counter() - t0) * 1000)
            out.answers.append(result.answer)
            out.verdicts.append(judge.judge(turn.say, turn.expect, result, case.today, direct))
    return out


async def evaluate(cases: list[Case], cfg: Settings, run: int) -> list[CaseRun]:
    async with Copilot.open(cfg) as copilot:
        copilot.knowledge()  # index once, outside the turns
        return [await run_case(copilot, c, run, copilot.members) for c in cases]


def run_eval(part: str = "all", model: str = "offline", runs: int = 1,
             root: Path | None = None, cases: list[Case] | None = None) -> Report:
    """Each of the `runs` passes starts from fresh state (saved segments, memory)."""
    root = root or Path("var/eval")
    root.mkdir(parents=True, exist_ok=True)
    ensure_data(DATA_SIZE, root).close()
    todo = cases or load_cases(part)  # type: ignore[arg-type]
    results: list[CaseRun] = []
    for run in range(runs):
        cfg = eval_settings(root, model)
        try:
            results += asyncio.run(evaluate(todo, cfg, run))
        finally:
            shutil.rmtree(cfg.data_dir, ignore_errors=True)
    return Report(results, runs)


def data_end() -> str:
    return END.isoformat()
