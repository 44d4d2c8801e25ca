"""Which characters a font file maps, read straight from its `cmap` table.

Why our own reader: the charts pick a font per character (the shipped subset first, a
system font for the rare character it lacks), and Pillow cannot say whether a font has a
glyph. Reading the Unicode `cmap` subtable (formats 4 and 12, the ones fonts use for
Unicode) takes a few milliseconds and needs no other library.
"""

from __future__ import annotations

import struct
from pathlib import Path

# Unicode subtables in FreeType's order of preference: full repertoire first, then BMP.
_PREFERRED = ((3, 10), (0, 6), (0, 4), (3, 1), (0, 3), (0, 2), (0, 1), (0, 0))


def face_count(path: Path) -> int:
    """How many faces the file holds: several for a collection (.ttc), else 1."""
    with path.open("rb") as file:
        head = file.read(12)
    if head[:4] == b"ttcf" and len(head) == 12:
        return struct.unpack(">I", head[8:12])[0]
    return 1


def codepoints(path: Path, index: int = 0) -> frozenset[int]:
    """The code points face `index` of the font file maps to a real glyph (not .notdef).
    Raises OSError or ValueError when the file is not a readable sfnt font."""
    with path.open("rb") as file:
        offset = 0
        if file.read(4) == b"ttcf":
            file.seek(12 + 4 * index)
            offset = _u32(file.read(4))
        file.seek(offset + 4)
        tables = _u16(file.read(2))
        file.seek(offset + 12)
        records = file.read(16 * tables)
        for i in range(tables):
            tag, _, start, length = struct.unpack_from(">4sIII", records, 16 * i)
            if tag == b"cmap":
                file.seek(start)
                return _parse_cmap(file.read(length))
    raise ValueError(f"{path}: no cmap table")


def _u16(data: bytes) -> int:
    if len(data) < 2:
        raise ValueError("truncated font file")
    return int(struct.unpack(">H", data[:2])[0])


def _u32(data: bytes) -> int:
    if len(data) < 4:
        raise ValueError("truncated font file")
    return int(struct.unpack(">I", data[:4])[0])


def _parse_cmap(cmap: bytes) -> frozenset[int]:
    """The best Unicode subtable's code points; empty when there is none we read."""
    count = struct.unpack_from(">H", cmap, 2)[0]
    found: dict[tuple[int, int], int] = {}
    for i in range(count):
        platform, encoding, offset = struct.unpack_from(">HHI", cmap, 4 + 8 * i)
        if struct.unpack_from(">H", cmap, offset)[0] in (4, 12):
            found.setdefault((platform, encoding), offset)
    for key in _PREFERRED:
        if key in found:
            offset = found[key]
            if struct.unpack_from(">H", cmap, offset)[0] == 12:
                return _format12(cmap, offset)
            return _format4(cmap, offset)
    return frozenset()


def _format4(cmap: bytes, at: int) -> frozenset[int]:
    """Segments of (start, end, delta, range offset); a glyph id of 0 means unmapped."""
    segments = struct.unpack_from(">H", cmap, at + 6)[0] // 2
    ends = struct.unpack_from(f">{segments}H", cmap, at + 14)
    starts = struct.unpack_from(f">{segments}H", cmap, at + 16 + 2 * segments)
    deltas = struct.unpack_from(f">{segments}h", cmap, at + 16 + 4 * segments)
    ranges_at = at + 16 + 6 * segments
    ranges = struct.unpack_from(f">{segments}H", cmap, ranges_at)
    mapped: set[int] = set()
    for seg, (start, end, delta, offset) in enumerate(zip(starts, ends, deltas, ranges,
                                                          strict=True)):
        for char in range(start, min(end, 0xFFFF) + 1):
            if offset == 0:
                glyph = (char + delta) & 0xFFFF
            else:
                where = ranges_at + 2 * seg + offset + 2 * (char - start)
                glyph = struct.unpack_from(">H", cmap, where)[0]
                glyph = (glyph + delta) & 0xFFFF if glyph else 0
            if glyph:
                mapped.add(char)
    return frozenset(mapped)


def _format12(cmap: bytes, at: int) -> frozenset[int]:
    """Groups of (first char, last char, first glyph id)."""
    groups = struct.unpack_from(">I", cmap, at + 12)[0]
    mapped: set[int] = set()
    for i in range(groups):
        start, end, glyph = struct.unpack_from(">III", cmap, at + 16 + 12 * i)
        mapped.update(range(start if glyph else start + 1, min(end, 0x10FFFF) + 1))
    return frozenset(mapped)
