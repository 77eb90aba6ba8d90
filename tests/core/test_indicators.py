"""Indicator arithmetic: sum/sum, targets met at exactly the target, changes in the right unit."""

import pytest

from healthdash.core import indicators as ind
from healthdash.core.indicators import Indicator


def make(code: str = "x", *, unit: str = "%", aggregation: str = "ratio", direction: str = "up",
         target: float | None = 90.0) -> Indicator:
    return Indicator(
        code=code, name_zh="指标", name_en="indicator", section="care_pattern", definition_zh="口径",
        definition_en="definition", unit=unit, aggregation=aggregation, direction=direction, target=target,
        target_source="来源", level="county", proposed=False, growth_of=None,
    )


def test_rate_is_ratio_of_sums_not_mean_of_rates() -> None:
    # Two towns: 90/100 and 10/100 000. The mean of rates is 45%; the population's rate is ~0.1%.
    numerators, denominators = [90, 10], [100, 100_000]
    mean_of_rates = sum(n / d for n, d in zip(numerators, denominators, strict=True)) / 2
    result = ind.value(make(), sum(numerators), sum(denominators))
    assert result == pytest.approx(100 / 100_100)
    assert abs(result - mean_of_rates) > 0.4


@pytest.mark.parametrize(
    ("direction", "target", "result", "expected"),
    [
        ("up", 90.0, 0.90, True),  # exactly at target counts as met
        ("up", 90.0, 0.8999, False),
        ("up", 65.0, 0.65 * 3 / 3, True),
        ("down", 10.0, 0.10, True),
        ("down", 10.0, 0.1001, False),
        ("up", None, 0.5, None),
        ("up", 90.0, None, None),
    ],
)
def test_meets_target(direction: str, target: float | None, result: float | None, expected: bool | None) -> None:
    assert ind.meets_target(make(direction=direction, target=target), result) is expected


def test_exactly_at_target_from_integer_counts_is_met() -> None:
    # 0.7 is not exactly representable: 7/10 must still meet a 70% target
    assert ind.meets_target(make(target=70.0), ind.value(make(), 7, 10)) is True


def test_count_target_is_on_its_own_scale() -> None:
    assert make(unit="人次", aggregation="count", target=1834).target_value == 1834
    assert make(unit="%", target=90).target_value == pytest.approx(0.9)


def test_undefined_values() -> None:
    assert ind.value(make(), 5, 0) is None
    assert ind.value(make(), None, 10) is None
    assert ind.value(make(unit="人次", aggregation="count"), 12, None) == 12


@pytest.mark.parametrize(
    ("unit", "current", "base", "expected"),
    [
        ("%", 0.674, 0.65, 0.024),  # rates change in percentage points
        ("人次", 488_900, 456_830, 488_900 / 456_830 - 1),  # counts change in growth
        ("ratio", 1.2, 1.0, 0.2),
    ],
)
def test_change_unit(unit: str, current: float, base: float, expected: float) -> None:
    aggregation = "count" if unit == "人次" else "ratio"
    assert ind.change(make(unit=unit, aggregation=aggregation), current, base) == pytest.approx(expected)


def test_change_without_base_is_none() -> None:
    assert ind.change(make(), 0.5, None) is None
    assert ind.growth(10, 0) is None


@pytest.mark.parametrize(
    ("direction", "delta", "expected"),
    [("up", 0.02, True), ("up", -0.02, False), ("down", -0.02, True), ("down", 0.02, False),
     ("monitor", 0.02, None), ("up", 0.0, None)],
)
def test_improvement_follows_direction(direction: str, delta: float, expected: bool | None) -> None:
    assert ind.is_improvement(make(direction=direction), delta) is expected
