"""Which scenario or persona a request means: an id, or words of its title or skill."""

from __future__ import annotations

import re

from copilot.errors import UserError
from copilot.practice.personas import Persona, personas
from copilot.practice.scenarios import Scenario, scenarios

_NOISE = re.compile(r"我想|我要|想|陪我|帮我|练一下|练练|练习|练一练|一下|模拟|场景|话术|的|"
                    r"顾客|客人|会员|一个|一位|让我|给我|来个|[\s,,。!!??]")


# How people name a scenario → words of its title ("陪我练练顾客嫌贵" → 太贵).
_SAYS = {"嫌贵": "太贵", "贵了": "太贵", "没空": "没时间", "忙": "没时间", "别家": "别家买",
         "加微信": "加企微", "加企业微信": "加企微", "进群": "入群", "拉群": "入群", "社群": "入群",
         "升卡": "晋级", "升级": "晋级", "回访": "回访", "二次购买": "二购", "复购": "二购",
         "召回": "召回", "流失": "召回", "客诉": "投诉", "邀约": "邀约", "生日": "生日"}


def _bigrams(text: str) -> set[str]:
    text = _NOISE.sub("", text.lower())
    text += "".join(v for k, v in _SAYS.items() if k in text)
    return {text[i:i + 2] for i in range(len(text) - 1)} or ({text} if text else set())


def scenario(key: str) -> Scenario:
    found = scenarios()
    if key.strip() in found:
        return found[key.strip()]
    want = _bigrams(key)
    scored = sorted(((len(want & _bigrams(f"{s.title} {s.skill}")), s.id) for s in found.values()),
                    reverse=True)
    if not scored or scored[0][0] == 0 or (len(scored) > 1 and scored[0][0] == scored[1][0]):
        names = "、".join(f"{s.title}({s.id})" for s in found.values())
        raise UserError(f"没找到对应“{key}”的练习场景。可以练:{names}。",
                        f"No practice scenario matches {key!r}.")
    return found[scored[0][1]]


def persona(key: str) -> Persona:
    found = personas()
    if key.strip() in found:
        return found[key.strip()]
    want = _bigrams(key)
    best = max(found.values(), key=lambda p: len(want & _bigrams(p.name + "".join(p.traits))))
    if not want & _bigrams(best.name + "".join(best.traits)):
        names = "、".join(f"{p.name}({p.id})" for p in found.values())
        raise UserError(f"没有这样的顾客角色“{key}”;可选:{names}。", f"No persona {key!r}.")
    return best
