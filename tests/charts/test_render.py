"""The diagnosis and ranking charts: valid, deterministic PNGs whose Chinese is drawn with
the shipped font (no boxes), with None values and unknown characters handled."""

from __future__ import annotations

import struct
import warnings
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pytest
from PIL import Image, ImageDraw, ImageFont

from copilot.analytics.definitions import all_definitions
from copilot.charts import (
    DiagnosisChartData,
    MetricRow,
    diagnosis_chart,
    format_value,
    ranking_chart,
    render_diagnosis_chart,
    render_ranking_chart,
)
from copilot.charts import canvas as canvas_module
from copilot.charts.canvas import Canvas
from copilot.charts.diagnosis import draw_diagnosis, height_px
from copilot.charts.ranking import draw_ranking
from copilot.charts.style import nice_ticks, tick_label
from copilot.charts.typeface import choose_fonts, shipped_font, system_face_with
from copilot.config import MetricWindows
from copilot.data.demo.places import CITIES, MALL_BRANDS

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
NOT_IN_ANY_FONT = "\U00020000"  # 𠀀, CJK extension B: outside GB2312 and our sources

STORES = [
    ("北京朝阳大悦城店", 0.186), ("北京西单大悦城店", 0.262), ("北京三里屯太古里店", 0.291),
    ("天津和平大悦城店", 0.233), ("石家庄长安北国商城店", 0.205), ("呼和浩特新城维多利店", None),
]


def _rows() -> list[MetricRow]:
    return [
        MetricRow(name="活跃会员数", unit="count", store=3812, previous=3655, region_avg=3420,
                  chain_avg=3150),
        MetricRow(name="复购率", unit="rate", store=0.186, previous=0.241, region_avg=0.238,
                  chain_avg=0.252, abnormal=True),
        MetricRow(name="流失率(近180天无消费)", unit="rate", store=0.412, previous=0.356,
                  region_avg=0.338, chain_avg=0.321, abnormal=True, direction="lower_better"),
        MetricRow(name="转化率(入会30天内首购)", unit="rate", store=0.583, previous=0.561,
                  region_avg=0.547, chain_avg=0.552),
        MetricRow(name="新增占比", unit="rate", store=0.142, previous=0.118, region_avg=0.12,
                  chain_avg=0.109, abnormal=True),
        MetricRow(name="会员销售占比", unit="rate", store=0.674, previous=0.662,
                  region_avg=0.651, chain_avg=0.638),
        MetricRow(name="客单价", unit="money", store=1234.5, previous=1190.0, region_avg=1105.0,
                  chain_avg=1168.0),
        MetricRow(name="连带率", unit="ratio", store=1.85, previous=1.92, region_avg=2.04,
                  chain_avg=2.11),
    ]


def _data(rows: list[MetricRow] | None = None) -> DiagnosisChartData:
    return DiagnosisChartData(title="北京朝阳大悦城店 诊断 2026-10-01 ~ 2026-10-31",
                              metrics=_rows() if rows is None else rows)


def _png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def _chunks(png: bytes) -> list[bytes]:
    kinds, at = [], 8
    while at < len(png):
        length = struct.unpack(">I", png[at:at + 4])[0]
        kinds.append(png[at + 4:at + 8])
        at += 12 + length
    return kinds


