"""Read a CSV or Excel file into strings, keeping the row numbers a person sees.

Nothing is converted here: every cell becomes a stripped string ("" when empty), so the
validator sees exactly what the user wrote and can say what was wrong with it. Excel cells
that already hold numbers or dates are written back the way Excel shows them.
"""

from __future__ import annotations

import csv
import io
import math
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import pandas as pd

from copilot.errors import UserError

_DELIMITERS = (",", "\t", ";", "|")
_ENCODINGS = ("utf-8-sig", "gb18030")


@dataclass
class RawTable:
    """A file's header and data rows; `rows` are the spreadsheet row numbers (header = 1)."""

    headers: list[str]
    data: list[list[str]]
    rows: list[int]
    too_wide: dict[int, int] = field(default_factory=dict)  # row -> number of cells


def read_file(path: Path) -> RawTable:
    if not path.exists():
        raise UserError(f"找不到文件:{path}", f"File not found: {path}")
    if not path.is_file():
        raise UserError(f"{path} 不是文件", f"{path} is not a file")
    suffix = path.suffix.lower()
    if suffix in (".xls", ".et"):
        raise UserError(
            f"{path.name}:不支持旧版 Excel(.xls)格式,请在 Excel/WPS 中另存为 .xlsx 或 CSV。",
            f"{path.name}: old Excel (.xls) files are not supported; save as .xlsx or CSV.",
        )
    try:
        records = _xlsx_records(path) if suffix in (".xlsx", ".xlsm") else _csv_records(path)
    except OSError as exc:
        raise UserError(f"无法读取文件 {path}:{exc.strerror or exc}",
                        f"Cannot read {path}: {exc.strerror or exc}") from None
    return _table(path, records)


def _table(path: Path, records: list[list[str]]) -> RawTable:
    start = next((i for i, rec in enumerate(records) if any(rec)), None)
    if start is None:
        raise UserError(f"{path.name}:文件是空的,没有表头。", f"{path.name}: the file is empty.")
    headers = [h.replace("\ufeff", "").strip() for h in records[start]]
    width = len(headers)
    while width and not headers[width - 1]:
        width -= 1
    headers = headers[:width]
    data: list[list[str]] = []
    rows: list[int] = []
    too_wide: dict[int, int] = {}
    for offset, rec in enumerate(records[start + 1:], start=start + 2):
        if not any(rec):
            continue  # a blank line holds no data; the numbering still counts it
        if len(rec) > width:
            if any(cell.strip() for cell in rec[width:]):
                too_wide[offset] = len(rec)
            rec = rec[:width]
        elif len(rec) < width:
            rec = rec + [""] * (width - len(rec))
        data.append(rec)
        rows.append(offset)
    return RawTable(headers, data, rows, too_wide)


# ---- CSV -------------------------------------------------------------------------------------
def decode(raw: bytes, name: str) -> str:
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return raw.decode("utf-16")
        except UnicodeDecodeError:
            pass
    for encoding in _ENCODINGS:
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise UserError(
        f"{name}:无法识别文件编码(支持 UTF-8 和 GBK/GB18030)。请在 Excel/WPS 中另存为"
        "“CSV UTF-8”或 .xlsx 后再导入。",
        f"{name}: cannot decode the file (UTF-8 and GBK/GB18030 are supported); "
        "save it as 'CSV UTF-8' or .xlsx.",
    )


def sniff_delimiter(text: str) -> str:
    first = next((line for line in text.splitlines() if line.strip()), "")
    counts = {d: first.count(d) for d in _DELIMITERS}
    best = max(counts, key=lambda d: counts[d])
    return best if counts[best] else ","


def _csv_records(path: Path) -> list[list[str]]:
    text = decode(path.read_bytes(), path.name)
    if "\x00" in text:
        raise UserError(
            f"{path.name}:看起来不是文本 CSV 文件(含二进制内容)。Excel 文件请使用 .xlsx 扩展名。",
            f"{path.name}: not a text CSV file (binary content). Excel files need .xlsx.",
        )
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=sniff_delimiter(text))
    try:
        return list(reader)
    except csv.Error as exc:
        raise UserError(f"{path.name}:CSV 格式有误(第 {reader.line_num} 行附近):{exc}",
                        f"{path.name}: malformed CSV near line {reader.line_num}: {exc}") from None


# ---- Excel -----------------------------------------------------------------------------------
def _xlsx_records(path: Path) -> list[list[str]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, TypeError) as exc:
        raise UserError(f"{path.name}:无法作为 Excel(.xlsx)文件打开:{exc}",
                        f"{path.name}: cannot open as an Excel (.xlsx) file: {exc}") from None
    try:
        sheet = book.worksheets[0]
        sheet.reset_dimensions()
        return [[cell_text(v) for v in row] for row in sheet.iter_rows(values_only=True)]
    finally:
        book.close()


def cell_text(value: object) -> str:
    """An Excel cell as the text a person sees (numbers without a spurious '.0')."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isfinite(value) and value.is_integer() and abs(value) < 1e15:
            return str(int(value))
        return repr(value)
    if isinstance(value, datetime):
        if value.microsecond >= 500_000:
            value += timedelta(seconds=1)
        value = value.replace(microsecond=0)
        if value.time() == time(0, 0):
            return value.date().isoformat()
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    return str(value).strip()


def to_frame(table: RawTable, positions: dict[str, int]) -> pd.DataFrame:
    """Canonical columns (strings, "" when empty) plus `_row`, the spreadsheet row number."""
    cells = pd.DataFrame(table.data, columns=range(len(table.headers)), dtype="str")
    # NFKC folds full-width digits, letters and punctuation (１２.５, ＡＢ) to ASCII, which
    # Chinese input methods produce often and every parser below expects.
    frame = pd.DataFrame(
        {name: cells[pos].str.normalize("NFKC").str.strip() for name, pos in positions.items()},
        index=cells.index)
    frame["_row"] = pd.array(table.rows, dtype="int64")
    return frame
