"""Store and region names as staff type them, against the demo chain's real names."""

from __future__ import annotations

import pytest

from copilot.errors import UserError
from copilot.lang.stores import (
    MAX_CANDIDATES,
    StoreRow,
    match_region,
    match_store,
    show_store,
)


def _row(store_id: str, name: str, region: str, city: str) -> StoreRow:
    return StoreRow(store_id=store_id, name=name, region=region, city=city)


STORES = [
    _row("S001", "北京朝阳大悦城店", "华北", "北京"),
    _row("S002", "北京西单大悦城店", "华北", "北京"),
    _row("S003", "北京三里屯太古里店", "华北", "北京"),
    _row("S004", "北京国贸商城店", "华北", "北京"),
    _row("S005", "天津和平大悦城店", "华北", "天津"),
    _row("S006", "天津南开大悦城店", "华北", "天津"),
    _row("S007", "天津和平恒隆广场店", "华北", "天津"),
    _row("S009", "太原小店万象城店", "华北", "太原"),
    _row("S012", "上海南京西路恒隆广场店", "华东", "上海"),
    _row("S019", "济南历下恒隆广场店", "华东", "济南"),
    _row("S020", "青岛市南万象城店", "华东", "青岛"),
    _row("S021", "广州天河正佳店", "华南", "广州"),
    _row("S022", "广州天河太古汇店", "华南", "广州"),
    _row("S023", "广州天河天环广场店", "华南", "广州"),
    _row("S025", "深圳罗湖万象城店", "华南", "深圳"),
    _row("S026", "深圳福田COCO Park店", "华南", "深圳"),
    _row("S028", "东莞南城民盈国贸城店", "华南", "东莞"),
    _row("S029", "厦门思明SM城市广场店", "华南", "厦门"),
]


def _ids(key: str, stores: list[StoreRow] = STORES) -> tuple[str | None, list[str], str]:
    m = match_store(key, stores)
    return (m.value.store_id if m.value else None, [c.store_id for c in m.candidates], m.reason)


@pytest.mark.parametrize("key", ["S003", "s003", " S003 "])
def test_exact_id(key: str) -> None:
    assert _ids(key) == ("S003", [], "id")


def test_match_names_the_store_and_region() -> None:
    found = match_store("朝阳店", STORES)
    assert found.store is found.value and found.store == STORES[0] and found.found
    assert match_region("华南区", ["华北", "华南"]).region == "华南"
    assert match_region("西北", ["华北", "华南"]).region is None


@pytest.mark.parametrize("key", ["s3", "S03", "3号店", "三号店", "3店", "3号门店", "store 3",
                                 "Store #3", "第3店"])
def test_store_number(key: str) -> None:
    assert _ids(key) == ("S003", [], "number")


@pytest.mark.parametrize("key", ["S031", "31号店", "store 99", "零号店"])
def test_store_number_that_does_not_exist(key: str) -> None:
    assert _ids(key) == (None, [], "none")


@pytest.mark.parametrize(
    ("key", "store_id"),
    [("北京朝阳大悦城店", "S001"), ("北京朝阳大悦城", "S001"), ("朝阳大悦城", "S001"),
     ("朝阳大悦城店", "S001"), ("天河正佳", "S021"), ("罗湖万象城", "S025"),
     ("和平大悦城", "S005")],
)
def test_names_with_or_without_city_and_store_suffix(key: str, store_id: str) -> None:
    assert _ids(key) == (store_id, [], "name")


@pytest.mark.parametrize(
    ("key", "store_id"),
    [("朝阳店", "S001"), ("coco park", "S026"), ("COCO PARK店", "S026"), ("福田店", "S026"),
     ("三里屯", "S003"), ("三里屯太古店", "S003"), ("正佳", "S021"), ("sm城市广场", "S029"),
     ("小店", "S009"),  # a district called 小店, not "a small store"
     ("深圳万象城", "S025")],
)
def test_distinctive_part(key: str, store_id: str) -> None:
    assert _ids(key) == (store_id, [], "part")


@pytest.mark.parametrize(
    ("key", "store_id", "reason"),
    [("朝杨大悦城", "S001", "sound"), ("朝阳大越城", "S001", "sound"),
     ("西单大阅城", "S002", "sound"), ("天河太古会", "S022", "sound"),
     ("国贸商场", "S004", "similar"),  # 场 is not 城 by sound: the spelling decides
     # The input method's typos: right sound, wrong character, too short to spell-match.
     ("朝杨店", "S001", "sound"), ("三里吞店", "S003", "sound"), ("北京国茂店", "S004", "sound")],
)
def test_typos(key: str, store_id: str, reason: str) -> None:
    assert _ids(key) == (store_id, [], reason)


