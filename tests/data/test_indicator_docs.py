"""data/INDICATORS.md (the catalog's prose) and data/indicators.csv (what the database loads) agree: the same
codes, names and aggregation kinds, rolling windows included."""

from __future__ import annotations

import re
from pathlib import Path

import pandas as pd

from healthdash.data.catalog import load_catalog

DOC = Path(__file__).resolve().parents[2] / "data" / "INDICATORS.md"
# How the document writes each aggregation kind of the CSV.
KINDS = {"ratio": "ratio", "stock ratio": "stock_ratio", "ytd": "ytd", "count": "count",
         "stock count": "stock_count", "growth": "growth"}


def documented() -> dict[str, tuple[str, str, int | None]]:
    """code -> (中文 name, aggregation kind, rolling window in months) from the document's tables."""
    rows = {}
    for line in DOC.read_text(encoding="utf-8").splitlines():
        cells = [cell.strip() for cell in line.strip().strip("|").split("|")]
        if len(cells) < 6 or not re.fullmatch(r"[a-z0-9_]+", cells[0]) or cells[0] == "code":
            continue
        agg = cells[5]
        window = re.fullmatch(r"rolling coverage \((\d+) months\)", agg)
        rows[cells[0]] = (cells[1], "rolling_coverage" if window else KINDS[agg], int(window[1]) if window else None)
    return rows


def test_the_document_and_the_catalog_list_the_same_indicators() -> None:
    catalog = load_catalog().set_index("code")
    doc = documented()
    assert set(doc) == set(catalog.index)
    for code, (name, kind, window) in doc.items():
        row = catalog.loc[code]
        assert kind == row["aggregation"], code
        assert window == (None if pd.isna(row["window_months"]) else int(row["window_months"])), code
        assert name == row["name_zh"], code
