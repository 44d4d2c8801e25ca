"""Transcript parsing: both languages' prefixes, and errors that name the line."""

from __future__ import annotations

from pathlib import Path

import pytest

from copilot.errors import UserError
from copilot.practice.transcript import Turn, parse_transcript, read_transcript


def test_parses_english_and_chinese_prefixes_and_skips_blank_lines() -> None:
    text = "\ufeffcustomer: 喂?\n\nTrainee: 您好\n学员:我是小李\n顾客 : 哦\n"
    assert parse_transcript(text) == [
        Turn("customer", "喂?", 1), Turn("trainee", "您好", 3),
        Turn("trainee", "我是小李", 4), Turn("customer", "哦", 5)]


@pytest.mark.parametrize(("text", "words"), [
    ("", "空"),
    ("\n  \n", "空"),
    ("customer: 喂?\n顾客:哪位", "没有学员"),
    ("trainee: 您好\nmanager: 你好", "第 2 行"),
    ("trainee: 您好\n\n就这样吧", "第 3 行没有说话人前缀"),
    ("trainee:", "第 1 行只有说话人"),
])
def test_bad_transcripts_say_what_and_where(text: str, words: str) -> None:
    with pytest.raises(UserError) as err:
        parse_transcript(text)
    assert words in err.value.zh


def test_unknown_speaker_is_named() -> None:
    with pytest.raises(UserError, match="manager"):
        parse_transcript("trainee: 您好\nmanager: 你好")


def test_read_transcript_names_the_file(tmp_path: Path) -> None:
    with pytest.raises(UserError, match="找不到"):
        read_transcript(tmp_path / "none.txt")
    (tmp_path / "t.txt").write_text("customer: 喂\n", encoding="utf-8")
    with pytest.raises(UserError, match=r"t\.txt"):
        read_transcript(tmp_path / "t.txt")
