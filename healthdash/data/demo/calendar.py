"""The demo's months and the shapes every monthly series shares: seasons, Spring Festival, COVID."""

from __future__ import annotations

import numpy as np
import pandas as pd

MONTHS = pd.date_range("2017-01-01", "2025-12-01", freq="MS")
N_MONTHS = len(MONTHS)
YEARS = np.asarray(MONTHS.year)
MONTH_OF_YEAR = np.asarray(MONTHS.month)
# Years since 2017-01, for compound trends.
T_YEARS = np.arange(N_MONTHS) / 12.0

# The month of the Spring Festival each year: clinics close for a week and patients stay home.
_SPRING_FESTIVAL_MONTH = {2017: 1, 2018: 2, 2019: 2, 2020: 1, 2021: 2, 2022: 2, 2023: 1, 2024: 2, 2025: 1}
# Lockdown and the fear of hospitals in early 2020.
_COVID = {"2020-02": 0.55, "2020-03": 0.70, "2020-04": 0.86}

# Winter respiratory peak (Dec–Jan), quieter early summer.
_OUTPATIENT_PROFILE = np.array([1.06, 0.98, 1.03, 0.99, 0.98, 0.95, 0.97, 0.98, 0.97, 0.97, 1.02, 1.10])
_INPATIENT_PROFILE = np.array([1.04, 0.95, 1.01, 0.99, 0.98, 0.97, 1.00, 1.00, 0.98, 0.98, 1.00, 1.06])


def _holidays(dip: float) -> np.ndarray:
    factor = np.ones(N_MONTHS)
    for year, month in _SPRING_FESTIVAL_MONTH.items():
        factor[(YEARS == year) & (MONTH_OF_YEAR == month)] = dip
    for month, covid in _COVID.items():
        factor[MONTHS == pd.Timestamp(month)] *= covid
    return factor


def season(kind: str) -> np.ndarray:
    """Monthly multiplier (length N_MONTHS) for 'outpatient', 'inpatient' or 'flat' (referrals, activity)."""
    if kind == "outpatient":
        return _OUTPATIENT_PROFILE[MONTH_OF_YEAR - 1] * _holidays(0.84)
    if kind == "inpatient":
        return _INPATIENT_PROFILE[MONTH_OF_YEAR - 1] * _holidays(0.90)
    return _holidays(0.85)


def month_index(period: str) -> int:
    """Index into MONTHS of 'YYYY-MM'."""
    return int(MONTHS.get_loc(pd.Timestamp(period + "-01")))
