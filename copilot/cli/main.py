"""Entry point of the `copilot` command.

Each command's module is imported only when that command runs: `copilot ask` should not
pay for pandas, Chroma and the importer (about a second), so the app is assembled from
the command named on the command line, and in full only for help or an unknown name.
"""

from __future__ import annotations

import importlib
import sys

import typer

# command -> (module under copilot.cli, how it joins the app)
COMMANDS: dict[str, tuple[str, str]] = {
    "ask": ("chat", "ask"), "chat": ("chat", "chat"), "serve": ("serve", "serve"),
    "tool": ("tool", "register"), "tools": ("tool", "register"),
    "metrics": ("metrics", "register"), "rfm": ("metrics", "register"),
    "data": ("data", "app"), "kb": ("kb", "app"), "eval": ("evals", "app"),
    "staff": ("staff", "app"), "wecom": ("wecom", "app"),
    "campaign": ("campaign", "app"), "worker": ("worker", "worker"),
    "practice": ("practice", "app"),
}
GROUP_HELP = {"data": "会员数据:生成演示数据、导入、查看状态。",
              "kb": "知识库:建立索引、检索手册。",
              "eval": "评测:检索质量、对话助手等。",
              "staff": "员工账号:关联 Slack / 企业微信用户,控制台令牌。",
              "wecom": "企业微信:用群机器人往群里发内容。",
              "campaign": "活动:排期、确认、审批、取消、查看进度、复盘。",
              "practice": "话术陪练:和模拟顾客对练、给练习记录打分、看进度。"}


def build_app(names: list[str]) -> typer.Typer:
    app = typer.Typer(help="Ops Copilot — 私域会员运营助手。", no_args_is_help=True,
                      add_completion=False)
    app.callback()(_root)  # a group even when only one command is loaded
    done: set[tuple[str, str]] = set()
    for name in names:
        module_name, how = COMMANDS[name]
        if (module_name, how) in done:
            continue
        done.add((module_name, how))
        module = importlib.import_module(f"copilot.cli.{module_name}")
        if how == "register":
            module.register(app)
        elif how == "app":
            app.add_typer(module.app, name=name, help=GROUP_HELP[name])
        else:
            app.command(name)(getattr(module, how))
    return app


def _root() -> None:
    """Ops Copilot — 私域会员运营助手。"""


def main() -> None:
    first = next((a for a in sys.argv[1:] if not a.startswith("-")), None)
    build_app([first] if first in COMMANDS else list(COMMANDS))()


def __getattr__(name: str) -> typer.Typer:
    """`copilot.cli.main.app`: the whole app (tests and tools that want every command)."""
    if name == "app":
        return build_app(list(COMMANDS))
    raise AttributeError(name)


if __name__ == "__main__":
    main()
