"""Quality flags of a selection (outliers and broken validation rules) and the series behind a flag.

Outliers are scored when the database is built or loaded (data/quality_flags.sql): each value of a
declared measure (data/quality_measures.csv) is divided by its unit's 12-month moving median and by the
median of that ratio over the other units that month (trend, level, Spring Festival and epidemics cancel), and
compared with the same calendar month of the other years by median and MAD (modified z-score); a jump is a
value over `jump` times, or under 1/`jump` of, the same month last year and beyond the series' usual
variation; bounds are the declared min and max. Thresholds may be raised from the stored minimum (MIN_Z,
MIN_JUMP), not lowered.
"""

from __future__ import annotations

from collections.abc import Sequence

import pandas as pd

from healthdash.core.filters import Filters
from healthdash.data.columns import TABLES
from healthdash.data.quality.config import DEFAULT_JUMP, DEFAULT_Z, MIN_JUMP, MIN_Z, OUTLIER_CHECKS
from healthdash.data.quality.errors import QualityError
from healthdash.data.quality.marks import FlagKey
from healthdash.data.quality.rules import load_rules
from healthdash.data.quality.sql import Runner


def checks() -> list[str]:
    """Every check a flag can come from: the outlier checks, then the rules of the rule file."""
    return [*OUTLIER_CHECKS, *(rule.rule_id for rule in load_rules())]


def _threshold(value: float, least: float, code: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= least:
        raise QualityError(code, min=least, value=value)
    return float(value)


def params(filters: Filters, *, z: float = DEFAULT_Z, jump: float = DEFAULT_JUMP,
           chosen_checks: Sequence[str] | None = None, chosen_datasets: Sequence[str] | None = None) -> dict[str, object]:
    """The bound parameters of queries/quality_flags.sql for a selection and thresholds."""
    known = checks()
    for check in chosen_checks or ():
        if check not in known:
            raise QualityError("unknown_check", value=check)
    return {
        **filters.scope_params(), "month_from": filters.month_from, "month_to": filters.month_to,
        "datasets": list(chosen_datasets or [table.name for table in TABLES]), "checks": list(chosen_checks or known),
        "z": _threshold(z, MIN_Z, "z_threshold"), "jump": _threshold(jump, MIN_JUMP, "jump_factor"),
    }


def flags(run: Runner, filters: Filters, **options: object) -> pd.DataFrame:
    """The flags of the selection's places, tiers, alliance and period at thresholds `z` and `jump` (options
    of params()), newest first, each with value, expected, low, high, score and its latest follow-up mark."""
    return run("quality_flags", params(filters, **options))


def series(run: Runner, key: FlagKey, *, z: float = DEFAULT_Z) -> pd.DataFrame:
    """The whole monthly series of a flag's unit and measure (month, value, expected, low, high, z,
    last_year), to draw the flagged value in its context. Empty for a rule's flag (no single measure)."""
    return run("quality_series", {"dataset": key.dataset, "measure": key.measure, "unit_code": key.unit_code,
                                  "alliance_code": key.alliance_code, "z": _threshold(z, MIN_Z, "z_threshold")})
