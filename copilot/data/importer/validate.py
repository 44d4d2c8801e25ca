"""Check one file row by row (vectorised): types, required values, rules, duplicate ids.

References between files need the other files and the database; they are checked later by
`refs.py`, which rejects more rows through the same `FileCheck`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

import pandas as pd

from copilot.data.importer import parse
from copilot.data.importer.columns import OTHER_DIMENSION, STORELESS_ROLES, Column, FileSpec

Reason = str | pd.Series


@dataclass
class FileCheck:
    """One file's rows: the text as read, the converted values, and which rows are refused."""

    spec: FileSpec
    label: str  # the file name shown to the user
    headers: dict[str, str]  # canonical column -> header as written in the file
    ignored: list[str]
    raw: pd.DataFrame  # canonical columns as strings, plus `_row`
    clean: pd.DataFrame = field(init=False)
    bad: pd.Series = field(init=False)
    errors: list[pd.DataFrame] = field(default_factory=list)
    existing: int = 0  # good ids already in the database ("updated")

    def __post_init__(self) -> None:
        self.clean = pd.DataFrame(index=self.raw.index)
        self.bad = pd.Series(False, index=self.raw.index)

    @property
    def good(self) -> pd.DataFrame:
        return self.clean[~self.bad]

    def good_ids(self, column: str | None = None) -> pd.Index:
        return pd.Index(self.good[column or self.spec.id_col].dropna().unique())

    def reject(self, mask: pd.Series, column: str, zh: Reason, en: Reason) -> None:
        """Refuse the rows in `mask`, reporting `column`'s cell with the given reason."""
        if not mask.any():
            return
        idx = mask.index[mask.to_numpy()]
        value = self.raw[column].loc[idx].to_numpy() if column in self.raw else ""

        def per_row(reason: Reason) -> object:
            return reason.reindex(idx).to_numpy() if isinstance(reason, pd.Series) else reason

        self.errors.append(pd.DataFrame({
            "file": self.label,
            "row": self.raw["_row"].loc[idx].to_numpy(),
            "column": self.headers.get(column, column),
            "value": value,
            "zh": per_row(zh),
            "en": per_row(en),
        }))
        self.bad.loc[idx] = True


def check_rows(
    spec: FileSpec, raw: pd.DataFrame, headers: dict[str, str], ignored: list[str],
    label: str, too_wide: dict[int, int], now: datetime,
) -> FileCheck:
    check = FileCheck(spec, label, headers, ignored, raw)
    if too_wide:
        wide = raw["_row"].isin(list(too_wide))
        check.reject(wide, "", "本行的单元格比表头多,可能有多余的分隔符或未加引号的逗号",
                     "row has more cells than the header (stray delimiter or unquoted comma?)")
    for col in spec.columns:
        present = col.name in raw
        if present and col.required:
            check.reject(raw[col.name] == "", col.name, f"缺少必填项:{col.zh}",
                         f"missing required value: {col.en}")
        text = raw[col.name] if present else pd.Series("", index=raw.index, dtype="str")
        parsed = _parse(col, text, now)
        for mask, zh, en in parsed.problems:
            check.reject(mask, col.name, zh, en)
        check.clean[col.name] = parsed.values
    _rules(check, now)
    _duplicates(check)
    return check


def _parse(col: Column, s: pd.Series, now: datetime) -> parse.Parsed:
    kind = col.kind
    if kind in ("id", "text"):
        return parse.text(s, col.max_len)
    if kind == "date":
        return parse.calendar_date(s)
    if kind == "birthday":
        return parse.calendar_date(s, today=now)
    if kind == "ts":
        return parse.timestamp(s, now)
    if kind in ("money", "price"):
        return parse.money(s, 12 if kind == "money" else 10)
    if kind in ("count", "points"):
        return parse.integer(s, 1 if kind == "count" else 0)
    if kind == "bool":
        return parse.boolean(s)
    if kind == "phone":
        return parse.phone(s)
    if kind == "gender":
        return parse.gender(s)
    if kind in ("role", "channel", "dimension"):
        return parse.choice(s, kind)
    raise ValueError(f"unknown column kind {kind}")


def _rules(check: FileCheck, now: datetime) -> None:
    key, raw, clean = check.spec.key, check.raw, check.clean
    if key == "staff":
        role = clean["role"]
        no_region = clean["region"].isna()
        check.reject((role == "supervisor") & no_region, "region", "督导需要填写区域",
                     "a supervisor needs a region")
        needs_store = role.notna() & ~role.isin(STORELESS_ROLES) & clean["store_id"].isna()
        check.reject(needs_store, "store_id", "该岗位需要填写所属门店(只有督导和管理员可以不填)",
                     "this role needs a store (only supervisors and admins may leave it empty)")
    elif key == "transactions":
        clean["channel"] = clean["channel"].fillna("store")
    elif key == "tags":
        # A tag without a dimension (no such column, or an empty cell) is kept as 其他.
        clean["dimension"] = clean["dimension"].fillna(OTHER_DIMENSION)
    elif key == "items":
        if "line_no" in raw:
            check.reject(raw["line_no"] == "", "line_no", "缺少必填项:行号(有行号列时每行都要填)",
                         "missing line number (required on every row once the column exists)")
        else:
            clean["line_no"] = clean.groupby(raw["tx_id"], sort=False).cumcount() + 1


def _duplicates(check: FileCheck) -> None:
    spec, raw = check.spec, check.raw
    keys = pd.DataFrame({"id": raw[spec.id_col]})
    filled = raw[spec.id_col] != ""
    if spec.key == "items":
        if "line_no" not in raw:
            return
        keys["line"] = check.clean["line_no"]
        filled &= check.clean["line_no"] > 0
    elif spec.key == "tags":  # a member holds a tag once, whatever its dimension
        keys["tag"] = raw["tag"]
        filled &= raw["tag"] != ""
    dup = keys.duplicated(keep="first") & filled
    if not dup.any():
        return
    groups = [keys[c] for c in keys.columns]
    first = check.raw["_row"].groupby(groups).transform("first")
    first_bad = check.bad.groupby(groups).transform("first")
    first_row = first[dup].astype(str)
    what_zh, what_en, column = {
        "items": ("单号和行号", "tx_id and line_no", spec.id_col),
        "tags": ("会员编号和标签", "member_id and tag", "tag"),
    }.get(spec.key, (spec.column(spec.id_col).zh, spec.id_col, spec.id_col))
    kept_zh = first_bad[dup].map({True: ",那一行也有错误,修改后只保留一行",
                                  False: ",只保留第一行"})
    kept_en = first_bad[dup].map({True: " (which also has errors; keep one fixed row)",
                                  False: " (the first is kept)"})
    check.reject(dup, column, f"{what_zh}与第 " + first_row + " 行重复" + kept_zh,
                 f"duplicate {what_en}: same as row " + first_row + kept_en)
