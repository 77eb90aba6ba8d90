"""Boundaries as data: read a GeoJSON file of areas keyed by administrative code, check it, simplify it.

Pure Python (no GIS library): a boundary file is read once when loaded, and the map only needs outlines
simplified for a city's or a province's extent. Coordinates stay as the source gives them (no datum shift);
they must be longitude and latitude in degrees. A problem raises BoundaryError with a message key
(locale section [maps.problem]) so that the caller says it in the user's language and changes nothing.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

# Properties that may hold the area's code, in the order tried: common exports of the national standard
# map service, DataV/Amap, Tianditu (9 digits, 156 + adcode) and hand-made files.
CODE_KEYS = ("adcode", "ADCODE", "code", "CODE", "gb", "GB", "PAC", "pac", "行政区划代码", "区划代码", "代码")
NAME_KEYS = ("name", "NAME", "名称", "区划名称", "Name")
# County or city: 6 digits; town (乡镇/街道): 9 digits, the first 9 of the 12-digit statistical code.
_CODE = re.compile(r"^(\d{6}|\d{9})$")
# Functional zones (经济技术开发区, 高新区: codes xxxx7x) are not administrative areas: a standard map draws
# no outline for them, so their figures are listed beside the map, never as an area.
_FUNCTIONAL_ZONE = re.compile(r"^\d{4}7\d$")
# Tolerances in degrees: ~100 m for a city's extent, ~500 m for a province's.
CITY_TOLERANCE = 0.001
PROVINCE_TOLERANCE = 0.005
_DECIMALS = 5

Ring = list[list[float]]
MultiPolygon = list[list[Ring]]


class BoundaryError(Exception):
    """A boundary file that cannot be loaded: `code` names the message in [maps.problem]."""

    def __init__(self, code: str, **params: object) -> None:
        super().__init__(code)
        self.code = code
        self.params = params


@dataclass(frozen=True)
class Area:
    """One area of a boundary file: its code, its name as the file gives it, and its outline."""

    code: str
    name: str
    polygons: MultiPolygon

    def shape(self, tolerance: float) -> str:
        """The outline simplified to `tolerance` degrees, as GeoJSON geometry text."""
        return json.dumps({"type": "MultiPolygon", "coordinates": simplify(self.polygons, tolerance)},
                          separators=(",", ":"))


def has_outline(adcode: str) -> bool:
    """Whether a standard map has an outline for this code (a functional zone has none)."""
    return bool(_CODE.match(adcode)) and not _FUNCTIONAL_ZONE.match(adcode[:6])


def _code_of(properties: dict) -> str:
    for key in CODE_KEYS:
        value = properties.get(key)
        if value is None or value == "":
            continue
        text = str(int(value)) if isinstance(value, float) and value.is_integer() else str(value).strip()
        if len(text) == 12 and text.isdigit():  # 12-digit statistical code: county 6 + 000000, town 9 + 000
            text = text[:6] if text.endswith("000000") else text[:9]
        if len(text) == 9 and text.startswith("156"):  # Tianditu's GB code: 156 + adcode
            text = text[3:]
        return text
    return ""


def _name_of(properties: dict) -> str:
    for key in NAME_KEYS:
        if properties.get(key):
            return str(properties[key]).strip()
    return ""


def _polygons(geometry: object) -> MultiPolygon | None:
    """The geometry as a list of polygons, or None when it is not a (Multi)Polygon of numbers in degrees."""
    if not isinstance(geometry, dict):
        return None
    kind, coordinates = geometry.get("type"), geometry.get("coordinates")
    polygons = [coordinates] if kind == "Polygon" else coordinates if kind == "MultiPolygon" else None
    if not isinstance(polygons, list) or not polygons:
        return None
    out: MultiPolygon = []
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            return None
        rings: list[Ring] = []
        for ring in polygon:
            if not isinstance(ring, list) or len(ring) < 4:
                return None
            points = []
            for point in ring:
                if not (isinstance(point, list) and len(point) >= 2
                        and all(isinstance(v, int | float) and math.isfinite(v) for v in point[:2])):
                    return None
                points.append([float(point[0]), float(point[1])])
            rings.append(points)
        out.append(rings)
    return out


def _in_degrees(polygons: MultiPolygon) -> bool:
    return all(-180 <= x <= 180 and -90 <= y <= 90 for polygon in polygons for ring in polygon for x, y in ring)


def read_areas(raw: bytes) -> list[Area]:
    """The areas of a GeoJSON FeatureCollection (UTF-8), checked whole: every feature a (Multi)Polygon in
    degrees with a 6- or 9-digit code, no code twice. Raises BoundaryError at the first problem."""
    try:
        document = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BoundaryError("not_json") from None
    return areas_of(document)


def areas_of(document: object) -> list[Area]:
    """The areas of a GeoJSON FeatureCollection already parsed (a GeoJSON file, or a zipped shapefile read
    into one), checked as read_areas says."""
    if not isinstance(document, dict) or document.get("type") != "FeatureCollection":
        raise BoundaryError("not_collection")
    features = document.get("features")
    if not isinstance(features, list) or not features:
        raise BoundaryError("no_features")
    areas: dict[str, Area] = {}
    for number, feature in enumerate(features, start=1):
        properties = feature.get("properties") if isinstance(feature, dict) else None
        properties = properties if isinstance(properties, dict) else {}
        code = _code_of(properties)
        if not _CODE.match(code):
            raise BoundaryError("bad_code", number=number, value=code or "—", keys="、".join(CODE_KEYS[:4]))
        polygons = _polygons(feature.get("geometry") if isinstance(feature, dict) else None)
        if polygons is None:
            raise BoundaryError("bad_geometry", number=number, adcode=code)
        if not _in_degrees(polygons):
            raise BoundaryError("not_degrees", number=number, adcode=code)
        if code in areas:
            raise BoundaryError("duplicate", adcode=code)
        areas[code] = Area(code, _name_of(properties), polygons)
    return list(areas.values())


def _perpendicular(point: Sequence[float], start: Sequence[float], end: Sequence[float]) -> float:
    dx, dy = end[0] - start[0], end[1] - start[1]
    if dx == 0 and dy == 0:
        return math.hypot(point[0] - start[0], point[1] - start[1])
    return abs(dy * point[0] - dx * point[1] + end[0] * start[1] - end[1] * start[0]) / math.hypot(dx, dy)


def _douglas_peucker(points: Ring, tolerance: float) -> Ring:
    """Ramer–Douglas–Peucker on an open line, iteratively (a long coastline would overflow recursion)."""
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, first
        for i in range(first + 1, last):
            distance = _perpendicular(points[i], points[first], points[last])
            if distance > worst:
                worst, index = distance, i
        if worst > tolerance:
            keep[index] = True
            stack.extend(((first, index), (index, last)))
    return [point for point, kept in zip(points, keep, strict=True) if kept]


def _simplify_ring(ring: Ring, tolerance: float) -> Ring | None:
    # A closed ring split at its farthest point from the start, so both halves are open lines.
    far = max(range(len(ring)), key=lambda i: (ring[i][0] - ring[0][0]) ** 2 + (ring[i][1] - ring[0][1]) ** 2)
    if far == 0:
        return None
    line = _douglas_peucker(ring[: far + 1], tolerance)[:-1] + _douglas_peucker(ring[far:], tolerance)
    rounded = [[round(x, _DECIMALS), round(y, _DECIMALS)] for x, y in line]
    return rounded if len(rounded) >= 4 else None


def _signed_area(ring: Ring) -> float:
    return sum(x0 * y1 - x1 * y0 for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False)) / 2


def _wound(polygon: list[Ring]) -> list[Ring]:
    """Outer ring clockwise, holes anticlockwise: the map's renderer (d3-geo) reads a ring wound the other
    way (RFC 7946's order, common in exports) as the whole globe outside it."""
    return [ring if (_signed_area(ring) < 0) == (index == 0) else ring[::-1] for index, ring in enumerate(polygon)]


def simplify(polygons: MultiPolygon, tolerance: float) -> MultiPolygon:
    """Polygons with rings simplified to `tolerance` degrees and wound as the renderer reads them; holes and
    islands that shrink to nothing are dropped, but an area always keeps its largest polygon's outline."""
    return [_wound(polygon) for polygon in _simplified(polygons, tolerance)]


def _simplified(polygons: MultiPolygon, tolerance: float) -> MultiPolygon:
    out: MultiPolygon = []
    for polygon in polygons:
        outer = _simplify_ring(polygon[0], tolerance)
        if outer is None:
            continue
        holes = [hole for hole in (_simplify_ring(ring, tolerance) for ring in polygon[1:]) if hole is not None]
        out.append([outer, *holes])
    if not out:
        largest = max(polygons, key=lambda polygon: len(polygon[0]))
        out = [[[[round(x, _DECIMALS), round(y, _DECIMALS)] for x, y in largest[0]]]]
    return out


def label_point(polygons: MultiPolygon) -> tuple[float, float]:
    """Where to write an area's name: the centroid of its largest polygon's outer ring (shoelace)."""
    ring = max((polygon[0] for polygon in polygons), key=lambda r: abs(_signed_area(r)))
    area = _signed_area(ring)
    if area == 0:
        return (sum(x for x, _ in ring) / len(ring), sum(y for _, y in ring) / len(ring))
    cx = sum((x0 + x1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    cy = sum((y0 + y1) * (x0 * y1 - x1 * y0) for (x0, y0), (x1, y1) in zip(ring, ring[1:], strict=False))
    return (cx / (6 * area), cy / (6 * area))


def polygons_of(shape: str) -> MultiPolygon:
    """The polygons of a stored shape (GeoJSON geometry text written by Area.shape)."""
    return json.loads(shape)["coordinates"]


def feature_collection(areas: Iterable[Area]) -> dict:
    """Areas as a GeoJSON FeatureCollection (what tools/extract_boundaries.py commits)."""
    return {"type": "FeatureCollection", "features": [
        {"type": "Feature", "properties": {"adcode": area.code, "name": area.name},
         "geometry": {"type": "MultiPolygon", "coordinates": area.polygons}} for area in areas]}
