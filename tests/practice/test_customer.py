"""The offline customer reacts to what the trainee does: warms to her own situation and a
clear benefit, agrees to a clear next step once warm, pushes back on a hard sell, and
hangs up when ignored; the same seed and lines give the same words."""

from __future__ import annotations

from copilot.practice.customer import respond
from copilot.practice.personas import Persona
from copilot.practice.scenarios import get

BUSY = Persona(id="busy", name="忙碌的上班族", traits=["说话快", "时间紧"],
               stance="愿意来,但只为真正划算的事抽时间", patience=2,
               warm=["哦,那件外套我还挺喜欢的。", "会员日?说说看。", "那还行。"],
               neutral=["嗯,然后呢?", "你说。", "哦。"],
               pushback=["别催我。", "你这么说我就不想去了。", "这么急干嘛?"],
               objection=["我最近真没空。", "周末要加班。", "再说吧。"],
               leave=["我在开会,先挂了。", "没什么事我挂了啊。", "不需要,谢谢。"],
               agrees=["行,那就周六下午两点。", "可以,你帮我留着。", "好,到时候见。"])


def _reply(*lines: str, seed: int = 1):
    return respond(get("phone_invitation"), BUSY, list(lines), seed)


def test_her_own_situation_and_a_clear_benefit_warm_her_up() -> None:
    assert _reply("您上次买的那件外套穿着还合身吗?").mood == "warm"
    assert _reply("这周六会员日,金卡满500减80").mood == "warm"


def test_a_clear_next_step_after_she_warmed_up_gets_a_yes() -> None:
    got = _reply("这周六会员日满500减80", "那我周六下午两点给您把新款先留好?")
    assert got.mood == "agrees" and got.text in BUSY.agrees
    cold = _reply("那我下午两点给您把新款先留好?")  # nothing to warm her first
    assert cold.mood != "agrees"


def test_a_hard_sell_or_forbidden_wording_gets_pushback() -> None:
    assert _reply("这周六会员日", "您赶紧来吧,最后一天了").mood == "pushback"
    assert _reply("这周六会员日", "保证全城最低价").mood == "pushback"


def test_ignored_she_ends_the_call() -> None:
    got = _reply("在吗", "喂喂")  # two lines that give her nothing, patience 2
    assert got.mood == "leave" and got.ended and got.text in BUSY.leave


def test_the_same_seed_and_lines_give_the_same_words_and_seeds_vary_them() -> None:
    lines = ("在吗",)
    assert _reply(*lines, seed=3) == _reply(*lines, seed=3)
    assert len({_reply(*lines, seed=s).text for s in range(20)}) > 1
