"""The offline simulated customer: a dialogue policy that reacts to what the trainee does.

After each trainee line the customer looks at what it did, with the scenario's own checks:
- a line that uses her situation (a context check) or names a clear benefit warms her up;
  once warm, a clear next step gets her agreement;
- a hard sell, or forbidden wording (a not_said check), makes her push back;
- a line that does nothing she can use counts against her patience, and when that runs
  out she ends the call;
- in an objection scenario she repeats the objection until the trainee handles it.
The wording is drawn from the persona's reply banks with a seeded generator, so the same
seed and the same lines give the same conversation.
"""

from __future__ import annotations

import random
import re
from dataclasses import dataclass

from copilot.practice.personas import Persona
from copilot.practice.scenarios import Check, Scenario

HARD_SELL = re.compile(r"赶紧|抓紧|马上(下单|买|来)|必须|一定要|最后一天|错过就没|不买就|就今天|"
                       r"限时|名额不多了")
Mood = str  # warm | neutral | pushback | objection | leave | agrees


@dataclass(frozen=True)
class Reply:
    text: str
    mood: Mood
    ended: bool  # she hung up (ran out of patience, or agreed and the trainee closed)


def _hits(check: Check, line: str) -> bool:
    return any(r.search(line) for r in check.regexes())


def _role(check: Check) -> str:
    """What a check is about, from its id: the scenario files name them this way."""
    for role in ("context", "benefit", "next", "objection", "greeting", "close"):
        if role in check.id:
            return role
    return "other"


def respond(scenario: Scenario, persona: Persona, trainee: list[str], seed: int) -> Reply:
    """The customer's answer to the trainee's latest line (`trainee` is every trainee line
    so far, oldest first)."""
    rng = random.Random(f"{seed}:{scenario.id}:{persona.id}:{len(trainee)}")
    said = [c for c in scenario.checks if c.kind != "not_said" and _hits(c, trainee[-1])]
    roles = {_role(c) for c in said}
    warmed = any(_role(c) in ("context", "benefit") for line in trainee
                 for c in scenario.checks if c.kind != "not_said" and _hits(c, line))
    objection = [c for c in scenario.checks if _role(c) == "objection"]
    handled = any(_hits(c, line) for c in objection for line in trainee)
    if _weak_turns(scenario, trainee) >= persona.patience:
        return Reply(rng.choice(persona.leave), "leave", True)
    if HARD_SELL.search(trainee[-1]) or any(
            c.kind == "not_said" and _hits(c, trainee[-1]) for c in scenario.checks):
        return Reply(rng.choice(persona.pushback), "pushback", False)
    if objection and not handled:
        return Reply(rng.choice(persona.objection), "objection", False)
    if "next" in roles and warmed:
        return Reply(rng.choice(persona.agrees), "agrees", False)
    if roles & {"context", "benefit"} or (warmed and said):
        return Reply(rng.choice(persona.warm), "warm", False)
    return Reply(rng.choice(persona.neutral), "neutral", False)


def _weak_turns(scenario: Scenario, trainee: list[str]) -> int:
    """Lines that gave her nothing (no check of any kind met) or pushed her (a hard sell)."""
    weak = 0
    for line in trainee:
        useful = any(c.kind != "not_said" and _hits(c, line) for c in scenario.checks)
        if HARD_SELL.search(line) or not useful:
            weak += 1
    return weak
