"""`copilot.data.importer`: reading, header mapping, row checks, references, upsert."""

from __future__ import annotations

import csv
import time
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import text

from copilot.data.dataset import read_info
from copilot.data.importer import import_files
from copilot.data.importer.headers import builtin_aliases
from copilot.data.store import MemberStore
from copilot.errors import UserError

TABLES = ("stores", "staff", "members", "products", "transactions", "line_items")
ORDER_BY = {"stores": "store_id", "staff": "staff_id", "members": "member_id",
            "products": "sku", "transactions": "tx_id", "line_items": "tx_id, line_no"}


# ---- helpers ---------------------------------------------------------------------------------
def write_csv(path: Path, rows: list[list[object]], encoding: str = "utf-8",
              delimiter: str = ",") -> Path:
    with open(path, "w", newline="", encoding=encoding) as fh:
        csv.writer(fh, delimiter=delimiter).writerows(rows)
    return path


def write_xlsx(path: Path, rows: list[list[object]]) -> Path:
    book = Workbook()
    sheet = book.active
    for row in rows:
        sheet.append(row)
    other = book.create_sheet("说明")
    other.append(["这张表不会被读取"])
    book.save(path)
    return path


def contents(store: MemberStore) -> dict[str, list[tuple]]:
    with store.read() as conn:
        return {t: [tuple(r) for r in conn.execute(text(
            f"SELECT * FROM {t} ORDER BY {ORDER_BY[t]}"))] for t in TABLES}


def counts(store: MemberStore) -> dict[str, int]:
    if not store.exists():
        return {}
    with store.read() as conn:
        return {t: conn.execute(text(f"SELECT COUNT(*) FROM {t}")).scalar_one() for t in TABLES}


def info(store: MemberStore) -> dict[str, str]:
    with store.read() as conn:
        return read_info(conn)


def reasons(report, file: str, row: int) -> list[str]:
    return [e.zh for e in report.row_errors() if e.file == file and e.row == row]


@pytest.fixture
def store(settings) -> MemberStore:
    st = MemberStore.from_settings(settings)
    yield st
    st.close()


STORES_EN = [
    ["store_id", "name", "region", "city", "opened_on"],
    ["S1", "南京西路店", "华东", "上海", "2019-03-01"],
    ["S2", "天河店", "华南", "广州", ""],
]
STAFF_EN = [
    ["staff_id", "name", "store_id", "role", "region"],
    ["E1", "张三", "S1", "staff", ""],
    ["E2", "李四", "S2", "store_manager", ""],
    ["E3", "王五", "", "supervisor", "华东"],
]
MEMBERS_EN = [
    ["member_id", "name", "phone", "gender", "birthday", "joined_at", "store_id", "staff_id",
     "tier", "points", "wecom_added", "opt_out"],
    ["M1", "小明", "13800138000", "M", "1990-01-05", "2023-01-05 10:00:00", "S1", "E1", "gold",
     "1200", "true", "false"],
    ["M2", "小红", "", "", "", "2023-02-01", "S2", "", "", "", "", ""],
]
PRODUCTS_EN = [
    ["sku", "name", "category", "price"],
    ["P1", "羊毛衫", "针织", "399"],
    ["P2", "围巾", "配饰", ""],
]
TX_EN = [
    ["tx_id", "member_id", "store_id", "staff_id", "ts", "amount", "units", "channel"],
    ["T1", "M1", "S1", "E1", "2024-01-05 14:30:00", "498.50", "2", "store"],
    ["T2", "", "S2", "", "2024-01-06 09:05:00", "99", "1", ""],
]
ITEMS_EN = [
    ["tx_id", "sku", "category", "qty", "amount"],
    ["T1", "P1", "", "1", "399"],
    ["T1", "P2", "", "1", "99.50"],
    ["T2", "P9", "其他", "1", "99"],
]


def english_files(folder: Path) -> dict[str, Path]:
    return {
        "stores": write_csv(folder / "stores.csv", STORES_EN),
        "staff": write_csv(folder / "staff.csv", STAFF_EN),
        "members": write_csv(folder / "members.csv", MEMBERS_EN),
        "products": write_csv(folder / "products.csv", PRODUCTS_EN),
        "transactions": write_csv(folder / "transactions.csv", TX_EN),
        "items": write_csv(folder / "items.csv", ITEMS_EN),
    }


