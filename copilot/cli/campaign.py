"""`copilot campaign`: schedule, look at, confirm, approve, cancel and review campaigns.

Every command runs the same tool, as the same person, with the same checks as in chat
(`--as` says who; the default is COPILOT_STAFF_ID). Confirming here is the person typing
the command, so it asks "确认?" once unless --yes is given.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

import typer
from rich.text import Text

from copilot.analytics.period import parse_day
from copilot.cli.common import console, err_console, open_store, settings, user_errors
from copilot.data.access import Caller, load_user
from copilot.errors import UserError
from copilot.state.db import StateStore
from tools.base import ToolContext
from tools.runner import ToolOutcome, run_tool

app = typer.Typer(no_args_is_help=True)
AS = typer.Option(None, "--as", help="以哪位员工的身份(员工编号);默认 COPILOT_STAFF_ID")
JSON = typer.Option(False, "--json", help="输出 JSON")
YES = typer.Option(False, "--yes", "-y", help="不再询问,直接执行")
ID = typer.Argument(..., help="活动编号(10 位)或名称")


def _run(as_user: str | None, tool: str, args: dict[str, Any], as_json: bool,
         today: str | None = None) -> ToolOutcome:
    cfg = settings()
    members = open_store(cfg)
    with members.read() as conn:
        user = load_user(conn, as_user or cfg.staff_id)
    ctx = ToolContext(settings=cfg, members=members, state=StateStore.from_settings(cfg),
                      caller=Caller(user, direct=True, channel="cli"),
                      # the stores' day, not the server's
                      today=parse_day(today, "今天", "today") if today else
                      cfg.today(),
                      lang=cfg.language)
    outcome = run_tool(ctx, tool, args)
    if as_json:
        typer.echo(json.dumps(outcome.as_json(), ensure_ascii=False, indent=2))
    elif outcome.ok:
        console.print(outcome.text(cfg.language), markup=False, highlight=False,
                      soft_wrap=True)
    else:
        err_console.print(Text.assemble(("错误 ", "red"), outcome.error or ""), soft_wrap=True)
    if not outcome.ok:
        raise typer.Exit(2)
    return outcome


def _sure(question: str, yes: bool) -> None:
    if not yes and not typer.confirm(question, default=False):
        raise UserError("已取消,没有做任何改动。", "Cancelled; nothing changed.")


@app.command("list")
@user_errors
def list_(as_user: str | None = AS, awaiting: bool = typer.Option(
        False, "--awaiting", help="只看等我审批的"), as_json: bool = JSON) -> None:
    """列出我能看到的活动(发起的、所在区域的)。"""
    _run(as_user, "campaign_status", {"awaiting_me": awaiting}, as_json)


@app.command("show")
@user_errors
def show(campaign: str = ID, as_user: str | None = AS, as_json: bool = JSON) -> None:
    """一个活动的状态、发送进度、未发送原因和操作记录。"""
    _run(as_user, "campaign_status", {"campaign": campaign}, as_json)


@app.command("schedule")
@user_errors
def schedule(segment: str = typer.Option(..., "--segment", help="已保存的分组名称或编号"),
             text: str | None = typer.Option(None, "--text", help="发送内容"),
             file: Path | None = typer.Option(None, "--file", help="从文件读发送内容"),
             channel: list[str] = typer.Option(["wecom_customer"], "--channel",
                                               help="wecom_customer / wecom_group / sms / "
                                                    "slack_dm,可重复"),
             at: str | None = typer.Option(None, "--at", help="发送时间,如 周六上午10点;默认现在"),
             holdout: float = typer.Option(0.0, "--holdout", help="对照组比例 0~0.5"),
             name: str | None = typer.Option(None, "--name", help="活动名称"),
             as_user: str | None = AS, as_json: bool = JSON) -> None:
    """生成活动预览(待确认);用 `copilot campaign confirm 编号` 确认。"""
    if (text is None) == (file is None):
        raise UserError("请给 --text 或 --file 之一作为发送内容。", "Give --text or --file.")
    body = text if text is not None else _read(file)
    args = {"segment": segment, "text": body, "channels": channel, "send_at": at,
            "holdout_share": holdout, "name": name}
    _run(as_user, "schedule_campaign", {k: v for k, v in args.items() if v is not None},
         as_json)


@app.command("confirm")
@user_errors
def confirm(campaign: str = ID, as_user: str | None = AS, yes: bool = YES,
            as_json: bool = JSON) -> None:
    """发起人确认活动:按预览排期,人数超过审批线的交督导审批(并通知督导)。"""
    _sure(f"确认活动 {campaign},按预览排期发送?", yes)
    out = _run(as_user, "confirm_campaign", {"campaign": campaign}, as_json)
    if out.result is not None and out.result.state == "pending_approval":  # type: ignore
        _notify("notify_approvers", out.result.campaign_id)  # type: ignore[attr-defined]


@app.command("approve")
@user_errors
def approve(campaign: str = ID, reject: bool = typer.Option(False, "--reject", help="驳回"),
            note: str | None = typer.Option(None, "--note", help="审批意见或驳回理由"),
            as_user: str | None = AS, yes: bool = YES, as_json: bool = JSON) -> None:
    """督导审批活动(--reject 驳回)。"""
    _sure(f"{'驳回' if reject else '审批通过'}活动 {campaign}?", yes)
    args = {"campaign": campaign, "approve": not reject, "note": note}
    out = _run(as_user, "approve_campaign", {k: v for k, v in args.items() if v is not None},
               as_json)
    _notify("notify_requester", out.result.campaign_id)  # type: ignore[union-attr]


@app.command("cancel")
@user_errors
def cancel(campaign: str = ID, reason: str | None = typer.Option(None, "--reason"),
           as_user: str | None = AS, yes: bool = YES, as_json: bool = JSON) -> None:
    """取消一个还没开始发送的活动。"""
    _sure(f"取消活动 {campaign}?", yes)
    args = {"campaign": campaign, "reason": reason}
    _run(as_user, "cancel_campaign", {k: v for k, v in args.items() if v is not None},
         as_json)


@app.command("review")
@user_errors
def review(campaign: str = ID, days: int = typer.Option(14, "--days", help="复盘窗口天数"),
           cost: float | None = typer.Option(None, "--cost", help="其他成本(元),如优惠让利"),
           today: str | None = typer.Option(None, "--today",
                                            help="把哪天当作今天 YYYY-MM-DD(回看过去的某天)"),
           as_user: str | None = AS, as_json: bool = JSON) -> None:
    """活动复盘:发送组与对照组的购买转化、提升、增量销售、ROI 和自然转化率。"""
    args = {"campaign": campaign, "window_days": days, "cost": cost}
    _run(as_user, "campaign_review", {k: v for k, v in args.items() if v is not None},
         as_json, today)


@app.command("simulate")
@user_errors
def simulate(campaign: str = typer.Argument(..., help="活动编号"),
             seed: int = typer.Option(7, "--seed"),
             days: int = typer.Option(14, "--days", help="模拟发送后多少天的消费"),
             lift: float = typer.Option(0.3, "--lift",
                                        help="收到的会员比平时多买的比例,0.3 = 多 30%")) -> None:
    """(仅演示数据)模拟活动发出后的顾客购买,让复盘有数可看。"""
    from copilot.campaigns.simulate import simulate_responses

    done = simulate_responses(settings(), campaign.strip(), seed=seed, days=days, lift=lift)
    console.print(str(done), markup=False, highlight=False, soft_wrap=True)


def _read(file: Path | None) -> str:
    assert file is not None
    try:
        return file.read_text("utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"读不了文件 {file}:{exc}", f"Cannot read {file}: {exc}") from None


def _notify(what: str, campaign_id: str) -> None:
    """Tell approvers (or the requester) in Slack / WeCom when those are configured."""
    from copilot.campaigns import notify

    cfg = settings()
    if not (cfg.slack_bot_token or cfg.wecom_enabled):
        return
    members = open_store(cfg)
    sent = asyncio.run(getattr(notify, what)(cfg, StateStore.from_settings(cfg), members,
                                             campaign_id))
    console.print(f"已发出 {sent} 条通知。", highlight=False)
