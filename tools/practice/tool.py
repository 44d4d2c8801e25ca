"""`start_practice` and `practice_progress`.

Practice needs no member data (the customers are made up), so trainees, whose accounts
see no member data, may use both. A session started in a conversation takes over that
conversation until "结束": the copilot plays the customer there (copilot/practice/chat.py).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from copilot.data.access import Access
from copilot.errors import UserError
from copilot.practice import coach
from tools.base import Tool, ToolArgs, ToolContext, ToolResult
from tools.practice import pick


class StartArgs(ToolArgs):
    scenario: str | None = Field(
        None, max_length=60,
        description="练哪个场景:编号或说法,如 电话邀约、生日关怀、顾客嫌贵、投诉;留空随机")
    persona: str | None = Field(None, max_length=40,
                                description="顾客角色:编号或说法,如 宝妈、上班族;留空随机")


class Started(ToolResult):
    session_id: str
    scenario: str
    persona: str
    intro: str

    def text(self, lang: str = "zh") -> str:
        return self.intro


def start_practice(ctx: ToolContext, args: StartArgs) -> Started:
    """开始一次话术陪练:我扮演顾客,你是导购。场景有电话邀约、生日关怀、首购7天回访、30/45天
    二次购买、90天未到店召回、临界会员升级、收银加企微、邀请进社群、顾客嫌贵/没时间/在别家买了、
    投诉处理。开始后这段对话里你说的话都当作对顾客说的,说“结束”给出评分、依据和更好的说法。
    例:“我想练一下电话邀约” → scenario="电话邀约";“陪我练练顾客嫌贵” → scenario="顾客嫌贵"。"""
    if ctx.conversation is None:
        raise UserError("这里没法开始陪练;请在对话里(终端 copilot chat、Slack、企业微信、"
                        "控制台)说“我想练一下…”,或用 copilot practice。",
                        "Start practice from a conversation, or run `copilot practice`.")
    scenario = pick.scenario(args.scenario) if args.scenario else None
    persona = pick.persona(args.persona) if args.persona else None
    started = coach.begin(ctx.state, ctx.caller.user.staff_id,
                          scenario_id=scenario.id if scenario else None,
                          persona_id=persona.id if persona else None,
                          channel=ctx.caller.channel, thread=ctx.conversation, now=ctx.now())
    return Started(session_id=started.session_id, scenario=started.scenario.id,
                   persona=started.persona.id, intro=started.intro())


class ProgressArgs(ToolArgs):
    staff: str | None = Field(None, max_length=64,
                              description="看哪位培训生的进度(员工编号);留空看自己的,"
                                          "店长/督导留空看名下所有培训生")


class Row(BaseModel):
    staff_id: str
    skill: str
    sessions: int
    passed: int
    best: int
    last: int
    average: float


class Progress(ToolResult):
    rows: list[Row]
    who: list[str]

    def text(self, lang: str = "zh") -> str:
        if not self.rows:
            return "还没有完成评分的练习。说“我想练一下电话邀约”开始一次。"
        lines = ["练习进度(按技能,平均分低的在前):"]
        for r in self.rows:
            head = f"{r.staff_id} " if len(self.who) > 1 else ""
            lines.append(f"- {head}" + coach.progress_line(r.skill, r.sessions, r.passed,
                                                             r.best, r.last, r.average))
        return "\n".join(lines)


def practice_progress(ctx: ToolContext, args: ProgressArgs) -> Progress:
    """看话术陪练的进度:每项技能练了几次、及格几次、最好/最近/平均分。培训生看自己的;
    店长看本店培训生,督导看本区域培训生,管理员看全部。
    例:“我的练习进度” → {};“看看小孙的练习情况” → staff="E0009"。"""
    who = _whose(ctx, args.staff)
    rows = [Row(staff_id=s, skill=p.skill, sessions=p.sessions, passed=p.passed, best=p.best,
                last=p.last, average=p.average)
            for s in who for p in coach.progress(ctx.state, s)]
    return Progress(rows=rows, who=who)


def _whose(ctx: ToolContext, staff: str | None) -> list[str]:
    user = ctx.caller.user
    if user.role in ("trainee", "staff"):
        if staff and staff.strip().upper() != user.staff_id:
            raise UserError("只能看自己的练习进度;店长和督导可以看名下培训生的。",
                            "You can see only your own practice progress.")
        return [user.staff_id]
    with ctx.read() as (conn, access):
        mine = _trainees(conn, access)
    if staff:
        wanted = staff.strip().upper()
        if wanted not in mine and wanted != user.staff_id:
            raise UserError(f"{wanted} 不是你名下的培训生。", f"{wanted} is not your trainee.")
        return [wanted]
    return mine or [user.staff_id]


def _trainees(conn: object, access: Access) -> list[str]:
    rows = conn.execute(access.sql(  # type: ignore[attr-defined]
        "SELECT staff_id FROM staff WHERE role = 'trainee' AND {s} ORDER BY staff_id",
        s="store_id"), access.params())
    return [r[0] for r in rows]


TOOLS = [Tool("start_practice", StartArgs, start_practice),
         Tool("practice_progress", ProgressArgs, practice_progress)]
