"""Importing the member profile: a note column in the members file, and a member tags file."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from copilot.data.importer import import_files
from copilot.data.importer.headers import builtin_aliases
from copilot.data.store import MemberStore
from tests.data.test_importer import base_files, reasons, write_csv, write_xlsx

MEMBERS = [["会员卡号", "入会时间", "所属门店", "导购备注"],
           ["M1", "2023-01-05", "S1", "周末一般有空,喜欢真丝面料"],
           ["M2", "2023-02-01", "S1", ""],
           ["M3", "2023-03-01", "S1", "长" * 501]]


@pytest.fixture
def store(settings) -> MemberStore:
    st = MemberStore.from_settings(settings)
    yield st
    st.close()


def tags_of(store: MemberStore) -> list[tuple[str, str, str]]:
    with store.read() as conn:
        rows = conn.execute(text("SELECT member_id, dimension, tag FROM member_tags")).all()
    return sorted(tuple(r) for r in rows)


def notes_of(store: MemberStore) -> dict[str, str | None]:
    with store.read() as conn:
        return dict(conn.execute(text("SELECT member_id, note FROM members")).all())


def with_members(folder: Path) -> dict[str, Path]:
    files = base_files(folder)
    files["members"] = write_csv(folder / "members.csv", MEMBERS)
    return files


def test_headers_are_known() -> None:
    aliases = builtin_aliases()
    for header in ("备注", "会员备注", "导购备注", "note", "Remark"):
        assert aliases["members"][header.lower()] == "note"
    for header in ("标签", "会员标签", "tag"):
        assert aliases["tags"][header] == "tag"
    for header in ("维度", "标签维度", "dimension"):
        assert aliases["tags"][header] == "dimension"


def test_member_notes_load_and_a_long_one_is_refused(store, tmp_path) -> None:
    report = import_files(store, with_members(tmp_path), None, False)
    assert report.file("members").columns["note"] == "导购备注"
    assert reasons(report, "members.csv", 4) == ["内容过长,最多 500 个字符"]
    assert notes_of(store) == {"M1": "周末一般有空,喜欢真丝面料", "M2": None}


def test_a_members_file_without_notes_keeps_them(store, tmp_path) -> None:
    import_files(store, with_members(tmp_path), None, False)
    points = write_csv(tmp_path / "points.csv", [["会员卡号", "入会时间", "所属门店", "积分"],
                                                 ["M1", "2023-01-05", "S1", "100"]])
    assert import_files(store, {"members": points}, None, False).file("members").updated == 1
    assert notes_of(store)["M1"] == "周末一般有空,喜欢真丝面料"


def test_tags_in_both_languages_and_without_a_dimension(store, tmp_path) -> None:
    files = with_members(tmp_path)
    files["tags"] = write_csv(tmp_path / "tags.csv", [
        ["会员卡号", "标签维度", "标签"],
        ["M1", "偏好", "通勤风"], ["M1", "consumption", "高客单"], ["M1", "", "老客户"],
        ["M2", "Personality", "爽快"], ["M2", "其他", "住得近"],
    ])
    report = import_files(store, files, None, False)
    assert report.ok is False  # M3 (the long note) only
    assert report.file("tags").loaded == 5 and report.file("tags").rejected == 0
    assert tags_of(store) == sorted([
        ("M1", "偏好", "通勤风"), ("M1", "消费", "高客单"), ("M1", "其他", "老客户"),
        ("M2", "个性", "爽快"), ("M2", "其他", "住得近")])
    # a file with no dimension column at all: every tag is 其他
    only = write_csv(tmp_path / "only.csv", [["member_id", "tag"], ["M2", "怕打扰"]])
    assert import_files(store, {"tags": only}, None, False).ok
    assert [t for t in tags_of(store) if t[0] == "M2"] == [("M2", "其他", "怕打扰")]


def test_bad_tag_rows_are_reported_and_good_ones_load(store, tmp_path) -> None:
    files = with_members(tmp_path)
    files["tags"] = write_csv(tmp_path / "tags.csv", [
        ["会员编号", "维度", "会员标签"],
        ["M1", "偏好", "法式"],  # 2 good
        ["M404", "偏好", "法式"],  # 3 unknown member
        ["M1", "星座", "天秤座"],  # 4 not one of the four dimensions
        ["M1", "偏好", ""],  # 5 no tag
        ["M1", "消费", "法式"],  # 6 same member and tag as row 2
        ["M2", "偏好", "长" * 51],  # 7 too long
        ["M3", "偏好", "法式"],  # 8 member refused in this import (note too long)
        ["", "偏好", "法式"],  # 9 no member
    ])
    report = import_files(store, files, None, False)
    tags = report.file("tags")
    assert (tags.rows, tags.loaded, tags.rejected) == (8, 1, 7)
    assert reasons(report, "tags.csv", 3) == ["会员 M404 不存在(数据库和本次导入的文件里都没有)"]
    assert reasons(report, "tags.csv", 4)[0].startswith("标签维度不认识,可用:体貌、个性")
    assert reasons(report, "tags.csv", 5) == ["缺少必填项:标签"]
    assert reasons(report, "tags.csv", 6) == ["会员编号和标签与第 2 行重复,只保留第一行"]
    assert reasons(report, "tags.csv", 7) == ["内容过长,最多 50 个字符"]
    assert reasons(report, "tags.csv", 8) == [
        "会员 M3 在本次导入中被拒绝(见 members.csv 第 4 行),所以这一行也不能导入"]
    assert reasons(report, "tags.csv", 9) == ["缺少必填项:会员编号"]
    err = next(e for e in report.row_errors() if e.file == "tags.csv" and e.row == 4)
    assert (err.column, err.value) == ("维度", "星座")
    dup = next(e for e in report.row_errors() if e.file == "tags.csv" and e.row == 6)
    assert (dup.column, dup.value) == ("会员标签", "法式")
    assert tags_of(store) == [("M1", "偏好", "法式")]
    english = report.error_table("en").set_index(["file", "row"])["reason"]
    assert english["tags.csv", 4].startswith("unknown dimension; allowed: physical, personality")


def test_a_tags_file_replaces_the_tags_of_the_members_it_names(store, tmp_path) -> None:
    files = with_members(tmp_path)
    files["tags"] = write_xlsx(tmp_path / "标签.xlsx", [
        ["会员卡号", "标签", "维度"], ["M1", "通勤风", "偏好"], ["M1", "爽快", "个性"],
        ["M2", "价格敏感", "消费"]])
    first = import_files(store, files, None, False)
    assert (first.file("tags").loaded, first.file("tags").updated) == (3, 0)
    again = import_files(store, {"tags": files["tags"]}, None, False)  # idempotent
    assert (again.file("tags").loaded, again.file("tags").updated) == (0, 3)
    assert len(tags_of(store)) == 3
    change = write_csv(tmp_path / "m1.csv", [["member_id", "tag", "dimension"],
                                             ["M1", "法式", "preference"]])
    report = import_files(store, {"tags": change}, None, False)
    assert (report.file("tags").loaded, report.file("tags").updated) == (0, 1)
    assert tags_of(store) == [("M1", "偏好", "法式"), ("M2", "消费", "价格敏感")]


def test_a_dry_run_checks_tags_against_the_database(store, tmp_path) -> None:
    import_files(store, with_members(tmp_path), None, False)
    tags = write_csv(tmp_path / "tags.csv", [["member_id", "tag"], ["M1", "法式"],
                                             ["M9", "法式"]])
    report = import_files(store, {"tags": tags}, None, True)
    assert report.file("tags").loaded == 1 and report.file("tags").rejected == 1
    assert tags_of(store) == []


@pytest.mark.postgres
def test_postgresql_gets_the_same_profile(store, tmp_path, pg_url) -> None:
    files = with_members(tmp_path)
    files["tags"] = write_csv(tmp_path / "tags.csv", [
        ["会员卡号", "标签维度", "标签"], ["M1", "偏好", "通勤风"], ["M2", "", "爽快"],
        ["M404", "偏好", "法式"]])
    pg = MemberStore(pg_url)
    try:
        for target in (store, pg):
            for _ in range(2):
                report = import_files(target, files, None, False)
                assert report.rejected == 2  # M3's long note, M404's tag
        assert tags_of(pg) == tags_of(store) == [("M1", "偏好", "通勤风"), ("M2", "其他", "爽快")]
        assert notes_of(pg) == notes_of(store)
    finally:
        pg.close()