# ---- good files --------------------------------------------------------------------------------
def test_english_headers_load_with_the_right_values(store, tmp_path):
    report = import_files(store, english_files(tmp_path), None, False)

    assert report.ok and report.written and report.errors.empty
    assert {f.key: (f.rows, f.loaded, f.updated, f.rejected) for f in report.files} == {
        "stores": (2, 2, 0, 0), "staff": (3, 3, 0, 0), "members": (2, 2, 0, 0),
        "products": (2, 2, 0, 0), "transactions": (2, 2, 0, 0), "items": (3, 3, 0, 0),
    }
    data = contents(store)
    assert data["stores"] == [("S1", "南京西路店", "华东", "上海", date(2019, 3, 1)),
                              ("S2", "天河店", "华南", "广州", None)]
    assert data["staff"] == [("E1", "张三", "S1", "staff", None),
                             ("E2", "李四", "S2", "store_manager", None),
                             ("E3", "王五", None, "supervisor", "华东")]
    assert data["members"] == [
        ("M1", "小明", "13800138000", "男", date(1990, 1, 5), datetime(2023, 1, 5, 10), "S1",
         "E1", "gold", 1200, True, False, None, None),
        ("M2", "小红", None, None, None, datetime(2023, 2, 1), "S2", None, None, 0, False, False,
         None, None),
    ]
    assert data["products"] == [("P1", "羊毛衫", "针织", Decimal("399.00")),
                                ("P2", "围巾", "配饰", None)]
    assert data["transactions"] == [
        ("T1", "M1", "S1", "E1", datetime(2024, 1, 5, 14, 30), Decimal("498.50"), 2, "store"),
        ("T2", None, "S2", None, datetime(2024, 1, 6, 9, 5), Decimal("99.00"), 1, "store"),
    ]
    # line numbers follow the file; an empty category is taken from the product
    assert data["line_items"] == [("T1", 1, "P1", "针织", 1, Decimal("399.00")),
                                  ("T1", 2, "P2", "配饰", 1, Decimal("99.50")),
                                  ("T2", 1, "P9", "其他", 1, Decimal("99.00"))]
    assert info(store)["source"] == "import"


def chinese_rows() -> dict[str, list[list[object]]]:
    return {
        "stores": [["门店编号", "门店名称", "大区", "城市", "开业日期"],
                   ["S1", "南京西路店", "华东", "上海", "2019年3月1日"]],
        "staff": [["工号", "姓名", "所属门店", "岗位"],
                  ["E1", "张三", "S1", "导购"], ["E2", "李四", "S1", "店长"]],
        "members": [["会员卡号", "会员姓名", "手机", "性别", "出生日期", "开卡时间", "所属门店",
                     "导购编号", "会员等级", "积分", "是否添加企微", "拒收营销"],
                    ["M1", "小明", "+86 138-0013-8000", "男", "1990/1/5", "2023.1.5 10:00",
                     "S1", "E1", "金卡", "1,200", "是", "否"],
                    ["M2", "小红", "139 0013 9000", "女", "19910203", "2023年2月1日", "S1",
                     "", "", "", "已添加", "Y"]],
        "transactions": [["小票号", "会员编号", "门店代码", "导购编号", "交易时间", "实收金额",
                          "件数", "销售渠道"],
                         ["T1", "M1", "S1", "E1", "2024/1/5 14:30", "￥1,299.50", "2", "门店"],
                         ["T2", "M2", "S1", "", "20240106", "99元", "1", "小程序"],
                         ["T3", "", "S1", "E2", "2024-01-07 20:00:00", "10", "1", "企业微信"]],
    }


def check_chinese_contents(store: MemberStore) -> None:
    data = contents(store)
    assert data["stores"] == [("S1", "南京西路店", "华东", "上海", date(2019, 3, 1))]
    assert [r[3] for r in data["staff"]] == ["staff", "store_manager"]
    assert data["members"] == [
        ("M1", "小明", "13800138000", "男", date(1990, 1, 5), datetime(2023, 1, 5, 10), "S1",
         "E1", "金卡", 1200, True, False, None, None),
        ("M2", "小红", "13900139000", "女", date(1991, 2, 3), datetime(2023, 2, 1), "S1", None,
         None, 0, True, True, None, None),
    ]
    assert data["transactions"] == [
        ("T1", "M1", "S1", "E1", datetime(2024, 1, 5, 14, 30), Decimal("1299.50"), 2, "store"),
        ("T2", "M2", "S1", None, datetime(2024, 1, 6), Decimal("99.00"), 1, "miniapp"),
        ("T3", None, "S1", "E2", datetime(2024, 1, 7, 20), Decimal("10.00"), 1, "wecom"),
    ]


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk", "gb18030"])
def test_chinese_headers_in_any_usual_encoding(store, tmp_path, encoding):
    files = {k: write_csv(tmp_path / f"{k}.csv", rows, encoding)
             for k, rows in chinese_rows().items()}
    report = import_files(store, files, None, False)
    assert report.ok, report.error_table().to_dict("records")
    assert report.file("members").columns["phone"] == "手机"
    check_chinese_contents(store)


