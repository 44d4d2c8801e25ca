"""Holiday windows and the lunar tables they come from."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from copilot.errors import UserError
from copilot.lang import holidays
from copilot.lang.holidays import BY_KEY, DRAGON_BOAT, MID_AUTUMN, QIXI, SPRING_FESTIVAL


def test_lunar_tables_cover_the_same_years() -> None:
    years = list(range(2020, 2033))
    for table in (SPRING_FESTIVAL, DRAGON_BOAT, QIXI, MID_AUTUMN):
        assert sorted(table) == years
        assert all(day.year == year for year, day in table.items())


def test_well_known_lunar_dates() -> None:
    assert SPRING_FESTIVAL[2024] == date(2024, 2, 10)
    assert SPRING_FESTIVAL[2025] == date(2025, 1, 29)
    assert SPRING_FESTIVAL[2026] == date(2026, 2, 17)
    assert MID_AUTUMN[2024] == date(2024, 9, 17)
    assert MID_AUTUMN[2025] == date(2025, 10, 6)  # late: 2025 had a leap sixth month


def test_lunar_tables_are_consistent_with_each_other() -> None:
    for year in SPRING_FESTIVAL:
        # 春节 is the new moon between Jan 21 and Feb 20.
        assert date(year, 1, 21) <= SPRING_FESTIVAL[year] <= date(year, 2, 20)
        # 七月初七 -> 八月十五 is 29 or 30 days plus 8 (no leap 7th month in 2020-2032).
        assert (MID_AUTUMN[year] - QIXI[year]).days in (37, 38)
        # 正月初一 -> 五月初五: four lunar months and 4 days, or five with a leap month.
        gap = (DRAGON_BOAT[year] - SPRING_FESTIVAL[year]).days
        assert 120 <= gap <= 124 or 149 <= gap <= 154, year


def test_fixed_windows() -> None:
    assert BY_KEY["national_day"].window(2026) == (date(2026, 10, 1), date(2026, 10, 7))
    assert BY_KEY["singles_day"].window(2025) == (date(2025, 11, 1), date(2025, 11, 11))
    assert BY_KEY["mid_year_sale"].window(2025) == (date(2025, 6, 1), date(2025, 6, 18))
    assert BY_KEY["new_year"].window(2026) == (date(2026, 1, 1), date(2026, 1, 3))
    assert BY_KEY["christmas"].window(2025) == (date(2025, 12, 24), date(2025, 12, 26))


def test_spring_festival_is_seven_days_from_new_years_eve() -> None:
    start, end = BY_KEY["spring_festival"].window(2026)
    assert (start, end) == (date(2026, 2, 16), date(2026, 2, 22))
    assert start == SPRING_FESTIVAL[2026] - timedelta(days=1)


def test_sunday_holidays() -> None:
    assert BY_KEY["mothers_day"].window(2026) == (date(2026, 5, 10), date(2026, 5, 10))
    assert BY_KEY["mothers_day"].window(2025) == (date(2025, 5, 11), date(2025, 5, 11))
    assert BY_KEY["fathers_day"].window(2026) == (date(2026, 6, 21), date(2026, 6, 21))


def test_lunar_holiday_outside_the_table_is_a_user_error() -> None:
    with pytest.raises(UserError, match="春节的日期表只覆盖 2020–2032 年") as err:
        BY_KEY["spring_festival"].window(2035)
    assert "2035" in err.value.en


@pytest.mark.parametrize(
    ("name", "key"),
    [("国庆节", "national_day"), ("十一黄金周", "national_day"), ("双11", "singles_day"),
     ("六一八", "mid_year_sale"), ("过年", "spring_festival"), ("女神节", "womens_day"),
     ("Christmas", "christmas"), ("Valentine's Day", "valentine"), ("五一劳动节", "labour_day")],
)
def test_identify(name: str, key: str) -> None:
    holiday = holidays.identify(name)
    assert holiday is not None and holiday.key == key


def test_identify_rejects_lookalikes() -> None:
    assert holidays.identify("十一") is None  # 十一 alone is a number; 十一黄金周 is the holiday
    assert holidays.identify("6180") is None
    assert holidays.identify("五一广场") is None


def test_latest_window_looks_back_until_the_holiday_starts() -> None:
    national_day = BY_KEY["national_day"]
    assert holidays.latest_window(national_day, date(2026, 9, 30))[0] == date(2025, 10, 1)
    assert holidays.latest_window(national_day, date(2026, 10, 1))[0] == date(2026, 10, 1)
