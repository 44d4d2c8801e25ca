"""A practice session inside a conversation: every message is a line to the customer until
"结束", which scores it. The agent hands the conversation over here while a session is
open (copilot/agent/service.py), whatever channel it is in."""

from __future__ import annotations

from datetime import datetime

from copilot.config import Settings
from copilot.practice import coach, sessions
from copilot.state.db import StateStore

END_WORDS = {"结束", "结束练习", "不练了", "打分", "评分", "end", "stop", "quit", "exit", "退出"}


def practice_turn(state: StateStore, session: sessions.Session, text: str,
                  now: datetime, settings: Settings | None = None) -> str:
    said = text.strip()
    if said.lower() in END_WORDS:
        card = coach.finish(state, session.session_id, now)
        return card.text() + "\n\n说“我的练习进度”看各项技能,或“我想练一下…”再来一次。"
    reply = coach.say(state, session.session_id, said, settings)
    tail = "\n(顾客挂断了。发“结束”看评分和更好的说法。)" if reply.ended else ""
    return f"顾客:{reply.text}{tail}"
