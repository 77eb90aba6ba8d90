"""Reading and simplifying boundary files (healthdash/core/geo.py): what a data officer's file may hold."""

from __future__ import annotations

import json

import pytest

from healthdash.core.geo import BoundaryError, has_outline, label_point, read_areas, simplify


def square(x: float, y: float, size: float = 1.0, points: int = 4) -> list[list[float]]:
    """A closed square ring with `points` points per side (the extra ones on the straight sides)."""
    corners = [(x, y), (x + size, y), (x + size, y + size), (x, y + size), (x, y)]
    ring = []
    for (x0, y0), (x1, y1) in zip(corners, corners[1:], strict=False):
        ring += [[x0 + (x1 - x0) * i / points, y0 + (y1 - y0) * i / points] for i in range(points)]
    return [*ring, ring[0]]


def collection(*features: dict) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features)}).encode()


def feature(properties: dict, ring: list | None = None) -> dict:
    return {"type": "Feature", "properties": properties,
            "geometry": {"type": "Polygon", "coordinates": [ring or square(104.0, 29.0)]}}


def test_codes_are_read_from_the_usual_properties() -> None:
    areas = read_areas(collection(
        feature({"adcode": 510321, "name": "荣县"}),
        feature({"gb": "156510322", "name": "富顺县"}),  # Tianditu: 156 + adcode
        feature({"行政区划代码": "510302000000", "名称": "自流井区"}),  # 12-digit statistical code
        feature({"code": "510321101"}),  # a town
    ))
    assert [(a.code, a.name) for a in areas] == [("510321", "荣县"), ("510322", "富顺县"), ("510302", "自流井区"),
                                                 ("510321101", "")]


@pytest.mark.parametrize(("raw", "problem"), [
    (b"\xff\xfe not json", "not_json"),
    (b'{"type": "Feature"}', "not_collection"),
    (collection(), "no_features"),
    (collection(feature({"name": "荣县"})), "bad_code"),
    (collection(feature({"adcode": "5103"})), "bad_code"),
    (collection({"type": "Feature", "properties": {"adcode": "510321"},
                 "geometry": {"type": "Point", "coordinates": [104, 29]}}), "bad_geometry"),
    (collection(feature({"adcode": "510321"}, [[104, 29], [105, 29], [104, 29]])), "bad_geometry"),
    # Projected metres (a CGCS2000 Gauss-Kruger export), not degrees.
    (collection(feature({"adcode": "510321"}, square(35_500_000.0, 3_250_000.0, 1000.0))), "not_degrees"),
    (collection(feature({"adcode": "510321"}), feature({"adcode": "510321"})), "duplicate"),
])
def test_a_bad_file_is_refused_with_its_reason(raw: bytes, problem: str) -> None:
    with pytest.raises(BoundaryError) as refused:
        read_areas(raw)
    assert refused.value.code == problem


def test_simplification_drops_points_on_straight_lines_and_keeps_rings_closed() -> None:
    ring = square(104.0, 29.0, 0.1, points=50)
    [[simplified]] = simplify([[ring]], 0.001)
    assert len(simplified) == 5 and simplified[0] == simplified[-1]
    # An island smaller than the tolerance goes; the area keeps its main outline.
    kept = simplify([[ring], [square(105.0, 29.0, 0.0001)]], 0.001)
    assert len(kept) == 1


def test_label_point_is_inside_the_largest_polygon() -> None:
    x, y = label_point([[square(104.0, 29.0, 1.0)], [square(110.0, 29.0, 0.1)]])
    assert (x, y) == pytest.approx((104.5, 29.5))


def test_functional_zones_have_no_outline() -> None:
    assert has_outline("510321") and has_outline("510321101")
    assert not has_outline("341571")  # 六安经济技术开发区