def test_a_sound_shared_by_two_stores_asks_which() -> None:
    # 国茂 sounds like 国贸: 北京国贸商城店 and 东莞南城民盈国贸城店 both have it
    assert _ids("国茂店") == (None, ["S004", "S028"], "ambiguous")


@pytest.mark.parametrize(
    ("key", "candidates"),
    [
        ("大悦城", ["S001", "S002", "S005", "S006"]),
        ("天河店", ["S021", "S022", "S023"]),
        ("太古", ["S022", "S003"]),  # the one whose name the key covers most comes first
        ("国贸", ["S004", "S028"]),
        ("天津大悦城", ["S005", "S006"]),  # in order, not side by side
        ("恒隆广场", ["S007", "S019", "S012"]),
    ],
)
def test_ambiguous_keys_return_candidates(key: str, candidates: list[str]) -> None:
    assert _ids(key) == (None, candidates, "ambiguous")


def test_at_most_five_candidates_and_the_total() -> None:
    m = match_store("城", STORES)
    assert m.value is None and m.reason == "ambiguous"
    assert len(m.candidates) == MAX_CANDIDATES and m.total > MAX_CANDIDATES


def test_store_suffix_alone_lists_stores_but_picks_none() -> None:
    m = match_store("店", STORES[:3])
    assert (m.store, [c.store_id for c in m.candidates], m.reason) == (
        None, ["S001", "S002", "S003"], "ambiguous")
    only = match_store("店", STORES[:1])
    assert only.store == STORES[0]  # the chain's one store


def test_close_typo_between_two_stores_is_not_guessed() -> None:
    rows = [_row("A1", "杭州湖滨银泰店", "华东", "杭州"),
            _row("A2", "杭州武林银泰店", "华东", "杭州"),
            _row("A3", "杭州西溪印象城店", "华东", "杭州")]
    m = match_store("湖林银泰", rows)  # half of each name: ask, don't pick one
    assert (m.value, [c.store_id for c in m.candidates], m.reason) == (
        None, ["A1", "A2"], "ambiguous")
    assert match_store("湖滨银太", rows).value == rows[0]  # one typo, clearly A1


@pytest.mark.parametrize("key", ["成都春熙路店", "华北", "xyz", "", "  ", "馆", "三里吞吞吞"])
def test_no_match(key: str) -> None:
    m = match_store(key, STORES)
    assert (m.value, m.candidates, m.reason, m.found) == (None, (), "none", False)


def test_duplicate_store_numbers_are_ambiguous() -> None:
    rows = [_row("S1", "甲店", "华东", "上海"), _row("BJ1", "乙店", "华北", "北京")]
    assert _ids("1号店", rows) == (None, ["S1", "BJ1"], "ambiguous")
    assert _ids("BJ1", rows) == ("BJ1", [], "id")


def test_error_lists_candidates_in_chinese_and_english() -> None:
    err = match_store("天河店", STORES).error("门店", "store", show_store)
    assert isinstance(err, UserError)
    assert err.zh == ("“天河店”可能是这些门店:S021 广州天河正佳店、S022 广州天河太古汇店、"
                      "S023 广州天河天环广场店,请说明是哪一个。")
    assert "S021 广州天河正佳店" in err.en and "which one" in err.en
    many = match_store("城", STORES).error("门店", "store", show_store)
    assert "等 " in many.zh and "(of " in many.en


def test_error_when_nothing_matches() -> None:
    err = match_store("成都店", STORES).error("门店", "store", show_store)
    assert err.zh == "找不到门店“成都店”。"
    assert err.en == "No store matches '成都店'."


REGIONS = ["华北", "华东", "华南"]


@pytest.mark.parametrize("key", ["华北", "华北区", "华北大区", "华北地区", " 华北 ", "north china",
                                 "North China region"])
def test_region_names(key: str) -> None:
    m = match_region(key, REGIONS)
    assert (m.value, m.reason) == ("华北", "name")


def test_region_stored_with_a_suffix() -> None:
    assert match_region("华东", ["华北区", "华东区"]).value == "华东区"


def test_region_ambiguous_and_missing() -> None:
    m = match_region("华", REGIONS)
    assert (m.value, m.candidates, m.reason) == (None, ("华北", "华东", "华南"), "ambiguous")
    for key in ("西北", "华比", "", "区"):  # no guessing on two-character names
        assert match_region(key, REGIONS).candidates == ()
        assert match_region(key, REGIONS).value is None
