"""A province of 183 counties on one map, drawn by the product's map builder (healthdash.ui.maps.map_spec):
the demo's real counties and districts plus 155 synthetic counties (data/demo/outlines.py, as at scale 1),
at province extent. docs/PERFORMANCE.md (Maps) times its first draw in Chromium:

    PYTHONPATH=. .venv/bin/python -m streamlit run tools/map_province_page.py --server.headless true --server.port 8671
"""

from __future__ import annotations

import json

import pandas as pd
import streamlit as st

from healthdash.core.geo import PROVINCE_TOLERANCE, read_areas
from healthdash.core.paths import DEMO_BOUNDARIES
from healthdash.data.demo import outlines
from healthdash.ui.maps import map_spec

CITIES, COUNTIES = 15, 155


@st.cache_data
def province_spec() -> tuple[dict, int, int]:
    """The map's spec, how many areas it draws and its size in bytes."""
    real = [area for area in read_areas(DEMO_BOUNDARIES.read_bytes()) if not area.code.endswith("00")]
    synthetic = []
    for slot in range(CITIES):
        city = f"99{slot + 1:02d}00"
        count = COUNTIES // CITIES + (1 if slot < COUNTIES % CITIES else 0)
        synthetic += outlines.city_areas(city, slot, [(f"99{slot + 1:02d}{k:02d}", f"模拟县{slot + 1:02d}{k:02d}")
                                                      for k in range(1, count + 1)])[1]
    areas = real + synthetic
    frame = pd.DataFrame({"place_code": [a.code for a in areas], "place_name": [a.name or a.code for a in areas],
                          "shape": [a.shape(PROVINCE_TOLERANCE) for a in areas]})
    frame["cls"] = ["✓ 达标" if i % 3 else "✗ 未达标" for i in range(len(frame))]
    frame = frame.assign(value_text="50.0%", status="达标", target_text="≥ 45%", label=frame["place_name"])
    spec = dict(map_spec(frame, ["✗ 未达标", "✓ 达标"], ["#F4C7C3", "#CDE8D2"], "省级地图（区县）", height=620))
    return spec, len(frame), len(json.dumps(spec))


spec, areas, size = province_spec()
st.caption(f"{areas} counties, spec {size / 1024:.0f} KB")
st.vega_lite_chart(spec, width="stretch", theme=None)