@pytest.fixture
def fonts_loaded(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The font files glyphs are rendered from, from a cold glyph cache on."""
    used: list[str] = []
    real = canvas_module._font

    def spy(path: str, index: int, size: float) -> ImageFont.FreeTypeFont:
        used.append(path)
        return real(path, index, size)

    canvas_module._glyph.cache_clear()
    monkeypatch.setattr(canvas_module, "_font", spy)
    yield used
    canvas_module._glyph.cache_clear()  # drop glyphs cached through the spy


def test_font_ships_as_package_data() -> None:
    folder = resources.files("copilot.charts") / "fonts"
    assert (folder / "NotoSansSC-Subset.otf").is_file()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text("utf-8")
    font = shipped_font()
    assert font.path.stat().st_size < 5_000_000
    assert font.family == "Noto Sans SC Subset"
    assert ImageFont.truetype(str(font.path), 12).getname() == ("Noto Sans SC Subset", "Regular")


def test_subset_covers_gb2312_and_every_name_we_ship() -> None:
    gb2312 = []
    for row in range(0xB0, 0xF8):
        for col in range(0xA1, 0xFF):
            try:
                gb2312.append(bytes((row, col)).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    assert len(gb2312) == 6763
    names = [*MALL_BRANDS, *(d.name_zh + d.zh for d in all_definitions(MetricWindows()))]
    for region, cities in CITIES.items():
        names.append(region)
        for city, (malls, districts) in cities.items():
            names += [city, *malls, *districts]
    text = "".join(gb2312 + names) + "¥，：；（）％～、。《》“”—…·0123456789"
    lacking = {c for c in text if ord(c) not in shipped_font().codepoints}
    assert not lacking


def test_cmap_reader_agrees_with_freetype() -> None:
    # FreeType draws an unmapped character as the .notdef box: a code point we read as
    # mapped must draw something else, one we read as unmapped must draw exactly the box.
    # Basic layout, as the charts use: raqm would map compatibility ideographs to others.
    font = ImageFont.truetype(str(shipped_font().path), 16,
                              layout_engine=ImageFont.Layout.BASIC)

    def drawn(char: str) -> bytes:
        image = Image.new("L", (32, 32))
        ImageDraw.Draw(image).text((4, 4), char, fill=255, font=font)
        return image.tobytes()

    notdef = drawn("\ue000")
    mapped = shipped_font().codepoints
    assert len(mapped) > 7000 and 0xE000 not in mapped
    for codepoint in [*range(0x20, 0x3000, 37), *range(0x3000, 0x10000, 97), 0x20000]:
        drawn_as_box = drawn(chr(codepoint)) == notdef
        assert drawn_as_box == (codepoint not in mapped), hex(codepoint)


def test_diagnosis_chart_is_a_png_of_the_agreed_size() -> None:
    png = render_diagnosis_chart(_data())
    assert _png_size(png) == (1200, 720)
    assert _png_size(render_diagnosis_chart(_data(_rows()[:3])))[1] < 720  # no giant rows


def test_ranking_chart_is_a_png_and_grows_with_many_stores() -> None:
    assert _png_size(render_ranking_chart("华北区 复购率排名", STORES, "rate")) == (1200, 720)
    many = [(f"门店{i}", i / 100) for i in range(40)]
    width, height = _png_size(render_ranking_chart("全连锁 复购率排名", many, "rate"))
    assert width == 1200 and height > 720


def test_identical_input_gives_identical_bytes() -> None:
    assert render_diagnosis_chart(_data()) == render_diagnosis_chart(_data())
    first = render_ranking_chart("华北区 复购率排名", STORES, "rate", highlight="北京朝阳大悦城店")
    assert first == render_ranking_chart("华北区 复购率排名", STORES, "rate",
                                         highlight="北京朝阳大悦城店")
    assert set(_chunks(first)) <= {b"IHDR", b"PLTE", b"pHYs", b"IDAT", b"IEND"}  # no time


def test_charts_drawn_from_several_threads_match() -> None:
    def both(i: int) -> tuple[bytes, bytes]:
        rows = STORES[: 2 + i % 5]
        return render_diagnosis_chart(_data()), render_ranking_chart("排名", rows, "rate")

    alone = [both(i) for i in range(8)]
    with ThreadPoolExecutor(4) as pool:
        assert list(pool.map(both, range(8))) == alone


def test_chinese_is_drawn_with_the_shipped_font_and_nothing_falls_back(
    fonts_loaded: list[str],
) -> None:
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        diagnosis = diagnosis_chart(_data())
        ranking = ranking_chart("华北区 复购率排名", STORES, "rate", highlight="北京朝阳大悦城店")
    assert [str(r.message) for r in records] == []
    for image in (diagnosis, ranking):
        assert image.warnings == [] and image.fallbacks == {}
    assert fonts_loaded and set(fonts_loaded) == {str(shipped_font().path)}


def test_different_hanzi_give_different_pixels() -> None:
    # Were the hanzi boxes (no CJK glyphs), these two charts would be pixel-identical.
    a = render_ranking_chart("排名", [("复购率店", 0.5)], "rate")
    b = render_ranking_chart("排名", [("流失率店", 0.5)], "rate")
    assert a != b


@pytest.mark.parametrize(
    ("value", "unit", "text"),
    [(0.2344, "rate", "23.4%"), (1234.4, "money", "¥1,234"), (1.849, "ratio", "1.85"),
     (12345, "count", "12,345"), (None, "rate", "无数据")],
)
def test_values_are_formatted_per_unit(value: float | None, unit: str, text: str) -> None:
    assert format_value(value, unit) == text


def test_axis_ticks_are_round_and_labelled_per_unit() -> None:
    ticks, step = nice_ticks(0.0, 0.3364, 8)
    assert step == pytest.approx(0.05)
    assert [tick_label(t, "rate", step) for t in ticks] == ["0%", "5%", "10%", "15%", "20%",
                                                            "25%", "30%"]
    ticks, step = nice_ticks(66.0, 134.0, 8)
    assert ticks == [70, 80, 90, 100, 110, 120, 130]
    ticks, step = nice_ticks(0.0, 1.0, 8)
    assert [tick_label(t, "money", step) for t in ticks][:2] == ["¥0.0", "¥0.2"]
    assert tick_label(2500, "count", 500) == "2,500"
    assert tick_label(1.5, "ratio", 0.5) == "1.5"


def test_none_values_draw_no_marker_and_say_no_data() -> None:
    rows = [
        MetricRow(name="复购率", unit="rate", store=None, previous=0.2, region_avg=None,
                  chain_avg=0.25, abnormal=True),
        MetricRow(name="客单价", unit="money", store=1200.0, previous=None, region_avg=1100.0,
                  chain_avg=None),
        MetricRow(name="连带率", unit="ratio", store=None, previous=None, region_avg=None,
                  chain_avg=None),
    ]
    canvas = Canvas(1200, height_px(_data(rows)))
    draw_diagnosis(canvas, _data(rows))
    assert [what for kind, what in canvas.log if kind == "bar"] == []  # nothing comparable
    assert [what for kind, what in canvas.log if kind == "marker"] == ["circle"]  # row 1
    texts = [what for kind, what in canvas.log if kind == "text"]
    assert sum("无数据" in t for t in texts) >= 8 and "无数据（缺全连锁平均）" in texts
    image = diagnosis_chart(_data(rows))
    assert _png_size(image.png)[0] == 1200 and image.warnings == []
    empty = diagnosis_chart(_data([]))
    assert _png_size(empty.png)[0] == 1200


def test_ranking_handles_none_unknown_highlight_and_bad_unit() -> None:
    image = ranking_chart("排名", [("甲店", None), ("乙店", None)], "money", highlight="丙店")
    assert image.png.startswith(PNG_SIGNATURE)
    assert image.warnings == ["要高亮的门店“丙店”不在排名中"]
    canvas = Canvas(1200, 720)
    draw_ranking(canvas, "排名", [("甲店", None), ("乙店", 0.2)], "rate", "甲店")
    texts = [what for kind, what in canvas.log if kind == "text"]
    assert texts.count("无数据") == 1 and "–" in texts and "20.0%" in texts
    assert len([kind for kind, _ in canvas.log if kind == "bar"]) == 1
    with pytest.raises(ValueError, match="unit"):
        render_ranking_chart("排名", STORES, "percent")


def test_long_names_are_shortened_not_clipped() -> None:
    name = "北京朝阳大悦城" * 12 + "店"
    canvas = Canvas(1200, 720)
    draw_ranking(canvas, name, [(name, 0.3), ("乙店", 0.2)], "rate", None)
    shortened = [what for kind, what in canvas.log if kind == "text" and what.endswith("…")]
    assert len(shortened) == 2  # the title and the store label
    assert all(canvas.measure(t, 25.0, bold=True) <= 1200 for t in shortened)


def test_character_outside_the_subset_falls_back_to_a_system_font(
    fonts_loaded: list[str],
) -> None:
    candidates = [c for c in "☂♞⚑ΩЖ" if ord(c) not in shipped_font().codepoints]
    found = [(c, face) for c in candidates if (face := system_face_with(ord(c))) is not None]
    if not found:
        pytest.skip("no system font on this machine has any of " + "".join(candidates))
    char, face = found[0]
    image = ranking_chart("排名", [(f"北京{char}店", 0.3)], "rate")
    assert image.warnings == []
    assert image.fallbacks == {char: face.family}
    assert str(face.path) in fonts_loaded  # the character came from the system face
    choice = choose_fonts([char])
    assert choice.families == [shipped_font().family, face.family]
    assert choice.faces == {char: face}


def test_character_in_no_font_is_reported_not_fatal() -> None:
    if choose_fonts([NOT_IN_ANY_FONT]).fallbacks:
        pytest.skip("this machine has a font with CJK extension B")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        image = diagnosis_chart(_data([MetricRow(name=f"复购率{NOT_IN_ANY_FONT}", unit="rate",
                                                 store=0.2, chain_avg=0.25)]))
    assert image.png.startswith(PNG_SIGNATURE)
    assert len(image.warnings) == 1 and "U+20000" in image.warnings[0]
    assert [str(r.message) for r in records] == []  # reported once, in the list
    assert Path(shipped_font().path).is_file()
