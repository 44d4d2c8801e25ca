"""Numbers in digits, shorthand and Chinese numerals, alone and inside sentences."""

from __future__ import annotations

import pytest

from copilot.lang.numerals import find_numbers, parse_number


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("90", 90), ("1,200", 1200), ("1,200.5", 1200.5), ("3.8", 3.8), ("１２", 12),
        ("1.5万", 15000), ("3k", 3000), ("1.5K", 1500), ("2w", 20000), ("1.2亿", 120_000_000),
        ("3万5", 35000), ("-5", -5), (" 42 ", 42),
    ],
)
def test_digits_and_shorthand(text: str, value: float) -> None:
    assert parse_number(text) == value


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("十", 10), ("十五", 15), ("二十一", 21), ("九十", 90), ("一百二十", 120), ("两千", 2000),
        ("三万五", 35000), ("一千零五", 1005), ("一千零五十", 1050), ("一百零二", 102),
        ("一千五", 1500), ("两百五", 250), ("一百二", 120), ("十万", 100_000),
        ("一千二百万", 12_000_000), ("三万零五", 30005), ("一亿五", 150_000_000),
        ("零", 0), ("两", 2), ("壹佰贰拾", 120), ("负五", -5), ("三点五", 3.5),
    ],
)
def test_chinese_numerals(text: str, value: float) -> None:
    assert parse_number(text) == value


def test_integral_results_are_ints() -> None:
    assert isinstance(parse_number("1.5万"), int)
    assert isinstance(parse_number("3.0"), int)
    assert isinstance(parse_number("3.5"), float)


def test_half_is_a_half() -> None:
    assert parse_number("半") == 0.5


@pytest.mark.parametrize(
    "text",
    ["", "  ", "万", "二五", "三五", "十百", "千千", "1,20", "3kg", "abc", "三万两万", "十几",
     "1.2.3", "-", "点五"],
)
def test_not_numbers(text: str) -> None:
    # "二五" / "三五" are not 25 / 35 ("三五个" means a few); a unit alone is no number.
    assert parse_number(text) is None


def test_find_numbers_in_a_sentence() -> None:
    found = find_numbers("最近九十天消费过两次以上")
    assert [n.value for n in found] == [90, 2]
    assert [n.span for n in found] == [(2, 4), (8, 9)]
    assert [n.text for n in found] == ["九十", "两"]


def test_find_numbers_spans_point_into_the_original_text() -> None:
    text = "客单价１．５万元,3k以上"
    found = find_numbers(text)
    assert [n.value for n in found] == [15000, 3000]
    assert [text[a:b] for a, b in (n.span for n in found)] == ["１．５万", "3k"]


def test_find_numbers_skips_ids_and_vague_amounts() -> None:
    assert find_numbers("S003 和 Q3 的会员") == []
    assert find_numbers("十几天没来,几十个人") == []  # no single number to give
    assert find_numbers("3kg") == [(3, (0, 1), "3")]  # "kg" is not thousands


def test_find_numbers_keeps_lists_and_dates_apart() -> None:
    assert [n.value for n in find_numbers("门店1,2,3")] == [1, 2, 3]
    assert [n.value for n in find_numbers("1,200元")] == [1200]
    assert [n.value for n in find_numbers("2025-03-01")] == [2025, 3, 1]


def test_find_numbers_half_only_as_a_quantity() -> None:
    assert [(n.value, n.text) for n in find_numbers("近半年")] == [(0.5, "半")]
    assert [n.value for n in find_numbers("晚上8点半")] == [8]  # 点半 is a clock, not 0.5


def test_find_numbers_reads_mixed_runs_piece_by_piece() -> None:
    assert [n.value for n in find_numbers("万达广场")] == []  # 万 alone is not a number
    assert [n.value for n in find_numbers("3五")] == [3, 5]
