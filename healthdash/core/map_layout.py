"""Where a map's groups of areas go when they lie far apart (a database of cities from several provinces, as
the demo's): each group keeps its shape and all keep one scale, but they are set side by side in a grid, as an
atlas sets insets, instead of five specks on an empty map. Groups that touch or nearly touch (the cities of
one province) are drawn where they are.

Arranged maps are drawn in the plane: longitude and latitude go through Mercator here and the renderer's
projection is the identity, so the figures are a map's shapes at a map's scale, only moved.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from healthdash.core.geo import MultiPolygon

# Groups whose boxes cover less than this share of the box around them all are scattered.
SCATTERED_BELOW = 0.2
# Room between the cells, and above each group for its name, as shares of the largest group's size.
_GAP = 0.12
_TITLE = 0.16

Box = tuple[float, float, float, float]  # west, south, east, north


@dataclass(frozen=True)
class Arrangement:
    """Each group's move in the plane (added to its Mercator coordinates) and where its name is written."""

    shifts: Mapping[str, tuple[float, float]]
    titles: Mapping[str, tuple[float, float]]

    def place(self, group: str, polygons: MultiPolygon) -> MultiPolygon:
        """The polygons in the plane, moved with their group."""
        dx, dy = self.shifts[group]
        return [[[list(self.point(group, lon, lat)) for lon, lat in ring] for ring in polygon] for polygon in polygons]

    def point(self, group: str, lon: float, lat: float) -> tuple[float, float]:
        dx, dy = self.shifts[group]
        x, y = mercator(lon, lat)
        return x + dx, y + dy


def mercator(lon: float, lat: float) -> tuple[float, float]:
    """Spherical Mercator in degrees of longitude: x is the longitude, y grows with latitude as on a map."""
    return lon, math.degrees(math.log(math.tan(math.pi / 4 + math.radians(lat) / 2)))


def _box(polygons: Sequence[MultiPolygon]) -> Box:
    points = [mercator(x, y) for shape in polygons for polygon in shape for x, y in polygon[0]]
    xs, ys = [x for x, _ in points], [y for _, y in points]
    return min(xs), min(ys), max(xs), max(ys)


def _area(box: Box) -> float:
    return (box[2] - box[0]) * (box[3] - box[1])


def scattered(groups: Mapping[str, Sequence[MultiPolygon]]) -> bool:
    """Whether the groups lie so far apart that a map of them all would be mostly empty."""
    if len(groups) < 2:
        return False
    boxes = [_box(shapes) for shapes in groups.values()]
    around = (min(b[0] for b in boxes), min(b[1] for b in boxes), max(b[2] for b in boxes), max(b[3] for b in boxes))
    return _area(around) > 0 and sum(map(_area, boxes)) / _area(around) < SCATTERED_BELOW


def arrange(groups: Mapping[str, Sequence[MultiPolygon]], aspect: float) -> Arrangement:
    """The groups in a grid of equal cells, in the order given, row by row (the last row centred), with as
    many rows as bring the whole nearest to `aspect` (width / height of the chart)."""
    boxes = {group: _box(shapes) for group, shapes in groups.items()}
    size = max(max(b[2] - b[0], b[3] - b[1]) for b in boxes.values())
    width = max(b[2] - b[0] for b in boxes.values()) + _GAP * size
    height = max(b[3] - b[1] for b in boxes.values()) + (_GAP + _TITLE) * size
    count = len(boxes)
    # Rows first, then as few columns as hold them: five groups go 3 + 2, not 4 + 1.
    rows = min(range(1, count + 1), key=lambda r: abs(math.log(math.ceil(count / r) * width / (r * height) / aspect)))
    columns = math.ceil(count / rows)
    shifts, titles = {}, {}
    for index, (group, (west, south, east, north)) in enumerate(boxes.items()):
        row, column = divmod(index, columns)
        in_row = min(columns, count - row * columns)
        centre_x = (column + (columns - in_row) / 2 + 0.5) * width
        centre_y = -(row + 0.5) * height - _TITLE * size / 2  # rows go down; the name sits above its group
        dx, dy = centre_x - (west + east) / 2, centre_y - (south + north) / 2
        shifts[group] = (dx, dy)
        titles[group] = (centre_x, north + dy + _TITLE * size / 2)
    return Arrangement(shifts, titles)