def test_tab_and_semicolon_delimited_csv(store, tmp_path):
    rows = chinese_rows()
    files = {"stores": write_csv(tmp_path / "s.csv", rows["stores"], delimiter="\t"),
             "staff": write_csv(tmp_path / "f.txt", rows["staff"], delimiter=";")}
    report = import_files(store, files, None, False)
    assert report.ok and report.loaded == 3


def test_xlsx_first_sheet_with_excel_dates_and_numbers(store, tmp_path):
    rows = chinese_rows()
    files = {k: write_csv(tmp_path / f"{k}.csv", rows[k]) for k in ("stores", "staff")}
    files["members"] = write_xlsx(tmp_path / "会员.xlsx", [
        rows["members"][0],
        # real Excel cells: numbers for ids and points, date/datetime cells, booleans
        [1001, "小明", 13800138000, "男", datetime(1990, 1, 5), datetime(2023, 1, 5, 10, 0),
         "S1", "E1", "金卡", 1200.0, True, "否"],
        [1002, "小红", "13900139000", "F", date(1991, 2, 3), "2023-02-01", "S1", None, None,
         None, None, 0],
    ])
    report = import_files(store, files, None, False)
    assert report.file("members").loaded == 2 and report.ok
    data = contents(store)["members"]
    assert data[0] == ("1001", "小明", "13800138000", "男", date(1990, 1, 5),
                       datetime(2023, 1, 5, 10), "S1", "E1", "金卡", 1200, True, False, None,
                       None)
    assert data[1][:5] == ("1002", "小红", "13900139000", "女", date(1991, 2, 3))


def test_header_variants_match(tmp_path, store):
    write = write_csv(tmp_path / "stores.csv", [
        ["  Store ID ", "门店名称", "区域(大区)", "City"], ["S1", "店", "华东", "上海"]])
    report = import_files(store, {"stores": write}, None, False)
    assert report.file("stores").columns == {"store_id": "Store ID", "name": "门店名称",
                                              "region": "区域(大区)", "city": "City"}


def test_unknown_columns_are_reported_as_ignored(store, tmp_path):
    path = write_csv(tmp_path / "stores.csv", [["门店编号", "门店名称", "区域", "备注"],
                                               ["S1", "店", "华东", "新店"]])
    report = import_files(store, {"stores": path}, None, False)
    assert report.file("stores").ignored_columns == ["备注"]


def test_shipped_header_file_is_consistent():
    aliases = builtin_aliases()
    assert aliases["members"]["会员卡号"] == "member_id"
    assert aliases["transactions"]["数量"] == "units"
    assert aliases["items"]["数量"] == "qty"
    assert aliases["stores"]["门店名称"] == "name"
    assert aliases["staff"]["岗位"] == "role"


# ---- bad rows ----------------------------------------------------------------------------------
def base_files(folder: Path) -> dict[str, Path]:
    rows = chinese_rows()
    return {"stores": write_csv(folder / "stores.csv", rows["stores"]),
            "staff": write_csv(folder / "staff.csv", rows["staff"])}


