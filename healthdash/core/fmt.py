"""Number, percentage and period formatting for the dashboard, Chinese first.

Every figure the dashboard shows goes through these functions, so that a number reads the same on every
page, in every chart label and in every table. They are pure: no Streamlit, no database, no locale
settings (the machine's locale must not change what an official sees).

Conventions
- Missing values (None, NaN, pandas NA/NaT, ±inf) print as an em dash "—".
- Rounding is half-up on the decimal value as written (9,999.5 -> 10,000; 0.0705 -> 7.1%), never the
  float's binary rounding, and the unit is chosen *after* rounding (9,999.5 -> "1万", not "10,000").
- Negative numbers use the true minus sign "−" (U+2212), as Chinese statistical reports print them;
  growth and differences carry an explicit "+" when positive. A value that rounds to zero has no sign.
- Rates are passed as fractions (0.674, not 67.4): the database stores numerator and denominator.
- `lang="en"` gives the English forms (k/M/B, "Jun 2024", "pp"); anything else is Chinese.

One format per kind, on cards, in tables, in text and in exports:
- a rate: one decimal, fixed (67.4%, 90.0%) — fmt_pct;
- growth (同比/环比 of a count): one decimal, fixed, signed (+3.0%, −11.4%) — fmt_change;
- a difference of rates: percentage points to one decimal (+1.2个百分点) — fmt_pp;
- a change of any indicator, whichever of the three it is — fmt_delta;
- a count in text and on cards: 万 from 10,000 on, one decimal (48.9万人次), 亿 two — fmt_wan;
  a count in a table: in full with thousands separators (488,900) — fmt_count, or fmt_value(compact=False).
"""

from __future__ import annotations

import math
import re
from decimal import ROUND_HALF_UP, Context, Decimal, InvalidOperation
from typing import Any

__all__ = [
    "MET_MARK",
    "MINUS",
    "MISSING",
    "NOT_MET_MARK",
    "fmt_change",
    "fmt_count",
    "fmt_delta",
    "fmt_month",
    "fmt_number",
    "fmt_period",
    "fmt_pct",
    "fmt_pp",
    "fmt_target",
    "fmt_value",
    "fmt_wan",
    "is_missing",
    "marked",
    "status_mark",
]

MISSING = "—"
MINUS = "−"
EN_DASH = "–"

# Staff per residents: the English words after the number.
_PER_RESIDENTS = {"人/万人": "per 10k", "人/千人": "per 1k"}
COUNT_UNITS = frozenset({"人次", "人", "次", "例", "台次", "对", "个", "家", "份", "张", "床", "项"})
"""Units of whole things, shown with 万/亿 (zh) or k/M/B (en)."""

_EN_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")

_ISO_MONTH = re.compile(r"(\d{4})[-/]?(\d{1,2})(?:$|[-/T ])")

# Enough precision to quantize any float (up to 1.8e308) to a few decimals, independent of the
# thread's decimal context.
_CTX = Context(prec=400, rounding=ROUND_HALF_UP)

_WAN = Decimal(10_000)
_YI = Decimal(100_000_000)
_EN_STEPS = ((Decimal(10) ** 3, "k", 1), (Decimal(10) ** 6, "M", 2), (Decimal(10) ** 9, "B", 2))


# ---------------------------------------------------------------------------------------------- helpers


MET_MARK = "✓"
NOT_MET_MARK = "✗"


def status_mark(meets: Any) -> str:
    """Pass or fail against a target as a mark: '✓', '✗', or '' when nothing is judged (`meets` None or
    missing, as indicators.meets_target answers without a target or a value)."""
    if is_missing(meets):
        return ""
    return MET_MARK if meets else NOT_MET_MARK


def marked(text: str, meets: Any) -> str:
    """`text` followed by its mark ('87.0% ✓'); `text` alone when nothing is judged."""
    mark = status_mark(meets)
    return f"{text} {mark}" if mark else text


