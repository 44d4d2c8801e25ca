"""Importing members' WeCom external contact ids, which customer mass-sends address."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from copilot.data.importer import import_files
from copilot.data.importer.headers import builtin_aliases, normalize
from copilot.data.store import MemberStore
from tests.data.test_importer import base_files, reasons, write_csv


@pytest.fixture
def store(settings) -> MemberStore:
    st = MemberStore.from_settings(settings)
    yield st
    st.close()


def external_ids(store: MemberStore) -> dict[str, str | None]:
    with store.read() as conn:
        return dict(conn.execute(text("SELECT member_id, wecom_external_id FROM members")).all())


def test_headers_are_known() -> None:
    aliases = builtin_aliases()["members"]
    for header in ("企微外部联系人ID", "企业微信外部联系人ID", "外部联系人ID", "external_userid",
                   "External UserID", "wecom_external_id"):
        assert aliases[normalize(header)] == "wecom_external_id"


def test_the_column_loads_as_given_and_a_file_without_it_keeps_it(store, tmp_path) -> None:
    files = base_files(tmp_path)
    files["members"] = write_csv(tmp_path / "members.csv", [
        ["会员卡号", "入会时间", "所属门店", "是否添加企微", "企微外部联系人ID"],
        ["M1", "2023-01-05", "S1", "是", "wmAbCdEfGhIjKlMnOpQrStUvWxYz0123"],
        ["M2", "2023-02-01", "S1", "否", ""],
        ["M3", "2023-03-01", "S1", "是", "w" * 65]])
    report = import_files(store, files, None, False)
    assert report.file("members").columns["wecom_external_id"] == "企微外部联系人ID"
    assert reasons(report, "members.csv", 4) == ["内容过长,最多 64 个字符"]
    # case kept: WeCom's ids are case-sensitive
    assert external_ids(store) == {"M1": "wmAbCdEfGhIjKlMnOpQrStUvWxYz0123", "M2": None}

    points = write_csv(tmp_path / "points.csv", [["member_id", "joined_at", "store_id", "points"],
                                                 ["M1", "2023-01-05", "S1", "100"]])
    assert import_files(store, {"members": points}, None, False).file("members").updated == 1
    assert external_ids(store)["M1"] == "wmAbCdEfGhIjKlMnOpQrStUvWxYz0123"


def test_english_header(store, tmp_path) -> None:
    files = base_files(tmp_path)
    files["members"] = write_csv(tmp_path / "members.csv", [
        ["member_id", "joined_at", "store_id", "External UserID"],
        ["M1", "2023-01-05", "S1", "wo0123456789abcdefghijklmnopqrst"]])
    report = import_files(store, files, None, False)
    assert report.file("members").columns["wecom_external_id"] == "External UserID"
    assert external_ids(store) == {"M1": "wo0123456789abcdefghijklmnopqrst"}
