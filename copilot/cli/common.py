"""What every command needs: settings, the member store, and printing user errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from pydantic import ValidationError
from pydantic_settings import SettingsError
from rich.console import Console
from rich.text import Text
from sqlalchemy.exc import OperationalError

from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore
from copilot.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    try:
        return get_settings()
    except ValidationError as exc:
        prefix = _PREFIX.get(exc.title, "COPILOT_")
        problems = "; ".join(
            f"{prefix}{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}"
            for e in exc.errors())
        raise UserError(f"配置有误,请检查环境变量:{problems}",
                        f"Invalid settings; check the environment: {problems}") from None
    except SettingsError as exc:  # a list or mapping setting that is not JSON
        raise UserError(
            f"配置有误:{exc}。列表和映射类设置要写成 JSON,例如 "
            "COPILOT_FOLLOWUP_DAYS='[1,7,30]'。",
            f"Invalid settings: {exc}. Lists and mappings are JSON, e.g. "
            "COPILOT_FOLLOWUP_DAYS='[1,7,30]'.") from None


# Nested settings read their own prefixes; name the variable the user actually set.
_PREFIX = {"MetricWindows": "COPILOT_METRIC_", "FollowupRules": "COPILOT_FOLLOWUP_",
           "CampaignRules": "COPILOT_CAMPAIGN_"}


def open_store(cfg: Settings) -> MemberStore:
    return MemberStore.from_settings(cfg)


def _language() -> str:
    try:
        return get_settings().language
    except (ValidationError, SettingsError):
        return "zh"


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a UserError into a readable message and exit code 2 instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            err_console.print(Text.assemble(("错误 ", "red"), exc.message(_language())),
                              soft_wrap=True)
            raise typer.Exit(2) from None
        except KeyboardInterrupt:
            # Writes are all-or-nothing (store.write), so an interrupt leaves data untouched.
            err_console.print("[yellow]已取消[/yellow],未写入任何数据。")
            raise typer.Exit(130) from None
        except OperationalError as exc:
            err_console.print(
                f"[red]错误[/red] 无法连接会员数据库,请检查 COPILOT_DATABASE_URL 与数据库服务。"
                f"\n({exc.orig.__class__.__name__}: {str(exc.orig).strip()[:200]})"
            )
            raise typer.Exit(2) from None

    return wrapper
