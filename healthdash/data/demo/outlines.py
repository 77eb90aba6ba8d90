"""Schematic outlines for the province world's synthetic places (codes 99…), so that its maps draw: each
synthetic city a rectangle in a grid east of 雅安 and north of 柳州 (clear of the demo's real places), tiled
into its counties as rows of cells whose shared edges wiggle by a hash of the edge, so neighbours fit exactly
and the same places always get the same outlines. Nothing here is geography: the map's note says 示意图 and
names the source as synthetic."""

from __future__ import annotations

import hashlib
import math

from healthdash.core.geo import Area, Ring

SOURCE = "模拟区划（示意，非真实地理）"
_ORIGIN = (106.2, 26.6)     # south-west corner of the first synthetic city, in degrees
_CITY = (2.0, 1.6)          # a city's width and height, degrees: room for its counties' names at city extent
_GAP = 0.1
_COLUMNS = 4
_STEPS = 4                  # points along each shared edge, its ends included
_WIGGLE = 0.12              # how far an edge's inner points stray, as a share of the cell's size


def _jitter(*key: object) -> float:
    """A number in [-1, 1) from `key`, the same on every run and machine."""
    digest = hashlib.blake2b(repr(key).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**63 - 1


def _row_split(counties: int) -> list[int]:
    """How many counties each row of a city holds: rows as even as they can be."""
    rows = max(1, round(math.sqrt(counties / 1.2)))
    return [counties // rows + (1 if row < counties % rows else 0) for row in range(rows)]


def _horizontal(city: str, line: int, x0: float, x1: float, y: float, height: float, edge: bool) -> list[list[float]]:
    """The row boundary `line` of a city from x0 to x1 (west to east), wiggling unless it is the city's edge."""
    points = []
    for step in range(_STEPS * 6 + 1):
        x = x0 + (x1 - x0) * step / (_STEPS * 6)
        inner = 0 < step < _STEPS * 6 and not edge
        points.append([x, y + (_jitter(city, "h", line, step) * _WIGGLE * height if inner else 0.0)])
    return points


def _at(line: list[list[float]], x: float) -> float:
    """The y of a wiggling row boundary at x (linear between its points)."""
    for (xa, ya), (xb, yb) in zip(line, line[1:], strict=False):
        if xa <= x <= xb:
            return ya + (yb - ya) * (x - xa) / (xb - xa) if xb > xa else ya
    return line[-1][1]


def _piece(line: list[list[float]], x0: float, x1: float) -> list[list[float]]:
    return [[x0, _at(line, x0)], *[p for p in line if x0 < p[0] < x1], [x1, _at(line, x1)]]


def city_areas(city: str, slot: int, counties: list[tuple[str, str]]) -> tuple[Area, list[Area]]:
    """The outline of synthetic city `city` (the `slot`-th of the grid) and of its `counties` (code, name)."""
    column, row = slot % _COLUMNS, slot // _COLUMNS
    west = _ORIGIN[0] + column * (_CITY[0] + _GAP)
    south = _ORIGIN[1] + row * (_CITY[1] + _GAP)
    east, north = west + _CITY[0], south + _CITY[1]
    split = _row_split(len(counties))
    height = _CITY[1] / len(split)
    lines = [_horizontal(city, index, west, east, south + index * height, height, index in (0, len(split)))
             for index in range(len(split) + 1)]
    areas, taken = [], 0
    for index, cells in enumerate(split):
        width = _CITY[0] / cells
        bottom, top = lines[index], lines[index + 1]
        xs = [west + width * cell for cell in range(cells + 1)]

        def vertical(cell: int, y0: float, y1: float, row_index: int = index, cells_: int = cells,
                     width_: float = width, xs_: list[float] = xs) -> list[list[float]]:
            inner = 0 < cell < cells_
            return [[xs_[cell] + (_jitter(city, "v", row_index, cell, step) * _WIGGLE * width_ if inner and 0 < step < _STEPS else 0.0),
                     y0 + (y1 - y0) * step / _STEPS] for step in range(_STEPS + 1)]

        for cell in range(cells):
            code, name = counties[taken]
            taken += 1
            x0, x1 = xs[cell], xs[cell + 1]
            south_edge = _piece(bottom, x0, x1)
            east_edge = vertical(cell + 1, _at(bottom, x1), _at(top, x1))
            north_edge = _piece(top, x0, x1)[::-1]
            west_edge = vertical(cell, _at(bottom, x0), _at(top, x0))[::-1]
            ring: Ring = [*south_edge, *east_edge[1:], *north_edge[1:], *west_edge[1:]]
            areas.append(Area(code, name, [[ring[::-1]]]))  # clockwise: an outer ring for the renderer
    outline: Ring = [[west, south], [west, north], [east, north], [east, south], [west, south]]
    return Area(city, "", [[outline]]), areas
