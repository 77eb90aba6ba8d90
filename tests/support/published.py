"""The published figures the demo is calibrated to (data/calibration.csv), as the page tests compare them."""

from __future__ import annotations

import csv
from pathlib import Path

CALIBRATION_CSV = Path(__file__).resolve().parents[2] / "data" / "calibration.csv"


def calibration_rows(measure: str, place: str) -> list[dict[str, str]]:
    """Every published row of `measure` at `place` (a monthly series has one per month)."""
    with open(CALIBRATION_CSV, encoding="utf-8") as handle:
        return [row for row in csv.DictReader(handle) if row["measure"] == measure and row["place"] == place]


def calibration(measure: str, place: str) -> dict[str, str]:
    """The published row of `measure` at `place` (the first, if there are several)."""
    return calibration_rows(measure, place)[0]
