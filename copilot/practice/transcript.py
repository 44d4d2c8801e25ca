"""Finished practice transcripts: one line per turn, `trainee:` or `customer:` first.

Trainees and coaches type these by hand (often with a Chinese keyboard), so the Chinese
speaker names 学员/顾客 and the full-width colon are accepted, and every problem names
the line it is on rather than silently dropping the line from the score.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from copilot.errors import UserError

Speaker = Literal["trainee", "customer"]

SPEAKERS: dict[str, Speaker] = {
    "trainee": "trainee", "学员": "trainee",
    "customer": "customer", "顾客": "customer",
}
_PREFIX = re.compile(r"^\s*([^\s::]{1,20})\s*[::]\s*(.*?)\s*$")


@dataclass(frozen=True)
class Turn:
    speaker: Speaker
    text: str
    line: int  # 1-based line number in the file, for evidence and errors


def parse_transcript(text: str) -> list[Turn]:
    turns: list[Turn] = []
    for number, raw in enumerate(text.removeprefix("\ufeff").splitlines(), start=1):
        if not raw.strip():
            continue
        match = _PREFIX.match(raw)
        if match is None:
            raise UserError(
                f"转写第 {number} 行没有说话人前缀,每行要以 trainee: 或 customer:"
                f"(也可写 学员: / 顾客:)开头:{raw.strip()[:40]}",
                f"Transcript line {number} has no speaker prefix (trainee: or customer:).")
        who, said = match.group(1), match.group(2)
        speaker = SPEAKERS.get(who.lower())
        if speaker is None:
            raise UserError(
                f"转写第 {number} 行的说话人 “{who}” 不认识,只能是 trainee、customer、"
                "学员 或 顾客。",
                f"Transcript line {number}: unknown speaker {who!r}; "
                "use trainee, customer, 学员 or 顾客.")
        if not said:
            raise UserError(f"转写第 {number} 行只有说话人,没有内容。",
                            f"Transcript line {number} has a speaker but nothing said.")
        turns.append(Turn(speaker, said, number))
    if not turns:
        raise UserError("转写是空的:没有任何发言。", "The transcript is empty.")
    if not any(t.speaker == "trainee" for t in turns):
        raise UserError("转写里没有学员(trainee:)的发言,无法评分。",
                        "The transcript has no trainee lines to score.")
    return turns


def read_transcript(path: Path) -> list[Turn]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise UserError(f"找不到转写文件:{path}", f"Transcript file not found: {path}") from None
    except (UnicodeDecodeError, IsADirectoryError) as exc:
        raise UserError(f"读不了转写文件 {path}(要求 UTF-8 文本):{exc}",
                        f"Cannot read transcript {path} (UTF-8 text expected): {exc}") from None
    try:
        return parse_transcript(text)
    except UserError as exc:
        raise UserError(f"{path.name}:{exc.zh}", f"{path.name}: {exc.en}") from None
