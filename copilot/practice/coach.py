"""One practice, start to score: the flow the terminal and the chat channels share.

`begin` picks the scenario and persona (asked for, or drawn with the seed), records the
session and returns what the trainee is told; `say` records a trainee line and the
customer's answer; `finish` scores the transcript with the scenario's checks and keeps
the scorecard; `progress` sums a trainee's scored sessions by skill.
"""

from __future__ import annotations

import dataclasses
import random
from dataclasses import dataclass
from datetime import datetime

from copilot.config import Settings
from copilot.practice import personas, sessions
from copilot.practice.customer import Reply, respond
from copilot.practice.scenarios import Scenario, get, scenarios
from copilot.practice.scoring import Scorecard, score
from copilot.practice.transcript import Turn
from copilot.practice.voice import speak
from copilot.state.db import StateStore


@dataclass(frozen=True)
class Started:
    session_id: str
    scenario: Scenario
    persona: personas.Persona

    def intro(self) -> str:
        """What the trainee is told: never the persona's hidden stance."""
        p = self.persona
        return "\n".join([
            f"练习:{self.scenario.title}(技能:{self.scenario.skill})",
            f"目标:{self.scenario.goal}", f"情况:{self.scenario.context}",
            f"这位顾客:{p.kind}({'、'.join(p.traits)})",
            "你是导购,直接说你的话;说“结束”看评分。", "",
            f"顾客:{self.scenario.opening}"])


def begin(state: StateStore, staff_id: str, *, scenario_id: str | None = None,
          persona_id: str | None = None, seed: int | None = None, channel: str = "cli",
          thread: str | None = None, now: datetime) -> Started:
    seed = seed if seed is not None else random.SystemRandom().randrange(1 << 30)
    rng = random.Random(seed)
    scenario = get(scenario_id) if scenario_id else rng.choice(list(scenarios().values()))
    persona = (personas.get(persona_id) if persona_id
               else rng.choice(list(personas.personas().values())))
    session_id = sessions.start(state, staff_id, scenario.id, persona.id, seed, channel,
                                thread, scenario.opening, now)
    return Started(session_id, scenario, persona)


def say(state: StateStore, session_id: str, line: str, settings: Settings | None = None
        ) -> Reply:
    """Record the trainee's line and the customer's answer to it (worded by the model
    when `settings` configure one)."""
    session = sessions.get(state, session_id)
    trainee = [t["text"] for t in session.turns if t["who"] == "trainee"] + [line]
    scenario, persona = get(session.scenario), personas.get(session.persona)
    reply = respond(scenario, persona, trainee, session.seed)
    if settings is not None:
        spoken = [*session.turns, {"who": "trainee", "text": line}]
        reply = dataclasses.replace(reply, text=speak(settings, scenario, persona, spoken,
                                                      reply))
    sessions.add_turns(state, session_id, [{"who": "trainee", "text": line},
                                           {"who": "customer", "text": reply.text}])
    return reply


def finish(state: StateStore, session_id: str, now: datetime) -> Scorecard:
    """Score the session as it stands and keep the scorecard (once)."""
    session = sessions.get(state, session_id)
    turns = [Turn("trainee" if t["who"] == "trainee" else "customer", t["text"], i + 1)
             for i, t in enumerate(session.turns)]
    card = score(get(session.scenario), turns)
    sessions.end(state, session_id, card.score, card.passed, card.as_dict(), now)
    return card


@dataclass(frozen=True)
class SkillProgress:
    skill: str
    sessions: int
    passed: int
    best: int
    last: int
    average: float

    def line(self) -> str:
        return progress_line(self.skill, self.sessions, self.passed, self.best, self.last,
                             self.average)


def progress_line(skill: str, sessions: int, passed: int, best: int, last: int,
                  average: float) -> str:
    """One skill's progress, as the chat tool, the terminal and the console say it."""
    return (f"{skill}:练了 {sessions} 次,及格 {passed} 次,最好 {best} 分,最近 {last} 分,"
            f"平均 {average} 分")


def progress(state: StateStore, staff_id: str) -> list[SkillProgress]:
    """The trainee's scored sessions by skill, weakest average first (what to practise)."""
    by_skill: dict[str, list[sessions.Session]] = {}
    known = scenarios()
    for s in sessions.scored(state, [staff_id]):
        skill = known[s.scenario].skill if s.scenario in known else s.scenario
        by_skill.setdefault(skill, []).append(s)
    rows = [SkillProgress(skill, len(done), sum(bool(s.passed) for s in done),
                          max(s.score or 0 for s in done), done[-1].score or 0,
                          round(sum(s.score or 0 for s in done) / len(done), 1))
            for skill, done in by_skill.items()]
    return sorted(rows, key=lambda r: (r.average, r.skill))
