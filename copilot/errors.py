"""Errors a user can read: every message exists in Chinese (first) and English."""

from __future__ import annotations


class UserError(Exception):
    """A problem with the user's input or data, worded for the user, never a stack trace."""

    def __init__(self, zh: str, en: str) -> None:
        super().__init__(zh)
        self.zh = zh
        self.en = en

    def message(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


class DataNotReady(UserError):
    """There is no member data yet (no demo built, nothing imported)."""

    def __init__(self, where: str) -> None:
        super().__init__(
            f"还没有会员数据({where})。请先运行 `copilot data demo` 生成演示数据,"
            "或用 `copilot data import` 导入门店数据。",
            f"No member data yet ({where}). Run `copilot data demo` for demo data "
            "or `copilot data import` to load your own.",
        )


class DataBusy(UserError):
    def __init__(self, seconds: float) -> None:
        super().__init__(
            f"另一个导入正在写入会员数据,等待 {seconds:.0f} 秒后仍未结束,请稍后再试。",
            f"Another import is writing member data and did not finish within {seconds:.0f} s; "
            "try again later.",
        )