def test_every_kind_of_bad_member_row_is_reported_and_good_rows_load(store, tmp_path):
    head = ["会员卡号", "姓名", "手机号", "性别", "生日", "入会时间", "所属门店", "导购编号",
            "积分", "是否添加企微"]
    files = base_files(tmp_path)
    files["members"] = write_csv(tmp_path / "members.csv", [
        head,
        ["M1", "好", "13800138000", "男", "1990-01-05", "2023-01-05", "S1", "E1", "10", "是"],  # 2
        ["M2", "坏", "12", "", "", "2023-01-05", "S1", "", "", ""],  # 3 phone
        ["M3", "坏", "", "", "2024-02-30", "2023-01-05", "S1", "", "", ""],  # 4 impossible
        ["M4", "坏", "", "", "2999-01-01", "2999-01-01", "S1", "", "", ""],  # 5 future x2
        ["M5", "坏", "", "", "1899-12-31", "2023/13/01", "S1", "", "", ""],  # 6 early, month 13
        ["M6", "坏", "", "", "", "", "S1", "", "", ""],  # 7 joined_at missing
        ["M7", "坏", "", "", "", "昨天", "S1", "", "", ""],  # 8 unrecognised date
        ["M8", "坏", "", "", "", "2023-01-05", "S1", "", "-5", "也许"],  # 9 points, bool
        ["M9", "坏", "", "", "", "2023-01-05", "S999", "E999", "", ""],  # 10 unknown refs
        ["M1", "重复", "", "", "", "2023-01-05", "S1", "", "", ""],  # 11 duplicate of row 2
        ["", "没有卡号", "", "", "", "2023-01-05", "S1", "", "", ""],  # 12 id missing
        ["M10", "好", "", "保密", "", "2023-01-05", "S1", "", "", ""],  # 13 good, gender empty
    ])
    report = import_files(store, files, None, False, now=datetime(2025, 6, 1))

    members = report.file("members")
    assert (members.rows, members.loaded, members.rejected) == (12, 2, 10)
    assert reasons(report, "members.csv", 3) == ["手机号应为 6–20 位数字"]
    assert reasons(report, "members.csv", 4) == ["日期不存在"]
    assert reasons(report, "members.csv", 5) == ["日期晚于今天", "时间晚于当前时间"]
    assert reasons(report, "members.csv", 6) == ["日期早于 1900 年", "日期或时间不存在"]
    assert reasons(report, "members.csv", 7) == ["缺少必填项:入会时间"]
    assert reasons(report, "members.csv", 8)[0].startswith("无法识别的日期")
    assert reasons(report, "members.csv", 9) == [
        "应为不小于 0 的整数", "应为 是/否(也可用 Y/N、true/false、1/0、已添加/未添加)"]
    assert reasons(report, "members.csv", 10) == [
        "门店 S999 不存在(数据库和本次导入的文件里都没有)",
        "员工 E999 不存在(数据库和本次导入的文件里都没有)"]
    assert reasons(report, "members.csv", 11) == ["会员编号与第 2 行重复,只保留第一行"]
    assert reasons(report, "members.csv", 12) == ["缺少必填项:会员编号"]
    assert not reasons(report, "members.csv", 2) and not reasons(report, "members.csv", 13)
    # the error names the column as the user wrote it, and the value
    err = next(e for e in report.row_errors() if e.row == 3)
    assert (err.file, err.column, err.value) == ("members.csv", "手机号", "12")
    rows = contents(store)["members"]
    assert [(r[0], r[1], r[3]) for r in rows] == [("M1", "好", "男"), ("M10", "好", None)]


def test_every_kind_of_bad_transaction_row_is_reported(store, tmp_path):
    files = base_files(tmp_path)
    files["transactions"] = write_csv(tmp_path / "tx.csv", [
        ["单号", "门店编号", "消费时间", "金额", "件数", "渠道", "导购编号", "会员编号"],
        ["T1", "S1", "2024-01-05 14:30", "1,299.50", "2", "直播", "E1", ""],  # 2 good
        ["T2", "S1", "2024-01-05", "-5", "1", "", "", ""],  # 3 negative
        ["T3", "S1", "2024-01-05", "abc", "1", "", "", ""],  # 4 not a number
        ["T4", "S1", "2024-01-05", "5", "0", "", "", ""],  # 5 units 0
        ["T5", "S1", "2024-01-05", "5", "1.5", "", "", ""],  # 6 units fraction
        ["T6", "S1", "2024-01-05", "5", "1", "火星", "", ""],  # 7 channel
        ["T7", "S1", "2024-01-05 25:00", "5", "1", "", "", ""],  # 8 hour 25
        ["T8", "S1", "2099-01-05", "5", "1", "", "", ""],  # 9 future
        ["T9", "", "2024-01-05", "", "", "", "", ""],  # 10 three required missing
        ["T10", "S1", "2024-01-05", "5", "1", "", "E404", "M404"],  # 11 unknown staff, member
    ])
    report = import_files(store, files, None, False, now=datetime(2025, 6, 1))
    assert report.file("transactions").loaded == 1
    assert reasons(report, "tx.csv", 3) == ["金额不能为负数"]
    assert reasons(report, "tx.csv", 4) == ["金额格式不对,应为数字(可带 ¥、元、千分位逗号)"]
    assert reasons(report, "tx.csv", 5) == ["应为正整数"]
    assert reasons(report, "tx.csv", 6) == ["应为正整数"]
    assert reasons(report, "tx.csv", 7)[0].startswith("渠道不认识,可用:门店/线下、小程序/商城")
    assert reasons(report, "tx.csv", 8) == ["日期或时间不存在"]
    assert reasons(report, "tx.csv", 9) == ["时间晚于当前时间"]
    assert reasons(report, "tx.csv", 10) == ["缺少必填项:门店编号", "缺少必填项:金额",
                                             "缺少必填项:件数"]
    assert [r.split("(")[0] for r in reasons(report, "tx.csv", 11)] == [
        "员工 E404 不存在", "会员 M404 不存在"]
    assert contents(store)["transactions"][0][-1] == "live"


