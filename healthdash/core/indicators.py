"""The indicator arithmetic: a value from its numerator and denominator, targets, and changes.

Pure functions over the catalog rows, so the rules (sum/sum, stock at period end, percentage points
for rates, growth for counts, direction-aware colouring) are tested without Streamlit or a database.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

RATE_AGGREGATIONS = ("ratio", "stock_ratio", "ytd", "rolling_coverage")
# Read at the period's last month only: the rollups already hold a stock, a year-to-date sum or a
# rolling-window sum at each month (the SQL twin is the macro at_period_end in data/macros.sql).
PERIOD_END_AGGREGATIONS = ("stock_ratio", "stock_count", "ytd", "rolling_coverage")
_TOLERANCE = 1e-9


@dataclass(frozen=True)
class Indicator:
    code: str
    name_zh: str
    name_en: str
    section: str
    definition_zh: str
    definition_en: str
    unit: str
    aggregation: str
    direction: str
    target: float | None
    target_source: str | None
    level: str
    proposed: bool
    growth_of: str | None
    window_months: int | None = None

    @classmethod
    def from_row(cls, row: dict) -> Indicator:
        def clean(value: object) -> object:
            return None if value is None or (isinstance(value, float) and math.isnan(value)) else value

        values = {name: clean(row.get(name)) for name in cls.__dataclass_fields__}
        values["proposed"] = bool(values["proposed"])
        values["target"] = None if values["target"] is None else float(values["target"])
        values["window_months"] = None if values["window_months"] is None else int(values["window_months"])
        return cls(**values)

    def name(self, lang: str) -> str:
        return self.name_en[:1].upper() + self.name_en[1:] if lang == "en" else self.name_zh

    def definition(self, lang: str) -> str:
        return self.definition_en if lang == "en" else self.definition_zh

    @property
    def is_rate(self) -> bool:
        return self.aggregation in RATE_AGGREGATIONS

    @property
    def at_period_end(self) -> bool:
        return self.aggregation in PERIOD_END_AGGREGATIONS

    @property
    def is_percent(self) -> bool:
        return self.unit == "%" or self.aggregation == "growth"

    @property
    def target_value(self) -> float | None:
        """The target on the same scale as `value()`: fractions for percentages."""
        if self.target is None:
            return None
        return self.target / 100 if self.is_percent else self.target


def value(indicator: Indicator, numerator: float | None, denominator: float | None) -> float | None:
    """sum(numerator) / sum(denominator) for rates, the sum itself for counts; None when undefined."""
    if numerator is None or (isinstance(numerator, float) and math.isnan(numerator)):
        return None
    if indicator.is_rate:
        if denominator is None or math.isnan(denominator) or denominator == 0:
            return None
        return float(numerator) / float(denominator)
    return float(numerator)


def growth(current: float | None, base: float | None) -> float | None:
    if current is None or base is None or base == 0:
        return None
    return (current - base) / base


def meets_target(indicator: Indicator, result: float | None) -> bool | None:
    """True when the value reaches the target (exactly at target counts as met); None without target."""
    target = indicator.target_value
    if target is None or result is None:
        return None
    if indicator.direction == "down":
        return result <= target + _TOLERANCE
    return result >= target - _TOLERANCE


def change(indicator: Indicator, current: float | None, base: float | None) -> float | None:
    """Change against the comparison period: percentage points (as a fraction) for rates and
    percentages, relative growth for counts and amounts."""
    if current is None or base is None:
        return None
    if indicator.is_percent or indicator.unit == "ratio":
        return current - base
    return growth(current, base)


def change_kind(indicator: Indicator) -> str:
    """What `change` returns, as healthdash.core.fmt.fmt_delta names it: 'pp' (percentage points),
    'ratio' (a difference of ratios) or 'growth' (relative growth)."""
    if indicator.is_percent:
        return "pp"
    return "ratio" if indicator.unit == "ratio" else "growth"


def is_improvement(indicator: Indicator, delta: float | None) -> bool | None:
    if delta is None or abs(delta) < _TOLERANCE or indicator.direction == "monitor":
        return None
    return (delta > 0) == (indicator.direction == "up")
