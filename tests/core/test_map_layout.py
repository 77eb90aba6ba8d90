"""Far-apart groups of areas set side by side (healthdash/core/map_layout.py): only when they are far apart,
each keeping its shape and the common scale, none overlapping, in balanced rows."""

from __future__ import annotations

import pytest

from healthdash.core.geo import MultiPolygon
from healthdash.core.map_layout import arrange, mercator, scattered


def square(west: float, south: float, side: float = 1.0) -> MultiPolygon:
    return [[[[west, south], [west, south + side], [west + side, south + side], [west + side, south], [west, south]]]]


def box(polygons: list[MultiPolygon]) -> tuple[float, float, float, float]:
    xs = [x for shape in polygons for polygon in shape for x, _ in polygon[0]]
    ys = [y for shape in polygons for polygon in shape for _, y in polygon[0]]
    return min(xs), min(ys), max(xs), max(ys)


# Five cities of one degree each, as far apart as the demo's (六安, 焦作, 柳州, 自贡, 雅安).
FAR = {"liuan": [square(116.0, 31.5)], "jiaozuo": [square(113.0, 35.0)], "liuzhou": [square(109.0, 24.5)],
       "zigong": [square(104.5, 29.0)], "yaan": [square(102.5, 29.5)]}


def test_neighbouring_cities_stay_where_they_are() -> None:
    # Four cities tiling a province, and two that merely lie near each other.
    assert not scattered({"a": [square(100, 30)], "b": [square(101, 30)], "c": [square(100, 31)], "d": [square(101, 31)]})
    assert not scattered({"a": [square(100, 30)], "b": [square(101.5, 30.5)]})
    assert not scattered({"only": [square(100, 30), square(110, 20)]})


def test_far_apart_cities_are_set_side_by_side_in_balanced_rows() -> None:
    assert scattered(FAR)
    arranged = arrange(FAR, aspect=1.2)
    placed = {group: [arranged.place(group, shape) for shape in shapes] for group, shapes in FAR.items()}
    boxes = {group: box(shapes) for group, shapes in placed.items()}
    # Nothing overlaps, and the grid is 3 + 2 in the order given, the second row centred under the first.
    for one in boxes:
        for other in boxes:
            a, b = boxes[one], boxes[other]
            assert one == other or a[2] < b[0] or b[2] < a[0] or a[3] < b[1] or b[3] < a[1]
    middles = [(boxes[group][1] + boxes[group][3]) / 2 for group in FAR]
    assert middles[0] == pytest.approx(middles[1]) == pytest.approx(middles[2])
    assert middles[3] == pytest.approx(middles[4]) and middles[3] < middles[0]
    first_row = (boxes["liuan"][0] + boxes["liuzhou"][2]) / 2
    assert (boxes["zigong"][0] + boxes["yaan"][2]) / 2 == pytest.approx(first_row)
    # Each keeps its shape at the common scale: moved, not stretched.
    for group, shapes in FAR.items():
        west, south, east, north = (*mercator(*shapes[0][0][0][0]), *mercator(*shapes[0][0][0][2]))
        moved = box(placed[group])
        assert moved[2] - moved[0] == pytest.approx(east - west) and moved[3] - moved[1] == pytest.approx(north - south)
    # Each name is written above its own group, centred on it.
    for group, (x, y) in arranged.titles.items():
        assert boxes[group][0] < x < boxes[group][2] and y > boxes[group][3]


@pytest.mark.parametrize(("aspect", "rows"), [(1.2, 2), (6.0, 1), (0.5, 3)])
def test_the_grid_follows_the_charts_shape(aspect: float, rows: int) -> None:
    arranged = arrange(FAR, aspect)
    # Each group is centred on its cell, so the groups of a row share the middle of their boxes.
    middles = {round(sum(box([arranged.place(group, shapes[0])])[1::2]) / 2, 6) for group, shapes in FAR.items()}
    assert len(middles) == rows