def test_bad_staff_stores_items_and_products(store, tmp_path):
    files = {
        "stores": write_csv(tmp_path / "stores.csv", [
            ["门店编号", "门店名称", "区域", "开业日期"], ["S1", "店", "华东", ""],
            ["S2", "店", "", "2020-02-30"]]),
        "staff": write_csv(tmp_path / "staff.csv", [
            ["工号", "姓名", "所属门店", "岗位", "区域"],
            ["E1", "甲", "S1", "导购", ""], ["E2", "乙", "", "督导", ""],
            ["E3", "丙", "", "导购", ""], ["E4", "丁", "S1", "保安", ""],
            ["E5", "戊", "", "管理员", ""]]),
        "products": write_csv(tmp_path / "p.csv", [
            ["货号", "商品名称", "品类", "吊牌价"], ["P1", "衫", "针织", "¥399"],
            ["P2", "", "针织", "-1"]]),
        "transactions": write_csv(tmp_path / "tx.csv", [
            ["单号", "门店编号", "消费时间", "金额", "件数"],
            ["T1", "S1", "2024-01-05", "5", "1"]]),
        "items": write_csv(tmp_path / "items.csv", [
            ["单号", "货号", "数量", "金额"], ["T1", "P1", "1", "5"], ["T1", "P1", "0", "5"],
            ["T404", "P1", "1", "5"], ["T1", "", "1", "-2"]]),
    }
    report = import_files(store, files, None, False)
    assert reasons(report, "stores.csv", 3) == ["缺少必填项:区域", "日期不存在"]
    assert reasons(report, "staff.csv", 3) == ["督导需要填写区域"]
    assert reasons(report, "staff.csv", 4)[0].startswith("该岗位需要填写所属门店")
    assert reasons(report, "staff.csv", 5)[0].startswith("岗位不认识,可用:导购/店员、店长")
    assert not reasons(report, "staff.csv", 6)  # an admin needs no store
    assert reasons(report, "p.csv", 3) == ["缺少必填项:商品名称", "金额不能为负数"]
    assert reasons(report, "items.csv", 3) == ["应为正整数"]
    assert reasons(report, "items.csv", 4)[0].startswith("交易 T404 不存在")
    assert reasons(report, "items.csv", 5) == ["缺少必填项:商品编码", "金额不能为负数"]
    assert [f.loaded for f in report.files] == [1, 2, 1, 1, 1]


def test_reasons_in_english(store, tmp_path):
    files = base_files(tmp_path)
    files["transactions"] = write_csv(tmp_path / "tx.csv", [
        ["tx_id", "store_id", "ts", "amount", "units"], ["T1", "S9", "2024-01-05", "-1", "1"]])
    report = import_files(store, files, None, False)
    table = report.error_table("en")
    assert list(table.columns) == ["file", "row", "column", "value", "reason"]
    assert table["reason"].tolist() == [
        "amount cannot be negative",
        "unknown store id S9 (not in the database nor in this import)"]


def test_row_numbers_are_spreadsheet_rows(store, tmp_path):
    path = tmp_path / "stores.csv"
    path.write_text('门店编号,门店名称,区域\nS1,"两行\n的名字",华东\n\nS2,店,\n'
                    'S3,店,华东,多余,\nS4,店,华东,,\n', encoding="utf-8")
    report = import_files(store, {"stores": path}, None, False)
    # the quoted line break stays in one cell (row 2); the blank line is row 3
    assert reasons(report, "stores.csv", 4) == ["缺少必填项:区域"]
    assert reasons(report, "stores.csv", 5)[0].startswith("本行的单元格比表头多")
    assert report.file("stores").loaded == 2  # S1 and S4 (trailing empty cells are fine)
    assert contents(store)["stores"][0][1] == "两行\n的名字"


