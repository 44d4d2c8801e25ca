"""Make the Chinese font the charts ship: copilot/charts/fonts/NotoSansSC-Subset.otf.

Why a subset: charts must render Chinese offline on machines with no CJK font (servers,
containers), and the full Noto Sans CJK SC is 16 MB. Labels are metric names, store, city
and region names and short Chinese words, so ASCII, the usual punctuation, the 6763 GB2312
hanzi and every non-ASCII character in our own sources cover them in ~1.5 MB. Anything rarer
falls back to a system font at render time (see copilot/charts/render.py).

The subset is renamed "Noto Sans SC Subset" so that a font lookup can never confuse it with a
full "Noto Sans CJK SC" installed on the machine (same family name = first one wins).

Needs fontTools (any venv with `pip install fonttools`; the project's .venv does not carry
it). Usage, from anywhere:

    python scripts/make_font_subset.py path/to/NotoSansCJKsc-Regular.otf [--out FILE]

The output is deterministic for a given source font, fontTools version and repository.
"""

from __future__ import annotations

import argparse
import hashlib
import sys
from pathlib import Path

from fontTools import subset, version
from fontTools.ttLib import TTFont

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUT = ROOT / "copilot" / "charts" / "fonts" / "NotoSansSC-Subset.otf"
SCANNED_DIRS = ("copilot", "knowledge")
SCANNED_SUFFIXES = (".py", ".toml", ".md")

FAMILY = "Noto Sans SC Subset"
POSTSCRIPT = "NotoSansSC-Subset"

RANGES = (
    (0x0020, 0x007E),  # ASCII
    (0x00A0, 0x00FF),  # Latin-1 punctuation and signs (¥, ·, ×, ÷, °, ±, …)
    (0x2000, 0x206F),  # general punctuation (— – ‘ ’ “ ” … ‰ ※)
    (0x3000, 0x303F),  # CJK symbols and punctuation (、。《》「」【】〜)
    (0xFF00, 0xFFEF),  # full-width forms (，：；（）％￥～)
)
# Characters the chart renderer itself may draw: the Unicode minus of tick labels, and arrows/math
# signs that plausibly appear in chart annotations.
EXTRA = "−±≈≠≤≥∞→←↑↓▲▼●■□△▽"

# Layout features worth keeping: matplotlib >= 3.11 shapes text with libraqm, which applies
# these by default. Not 'locl': in this font it maps to the Japanese, Korean and Traditional
# Chinese glyph forms, which would double the glyph count for nothing. Vertical forms,
# alternates and CJK width variants are never used in charts.
LAYOUT_FEATURES = ["ccmp", "kern", "liga", "mark", "mkmk"]
DROP_TABLES = ["BASE", "VORG", "vhea", "vmtx", "DSIG", "JSTF"]


def gb2312_hanzi() -> str:
    """All 6763 GB2312 hanzi: rows 0xB0-0xF7, columns 0xA1-0xFE, that decode."""
    chars = []
    for row in range(0xB0, 0xF8):
        for col in range(0xA1, 0xFF):
            try:
                chars.append(bytes((row, col)).decode("gb2312"))
            except UnicodeDecodeError:
                continue  # the five unassigned cells at the end of row 0xD7
    return "".join(chars)


def repo_chars(root: Path) -> str:
    """Every printable non-ASCII character in our sources: store, city, region and metric
    names, messages and playbooks, so whatever the copilot says can be charted."""
    found: set[str] = set()
    for folder in SCANNED_DIRS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix in SCANNED_SUFFIXES and path.is_file():
                text = path.read_text("utf-8")
                found.update(c for c in text if ord(c) > 0x7F and c.isprintable())
    return "".join(sorted(found))


def wanted_codepoints(root: Path) -> set[int]:
    """The code points the subset should map, before checking what the source font has."""
    points = {cp for lo, hi in RANGES for cp in range(lo, hi + 1)}
    points.update(ord(c) for c in EXTRA + gb2312_hanzi() + repo_chars(root))
    return points


def rename(font: TTFont) -> None:
    """Give the subset its own family name (name table and CFF), keeping copyright and
    license records untouched."""
    names = font["name"]
    for record in names.names:
        if record.nameID in (1, 16):
            names.setName(FAMILY, record.nameID, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID == 4:
            names.setName(f"{FAMILY} Regular", 4, record.platformID, record.platEncID,
                          record.langID)
        elif record.nameID == 6:
            names.setName(POSTSCRIPT, 6, record.platformID, record.platEncID, record.langID)
        elif record.nameID == 3:
            head = font["head"].fontRevision
            names.setName(f"{head:.3f};{POSTSCRIPT}", 3, record.platformID,
                          record.platEncID, record.langID)
    if "CFF " in font:
        cff = font["CFF "].cff
        cff.fontNames = [POSTSCRIPT]
        top = cff.topDictIndex[0]
        top.FullName = f"{FAMILY} Regular"
        top.FamilyName = FAMILY


def make_subset(source: Path, out: Path, root: Path = ROOT) -> tuple[int, list[str]]:
    """Write the subset; return (glyph count, characters of EXTRA and of our sources that
    the source font lacks; the gaps in the Unicode blocks are expected and not listed)."""
    font = TTFont(source, recalcTimestamp=False, lazy=False)
    cmap = font.getBestCmap()
    wanted = wanted_codepoints(root)
    missing = sorted({c for c in EXTRA + repo_chars(root) if ord(c) not in cmap})
    options = subset.Options()
    options.hinting = False
    options.desubroutinize = False
    options.layout_features = LAYOUT_FEATURES
    options.drop_tables = [*options.drop_tables, *DROP_TABLES]
    options.name_IDs = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17]
    options.notdef_outline = True
    options.glyph_names = False
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=sorted(cp for cp in wanted if cp in cmap))
    subsetter.subset(font)
    rename(font)
    out.parent.mkdir(parents=True, exist_ok=True)
    font.save(out, reorderTables=True)
    return len(font.getGlyphOrder()), missing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("source", type=Path, help="NotoSansCJKsc-Regular.otf (version 1.004)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT)
    args = parser.parse_args(argv)
    glyphs, missing = make_subset(args.source, args.out)
    digest = hashlib.sha256(args.out.read_bytes()).hexdigest()
    print(f"fontTools {version}: wrote {args.out} ({args.out.stat().st_size:,} bytes, "
          f"{glyphs} glyphs, sha256 {digest})")
    if missing:
        print(f"not in the source font, left out: {''.join(missing)!r}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
