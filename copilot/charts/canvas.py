"""Drawing primitives for the charts: text, boxes, lines and markers on a Pillow image.

Why not matplotlib: a chart took 130-190 ms there (figure setup, artist draw, PNG), too
slow for a tool that must answer in 50 ms. Our charts are a handful of boxes and labels at
known positions, so we place them ourselves.

Why glyph by glyph: Pillow renders a string anew on every call and has no font fallback.
Each character is rendered once per (face, size, weight) into a cached coverage mask and
then pasted in the text's colour, which both makes text cheap and lets a character the
shipped font lacks come from a system face. Cached fonts, glyphs and marker masks are never
modified after creation, so a `Canvas` per chart is all the mutable state there is, and
charts can be drawn from several threads. No timestamps or text chunks go into the PNG, so
identical charts give identical bytes.
"""

from __future__ import annotations

import functools
import io
import itertools
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from PIL import Image, ImageDraw, ImageFont

from copilot.charts.typeface import Face, shipped_font

Color = tuple[int, int, int]
Marker = Literal["diamond", "circle"]
DPI = 120
PNG_COMPRESS_LEVEL = 3  # zlib; with the palette (see png()): ~4-5 ms, ~45 kB per diagnosis
WHITE: Color = (255, 255, 255)
BOLD_STROKE = 0.6  # px; the shipped font has one weight, a thin outline reads as bold
SUPERSAMPLE = 4  # markers are drawn 4x larger and box-filtered down: smooth edges
# Noto Sans CJK's ideographic em box spans 0.88 em above the baseline to 0.12 em below:
# anchoring on it centres hanzi and digits alike.
ASCENT, DESCENT = 0.88, 0.12
ELLIPSIS = "…"


def rgb(hex_color: str) -> Color:
    """'#rrggbb' as an (r, g, b) tuple, the form Pillow pastes fastest."""
    value = int(hex_color.lstrip("#"), 16)
    return (value >> 16) & 255, (value >> 8) & 255, value & 255


@dataclass(frozen=True)
class Glyph:
    """A character's coverage mask (None when it draws nothing, like a space), where the
    mask's top-left lies relative to the pen on the baseline, and how far the pen moves."""

    mask: Image.Image | None
    left: int
    top: int
    advance: float


@functools.lru_cache(maxsize=64)
def _font(path: str, index: int, size: float) -> ImageFont.FreeTypeFont:
    """A loaded face at one pixel size; basic layout (no shaping needed for our labels)."""
    return ImageFont.truetype(path, size, index=index, layout_engine=ImageFont.Layout.BASIC)


@functools.lru_cache(maxsize=8192)
def _glyph(path: str, index: int, size: float, char: str, stroke: float) -> Glyph:
    """Render one character once; `stroke` > 0 adds an outline of that radius (bold)."""
    font = _font(path, index, size)
    box = font.getbbox(char, anchor="ls", stroke_width=stroke)  # floats when stroked
    left, top, right, bottom = (math.floor(box[0]), math.floor(box[1]), math.ceil(box[2]),
                                math.ceil(box[3]))
    advance = font.getlength(char)
    if right <= left or bottom <= top:
        return Glyph(None, 0, 0, advance)
    mask = Image.new("L", (right - left, bottom - top), 0)
    ImageDraw.Draw(mask).text((-left, -top), char, fill=255, font=font, anchor="ls",
                              stroke_width=stroke, stroke_fill=255)
    return Glyph(mask, left, top, advance)


@functools.lru_cache(maxsize=32)
def _marker_masks(kind: Marker, size: float) -> tuple[Image.Image, Image.Image | None]:
    """Coverage masks for a marker of `size` px across: (ink, white edge or None)."""
    big = math.ceil(size + 4) * SUPERSAMPLE  # room for the white edge
    mid, r = big / 2, size * SUPERSAMPLE / 2
    ink, edge = Image.new("L", (big, big), 0), None
    if kind == "diamond":
        edge = Image.new("L", (big, big), 0)
        outer = r + 1.2 * SUPERSAMPLE
        ImageDraw.Draw(edge).polygon(_diamond(mid, outer), fill=255)
        ImageDraw.Draw(ink).polygon(_diamond(mid, r), fill=255)
        edge = edge.reduce(SUPERSAMPLE)
    else:
        ring = round(0.2 * size * SUPERSAMPLE)
        ImageDraw.Draw(ink).ellipse((mid - r, mid - r, mid + r, mid + r), outline=255,
                                    width=ring)
    return ink.reduce(SUPERSAMPLE), edge


def _diamond(mid: float, r: float) -> list[tuple[float, float]]:
    return [(mid, mid - r), (mid + r, mid), (mid, mid + r), (mid - r, mid)]