# ---- references --------------------------------------------------------------------------------
def test_references_to_rows_rejected_in_the_same_import_are_rejected(store, tmp_path):
    files = {
        "stores": write_csv(tmp_path / "stores.csv", [
            ["门店编号", "门店名称", "区域"], ["S1", "好店", "华东"], ["S2", "坏店", ""]]),
        "staff": write_csv(tmp_path / "staff.csv", [
            ["工号", "姓名", "所属门店", "岗位"], ["E1", "甲", "S1", "导购"],
            ["E2", "乙", "S2", "导购"]]),
        "members": write_csv(tmp_path / "members.csv", [
            ["会员卡号", "入会时间", "所属门店", "导购编号"], ["M1", "2023-01-01", "S1", "E2"],
            ["M2", "2023-01-01", "S1", "E1"]]),
        "transactions": write_csv(tmp_path / "tx.csv", [
            ["单号", "会员编号", "门店编号", "消费时间", "金额", "件数"],
            ["T1", "M1", "S1", "2024-01-01", "1", "1"], ["T2", "M2", "S2", "2024-01-01", "1", "1"],
            ["T3", "M2", "S1", "2024-01-01", "1", "1"]]),
        "items": write_csv(tmp_path / "items.csv", [
            ["单号", "商品编码", "数量", "金额"], ["T1", "P1", "1", "1"], ["T3", "P1", "1", "1"]]),
    }
    report = import_files(store, files, None, False)
    assert reasons(report, "staff.csv", 3) == [
        "门店 S2 在本次导入中被拒绝(见 stores.csv 第 3 行),所以这一行也不能导入"]
    assert reasons(report, "members.csv", 2) == [
        "员工 E2 在本次导入中被拒绝(见 staff.csv 第 3 行),所以这一行也不能导入"]
    assert reasons(report, "tx.csv", 2) == [
        "会员 M1 在本次导入中被拒绝(见 members.csv 第 2 行),所以这一行也不能导入"]
    assert reasons(report, "tx.csv", 3)[0].startswith("门店 S2 在本次导入中被拒绝")
    assert reasons(report, "items.csv", 2)[0].startswith("交易 T1 在本次导入中被拒绝")
    data = contents(store)
    assert [r[0] for r in data["transactions"]] == ["T3"]
    assert [r[0] for r in data["line_items"]] == ["T3"]


def test_references_may_point_at_the_database(store, tmp_path):
    files = base_files(tmp_path)
    import_files(store, files, None, False)
    members = write_csv(tmp_path / "members.csv", [
        ["会员卡号", "入会时间", "所属门店", "导购编号"], ["M1", "2023-01-01", "S1", "E2"],
        ["M2", "2023-01-01", "S7", ""]])
    report = import_files(store, {"members": members}, None, False)
    assert report.file("members").loaded == 1
    assert reasons(report, "members.csv", 3)[0].startswith("门店 S7 不存在")


# ---- structural errors -------------------------------------------------------------------------
def broken(kind: str, folder: Path) -> Path:
    if kind == "missing":
        return folder / "nope.csv"
    if kind == "undecodable":
        path = folder / "members.csv"
        path.write_bytes("会员卡号,入会时间,所属门店\n".encode() + b"M1,\x80\xff\xfe,S1\n")
        return path
    if kind == "missing_column":
        return write_csv(folder / "members.csv", [["会员卡号", "姓名", "门店"], ["M1", "a", "S1"]])
    if kind == "mapped_twice":
        return write_csv(folder / "members.csv", [
            ["会员卡号", "入会时间", "所属门店", "手机号", "联系电话"],
            ["M1", "2023-01-01", "S1", "1", "2"]])
    if kind == "empty":
        path = folder / "members.csv"
        path.write_text("\n\n", encoding="utf-8")
        return path
    if kind == "xls":
        path = folder / "members.xls"
        path.write_bytes(b"\xd0\xcf\x11\xe0")
        return path
    if kind == "bad_xlsx":
        path = folder / "members.xlsx"
        path.write_bytes(b"not a zip file")
        return path
    raise AssertionError(kind)


@pytest.mark.parametrize("kind, needle", [
    ("missing", "找不到文件"),
    ("undecodable", "无法识别文件编码"),
    ("missing_column", "缺少必需的列:入会时间(joined_at)、所属门店(store_id)。"
                       "文件中的表头:会员卡号、姓名、门店"),
    ("mapped_twice", "表头“手机号”和“联系电话”都对应 phone 列"),
    ("empty", "文件是空的"),
    ("xls", "不支持旧版 Excel"),
    ("bad_xlsx", "无法作为 Excel(.xlsx)文件打开"),
])
def test_structural_errors_write_nothing(store, tmp_path, kind, needle):
    import_files(store, base_files(tmp_path), None, False)
    before, before_info = counts(store), info(store)
    good_tx = write_csv(tmp_path / "tx.csv", [
        ["单号", "门店编号", "消费时间", "金额", "件数"], ["T1", "S1", "2024-01-05", "5", "1"]])
    with pytest.raises(UserError) as exc:
        import_files(store, {"transactions": good_tx, "members": broken(kind, tmp_path)},
                     None, False)
    assert needle in exc.value.zh
    assert exc.value.en and exc.value.en != exc.value.zh
    assert counts(store) == before and info(store) == before_info


