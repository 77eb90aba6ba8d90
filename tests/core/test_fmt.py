"""Tables of cases for healthdash.core.fmt: what an official reads for a given number."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from healthdash.core.fmt import (
    MINUS,
    MISSING,
    fmt_change,
    fmt_count,
    fmt_delta,
    fmt_month,
    fmt_number,
    fmt_pct,
    fmt_period,
    fmt_pp,
    fmt_target,
    fmt_value,
    fmt_wan,
    is_missing,
)

M = MINUS  # "−", U+2212

MISSING_VALUES = [None, math.nan, float("nan"), np.nan, math.inf, -math.inf, pd.NA, pd.NaT]


@pytest.mark.parametrize("value", MISSING_VALUES, ids=repr)
def test_missing_values_print_as_dash(value):
    assert is_missing(value)
    for fn in (fmt_count, fmt_wan, fmt_pct, fmt_pp, fmt_change, fmt_month):
        assert fn(value) == MISSING, fn.__name__
    for kind in ("pp", "ratio", "growth"):
        assert fmt_delta(value, kind) == MISSING
    assert fmt_wan(value, lang="en") == MISSING
    assert fmt_value(value, "%") == MISSING
    assert fmt_value(value, "人次") == MISSING
    assert fmt_period(value, "2024-06") == MISSING


@pytest.mark.parametrize("value", [0, 0.0, -1, "x", Decimal("1.5"), np.int64(3)], ids=repr)
def test_present_values_are_not_missing(value):
    assert not is_missing(value)


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0, "0"),
        (7, "7"),
        (999, "999"),
        (1000, "1,000"),
        (1_373_400, "1,373,400"),
        (123_456_789, "123,456,789"),
        (-1_834, f"{M}1,834"),
        (9_999.5, "10,000"),  # half-up, not banker's rounding
        (2.5, "3"),
        (-0.4, "0"),  # rounds to zero: no minus sign
        (np.int64(63_300), "63,300"),
        (np.float64(1278.0), "1,278"),
        (Decimal("42312"), "42,312"),
    ],
)
def test_fmt_count(x, expected):
    assert fmt_count(x) == expected
    assert fmt_count(x, lang="en") == expected


@pytest.mark.parametrize(
    ("x", "zh", "en"),
    [
        (0, "0", "0"),
        (9_800, "9,800", "9,800"),
        (9_999, "9,999", "9,999"),
        (9_999.4, "9,999", "9,999"),
        (9_999.5, "1万", "10k"),  # rounds up to 10,000, and the unit follows the rounded value
        (10_000, "1万", "10k"),
        (28_500, "2.9万", "28.5k"),  # one decimal of 万, half-up
        (254_000, "25.4万", "254k"),
        (250_000, "25万", "250k"),  # trailing zeros dropped, as reports print it
        (488_900, "48.9万", "488.9k"),
        (171_200, "17.1万", "171.2k"),
        (1_373_400, "137.3万", "1.37M"),
        (999_950, "100万", "1M"),  # 99.995万 rounds to 100万; 999.95k rounds to 1000k: say 1M
        (99_995_000, "9999.5万", "100M"),
        (99_949_999, "9995万", "99.95M"),  # 9994.9999万 rounds to 9995.0万, the zero dropped
        (99_999_949, "1亿", "100M"),  # 9999.9949万 rounds to 10000.0万: say 1亿
        (100_000_000, "1亿", "100M"),
        (123_456_789, "1.23亿", "123.46M"),  # 亿 keeps two decimals: a tenth of 1亿 is 1000万
        (8_420_000_000, "84.2亿", "8.42B"),
        (-28_500, f"{M}2.9万", f"{M}28.5k"),
        (-9_800, f"{M}9,800", f"{M}9,800"),
        (-123_456_789, f"{M}1.23亿", f"{M}123.46M"),
    ],
)
def test_fmt_wan(x, zh, en):
    assert fmt_wan(x) == zh
    assert fmt_wan(x, lang="en") == en


def test_fmt_wan_digits():
    assert fmt_wan(488_900, digits=2) == "48.89万"
    assert fmt_wan(1_373_400, digits=0) == "137万"


@pytest.mark.parametrize(
    ("x", "digits", "expected"),
    [
        (0, 1, "0.0%"),
        (0.674, 1, "67.4%"),
        (0.8763, 2, "87.63%"),
        (0.9, 1, "90.0%"),  # fixed decimals: columns of rates line up
        (1, 1, "100.0%"),
        (1.05, 1, "105.0%"),
        (0.0705, 1, "7.1%"),  # half-up on the decimal value, despite 0.0705 * 100 = 7.049999... in floats
        (0.00049, 1, "0.0%"),
        (-0.00049, 1, "0.0%"),
        (-0.031, 1, f"{M}3.1%"),
        (0.4612, 2, "46.12%"),
        (0.518, 0, "52%"),
    ],
)
def test_fmt_pct(x, digits, expected):
    assert fmt_pct(x, digits) == expected
    assert fmt_pct(x, digits, lang="en") == expected


@pytest.mark.parametrize(
    ("delta", "signed", "zh", "en"),
    [
        (0.012, False, "1.2个百分点", "1.2 pp"),
        (0.012, True, "+1.2个百分点", "+1.2 pp"),
        (-0.012, False, f"{M}1.2个百分点", f"{M}1.2 pp"),
        (-0.012, True, f"{M}1.2个百分点", f"{M}1.2 pp"),
        (0, True, "0.0个百分点", "0.0 pp"),
        (-0.0004, True, "0.0个百分点", "0.0 pp"),
        (0.5, True, "+50.0个百分点", "+50.0 pp"),  # 自贡 concordance 40% -> 90%
    ],
)
def test_fmt_pp(delta, signed, zh, en):
    assert fmt_pp(delta, signed=signed) == zh
    assert fmt_pp(delta, signed=signed, lang="en") == en


@pytest.mark.parametrize(
    ("x", "expected"),
    [
        (0.0702, "+7.0%"),  # 名山 outpatient visits, H1 2024: one decimal like every rate
        (0.1135, "+11.4%"),  # half-up on the decimal value
        (0.03, "+3.0%"),  # "3.0%", never "3%" beside "1.8%"
        (0.0184, "+1.8%"),
        (-0.031, f"{M}3.1%"),
        (0, "0.0%"),
        (0.0004, "0.0%"),  # rounds to zero: no sign
        (-0.0004, "0.0%"),
        (0.0005, "+0.1%"),
        (1.5, "+150.0%"),
        (-1, f"{M}100.0%"),
    ],
)
def test_fmt_change(x, expected):
    assert fmt_change(x) == expected
    assert fmt_change(x, lang="en") == expected


def test_fmt_change_digits():
    assert fmt_change(0.0702, digits=2) == "+7.02%"
    assert fmt_change(0.0756, digits=0) == "+8%"


@pytest.mark.parametrize(
    ("delta", "kind", "zh", "en"),
    [
        (0.021, "pp", "+2.1个百分点", "+2.1 pp"),  # a difference of rates
        (-0.0004, "pp", "0.0个百分点", "0.0 pp"),
        (0.03, "growth", "+3.0%", "+3.0%"),  # a count's relative change
        (-0.1135, "growth", f"{M}11.4%", f"{M}11.4%"),
        (0.05, "ratio", "+0.05", "+0.05"),  # a difference of ratios, two decimals like the ratio
        (-0.1, "ratio", f"{M}0.10", f"{M}0.10"),
        (0.004, "ratio", "0.00", "0.00"),
    ],
)
def test_fmt_delta_one_form_per_kind(delta, kind, zh, en):
    assert fmt_delta(delta, kind) == zh
    assert fmt_delta(delta, kind, lang="en") == en


def test_fmt_delta_refuses_an_unknown_kind():
    with pytest.raises(ValueError, match="unknown kind"):
        fmt_delta(0.1, "percent")


@pytest.mark.parametrize(
    ("target", "unit", "expected"),
    [(0.9, "%", "90%"), (0.875, "%", "87.5%"), (0.1, "%", "10%"), (1.5, "ratio", "1.50"), (5_000, "人次", "5,000人次")],
)
def test_fmt_target_as_policy_documents_write_it(target, unit, expected):
    assert fmt_target(target, unit) == expected


@pytest.mark.parametrize(
    ("value", "zh", "en"),
    [
        (dt.date(2024, 6, 1), "2024年6月", "Jun 2024"),
        (dt.date(2024, 6, 30), "2024年6月", "Jun 2024"),
        (dt.datetime(2017, 12, 31, 23, 59), "2017年12月", "Dec 2017"),
        (pd.Timestamp("2024-01-15"), "2024年1月", "Jan 2024"),
        (np.datetime64("2024-11-01").astype("datetime64[D]").item(), "2024年11月", "Nov 2024"),
        ("2024-06", "2024年6月", "Jun 2024"),
        ("2024-06-30", "2024年6月", "Jun 2024"),
        ("202406", "2024年6月", "Jun 2024"),
    ],
)
def test_fmt_month(value, zh, en):
    assert fmt_month(value) == zh
    assert fmt_month(value, lang="en") == en


@pytest.mark.parametrize("bad", ["2024-13", "June", ""])
def test_fmt_month_rejects_garbage(bad):
    with pytest.raises(ValueError):
        fmt_month(bad)


@pytest.mark.parametrize(
    ("start", "end", "zh", "en"),
    [
        ("2024-06", "2024-06", "2024年6月", "Jun 2024"),
        ("2024-01", "2024-06", "2024年1–6月", "Jan–Jun 2024"),
        (dt.date(2024, 1, 1), dt.date(2024, 6, 30), "2024年1–6月", "Jan–Jun 2024"),
        ("2023-11", "2024-02", "2023年11月–2024年2月", "Nov 2023–Feb 2024"),
        ("2024-01", "2024-12", "2024年", "2024"),
        (dt.date(2017, 1, 1), dt.date(2017, 12, 31), "2017年", "2017"),
        ("2023-01", "2024-12", "2023–2024年", "2023–2024"),
        ("2023-01", "2024-06", "2023年1月–2024年6月", "Jan 2023–Jun 2024"),
        ("2024-02", "2024-12", "2024年2–12月", "Feb–Dec 2024"),
    ],
)
def test_fmt_period(start, end, zh, en):
    assert fmt_period(start, end) == zh
    assert fmt_period(start, end, lang="en") == en


def test_fmt_period_rejects_reversed():
    with pytest.raises(ValueError):
        fmt_period("2024-06", "2024-01")


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (0.674, "%", "67.4%", "67.4%"),
        (0.95, "%", "95.0%", "95.0%"),
        (488_900, "人次", "48.9万人次", "488.9k"),
        (1_278, "人次", "1,278人次", "1,278"),
        (13_080, "人", "1.3万人", "13.1k"),
        (2_789, "例", "2,789例", "2,789"),
        (449, "对", "449对", "449"),
        (65, "次", "65次", "65"),
        (2_342, "台次", "2,342台次", "2,342"),
        (8_765.43, "元", "8,765元", "¥8,765"),
        (123_456_789, "元", "1.23亿元", "¥123.46M"),
        (-28_500, "元", f"{M}2.9万元", f"{M}¥28.5k"),
        (1.5, "ratio", "1.50", "1.50"),
        (0.857, "ratio", "0.86", "0.86"),
        (1.234, "人/万人", "1.23人/万人", "1.23 per 10k"),
        (12.5, "km", "12.5km", "12.5 km"),
        (12.5, "", "12.5", "12.5"),
        (12.5, None, "12.5", "12.5"),
    ],
)
def test_fmt_value(value, unit, zh, en):
    assert fmt_value(value, unit) == zh
    assert fmt_value(value, unit, lang="en") == en


@pytest.mark.parametrize(
    ("value", "unit", "expected"),
    [
        (488_900, "人次", "48.9万"),
        (8_765.43, "元", "8,765"),
        (1.234, "人/万人", "1.23"),
        (0.5, "%", "50.0%"),
    ],
)
def test_fmt_value_without_unit(value, unit, expected):
    assert fmt_value(value, unit, with_unit=False) == expected


@pytest.mark.parametrize(
    ("value", "unit", "zh", "en"),
    [
        (488_900, "人次", "488,900人次", "488,900"),  # tables: in full, thousands separators
        (13_080, "人", "13,080人", "13,080"),
        (123_456_789, "元", "123,456,789元", "¥123,456,789"),
        (0.674, "%", "67.4%", "67.4%"),  # rates read the same everywhere
        (1.5, "ratio", "1.50", "1.50"),
    ],
)
def test_fmt_value_in_full_for_tables(value, unit, zh, en):
    assert fmt_value(value, unit, compact=False) == zh
    assert fmt_value(value, unit, lang="en", compact=False) == en


def test_fmt_number():
    assert fmt_number(1234.5) == "1,234.50"
    assert fmt_number(1234.5, 1, strip=True) == "1,234.5"
    assert fmt_number(-0.001) == "0.00"


# ---------------------------------------------------------------------------------------------- properties


def _parse_count(text: str) -> int:
    return int(text.replace(",", "").replace(MINUS, "-"))


@given(st.integers(min_value=-(10**15), max_value=10**15))
def test_fmt_count_round_trips_integers(n):
    assert _parse_count(fmt_count(n)) == n


@given(st.integers(min_value=-9_999, max_value=9_999))
def test_fmt_wan_under_one_wan_is_the_full_count(n):
    assert fmt_wan(n) == fmt_count(n)


@given(st.integers(min_value=10_000, max_value=10**14))
def test_fmt_wan_is_close_to_the_value(n):
    text = fmt_wan(n)
    unit = text[-1]
    assert unit in "万亿"
    mantissa = Decimal(text[:-1])
    scale = 10_000 if unit == "万" else 100_000_000
    assert 1 <= mantissa < 10_000 or (unit == "亿")
    assert abs(mantissa * scale - n) <= Decimal("0.05") * 10_000 if unit == "万" else Decimal("0.005") * scale


@given(st.floats(allow_nan=True, allow_infinity=True, width=64))
def test_formatters_never_raise_on_floats(x):
    for fn in (fmt_count, fmt_wan, fmt_pct, fmt_pp, fmt_change, lambda v: fmt_delta(v, "ratio")):
        out = fn(x)
        assert isinstance(out, str) and out
        assert not out.startswith("-")  # a hyphen is never used as a minus sign
    for unit in ("%", "人次", "元", "ratio", "人/万人"):
        assert fmt_value(x, unit, lang="en")
