"""Playbook files: YAML front matter plus Markdown sections, parsed into a typed record."""

from __future__ import annotations

import hashlib
import re
from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, Field, ValidationError

REQUIRED_SECTIONS = ("什么时候用", "步骤", "时间节点", "话术示例", "看什么指标", "常见错误")
_FRONT = re.compile(r"\A---\n(.*?)\n---\n(.*)\Z", re.S)
_HEADING = re.compile(r"^(#{1,4})\s+(.+?)\s*$")


class PlaybookError(ValueError):
    """A playbook file that cannot be used; the message names the file and the problem."""


class Section(BaseModel):
    path: tuple[str, ...]  # heading path below the title, e.g. ("步骤", "第一周")
    text: str


class Playbook(BaseModel):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9-]*$")
    title: str
    audience: list[str]
    scenes: list[str] = []
    metrics: list[str] = []
    seeds: list[str] = []
    sections: list[Section] = []
    digest: str = ""  # content hash, for incremental re-indexing

    @property
    def heading_names(self) -> set[str]:
        return {s.path[0] for s in self.sections if s.path}


def parse_playbook(path: Path) -> Playbook:
    raw = path.read_text(encoding="utf-8").replace("\r\n", "\n")
    m = _FRONT.match(raw)
    if not m:
        raise PlaybookError(f"{path.name}: 缺少 --- 包围的 front matter")
    try:
        meta = yaml.safe_load(m.group(1)) or {}
        book = Playbook(**meta, sections=_sections(m.group(2)),
                        digest=hashlib.sha256(raw.encode()).hexdigest()[:16])
    except (yaml.YAMLError, ValidationError, TypeError) as exc:
        raise PlaybookError(f"{path.name}: front matter 不合法:{exc}") from exc
    if book.id != path.stem:
        raise PlaybookError(f"{path.name}: id {book.id!r} 与文件名不一致")
    missing = [s for s in REQUIRED_SECTIONS if s not in book.heading_names]
    if missing:
        raise PlaybookError(f"{path.name}: 缺少章节 {'、'.join(missing)}")
    return book


def _sections(body: str) -> list[Section]:
    """Split on ## and deeper headings; the # title line itself is not a section."""
    out: list[Section] = []
    stack: list[str] = []
    lines: list[str] = []

    def flush() -> None:
        text = "\n".join(lines).strip()
        if stack and text:
            out.append(Section(path=tuple(stack), text=text))
        lines.clear()

    for line in body.splitlines():
        h = _HEADING.match(line)
        if h and len(h.group(1)) >= 2:
            flush()
            depth = len(h.group(1)) - 2
            stack[:] = [*stack[:depth], h.group(2)]
        elif not (h and len(h.group(1)) == 1):
            lines.append(line)
    flush()
    return out


def shipped_playbooks() -> Path:
    """The playbooks that ship with the package (no index or Chroma needed to read them)."""
    return Path(str(resources.files("knowledge") / "playbooks"))


def load_playbooks(folder: Path) -> list[Playbook]:
    books = [parse_playbook(p) for p in sorted(folder.glob("*.md"))]
    ids = [b.id for b in books]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise PlaybookError(f"重复的 playbook id:{', '.join(sorted(dupes))}")
    return books