def test_structural_error_on_an_empty_database_creates_nothing(store, tmp_path):
    with pytest.raises(UserError):
        import_files(store, {"members": broken("missing_column", tmp_path)}, None, False)
    assert not store.exists()


def test_nothing_written_when_every_row_is_rejected(store, tmp_path):
    path = write_csv(tmp_path / "stores.csv", [["门店编号", "门店名称", "区域"], ["S1", "店", ""]])
    report = import_files(store, {"stores": path}, None, False)
    assert report.rejected == 1 and not report.written and not store.exists()


# ---- re-import, mapping, dry run ---------------------------------------------------------------
def test_reimport_is_idempotent(store, tmp_path):
    files = english_files(tmp_path)
    first = import_files(store, files, None, False)
    snapshot = contents(store)
    second = import_files(store, files, None, False)
    assert second.loaded == 0 and second.updated == first.loaded == 14
    assert {f.key: f.updated for f in second.files} == {
        "stores": 2, "staff": 3, "members": 2, "products": 2, "transactions": 2, "items": 3}
    assert contents(store) == snapshot


def test_reimport_replaces_by_id_and_line_items_per_transaction(store, tmp_path):
    import_files(store, english_files(tmp_path), None, False)
    members = write_csv(tmp_path / "m2.csv", [
        ["member_id", "joined_at", "store_id", "tier"], ["M1", "2023-01-05", "S1", "platinum"],
        ["M3", "2023-03-01", "S2", ""]])
    items = write_csv(tmp_path / "i2.csv", [
        ["tx_id", "sku", "qty", "amount"], ["T1", "P2", "3", "30"]])
    report = import_files(store, {"members": members, "items": items}, None, False)
    assert (report.file("members").loaded, report.file("members").updated) == (1, 1)
    assert (report.file("items").loaded, report.file("items").updated) == (0, 1)
    data = contents(store)
    assert [(r[0], r[8]) for r in data["members"]] == [("M1", "platinum"), ("M2", None),
                                                      ("M3", None)]
    assert data["line_items"] == [("T1", 1, "P2", "配饰", 3, Decimal("30.00")),
                                  ("T2", 1, "P9", "其他", 1, Decimal("99.00"))]


def test_user_mapping_file(store, tmp_path):
    mapping = tmp_path / "map.toml"
    mapping.write_text('[stores]\n"店铺" = "store_id"\n"店铺名" = "name"\n"片区" = "region"\n'
                       '[members]\n"卡号2" = "member_id"\n"入会" = "joined_at"\n'
                       '"门店ID" = "store_id"\n"旧卡号" = ""\n', encoding="utf-8")
    files = {
        "stores": write_csv(tmp_path / "stores.csv", [["店铺", "店铺名", "片区"],
                                                      ["S1", "店", "华东"]]),
        # 旧卡号 would also map to member_id without the mapping: mapped to "" it is ignored
        "members": write_csv(tmp_path / "members.csv", [
            ["卡号2", "旧卡号", "入会", "门店ID"], ["M1", "OLD1", "2023-01-01", "S1"]]),
    }
    report = import_files(store, files, mapping, False)
    assert report.ok and report.file("members").ignored_columns == ["旧卡号"]
    assert contents(store)["members"][0][0] == "M1"


@pytest.mark.parametrize("body, needle", [
    ('[shops]\n"a" = "store_id"\n', "[shops] 不认识"),
    ('[stores]\n"a" = "shop_no"\n', "目标列只能是"),
    ("[stores\n", "格式不对"),
])
def test_bad_mapping_file_is_a_user_error(store, tmp_path, body, needle):
    mapping = tmp_path / "map.toml"
    mapping.write_text(body, encoding="utf-8")
    with pytest.raises(UserError) as exc:
        import_files(store, base_files(tmp_path), mapping, False)
    assert needle in exc.value.zh
    assert not store.exists()


def test_dry_run_writes_nothing(store, tmp_path):
    files = english_files(tmp_path)
    report = import_files(store, files, None, True)
    assert report.dry_run and not report.written and report.loaded == 14
    assert not store.exists()
    import_files(store, {"stores": files["stores"]}, None, False)
    before = contents(store)
    report = import_files(store, files, None, True)
    assert report.file("stores").updated == 2 and report.file("staff").loaded == 3
    assert contents(store) == before


# ---- both engines, speed -----------------------------------------------------------------------
@pytest.mark.postgres
def test_postgresql_gets_the_same_contents_as_duckdb(store, tmp_path, pg_url):
    files = english_files(tmp_path)
    files["members"] = write_csv(tmp_path / "members.csv", [
        *MEMBERS_EN, ["M3", "坏", "12", "", "", "2023-01-01", "S1", "", "", "", "", ""]])
    pg = MemberStore(pg_url)
    try:
        for target in (store, pg):
            first = import_files(target, files, None, False)
            second = import_files(target, files, None, False)
            assert (first.loaded, first.rejected, second.loaded, second.updated) == (14, 1, 0, 14)
        assert contents(pg) == contents(store)
        assert info(pg)["source"] == "import"
    finally:
        pg.close()


