"""The reporting-rate bars: a share's axis stops at 100% (the room past it is for the labels, unmarked)."""

from __future__ import annotations

import json

import pandas as pd

from healthdash.domains.quality import charts


def test_the_rate_axis_stops_at_one_hundred_percent() -> None:
    frame = pd.DataFrame({"place_code": ["A", "B"], "place_name": ["甲县", "乙县"], "reporting_rate": [1.0, 0.9],
                          "label": ["100.0%", "90.0%（1份未报）"]})
    spec = json.loads(json.dumps(dict(charts.rate_bars(frame))))
    x = spec["layer"][0]["encoding"]["x"] if "encoding" in spec["layer"][0] else spec["encoding"]["x"]
    assert x["axis"]["values"] == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert x["scale"]["domain"][1] > 1.0, "headroom for the label of a full bar"
