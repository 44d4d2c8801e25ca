"""The Chinese font the charts use, and per-character fallback when it lacks a glyph.

Why ship a font: servers and containers usually have no CJK font, and every hanzi would
come out as an empty box. We ship a subset of Noto Sans CJK SC (GB2312 and more, see
fonts/README.md) and draw it with Pillow's FreeType binding.

Why check glyphs ourselves: for a character outside the subset (a rare hanzi in a store
name), FreeType would silently draw the .notdef box. We read which characters each font
maps (`sfnt.codepoints`), draw such a character with the first system font that has it,
and report the characters no font has. The system fonts are only scanned when a chart
needs one, so ordinary charts never touch them.
"""

from __future__ import annotations

import functools
import os
import re
import struct
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from PIL import ImageFont

from copilot.charts.sfnt import codepoints, face_count

FONT_FILE = "NotoSansSC-Subset.otf"
FONT_SUFFIXES = (".ttf", ".otf", ".ttc", ".otc")
# Faces whose file name says bold/italic/etc. are tried after the regular ones.
_NOT_REGULAR = re.compile(r"bold|black|heavy|italic|oblique|light|thin|condensed|semi|medium|"
                          r"extra|narrow|mono|math", re.IGNORECASE)


@dataclass(frozen=True)
class Face:
    """One face of a font file (a .ttc holds several) and its family name."""

    path: Path
    index: int
    family: str


@dataclass(frozen=True)
class ShippedFont:
    """The shipped font file, its family name and the code points it maps."""

    path: Path
    family: str
    codepoints: frozenset[int]

    @property
    def face(self) -> Face:
        return Face(self.path, 0, self.family)


@dataclass(frozen=True)
class FontChoice:
    """How to draw some text: `faces` maps each character the shipped font lacks to the
    system face that has it (all else uses the shipped font); `families` lists the shipped
    family then those fallbacks; `missing` are the characters no font has."""

    families: list[str]
    fallbacks: dict[str, str]
    missing: list[str]
    faces: dict[str, Face] = field(default_factory=dict)


def font_path() -> Path:
    """Where the shipped font is. Uses the `copilot.charts` subpackage: resolving the top
    package `copilot` fails from the console script."""
    path = Path(str(resources.files("copilot.charts") / "fonts" / FONT_FILE))
    if not path.is_file():
        raise FileNotFoundError(f"shipped chart font missing: {path} (reinstall the package)")
    return path


@functools.cache
def shipped_font() -> ShippedFont:
    """Describe the shipped font (once per process; read-only afterwards)."""
    path = font_path()
    family = ImageFont.truetype(str(path), 12).getname()[0] or FONT_FILE
    return ShippedFont(path, family, codepoints(path))


def font_dirs() -> list[Path]:
    """The usual system and user font folders of Linux, macOS and Windows."""
    home = Path.home()
    dirs = [Path("/usr/share/fonts"), Path("/usr/local/share/fonts"),
            home / ".local/share/fonts", home / ".fonts"]
    if sys.platform == "darwin":
        dirs += [Path("/System/Library/Fonts"), Path("/Library/Fonts"), home / "Library/Fonts"]
    if sys.platform == "win32":
        dirs.append(Path(os.environ.get("WINDIR", r"C:\Windows")) / "Fonts")
        dirs.append(home / "AppData/Local/Microsoft/Windows/Fonts")
    return dirs


@functools.cache
def system_font_files() -> tuple[Path, ...]:
    """Font files under `font_dirs()`, regular-looking names first, then by path, so the
    choice of fallback does not depend on the order the file system lists them."""
    found: set[Path] = set()
    for folder in font_dirs():
        if folder.is_dir():
            found.update(p for p in folder.rglob("*")
                         if p.suffix.lower() in FONT_SUFFIXES and p.is_file())
    return tuple(sorted(found, key=lambda p: (bool(_NOT_REGULAR.search(p.name)), str(p))))


@functools.cache
def _charmap(path: Path, index: int) -> frozenset[int]:
    """The code points a system font maps; empty when we cannot read it."""
    try:
        return codepoints(path, index)
    except (OSError, ValueError, struct.error):
        return frozenset()


@functools.cache
def _faces(path: Path) -> int:
    try:
        return face_count(path)
    except OSError:
        return 0


@functools.cache
def system_face_with(codepoint: int) -> Face | None:
    """The first system face (in `system_font_files` order) that maps `codepoint`, or
    None. Last Resort fonts are skipped: they "have" every character, as a box."""
    shipped = shipped_font().path
    for path in system_font_files():
        if path == shipped or path.name.startswith("LastResort"):
            continue
        for index in range(_faces(path)):
            if codepoint in _charmap(path, index):
                try:
                    family = ImageFont.truetype(str(path), 12, index=index).getname()[0]
                except OSError:
                    continue  # FreeType cannot open it after all
                return Face(path, index, family or path.stem)
    return None


def choose_fonts(texts: Iterable[str]) -> FontChoice:
    """Fonts for drawing `texts`: the shipped font, plus one system face per character the
    shipped font lacks (if any has it); characters no font has are listed in `missing`
    and will be drawn as boxes."""
    shipped = shipped_font()
    families = [shipped.family]
    fallbacks: dict[str, str] = {}
    faces: dict[str, Face] = {}
    missing: list[str] = []
    needed = sorted({c for text in texts for c in text if c.isprintable() and not c.isspace()})
    for char in needed:
        if ord(char) in shipped.codepoints:
            continue
        face = system_face_with(ord(char))
        if face is None:
            missing.append(char)
            continue
        faces[char] = face
        fallbacks[char] = face.family
        if face.family not in families:
            families.append(face.family)
    return FontChoice(families, fallbacks, missing, faces)
