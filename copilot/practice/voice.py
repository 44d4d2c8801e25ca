"""The customer's words from a language model, when one is configured.

The dialogue policy (customer.py) still decides how she reacts: warm, pushing back,
repeating her objection, agreeing, or ending the call. The model only words that reaction
in the persona's voice, under her hidden stance (persona_prompt.md), so a practice scores
and ends the same way online and offline. If the model fails, the policy's own line is
used: a practice never stops because a model service is down.
"""

from __future__ import annotations

import functools
import logging
from importlib import resources

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from copilot.config import Settings
from copilot.practice.customer import Reply
from copilot.practice.personas import Persona
from copilot.practice.scenarios import Scenario

log = logging.getLogger(__name__)
MAX_CHARS = 120
MOODS = {"warm": "开始有兴趣,愿意听下去", "neutral": "不冷不热,等对方说重点",
         "pushback": "被推销得不舒服,有点抵触", "objection": "提出你的顾虑(异议)",
         "leave": "不想再聊了,礼貌但坚决地结束对话", "agrees": "答应对方提出的下一步"}


@functools.cache
def _template() -> str:
    return (resources.files("copilot.practice") / "persona_prompt.md").read_text("utf-8")


def speak(settings: Settings, scenario: Scenario, persona: Persona, turns: list[dict[str, str]],
          reply: Reply) -> str:
    """The customer's line: the model's wording of `reply`, or `reply.text` offline."""
    if settings.llm_provider != "openai":
        return reply.text
    from copilot.agent.models import build_chat_model

    system = _template().format(name=persona.kind, traits="、".join(persona.traits),
                                stance=persona.stance, context=scenario.context,
                                goal=scenario.goal, mood=MOODS.get(reply.mood, reply.mood),
                                example=reply.text)
    history: list[BaseMessage] = [SystemMessage(system)]
    history += [HumanMessage(t["text"]) if t["who"] == "trainee" else AIMessage(t["text"])
                for t in turns]
    try:
        said = build_chat_model(settings).invoke(history).text.strip()
    except Exception:  # the model service: fall back to the policy's own line
        log.exception("the practice customer's model failed; using the offline line")
        return reply.text
    return said[:MAX_CHARS] if said else reply.text
