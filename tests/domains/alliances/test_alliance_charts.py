"""The small multiples of counts in different units (alliance_charts.lines_by_unit), read off their spec."""

from __future__ import annotations

import pandas as pd

from healthdash.domains.alliances.charts import lines_by_unit

UNITS = {"专家坐诊": "次", "带教查房": "次", "手术示教": "台次", "上派进修": "人"}


def frame() -> pd.DataFrame:
    months = pd.date_range("2024-01-01", periods=3, freq="MS")
    return pd.DataFrame([{"month": m, "label": name, "value": float(i + 1), "text": f"{i + 1}{unit}"}
                         for name, unit in UNITS.items() for i, m in enumerate(months)])


def test_each_unit_has_its_own_panel_titled_with_the_unit() -> None:
    spec = lines_by_unit(frame(), x="month", y="value", series="label", text="text", order=list(UNITS), units=UNITS)
    panels = spec["vconcat"]
    assert [panel["encoding"]["y"]["title"] for panel in panels] == ["次", "台次", "人"]
    for panel in panels:
        drawn = {row["label"] for row in spec["datasets"][panel["data"]["name"]]}
        assert {UNITS[name] for name in drawn} == {panel["encoding"]["y"]["title"]}
        assert panel["encoding"]["tooltip"][-1]["title"] == panel["encoding"]["y"]["title"]
    # One legend in the order given, the same colour for a series wherever it is; months named once, at the foot.
    assert all(panel["encoding"]["color"]["scale"]["domain"] == list(UNITS) for panel in panels)
    assert spec["resolve"]["scale"]["color"] == "shared"
    assert [panel["encoding"]["x"]["axis"].get("labels", True) for panel in panels] == [False, False, True]


def test_a_panel_with_more_series_is_taller() -> None:
    spec = lines_by_unit(frame(), x="month", y="value", series="label", text="text", order=list(UNITS), units=UNITS,
                         height=300)
    heights = [panel["height"] for panel in spec["vconcat"]]
    assert heights[0] > heights[1] == heights[2] >= 60
