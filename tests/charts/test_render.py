"""The diagnosis and ranking charts: valid, deterministic PNGs whose Chinese is drawn with
the shipped font (no boxes), with None values and unknown characters handled."""

from __future__ import annotations

import logging
import struct
import warnings
from importlib import resources
from pathlib import Path

import pytest
from matplotlib import font_manager
from matplotlib.backends import backend_agg
from matplotlib.ft2font import FT2Font
from matplotlib.text import Text

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
from copilot.charts import render as render_module
from copilot.charts.typeface import choose_fonts, shipped_font
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


def _glyph_warnings(records: list[warnings.WarningMessage]) -> list[str]:
    return [str(r.message) for r in records if "missing from font" in str(r.message)]


def test_font_ships_as_package_data() -> None:
    folder = resources.files("copilot.charts") / "fonts"
    assert (folder / "NotoSansSC-Subset.otf").is_file()
    assert "SIL OPEN FONT LICENSE Version 1.1" in (folder / "OFL.txt").read_text("utf-8")
    font = shipped_font()
    assert font.path.stat().st_size < 5_000_000
    assert font.family == "Noto Sans SC Subset"
    assert font_manager.findfont(font_manager.FontProperties(family=font.family),
                                 fallback_to_default=False) == str(font.path)


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


def test_diagnosis_chart_is_a_png_of_the_agreed_size() -> None:
    png = render_diagnosis_chart(_data())
    assert _png_size(png) == (1200, 720)


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
    assert b"matplotlib" not in first  # no version in the metadata


def test_chinese_is_drawn_with_the_shipped_font_and_nothing_falls_back(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    used: list[tuple[str, ...]] = []
    real_get_font = backend_agg.get_font

    def spy(paths, *args, **kwargs):  # type: ignore[no-untyped-def]
        used.append(tuple(str(getattr(p, "path", p)) for p in paths))
        return real_get_font(paths, *args, **kwargs)

    monkeypatch.setattr(backend_agg, "get_font", spy)
    caplog.set_level(logging.INFO, logger="matplotlib")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        diagnosis = diagnosis_chart(_data())
        ranking = ranking_chart("华北区 复购率排名", STORES, "rate", highlight="北京朝阳大悦城店")
    assert _glyph_warnings(records) == []
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    for image in (diagnosis, ranking):
        assert image.warnings == [] and image.fallbacks == {}
    assert used and {paths for paths in used} == {(str(shipped_font().path),)}


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


def test_none_values_draw_no_marker_and_say_no_data() -> None:
    rows = [
        MetricRow(name="复购率", unit="rate", store=None, previous=0.2, region_avg=None,
                  chain_avg=0.25, abnormal=True),
        MetricRow(name="客单价", unit="money", store=1200.0, previous=None, region_avg=1100.0,
                  chain_avg=None),
        MetricRow(name="连带率", unit="ratio", store=None, previous=None, region_avg=None,
                  chain_avg=None),
    ]
    figure = render_module._build_diagnosis(_data(rows))
    chart = figure.axes[0]
    assert [bar.get_width() for bar in chart.patches] == []  # nothing is comparable
    markers = [line.get_marker() for line in chart.lines if line.get_marker() != "None"]
    assert markers == ["o"]  # only the first row's previous period
    texts = [t.get_text() for t in figure.findobj(Text)]
    assert sum("无数据" in t for t in texts) >= 8
    image = diagnosis_chart(_data(rows))
    assert _png_size(image.png)[0] == 1200 and image.warnings == []
    empty = diagnosis_chart(_data([]))
    assert empty.png.startswith(PNG_SIGNATURE)


def test_ranking_handles_none_unknown_highlight_and_bad_unit() -> None:
    image = ranking_chart("排名", [("甲店", None), ("乙店", None)], "money", highlight="丙店")
    assert image.png.startswith(PNG_SIGNATURE)
    assert image.warnings == ["要高亮的门店“丙店”不在排名中"]
    with pytest.raises(ValueError, match="unit"):
        render_ranking_chart("排名", STORES, "percent")


def test_character_outside_the_subset_falls_back_to_a_system_font() -> None:
    dejavu = FT2Font(font_manager.findfont("DejaVu Sans")).get_charmap()
    char = next(c for c in "✓☂♞⚑ΩЖ" if ord(c) not in shipped_font().codepoints
                and ord(c) in dejavu)
    image = ranking_chart("排名", [(f"北京{char}店", 0.3)], "rate")
    assert image.warnings == []
    assert set(image.fallbacks) == {char}
    assert choose_fonts([char]).families[0] == shipped_font().family


def test_character_in_no_font_is_reported_not_fatal() -> None:
    if choose_fonts([NOT_IN_ANY_FONT]).fallbacks:
        pytest.skip("this machine has a font with CJK extension B")
    with warnings.catch_warnings(record=True) as records:
        warnings.simplefilter("always")
        image = diagnosis_chart(_data([MetricRow(name=f"复购率{NOT_IN_ANY_FONT}", unit="rate",
                                                 store=0.2, chain_avg=0.25)]))
    assert image.png.startswith(PNG_SIGNATURE)
    assert len(image.warnings) == 1 and "U+20000" in image.warnings[0]
    assert _glyph_warnings(records) == []  # reported once, in the list, not as a warning
    assert Path(shipped_font().path).is_file()
