"""What an import did, per file, and every row it refused, in Chinese and English."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

ERROR_COLUMNS = ("file", "row", "column", "value", "reason")


@dataclass
class FileReport:
    key: str  # stores | staff | members | products | transactions | items | tags
    path: Path
    table: str
    rows: int = 0  # data rows read (blank lines not counted)
    loaded: int = 0  # new ids (would be new, on a dry run)
    updated: int = 0  # ids that already existed and were replaced
    rejected: int = 0  # rows refused, each with at least one error
    columns: dict[str, str] = field(default_factory=dict)  # canonical column -> header
    ignored_columns: list[str] = field(default_factory=list)


@dataclass
class RowError:
    file: str
    row: int
    column: str
    value: str
    zh: str
    en: str

    def reason(self, lang: str = "zh") -> str:
        return self.en if lang == "en" else self.zh


@dataclass
class ImportReport:
    files: list[FileReport]
    errors: pd.DataFrame  # file, row, column, value, zh, en; in file order, then row order
    dry_run: bool
    written: bool  # the database was changed

    @property
    def loaded(self) -> int:
        return sum(f.loaded for f in self.files)

    @property
    def updated(self) -> int:
        return sum(f.updated for f in self.files)

    @property
    def rejected(self) -> int:
        return sum(f.rejected for f in self.files)

    @property
    def ok(self) -> bool:
        return self.rejected == 0

    def file(self, key: str) -> FileReport:
        return next(f for f in self.files if f.key == key)

    def row_errors(self, limit: int | None = None) -> list[RowError]:
        frame = self.errors if limit is None else self.errors.head(limit)
        return [RowError(*rec) for rec in frame.itertuples(index=False, name=None)]

    def error_table(self, lang: str = "zh") -> pd.DataFrame:
        """file, row, column, value, reason: what `--errors-out` writes."""
        out = self.errors[["file", "row", "column", "value"]].copy()
        out["reason"] = self.errors["en" if lang == "en" else "zh"]
        return out

    def write_errors(self, path: Path, lang: str = "zh") -> None:
        """CSV in UTF-8 with a byte-order mark, so Excel shows the Chinese correctly."""
        path.parent.mkdir(parents=True, exist_ok=True)
        self.error_table(lang).to_csv(path, index=False, encoding="utf-8-sig")


def empty_errors() -> pd.DataFrame:
    return pd.DataFrame({
        "file": pd.Series(dtype="str"), "row": pd.Series(dtype="int64"),
        "column": pd.Series(dtype="str"), "value": pd.Series(dtype="str"),
        "zh": pd.Series(dtype="str"), "en": pd.Series(dtype="str"),
    })
