"""The indicator catalog (data/indicators.csv, described in data/INDICATORS.md): loaded into table `indicator` by every build."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from healthdash.core.paths import INDICATORS_CSV

_TEXT = ["code", "name_zh", "name_en", "section", "definition_zh", "definition_en", "unit", "aggregation",
         "direction", "target_source", "level", "growth_of"]


def load_catalog(path: Path = INDICATORS_CSV) -> pd.DataFrame:
    """One row per indicator with the columns of table `indicator`; empty text cells become nulls."""
    catalog = pd.read_csv(path, dtype={column: "string" for column in [*_TEXT, "proposed"]}, keep_default_na=False,
                          na_values={"target": [""], "target_source": [""], "growth_of": [""]})
    catalog["target"] = catalog["target"].astype("float64")
    catalog["proposed"] = catalog["proposed"].map({"true": True, "false": False}).astype("bool")
    catalog["sort_order"] = catalog["sort_order"].astype("int64")
    catalog["window_months"] = pd.to_numeric(catalog["window_months"].replace("", pd.NA)).astype("Int64")
    return catalog