@functools.lru_cache(maxsize=64)
def palette_entries(colors: tuple[Color, ...]) -> tuple[int, ...]:
    """A palette for a chart drawn in `colors`: each of them, plus evenly spaced blends of
    every pair (antialiased edges are such blends), as many as fit in 256 entries.

    Pillow maps a pixel to the entry nearest the low corner of its 4x4x4 colour cell, up
    to 3 levels per channel off; blends closer than 11 to a drawn colour are left out so
    that white stays white and bars and bands keep their exact colours."""
    pairs = list(itertools.combinations(colors, 2))
    steps = max(1, (256 - len(colors)) // max(len(pairs), 1) + 1)
    entries = dict.fromkeys(colors)
    for a, b in pairs:
        for k in range(1, steps):
            t = k / steps
            blend = (round(a[0] + (b[0] - a[0]) * t), round(a[1] + (b[1] - a[1]) * t),
                     round(a[2] + (b[2] - a[2]) * t))
            if all(sum((x - y) ** 2 for x, y in zip(blend, c, strict=True)) >= 121
                   for c in colors):
                entries.setdefault(blend)
    return tuple(v for color in list(entries)[:256] for v in color)


class Canvas:
    """One chart being drawn: a white RGB image plus a log of what was drawn, so tests
    (and debugging) can check content without reading pixels. Not shared between threads.

    `faces` maps characters the shipped font lacks to the system face that draws them.
    """

    def __init__(self, width: int, height: int,
                 faces: Mapping[str, Face] | None = None) -> None:
        self.image = Image.new("RGB", (width, height), WHITE)
        self._colors: dict[Color, None] = {WHITE: None}  # in order of first use
        self.width, self.height = width, height
        self._draw = ImageDraw.Draw(self.image)
        self._faces = dict(faces or {})
        self._shipped = shipped_font().face
        self.log: list[tuple[str, str]] = []

    def _glyphs(self, text: str, size: float, bold: bool) -> list[Glyph]:
        stroke = BOLD_STROKE if bold else 0.0
        glyphs = []
        for char in text:
            face = self._faces.get(char, self._shipped)
            glyphs.append(_glyph(str(face.path), face.index, size, char, stroke))
        return glyphs

    def measure(self, text: str, size: float, bold: bool = False) -> float:
        """Width in px the text will take (sum of advances, as drawn)."""
        return sum(g.advance for g in self._glyphs(text, size, bold))

    def fit(self, text: str, size: float, width: float, bold: bool = False) -> str:
        """`text`, shortened with an ellipsis if it is wider than `width`."""
        if self.measure(text, size, bold) <= width:
            return text
        while text and self.measure(text + ELLIPSIS, size, bold) > width:
            text = text[:-1]
        return text + ELLIPSIS

    def text(self, x: float, y: float, text: str, size: float, color: Color,
             anchor: str = "lm", bold: bool = False) -> float:
        """Draw `text` at px `size`; `anchor` is horizontal l/m/r then vertical t/m/b/s
        (top, middle, bottom of the em box, or baseline) like Pillow's. Returns the width."""
        glyphs = self._glyphs(text, size, bold)
        width = sum(g.advance for g in glyphs)
        self._colors.setdefault(color)
        pen = x - {"l": 0.0, "m": width / 2, "r": width}[anchor[0]]
        base = y + {"t": ASCENT * size, "m": (ASCENT - DESCENT) / 2 * size,
                    "b": -DESCENT * size, "s": 0.0}[anchor[1]]
        baseline = round(base)
        for glyph in glyphs:
            if glyph.mask is not None:
                self.image.paste(color, (round(pen) + glyph.left, baseline + glyph.top),
                                 glyph.mask)
            pen += glyph.advance
        self.log.append(("text", text))
        return width

    def rect(self, x0: float, y0: float, x1: float, y1: float, color: Color,
             what: str = "box") -> None:
        """A filled axis-aligned box; corners are rounded to whole pixels."""
        self._colors.setdefault(color)
        left, right = sorted((round(x0), round(x1)))
        top, bottom = sorted((round(y0), round(y1)))
        if right > left and bottom > top:
            self._draw.rectangle((left, top, right - 1, bottom - 1), fill=color)
        self.log.append((what, f"{x0:.0f},{y0:.0f},{x1:.0f},{y1:.0f}"))

    def hline(self, x0: float, x1: float, y: float, color: Color, width: int = 1) -> None:
        top = round(y - width / 2)
        self.rect(x0, top, x1, top + width, color, "line")

    def vline(self, x: float, y0: float, y1: float, color: Color, width: int = 1,
              dash: tuple[int, int] | None = None) -> None:
        """A vertical line, solid or dashed (`dash` = (on, off) px)."""
        left = round(x - width / 2)
        if dash is None:
            self.rect(left, y0, left + width, y1, color, "line")
            return
        on, off = dash
        self._colors.setdefault(color)
        y = round(y0)
        while y < y1:
            self._draw.rectangle((left, y, left + width - 1, min(y + on, round(y1)) - 1),
                                 fill=color)
            y += on + off
        self.log.append(("line", f"dashed {x:.0f}"))

    def marker(self, kind: Marker, x: float, y: float, size: float, color: Color,
               what: str = "marker") -> None:
        """A smooth `kind` marker `size` px across centred on (x, y): a filled diamond with
        a white edge, or a hollow circle."""
        ink, edge = _marker_masks(kind, size)
        self._colors.setdefault(color)
        corner = (round(x - ink.width / 2), round(y - ink.height / 2))
        if edge is not None:
            self.image.paste(WHITE, corner, edge)
        self.image.paste(color, corner, ink)
        self.log.append((what, kind))

    def png(self) -> bytes:
        """The image as a palette PNG, fixed 120 dpi, no time or text chunks.

        Why a palette: Pillow filters every row of an RGB PNG five ways before deflating,
        ~14 ms for a 1200x720 chart; mapping to a palette of the chart's own colours and
        their blends costs ~1 ms, encodes in ~2-3 ms, halves the file and looks the same
        (no dithering: flat areas stay flat).
        """
        palette = Image.new("P", (1, 1))
        palette.putpalette(palette_entries(tuple(self._colors)))
        indexed = self.image.quantize(palette=palette, dither=Image.Dither.NONE)
        buffer = io.BytesIO()
        indexed.save(buffer, format="PNG", compress_level=PNG_COMPRESS_LEVEL, dpi=(DPI, DPI))
        return buffer.getvalue()
