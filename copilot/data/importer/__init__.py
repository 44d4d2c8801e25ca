"""Import a chain's own files (stores, staff, members, products, sales, line items, tags).

    report = import_files(store, {"members": Path("会员.xlsx"), ...}, mapping=None,
                          dry_run=False)

Order of work: every file is read and its headers mapped first; a file that cannot be used
at all (missing, undecodable, a required column absent, a header mapped twice) raises
`UserError` before anything is written. Then each file is checked row by row, references
between files and the database are resolved, and the good rows of all files are written
in one transaction (replace by id), or not at all on a dry run. Every refused row is in
`report.errors` with its file, spreadsheet row number and reason.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from datetime import datetime
from pathlib import Path

import pandas as pd

from copilot.data.dataset import DEMO_PREFIX, mark_import, read_info
from copilot.data.importer.columns import ORDER, SPECS
from copilot.data.importer.headers import load_mapping, resolve
from copilot.data.importer.load import upsert_all
from copilot.data.importer.read import read_file, to_frame
from copilot.data.importer.refs import Lookup, check_references
from copilot.data.importer.report import (
    ERROR_COLUMNS,
    FileReport,
    ImportReport,
    RowError,
    empty_errors,
)
from copilot.data.importer.validate import FileCheck, check_rows
from copilot.data.store import MemberStore
from copilot.errors import UserError

FILE_KINDS: tuple[str, ...] = ORDER

__all__ = ["ERROR_COLUMNS", "FILE_KINDS", "FileReport", "ImportReport", "RowError",
           "import_files"]


class _NothingToWrite(Exception):
    """Every row was refused after the references were checked: roll the write back."""


def import_files(
    store: MemberStore,
    files: Mapping[str, Path],
    mapping: Path | None = None,
    dry_run: bool = False,
    *,
    replace_demo: bool = False,
    now: datetime | None = None,
) -> ImportReport:
    """Validate `files` (keys from FILE_KINDS) and load their good rows in one transaction.

    A data dir holding demo data refuses imports unless `replace_demo`, which drops the demo
    chain first: real stores must never blend into made-up ones (S001 would even collide).
    """
    unknown = set(files) - set(SPECS)
    if unknown:
        raise ValueError(f"unknown import files {sorted(unknown)}; use {FILE_KINDS}")
    if not files:
        raise UserError("没有指定要导入的文件(--stores、--staff、--members、--transactions、"
                        "--products、--items、--tags 至少一个)。",
                        "No file to import: give at least one of --stores, --staff, "
                        "--members, --transactions, --products, --items, --tags.")
    now = now or datetime.now()
    fresh = _demo_in_the_way(store, replace_demo)
    user = load_mapping(Path(mapping)) if mapping is not None else None
    paths = {key: Path(files[key]) for key in ORDER if key in files}
    names = [p.name for p in paths.values()]
    checks: dict[str, FileCheck] = {}
    for key, path in paths.items():
        label = path.name if names.count(path.name) == 1 else str(path)
        table = read_file(path)
        header_map = resolve(SPECS[key], table.headers, label, user)
        raw = to_frame(table, header_map.columns)
        checks[key] = check_rows(SPECS[key], raw, header_map.headers, header_map.ignored,
                                 label, table.too_wide, now)

    written = False
    anything = any(not c.good.empty for c in checks.values())
    if dry_run or not anything:
        on_file = store.exists() and not fresh
        reading = store.read() if on_file else contextlib.nullcontext(None)
        with reading as conn:
            lookup = Lookup(conn)
            try:
                check_references(checks, lookup)
            finally:
                lookup.close()
    else:
        try:
            with store.write(fresh=fresh) as conn:
                lookup = Lookup(conn)
                check_references(checks, lookup)
                if not any(not c.good.empty for c in checks.values()):
                    raise _NothingToWrite
                upsert_all(conn, lookup, checks)
                lookup.close()
                mark_import(conn)
            written = True
        except _NothingToWrite:
            pass
    return _report(paths, checks, dry_run, written)


def _demo_in_the_way(store: MemberStore, replace_demo: bool) -> bool:
    """True when the import must start from an empty database (demo data being replaced)."""
    if not store.exists():
        return False
    with store.read() as conn:
        source = read_info(conn).get("source", "")
    if not source.startswith(DEMO_PREFIX):
        return False
    if not replace_demo:
        raise UserError(
            "数据目录里现在是演示数据。导入真实数据会和演示门店混在一起:"
            "请加 --replace-demo(先清掉演示数据再导入),或设置另一个 COPILOT_DATA_DIR。",
            "The data dir holds demo data, which your data would blend into: pass "
            "--replace-demo to drop the demo first, or use another COPILOT_DATA_DIR.")
    return True


def _report(
    paths: dict[str, Path], checks: dict[str, FileCheck], dry_run: bool, written: bool
) -> ImportReport:
    files: list[FileReport] = []
    parts: list[pd.DataFrame] = []
    for key, path in paths.items():
        check = checks[key]
        good = int((~check.bad).sum())
        files.append(FileReport(
            key=key, path=path, table=check.spec.table, rows=len(check.raw),
            loaded=good - check.existing, updated=check.existing,
            rejected=int(check.bad.sum()), columns=dict(check.headers),
            ignored_columns=list(check.ignored),
        ))
        if check.errors:
            part = pd.concat(check.errors, ignore_index=True)
            parts.append(part.sort_values("row", kind="stable"))
    errors = pd.concat(parts, ignore_index=True) if parts else empty_errors()
    errors["row"] = errors["row"].astype("int64")
    return ImportReport(files=files, errors=errors, dry_run=dry_run, written=written)