def is_missing(x: Any) -> bool:
    """True for None, NaN, ±inf and pandas' NA / NaT (without importing pandas)."""
    if x is None:
        return True
    if type(x).__name__ in ("NAType", "NaTType"):
        return True
    try:
        f = float(x)
    except (TypeError, ValueError, OverflowError):
        return False
    return math.isnan(f) or math.isinf(f)


def _dec(x: Any) -> Decimal:
    """The value as a Decimal, taking floats by their shortest repr (0.674 -> Decimal('0.674'))."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        return Decimal(int(x))
    if isinstance(x, int):
        return Decimal(x)
    try:
        return Decimal(repr(float(x)))
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - guarded by is_missing
        raise ValueError(f"not a number: {x!r}") from exc


def _round(d: Decimal, digits: int) -> Decimal:
    return d.quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP, context=_CTX)


def _times(d: Decimal, factor: int) -> Decimal:
    return _CTX.multiply(d, Decimal(factor))


def _over(d: Decimal, divisor: Decimal) -> Decimal:
    return _CTX.divide(d, divisor)


def _plain(d: Decimal, digits: int, *, grouping: bool = False, strip: bool = False) -> str:
    """Format |d| (already rounded to `digits`) without sign."""
    d = abs(d)
    text = f"{d:,.{digits}f}" if grouping else f"{d:.{digits}f}"
    if strip and "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _sign(d: Decimal, *, plus: bool) -> str:
    if d == 0:
        return ""
    if d < 0:
        return MINUS
    return "+" if plus else ""


# ---------------------------------------------------------------------------------------------- numbers


def fmt_number(x: Any, digits: int = 2, *, strip: bool = False, grouping: bool = True) -> str:
    """A plain number with thousands separators: fmt_number(1234.5) -> '1,234.50'."""
    if is_missing(x):
        return MISSING
    d = _round(_dec(x), digits)
    return _sign(d, plus=False) + _plain(d, digits, grouping=grouping, strip=strip)


def fmt_count(x: Any, lang: str = "zh") -> str:
    """A whole count with thousands separators: 1373400 -> '1,373,400' (same in both languages)."""
    del lang  # the same in Chinese and English; accepted so that callers can pass it uniformly
    return fmt_number(x, 0)


def fmt_wan(x: Any, digits: int = 1, lang: str = "zh") -> str:
    """A large number the way reports write it.

    zh: under 1万 in full (9800 -> '9,800'); then 万 to `digits` decimals (488900 -> '48.9万'); from
    1亿 on 亿 to one decimal more (123456789 -> '1.23亿': a tenth of 1亿 is too coarse). Trailing zeros
    dropped (250000 -> '25万').
    en: under 10,000 in full; then k (one decimal), M and B (two decimals): 488900 -> '488.9k'.
    """
    if is_missing(x):
        return MISSING
    d = _dec(x)
    whole = _round(d, 0)
    if lang == "en":
        if abs(whole) < 10_000:
            return fmt_number(whole, 0)
        # The first step whose *rounded* mantissa stays under 1000 (999,950 -> '1M', not '1000k').
        for step, suffix, step_digits in _EN_STEPS:
            m = _round(_over(d, step), step_digits)
            if abs(m) < 1000 or suffix == "B":
                return _sign(m, plus=False) + _plain(m, step_digits, strip=True) + suffix
    if abs(whole) < _WAN:
        return fmt_number(whole, 0)
    wan = _round(_over(d, _WAN), digits)
    if abs(wan) < _WAN:
        return _sign(wan, plus=False) + _plain(wan, digits, strip=True) + "万"
    yi = _round(_over(d, _YI), digits + 1)
    return _sign(yi, plus=False) + _plain(yi, digits + 1, strip=True) + "亿"


# ---------------------------------------------------------------------------------------------- rates


def fmt_pct(x: Any, digits: int = 1, lang: str = "zh") -> str:
    """A fraction as a percentage with fixed decimals: 0.674 -> '67.4%', 0.9 -> '90.0%'."""
    del lang
    if is_missing(x):
        return MISSING
    d = _round(_times(_dec(x), 100), digits)
    return _sign(d, plus=False) + _plain(d, digits) + "%"


def fmt_pp(delta: Any, digits: int = 1, *, signed: bool = False, lang: str = "zh") -> str:
    """A difference of two rates (fractions) in percentage points.

    fmt_pp(0.012) -> '1.2个百分点'; fmt_pp(0.012, signed=True) -> '+1.2个百分点';
    fmt_pp(-0.012) -> '−1.2个百分点'; lang='en' -> '1.2 pp'.
    """
    if is_missing(delta):
        return MISSING
    d = _round(_times(_dec(delta), 100), digits)
    suffix = " pp" if lang == "en" else "个百分点"
    return _sign(d, plus=signed) + _plain(d, digits) + suffix


def fmt_change(x: Any, digits: int = 1, lang: str = "zh") -> str:
    """Growth (同比/环比) as a fraction, signed, fixed decimals like a rate: 0.0702 -> '+7.0%',
    -0.031 -> '−3.1%', 0.03 -> '+3.0%'; a growth that rounds to zero -> '0.0%'.
    None (e.g. the base period was zero) -> '—'.
    """
    del lang
    if is_missing(x):
        return MISSING
    d = _round(_times(_dec(x), 100), digits)
    return _sign(d, plus=True) + _plain(d, digits) + "%"


DELTA_KINDS = ("pp", "ratio", "growth")


def fmt_delta(delta: Any, kind: str, lang: str = "zh") -> str:
    """A change against the comparison period, signed, in the form of its kind:
    'pp' a difference of rates (0.021 -> '+2.1个百分点'), 'ratio' a difference of ratios to two
    decimals (−0.1 -> '−0.10'), 'growth' a relative change of a count or amount (0.03 -> '+3.0%')."""
    if kind == "pp":
        return fmt_pp(delta, signed=True, lang=lang)
    if kind == "ratio":
        if is_missing(delta):
            return MISSING
        d = _round(_dec(delta), 2)
        return _sign(d, plus=True) + _plain(d, 2)
    if kind == "growth":
        return fmt_change(delta, lang=lang)
    raise ValueError(f"unknown kind of change: {kind!r} (one of {', '.join(DELTA_KINDS)})")


# ---------------------------------------------------------------------------------------------- periods


def _year_month(value: Any) -> tuple[int, int]:
    if isinstance(value, str):
        match = _ISO_MONTH.match(value.strip())
        if not match or not 1 <= int(match[2]) <= 12:
            raise ValueError(f"not a date or month: {value!r}")
        return int(match[1]), int(match[2])
    year, month = getattr(value, "year", None), getattr(value, "month", None)
    if year is None or month is None:
        raise TypeError(f"not a date or month: {value!r}")
    return int(year), int(month)


def fmt_month(date: Any, lang: str = "zh") -> str:
    """A month: date(2024, 6, 1) -> '2024年6月' (en: 'Jun 2024'). Accepts date, datetime,
    pandas Timestamp or an ISO string ('2024-06', '2024-06-30')."""
    if is_missing(date):
        return MISSING
    year, month = _year_month(date)
    if lang == "en":
        return f"{_EN_MONTHS[month - 1]} {year}"
    return f"{year}年{month}月"


_ZH_QUARTERS = ("第一季度", "第二季度", "第三季度", "第四季度")


def fmt_quarter(date: Any, lang: str = "zh") -> str:
    """The calendar quarter holding a month: date(2024, 5, 1) -> '2024年第二季度' (en: 'Q2 2024')."""
    if is_missing(date):
        return MISSING
    year, month = _year_month(date)
    quarter = (month - 1) // 3
    return f"Q{quarter + 1} {year}" if lang == "en" else f"{year}年{_ZH_QUARTERS[quarter]}"


def fmt_year(date: Any, lang: str = "zh") -> str:
    """The calendar year holding a month: date(2024, 5, 1) -> '2024年' (en: '2024')."""
    if is_missing(date):
        return MISSING
    year, _ = _year_month(date)
    return str(year) if lang == "en" else f"{year}年"


def fmt_period(start: Any, end: Any, lang: str = "zh") -> str:
    """A span of whole months, as reports name them.

    zh: '2024年6月' (one month), '2024年1–6月' (within a year), '2024年' (a whole calendar year),
    '2023–2024年' (whole years), '2023年11月–2024年2月' (across years).
    en: 'Jun 2024', 'Jan–Jun 2024', '2024', '2023–2024', 'Nov 2023–Feb 2024'.
    """
    if is_missing(start) or is_missing(end):
        return MISSING
    y1, m1 = _year_month(start)
    y2, m2 = _year_month(end)
    if (y1, m1) > (y2, m2):
        raise ValueError(f"period starts after it ends: {start!r} > {end!r}")
    en = lang == "en"
    if (y1, m1) == (y2, m2):
        return fmt_month(start, lang)
    if m1 == 1 and m2 == 12:
        years = str(y1) if y1 == y2 else f"{y1}{EN_DASH}{y2}"
        return years if en else f"{years}年"
    if y1 == y2:
        if en:
            return f"{_EN_MONTHS[m1 - 1]}{EN_DASH}{_EN_MONTHS[m2 - 1]} {y1}"
        return f"{y1}年{m1}{EN_DASH}{m2}月"
    return f"{fmt_month(start, lang)}{EN_DASH}{fmt_month(end, lang)}"


# ---------------------------------------------------------------------------------------------- by unit


def fmt_value(value: Any, unit: str | None, lang: str = "zh", *, with_unit: bool = True,
              compact: bool = True) -> str:
    """An indicator value formatted for its catalog unit.

    '%'        a fraction as a percentage: 0.674 -> '67.4%'
    'ratio'    two decimals: 1.5 -> '1.50'
    '元'        money: 8765.4 -> '8,765元', 123456789 -> '1.23亿元' (en: '¥8,765', '¥123.46M')
    '人/万人'   two decimals: 1.234 -> '1.23人/万人' (en: '1.23 per 10k'); '人/千人' alike ('per 1k')
    '小时'      one decimal: 36.46 -> '36.5小时' (en: '36.5 h')
    counts     ('人次', '人', '次', '例', '台次', '对', ...) with 万/亿: 488900 -> '48.9万人次'
               (en: '488.9k', the unit left to the label)
    other      up to two decimals and the unit as given.
    `with_unit=False` leaves the unit off (for a table whose header names it); `compact=False` writes
    counts and money in full with thousands separators (488900 -> '488,900人次'), as tables do.
    """
    if is_missing(value):
        return MISSING
    en = lang == "en"
    unit = (unit or "").strip()
    if unit == "%":
        return fmt_pct(value, lang=lang)
    if unit == "ratio":
        return fmt_number(value, 2)
    if unit == "元":
        number = fmt_wan(value, lang=lang) if compact else fmt_count(value)
        if not with_unit:
            return number
        if en:
            return number.replace(MINUS, MINUS + "¥") if number.startswith(MINUS) else "¥" + number
        return number + "元"
    if unit in _PER_RESIDENTS:
        number = fmt_number(value, 2)
        if not with_unit:
            return number
        return f"{number} {_PER_RESIDENTS[unit]}" if en else number + unit
    if unit == "小时":
        number = fmt_number(value, 1)
        return (f"{number} h" if en else number + unit) if with_unit else number
    if unit in COUNT_UNITS:
        number = fmt_wan(value, lang=lang) if compact else fmt_count(value)
        return number + unit if with_unit and not en else number
    number = fmt_number(value, 2, strip=True)
    if not with_unit or not unit:
        return number
    return f"{number} {unit}" if en else number + unit


def fmt_target(target: Any, unit: str | None, lang: str = "zh") -> str:
    """A target as policy documents write it: a rate without needless decimals (0.9 -> '90%',
    0.875 -> '87.5%'), anything else as fmt_value writes a value of its unit."""
    if is_missing(target):
        return MISSING
    if (unit or "").strip() == "%":
        d = _round(_times(_dec(target), 100), 1)
        return _sign(d, plus=False) + _plain(d, 1, strip=True) + "%"
    return fmt_value(target, unit, lang=lang)
