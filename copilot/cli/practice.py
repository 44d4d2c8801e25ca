"""`copilot practice …`: role-play a customer in the terminal, score transcripts, progress.

`copilot practice [--scenario ID] [--persona ID]` starts a session: the copilot plays the
customer, you type the trainee's lines, "结束" (or Ctrl-D) scores it. The session is kept
like one in a chat channel, so it counts in `copilot practice progress`.
"""

from __future__ import annotations

from pathlib import Path

import typer

from copilot.cli.common import console, open_store, settings, user_errors
from copilot.data.access import load_user
from copilot.practice import coach, scenarios
from copilot.practice.chat import END_WORDS
from copilot.practice.personas import personas
from copilot.practice.scoring import score as score_transcript
from copilot.practice.transcript import read_transcript
from copilot.state.db import StateStore

app = typer.Typer(invoke_without_command=True)
AS = typer.Option(None, "--as", help="以哪位员工的身份练习(员工编号);默认 COPILOT_STAFF_ID")


@app.callback()
@user_errors
def practice(ctx: typer.Context,
             scenario: str | None = typer.Option(None, "--scenario",
                                                 help="场景 id;`copilot practice scenarios` 列出"),
             persona: str | None = typer.Option(None, "--persona", help="顾客角色 id;留空随机"),
             seed: int | None = typer.Option(None, "--seed", help="固定随机种子(复现同一段对话)"),
             as_user: str | None = AS) -> None:
    """话术陪练:我扮演顾客,你说导购的话;“结束”打分。子命令:score、progress、scenarios。"""
    if ctx.invoked_subcommand is not None:
        return
    cfg = settings()
    staff = _staff(as_user)
    state = StateStore.from_settings(cfg)
    started = coach.begin(state, staff, scenario_id=scenario, persona_id=persona, seed=seed,
                          channel="cli", now=cfg.now())
    _print(started.intro())
    while True:
        try:
            line = input("你:").strip()
        except EOFError:
            line = "结束"
        if not line:
            continue
        if line in END_WORDS:
            _print(coach.finish(state, started.session_id, cfg.now()).text())
            return
        reply = coach.say(state, started.session_id, line, cfg)
        _print(f"顾客:{reply.text}" + ("\n(顾客挂断了。输入“结束”看评分。)" if reply.ended
                                          else ""))


@app.command()
@user_errors
def score(
    scenario: str = typer.Option(..., "--scenario", help="场景 id,如 phone_invitation"),
    transcript: Path = typer.Option(..., "--transcript", help="转写文件,每行 trainee:/customer:"),
    as_json: bool = typer.Option(False, "--json", help="输出 JSON"),
) -> None:
    """给一份练习转写打分:逐项 ✓/✗,附上原话或更好的说法。"""
    card = score_transcript(scenarios.get(scenario), read_transcript(transcript))
    if as_json:
        typer.echo(card.as_json())
    else:
        _print(card.text())


@app.command()
@user_errors
def progress(as_user: str | None = AS) -> None:
    """我的练习进度:每项技能练了几次、及格几次、最好/最近/平均分。"""
    rows = coach.progress(StateStore.from_settings(settings()), _staff(as_user))
    if not rows:
        _print("还没有完成评分的练习。运行 copilot practice 开始一次。")
    for r in rows:
        _print(r.line())


@app.command("scenarios")
@user_errors
def list_scenarios() -> None:
    """列出练习场景和顾客角色。"""
    for s in scenarios.scenarios().values():
        _print(f"{s.id}  {s.title}(技能:{s.skill})")
    _print("顾客角色:" + "、".join(f"{p.id}({p.name})" for p in personas().values()))


def _staff(as_user: str | None) -> str:
    cfg = settings()
    with open_store(cfg).read() as conn:
        return load_user(conn, as_user or cfg.staff_id).staff_id


def _print(text: str) -> None:
    console.print(text, highlight=False, markup=False, soft_wrap=True)
