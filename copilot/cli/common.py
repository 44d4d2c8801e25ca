"""What every command needs: settings, the member store, and printing user errors."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import typer
from rich.console import Console
from sqlalchemy.exc import OperationalError

from copilot.config import Settings, get_settings
from copilot.data.store import MemberStore
from copilot.errors import UserError

P = ParamSpec("P")
R = TypeVar("R")

console = Console()
err_console = Console(stderr=True)


def settings() -> Settings:
    return get_settings()


def open_store(cfg: Settings) -> MemberStore:
    return MemberStore.from_settings(cfg)


def user_errors(fn: Callable[P, R]) -> Callable[P, R]:
    """Turn a UserError into a readable message and exit code 2 instead of a traceback."""

    @functools.wraps(fn)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return fn(*args, **kwargs)
        except UserError as exc:
            err_console.print(f"[red]错误[/red] {exc.message(get_settings().language)}")
            raise typer.Exit(2) from None
        except OperationalError as exc:
            err_console.print(
                f"[red]错误[/red] 无法连接会员数据库,请检查 COPILOT_DATABASE_URL 与数据库服务。"
                f"\n({exc.orig.__class__.__name__}: {str(exc.orig).strip()[:200]})"
            )
            raise typer.Exit(2) from None

    return wrapper