@pytest.mark.slow
def test_500k_transactions_import_in_well_under_a_minute(store, tmp_path):
    import_files(store, base_files(tmp_path), None, False)
    path = tmp_path / "tx.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(["订单号", "门店编号", "导购编号", "消费时间", "实收金额", "件数", "渠道"])
        for i in range(500_000):
            out.writerow([f"T{i:07d}", "S1", "E1" if i % 3 else "",
                          f"2024-{i % 12 + 1:02d}-{i % 28 + 1:02d} {i % 12 + 9}:{i % 60:02d}:00",
                          f"{i % 5000}.{i % 100:02d}", i % 5 + 1, ("门店", "小程序", "")[i % 3]])
    started = time.perf_counter()
    report = import_files(store, {"transactions": path}, None, False)
    elapsed = time.perf_counter() - started
    assert report.file("transactions").loaded == 500_000 and report.ok
    assert elapsed < 45, f"500k transactions took {elapsed:.1f} s"


# ---- found in a newcomer's run-through -----------------------------------------------------
def test_partial_reimport_keeps_columns_the_file_does_not_have(store, tmp_path):
    import_files(store, english_files(tmp_path), None, False)
    with store.write() as conn:
        conn.execute(text("UPDATE members SET opt_out = TRUE WHERE member_id = 'M1'"))
    points_only = write_csv(tmp_path / "points.csv", [
        ["会员卡号", "入会时间", "所属门店", "积分"], ["M1", "2023-01-05 10:00", "S1", "1500"]])
    report = import_files(store, {"members": points_only}, None, False)
    assert report.file("members").updated == 1
    row = contents(store)["members"][0]
    # points changed; name, phone, birthday, staff, tier and the opt-out are kept
    assert row == ("M1", "小明", "13800138000", "男", date(1990, 1, 5),
                   datetime(2023, 1, 5, 10), "S1", "E1", "gold", 1500, True, True, None, None)


def test_full_width_digits_and_decimal_commas(store, tmp_path):
    import_files(store, english_files(tmp_path), None, False)
    tx = write_csv(tmp_path / "tx.csv", [
        TX_EN[0],
        ["T5", "M1", "S1", "E1", "２０２４-０２-０１ １０:００", "１２.５", "３", "store"],
        ["T6", "M1", "S1", "E1", "2024-02-01 11:00", "10,5", "1", "store"],
        ["T7", "M1", "S1", "E1", "2024-02-01 12:00", "1,299.00", "1", "store"],
        ["T8", "M1", "S1", "E1", "1900-01-01", "10", "1", "store"],
    ])
    report = import_files(store, {"transactions": tx}, None, False)
    assert reasons(report, "tx.csv", 2) == []
    assert "金额格式不对" in reasons(report, "tx.csv", 3)[0]
    assert reasons(report, "tx.csv", 4) == []
    assert "1990" in reasons(report, "tx.csv", 5)[0]
    with store.read() as conn:
        got = dict(conn.execute(text(
            "SELECT tx_id, amount FROM transactions WHERE tx_id IN ('T5', 'T7')")).all())
    assert got == {"T5": Decimal("12.50"), "T7": Decimal("1299.00")}


def test_duplicate_of_a_bad_row_says_so(store, tmp_path):
    import_files(store, english_files(tmp_path), None, False)
    members = write_csv(tmp_path / "m.csv", [
        MEMBERS_EN[0][:7], ["M9", "甲", "", "", "2024-02-30", "2024-01-01", "S1"],
        ["M9", "甲", "", "", "", "2024-01-01", "S1"]])
    report = import_files(store, {"members": members}, None, False)
    assert any("那一行也有错误" in r for r in reasons(report, "m.csv", 3))


def test_imports_never_blend_into_demo_data(store, tmp_path):
    from copilot.data.demo import build_demo

    build_demo(store, size="small", seed=1, end=date(2025, 6, 30))
    files = english_files(tmp_path)
    with pytest.raises(UserError, match="--replace-demo"):
        import_files(store, files, None, False)
    assert info(store)["source"] == "demo:small"
    report = import_files(store, files, None, False, replace_demo=True)
    assert report.ok and info(store)["source"] == "import"
    assert counts(store)["stores"] == 2  # only the chain's own stores are left
