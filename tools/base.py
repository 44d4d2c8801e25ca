"""What every tool shares: its dependencies, its declaration and the shape of its result.

A tool is a small typed function `run(ctx, args) -> ToolResult`: pydantic arguments, a
docstring written for the model, and a result that renders as Chinese text and as JSON.
Dependencies (member data, state, the requesting user, "today") come in through
`ToolContext`; nothing is global, so tests and channels build their own.
"""

from __future__ import annotations

import contextlib
import inspect
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict
from sqlalchemy import Connection

from copilot.config import Settings
from copilot.data.access import Access, Caller
from copilot.data.store import MemberStore
from copilot.state.db import StateStore

if TYPE_CHECKING:  # chromadb is heavy: only tools that search playbooks pay for it
    from knowledge.index import KnowledgeBase


@dataclass
class ToolContext:
    settings: Settings
    members: MemberStore
    state: StateStore
    caller: Caller
    today: date = field(default_factory=date.today)
    lang: str = "zh"
    # The playbook index, opened on first use (most turns never search playbooks).
    knowledge: Callable[[], KnowledgeBase] | None = None
    # The time of day (default: the stores' clock); with `today` it makes "now" for
    # campaign send times, so a test that fixes today fixes now by fixing this.
    clock: Callable[[], datetime] | None = None
    # The conversation this call belongs to (the agent's thread key), for what stays
    # bound to it: a practice session. None outside a conversation.
    conversation: str | None = None

    def now(self) -> datetime:
        at = self.clock() if self.clock else self.settings.now()
        return datetime.combine(self.today, at.time()).replace(microsecond=0)

    def kb(self) -> KnowledgeBase:
        if self.knowledge is None:
            from knowledge.index import KnowledgeBase

            opened = KnowledgeBase.ready(self.settings)
            self.knowledge = lambda: opened
        return self.knowledge()

    @contextlib.contextmanager
    def read(self) -> Iterator[tuple[Connection, Access]]:
        """A read snapshot of member data and the caller's access to it."""
        with self.members.read() as conn:
            yield conn, Access.for_caller(conn, self.caller)


class ToolArgs(BaseModel):
    """Base of every tool's arguments: unknown fields are an error, not silently ignored."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class Citation(BaseModel):
    playbook: str
    title: str
    section: str

    @classmethod
    def unique(cls, items: Iterable[Any]) -> list[Citation]:
        """One citation per playbook section, in first-seen order, from anything with
        playbook, title and section (passages, actions, citations)."""
        seen: dict[tuple[str, str], Citation] = {}
        for i in items:
            seen.setdefault((i.playbook, i.section),
                            cls(playbook=i.playbook, title=i.title, section=i.section))
        return list(seen.values())


class ToolResult(BaseModel):
    """Base of every tool's result. Subclasses say how they read as text."""

    def text(self, lang: str = "zh") -> str:  # pragma: no cover - every tool overrides
        raise NotImplementedError

    def as_json(self) -> dict[str, Any]:
        return self.model_dump(mode="json")

    def citations(self) -> list[Citation]:
        """Playbooks the result draws on; tools that recommend actions override this."""
        return []


@dataclass(frozen=True)
class Tool:
    name: str
    args: type[ToolArgs]
    run: Callable[[ToolContext, Any], ToolResult]
    # Changes or sends something the user cannot take back: the agent runs it only after
    # the user's explicit confirmation (enforced in the agent loop, not by the model).
    confirm: bool = False
    # What to do when the user turns such an action down, or lets the wait expire: a
    # campaign whose confirmation is refused is cancelled rather than left waiting.
    undo: Callable[[ToolContext, Any], None] | None = None

    @property
    def description(self) -> str:
        return inspect.getdoc(self.run) or ""

    def schema(self) -> dict[str, Any]:
        return self.args.model_json_schema()
