"""The map (healthdash/ui/maps.py) as a user opens it: drawn on the Overview, the public-health page and the
county profile from inline outlines only (no URL: it works offline), with pass or fail written per area."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import duckdb
import pytest

from healthdash.ingest import boundaries
from healthdash.ui.chart_cache import ChartSpec
from healthdash.ui.chart_export import chart_png, chart_svg
from tests.support.app import open_page

# A spec that names any of these would fetch something: data by URL, or map tiles.
FETCHES = ('"url"', "http://", "https://")


def geoshape_specs(at) -> list[dict]:
    specs = [json.loads(chart.proto.spec) for chart in at.get("vega_lite_chart")]
    return [spec for spec in specs if '"geoshape"' in json.dumps(spec)]


@pytest.mark.parametrize(("page", "query", "areas"), [
    (None, {"city": "510300"}, 6),
    ("pages/public_health.py", {"city": "510300"}, 6),
    ("pages/county_profile.py", {"city": "510300", "county": "510321"}, 6),
    (None, {}, 5),
])
def test_the_map_draws_every_area_from_inline_data(demo_db: Path, monkeypatch: pytest.MonkeyPatch,
                                                    page: str | None, query: dict, areas: int) -> None:
    at = open_page(demo_db, monkeypatch, page, query)
    [spec] = geoshape_specs(at)
    # The $schema address is a name the renderer never fetches; anything else addressed would be fetched.
    text = json.dumps({key: value for key, value in spec.items() if key != "$schema"}, ensure_ascii=False)
    assert not [part for part in FETCHES if part in text]
    # A province of far-apart cities is drawn in the plane, its cities side by side; one city as a map.
    assert spec["projection"]["type"] == ("mercator" if query else "identity")
    shapes, labels = spec["layer"][0]["data"]["values"], spec["layer"][1]["data"]["values"]
    assert len(shapes) == len(labels) == areas
    # Pass or fail is written on every area with a value, not only coloured.
    assert all(label["label"].split("\n")[1][0] in "✓✗" for label in labels if "\n" in label["label"])
    assert any("示意图" in caption.value for caption in at.caption)


def test_the_map_of_six_counties_says_which_place_has_no_outline(demo_db: Path,
                                                                monkeypatch: pytest.MonkeyPatch) -> None:
    at = open_page(demo_db, monkeypatch, None, {"city": "341500"})
    [spec] = geoshape_specs(at)
    assert len(spec["layer"][0]["data"]["values"]) == 7  # 六安's eight places but 开发区
    assert any("开发区" in caption.value and "示意图" in caption.value for caption in at.caption)


def test_the_map_downloads_as_an_image_and_a_table(demo_db: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The map's download row offers PNG, SVG, CSV and Excel; the SVG made from the map draws every area
    with its name as text (the file export renders inline outlines offline, like the page)."""
    at = open_page(demo_db, monkeypatch, None, {"city": "510300"})
    offered = {button.proto.id.rsplit("-dl_map_map_", 1)[1] for button in at.get("download_button")
               if "-dl_map_map_" in button.proto.id}
    assert offered == {"png", "svg", "csv", "xlsx"}
    [spec] = geoshape_specs(at)
    svg = chart_svg(ChartSpec(spec), "自贡市")
    names = [label["label"].split("\n")[0] for label in spec["layer"][1]["data"]["values"]]
    assert len(names) == 6 and all(f">{name}<" in svg for name in names)
    assert chart_png(ChartSpec(spec), "自贡市")[:8] == b"\x89PNG\r\n\x1a\n"


def test_a_town_map_is_drawn_only_where_towns_have_outlines(demo_db: Path, tmp_path: Path,
                                                          monkeypatch: pytest.MonkeyPatch) -> None:
    """The demo's towns have no outlines: the county profile says so and draws only the county map. Once the
    commission gives its towns their codes and loads their outlines, the profile draws a town map too."""
    profile = ("pages/county_profile.py", {"city": "510300", "county": "510321"})
    at = open_page(demo_db, monkeypatch, *profile)
    assert len(geoshape_specs(at)) == 1
    assert any("不绘制乡镇地图" in caption.value for caption in at.caption)

    db = tmp_path / "towns.duckdb"
    shutil.copyfile(demo_db, db)
    with duckdb.connect(str(db)) as con:
        towns = [code for (code,) in con.execute(
            "select code from region where level = 'town' and parent_code = '510321' order by code").fetchall()]
        for number, code in enumerate(towns, start=1):
            con.execute("update region set adcode = ? where code = ?", [f"510321{number:03d}", code])
    outlines = [{"type": "Feature", "properties": {"adcode": f"510321{number:03d}"}, "geometry": {
        "type": "Polygon", "coordinates": [[[104.0 + number / 10, 29.3], [104.1 + number / 10, 29.3],
                                            [104.1 + number / 10, 29.4], [104.0 + number / 10, 29.4],
                                            [104.0 + number / 10, 29.3]]]}} for number in range(1, len(towns) + 1)]
    boundaries.load(db, json.dumps({"type": "FeatureCollection", "features": outlines}).encode(), "荣县乡镇.geojson",
                    None, limit_mb=5, loaded_by="张三")
    at = open_page(db, monkeypatch, *profile)
    county_map, town_map = geoshape_specs(at)
    assert len(town_map["layer"][0]["data"]["values"]) == len(towns) > 1
    assert not any("不绘制乡镇地图" in caption.value for caption in at.caption)


def test_the_province_map_draws_every_county_when_asked_and_back(demo_db: Path,
                                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    """At the province the map shows its cities; 地图单元 区县 draws every county with an outline at once (its
    mark written on it, its name on hover), kept in the URL; 地市 again goes back to the cities."""
    with duckdb.connect(str(demo_db), read_only=True) as con:
        (counties,) = con.execute(
            "select count(*) from region r join region_boundary b on b.adcode = r.adcode "
            "where r.level = 'county' and r.in_scope").fetchone()
    at = open_page(demo_db, monkeypatch, None, {})
    [spec] = geoshape_specs(at)
    assert len(spec["layer"][0]["data"]["values"]) == 5
    [units] = [widget for widget in at.get("button_group") if widget.label == "地图单元"]
    units.set_value("county").run()
    assert not at.exception
    [spec] = geoshape_specs(at)
    shapes, labels = spec["layer"][0]["data"]["values"], spec["layer"][1]["data"]["values"]
    # The demo's cities lie in four provinces: set side by side, each named above its counties, and said so.
    marks, titles = labels[:counties], labels[counties:]
    assert counties > 20 and len(shapes) == len(marks) == counties
    assert {label["label"] for label in marks} <= {"✓", "✗", ""} and {"✓", "✗"} & {label["label"] for label in marks}
    assert sorted(title["label"] for title in titles) == sorted(["六安市", "焦作市", "柳州市", "自贡市", "雅安市"])
    assert spec["projection"] == {"type": "identity", "reflectY": True}
    assert any("并排示意" in caption.value for caption in at.caption)
    assert at.query_params.get("map_units") == "county"
    [units] = [widget for widget in at.get("button_group") if widget.label == "地图单元"]
    units.set_value("city").run()
    [spec] = geoshape_specs(at)
    assert len(spec["layer"][0]["data"]["values"]) == 5 and "map_units" not in at.query_params
