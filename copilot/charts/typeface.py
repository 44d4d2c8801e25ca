"""The Chinese font the charts use, and per-character fallback when it lacks a glyph.

Why ship a font: servers and containers usually have no CJK font, and matplotlib then
draws every hanzi as an empty box. We ship a subset of Noto Sans CJK SC (GB2312 and more,
see fonts/README.md) and register it with matplotlib's font manager on first use, not at
import, so importing the package stays cheap and never touches global font state.

Why check glyphs ourselves: for a character outside the subset (a rare hanzi in a store
name), matplotlib would silently pick Last Resort boxes. We look it up in every font
matplotlib knows, add the first one that has it to the family list (matplotlib then falls
back glyph by glyph), and report the characters no font has.
"""

from __future__ import annotations

import functools
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from matplotlib import font_manager
from matplotlib.ft2font import FT2Font

FONT_FILE = "NotoSansSC-Subset.otf"
_LOCK = threading.Lock()


@dataclass(frozen=True)
class ShippedFont:
    """The shipped font file, its family name and the code points it maps."""

    path: Path
    family: str
    codepoints: frozenset[int]


@dataclass(frozen=True)
class FontChoice:
    """The font families to draw some text with, and what could not be covered."""

    families: list[str]
    fallbacks: dict[str, str]
    missing: list[str]


def font_path() -> Path:
    """Where the shipped font is. Uses the `copilot.charts` subpackage: resolving the top
    package `copilot` fails from the console script."""
    path = Path(str(resources.files("copilot.charts") / "fonts" / FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(f"shipped chart font missing: {path} (reinstall the package)")
    return path


@functools.cache
def shipped_font() -> ShippedFont:
    """Register the shipped font with matplotlib (once, thread-safe) and describe it."""
    path = font_path()
    with _LOCK:
        font = FT2Font(str(path))
        registered = {Path(entry.fname) for entry in font_manager.fontManager.ttflist}
        if path not in registered:
            font_manager.fontManager.addfont(str(path))
        return ShippedFont(path, font.family_name, frozenset(font.get_charmap()))


@functools.cache
def _charmap(fname: str, index: int) -> frozenset[int]:
    """The code points a system font maps; empty when FreeType cannot read it."""
    try:
        return frozenset(FT2Font(fname, face_index=index).get_charmap())
    except (OSError, RuntimeError, ValueError):
        return frozenset()


def _weight_distance(weight: object) -> int:
    """How far a font entry's weight is from regular (400); unknown weights sort last."""
    return abs(weight - 400) if isinstance(weight, int) else 1000


def _system_family_with(codepoint: int, shipped: Path) -> str | None:
    """The family of the first font matplotlib knows that maps `codepoint`, preferring
    regular upright faces (what findfont will pick for that family) and name order (so
    the choice does not depend on the order fonts were scanned)."""
    entries = sorted(
        font_manager.fontManager.ttflist,
        key=lambda e: (e.style != "normal", _weight_distance(e.weight), e.name, e.fname),
    )
    for entry in entries:
        name = Path(entry.fname).name
        if Path(entry.fname) == shipped or name.startswith("LastResort"):
            continue  # Last Resort "has" every character, as a box
        if codepoint in _charmap(entry.fname, getattr(entry, "index", 0)):
            return entry.name
    return None


def choose_fonts(texts: Iterable[str]) -> FontChoice:
    """Families for drawing `texts`: the shipped font first, then one system family per
    character the shipped font lacks (if any has it); characters no font has are listed
    in `missing` and will render as boxes."""
    shipped = shipped_font()
    families = [shipped.family]
    fallbacks: dict[str, str] = {}
    missing: list[str] = []
    needed = sorted({c for text in texts for c in text if c.isprintable() and not c.isspace()})
    for char in needed:
        if ord(char) in shipped.codepoints:
            continue
        family = _system_family_with(ord(char), shipped.path)
        if family is None:
            missing.append(char)
            continue
        fallbacks[char] = family
        if family not in families:
            families.append(family)
    return FontChoice(families, fallbacks, missing)
