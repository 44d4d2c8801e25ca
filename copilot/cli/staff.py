"""`copilot staff`: link Slack and WeCom users to staff records, console sign-in tokens."""

from __future__ import annotations

import typer
from rich.table import Table

from copilot.channels import identity
from copilot.cli.common import console, open_store, settings, user_errors
from copilot.state.db import StateStore

app = typer.Typer(no_args_is_help=True)
CHANNEL_HELP = "渠道:slack 或 wecom"


def _stores() -> tuple[StateStore, object]:
    cfg = settings()
    return StateStore.from_settings(cfg), open_store(cfg)


@app.command("link")
@user_errors
def link(channel: str = typer.Argument(..., help=CHANNEL_HELP),
         external_id: str = typer.Argument(..., help="平台用户 ID(Slack 的 U…,企业微信的 userid)"),
         staff_id: str = typer.Argument(..., help="员工编号")) -> None:
    """把 Slack / 企业微信用户关联到员工档案(角色、门店决定能看什么)。"""
    state, members = _stores()
    before = identity.staff_for(state, channel, external_id.strip())
    staff = identity.link(state, members, channel, external_id, staff_id)  # type: ignore[arg-type]
    moved = f"(原来关联的是 {before})" if before and before != staff else ""
    console.print(f"已关联:{channel} {external_id.strip()} → {staff}{moved}")


@app.command("unlink")
@user_errors
def unlink(channel: str = typer.Argument(..., help=CHANNEL_HELP),
           external_id: str = typer.Argument(..., help="平台用户 ID")) -> None:
    """取消关联;之后这个平台用户会收到“未登记”的提示。"""
    state, _ = _stores()
    gone = identity.unlink(state, channel, external_id)
    console.print("已取消关联。" if gone else "没有这条关联,无需取消。")


@app.command("links")
@user_errors
def links(staff_id: str | None = typer.Option(None, "--staff", help="只看这位员工")) -> None:
    """列出平台用户与员工的关联。"""
    state, _ = _stores()
    table = Table("渠道", "平台用户 ID", "员工编号", "关联时间")
    for row in identity.links(state, staff_id):
        table.add_row(str(row["channel"]), str(row["external_id"]), str(row["staff_id"]),
                      str(row["created_at"])[:19])
    console.print(table)


@app.command("token")
@user_errors
def token(staff_id: str = typer.Argument(..., help="员工编号"),
          replace: bool = typer.Option(False, "--replace", help="同时作废此人之前的令牌")) -> None:
    """为员工生成网页控制台的登录令牌(只显示这一次)。"""
    state, members = _stores()
    value = identity.issue_token(state, members, staff_id,  # type: ignore[arg-type]
                                 replace=replace)
    console.print(f"{staff_id.strip().upper()} 的控制台令牌(请妥善保管,只显示一次):")
    console.print(value, soft_wrap=True)


@app.command("revoke")
@user_errors
def revoke(staff_id: str = typer.Argument(..., help="员工编号")) -> None:
    """作废这位员工的全部控制台令牌。"""
    state, _ = _stores()
    console.print(f"已作废 {identity.revoke_tokens(state, staff_id)} 个令牌。")
