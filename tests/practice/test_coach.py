"""A practice from start to score, through the same flow the terminal and the chat
channels use: the session and its transcript kept, scored once, progress by skill."""

from __future__ import annotations

from datetime import datetime

import pytest

from copilot.errors import UserError
from copilot.practice import coach, sessions
from copilot.practice.personas import personas
from copilot.state.db import StateStore

NOW = datetime(2026, 11, 25, 15, 0)
STRONG = ["王姐您好,我是朝阳大悦城店的小李,之前帮您挑过通勤外套。",
          "您上次买的那件外套穿着还合身吗?",
          "这周六是会员日,金卡满500减80,到店还能领护理小样。",
          "天凉了,您这季通勤想添点什么?",
          "那我周六下午两点帮您把新款先留好,您到了直接试?",
          "好的,谢谢您,周六见!"]


@pytest.fixture
def state(settings) -> StateStore:
    return StateStore.from_settings(settings)


def test_shipped_personas_have_every_reply_bank() -> None:
    assert len(personas()) >= 5
    for p in personas().values():
        assert p.stance and p.patience >= 1 and all(
            len(getattr(p, bank)) >= 3 for bank in ("warm", "neutral", "pushback", "objection",
                                                    "leave", "agrees")), p.id


def test_a_strong_session_is_kept_scored_once_and_counts_in_progress(state) -> None:
    started = coach.begin(state, "E07", scenario_id="phone_invitation",
                          persona_id="busy_office_worker", seed=5, now=NOW)
    assert "王姐" in started.intro() and started.persona.stance not in started.intro()
    # the scenario names her; the persona gives only her temperament, not a second name
    assert "加班多的上班族" in started.intro() and "何小姐" not in started.intro()
    moods = [coach.say(state, started.session_id, line).mood for line in STRONG]
    assert "warm" in moods and "agrees" in moods and "leave" not in moods
    card = coach.finish(state, started.session_id, NOW)
    assert card.score == 100 and card.passed
    kept = sessions.get(state, started.session_id)
    assert kept.state == "ended" and kept.score == 100 and len(kept.turns) == 1 + 2 * len(STRONG)
    with pytest.raises(UserError, match="已经结束"):
        coach.say(state, started.session_id, "还在吗")
    assert not sessions.end(state, started.session_id, 0, False, {}, NOW)  # scored once
    weak = coach.begin(state, "E07", scenario_id="objection_too_expensive", seed=1, now=NOW)
    coach.say(state, weak.session_id, "你买不买?")
    coach.finish(state, weak.session_id, NOW)
    rows = {r.skill: r for r in coach.progress(state, "E07")}
    assert rows["邀约"].sessions == 1 and rows["邀约"].best == 100 and rows["邀约"].passed == 1
    assert rows["异议处理"].passed == 0
    assert list(rows) == ["异议处理", "邀约"]  # weakest first: what to practise next


def test_the_same_seed_draws_the_same_practice(state) -> None:
    a = coach.begin(state, "E07", seed=42, now=NOW)
    b = coach.begin(state, "E07", seed=42, now=NOW)
    assert (a.scenario.id, a.persona.id) == (b.scenario.id, b.persona.id)
    assert coach.say(state, a.session_id, "在吗").text == coach.say(state, b.session_id,
                                                                   "在吗").text


def test_unknown_scenario_or_persona_is_explained(state) -> None:
    with pytest.raises(UserError, match="没有练习场景"):
        coach.begin(state, "E07", scenario_id="nope", now=NOW)
    with pytest.raises(UserError, match="没有顾客角色"):
        coach.begin(state, "E07", scenario_id="phone_invitation", persona_id="nope", now=NOW)
