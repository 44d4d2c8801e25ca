"""Map the headers of a user's file onto canonical columns.

Known headers (English and the usual Chinese ones) ship in `copilot/data/importer/headers.toml`;
a user mapping file (`--mapping`, TOML, `[members] "卡号" = "member_id"`) adds to and
overrides them, and maps a header to "" to ignore that column.
"""

from __future__ import annotations

import functools
import re
import tomllib
import unicodedata
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from copilot.data.importer.columns import SPECS, FileSpec
from copilot.errors import UserError

HEADERS_FILE = resources.files("copilot.data.importer") / "headers.toml"
_BRACKETS = re.compile(r"[(\[【<《][^)\]】>》]*[)\]】>》]")


def normalize(header: str) -> str:
    """Header key for matching: NFKC, lower case, letters/digits/CJK only."""
    text = unicodedata.normalize("NFKC", str(header)).strip().lower()
    return "".join(ch for ch in text if ch.isalnum())


def _without_unit(header: str) -> str:
    return normalize(_BRACKETS.sub("", unicodedata.normalize("NFKC", str(header))))


@functools.cache
def builtin_aliases() -> dict[str, dict[str, str]]:
    """file key -> normalized header -> canonical column, from the shipped TOML."""
    data = tomllib.loads(HEADERS_FILE.read_text(encoding="utf-8"))
    shared: dict[str, list[str]] = data.get("shared", {})
    out: dict[str, dict[str, str]] = {}
    for key, spec in SPECS.items():
        own: dict[str, list[str]] = data.get(key, {})
        table: dict[str, str] = {}
        for col in spec.names:
            for alias in [col, *shared.get(col, []), *own.get(col, [])]:
                norm = normalize(alias)
                if table.setdefault(norm, col) != col:
                    raise ValueError(f"headers.toml: {alias!r} maps to two {key} columns")
        unknown = set(own) - set(spec.names)
        if unknown:
            raise ValueError(f"headers.toml: [{key}] has unknown columns {unknown}")
        out[key] = table
    return out


def load_mapping(path: Path) -> dict[str, dict[str, str]]:
    """Read a user mapping file: file key -> normalized header -> canonical column or ""."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8-sig"))
    except FileNotFoundError:
        raise UserError(f"找不到表头映射文件:{path}", f"Mapping file not found: {path}") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise UserError(f"无法读取表头映射文件 {path}:{exc}",
                        f"Cannot read mapping file {path}: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(
            f"表头映射文件 {path} 格式不对(应为 TOML,如 [members] \"卡号\" = \"member_id\"):{exc}",
            f"Mapping file {path} is not valid TOML "
            f"(e.g. [members] \"卡号\" = \"member_id\"): {exc}",
        ) from None
    out: dict[str, dict[str, str]] = {}
    for section, entries in data.items():
        if section not in SPECS or not isinstance(entries, dict):
            raise UserError(
                f"表头映射文件 {path} 里的 [{section}] 不认识,可用的节:{'、'.join(SPECS)}",
                f"Unknown section [{section}] in mapping file {path}; "
                f"use one of {', '.join(SPECS)}",
            )
        spec = SPECS[section]
        for header, target in entries.items():
            if not isinstance(target, str) or (target and target not in spec.names):
                raise UserError(
                    f"表头映射文件 [{section}] 中 {header!r} = {target!r}:"
                    f"目标列只能是 {'、'.join(spec.names)},或 \"\" 表示忽略该列",
                    f"Mapping [{section}] {header!r} = {target!r}: the target must be one of "
                    f"{', '.join(spec.names)}, or \"\" to ignore the column",
                )
            out.setdefault(section, {})[normalize(header)] = target
    return out


@dataclass
class HeaderMap:
    """Which header of a file feeds which canonical column."""

    columns: dict[str, int] = field(default_factory=dict)  # canonical -> position in file
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header as written
    ignored: list[str] = field(default_factory=list)  # headers that feed no column


def resolve(
    spec: FileSpec, headers: list[str], file_label: str,
    user: dict[str, dict[str, str]] | None = None,
) -> HeaderMap:
    """Map headers to columns; a missing required column or a column mapped twice is fatal."""
    builtin = builtin_aliases()[spec.key]
    mine = (user or {}).get(spec.key, {})
    result = HeaderMap()
    for pos, header in enumerate(headers):
        if not str(header).strip():
            continue
        target = None
        for key in (normalize(header), _without_unit(header)):
            if key in mine:
                target = mine[key]
                break
            if key in builtin:
                target = builtin[key]
                break
        if not target:
            result.ignored.append(header)
            continue
        if target in result.columns:
            first = result.headers[target]
            raise UserError(
                f"{file_label}:表头“{first}”和“{header}”都对应 {target} 列,无法判断用哪一列。"
                f"请删掉其中一列,或在 --mapping 文件的 [{spec.key}] 里写 \"{header}\" = \"\" "
                "忽略它。",
                f"{file_label}: headers '{first}' and '{header}' both map to column {target}. "
                f"Remove one, or ignore it with \"{header}\" = \"\" under [{spec.key}] in a "
                "--mapping file.",
            )
        result.columns[target] = pos
        result.headers[target] = header
    missing = [c for c in spec.required if c not in result.columns]
    if missing:
        found = "、".join(h for h in headers if str(h).strip()) or "(无)"
        found_en = ", ".join(h for h in headers if str(h).strip()) or "(none)"
        zh = "、".join(f"{spec.column(c).zh}({c})" for c in missing)
        en = ", ".join(missing)
        raise UserError(
            f"{file_label}({spec.zh}文件)缺少必需的列:{zh}。文件中的表头:{found}。"
            f"如果表头名称不同,可用 --mapping 文件指定,例如 [{spec.key}] "
            f"\"你的表头\" = \"{missing[0]}\"。",
            f"{file_label} ({spec.en} file) lacks required column(s): {en}. Headers found: "
            f"{found_en}. If your headers are named differently, map them with a --mapping "
            f"file, e.g. [{spec.key}] \"your header\" = \"{missing[0]}\".",
        )
    return result
