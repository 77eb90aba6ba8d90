"""The what-if arithmetic (healthdash/domains/whatif/scenario.py) against a case worked by hand, at zero, and monotonic."""

from __future__ import annotations

from dataclasses import fields, replace

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from healthdash.domains.whatif import scenario
from healthdash.domains.whatif.scenario import Counts, Levers, Receiver

# A county small enough to do by hand.
#   visits of residents: 800 in the county (720 outpatient + 80 admissions) of 1,000
#   admissions: 80 in the county of 100, so 20 outside; 200,000 元 of fund paid outside for them
#   fund: 600,000 元 paid in the county of 1,000,000 元
#   outpatient visits at facilities: 500 primary of 1,000; 300 at county hospitals
#   referrals: 100 up, 40 down, 60 out of the county; 50 down in the same months last year
#   contracts: 6,000 residents of 10,000
HAND = Counts(
    visits_in=800, visits_total=1_000, admissions_in=80, admissions_total=100, fund_out_inpatient=200_000,
    fund_in=600_000, fund_total=1_000_000, primary_visits=500, all_visits=1_000, county_hospital_visits=300,
    up=100, down=40, out_of_county=60, down_last_year=50, contracted=6_000, population=10_000,
)
HAND_LEVERS = Levers(bring_back=0.5, shift_primary=0.1, down_growth=0.25, contracts_added=1_500)


def test_hand_worked_case() -> None:
    # bring_back 50%: 20 admissions outside × 0.5 = 10 come back
    #   县域内就诊率      (800 + 10) / 1,000                = 81%   (before 80%)
    #   县域内住院人次占比 (80 + 10) / 100                   = 90%   (before 80%)
    #   fund per admission outside 200,000 / 20 = 10,000 元; kept 10 × 10,000 = 100,000 元
    #   医保基金县域内占比 (600,000 + 100,000) / 1,000,000    = 70%   (before 60%)
    #   县外转诊人次       60 × (1 − 0.5)                   = 30
    # shift 10%: 300 × 0.1 = 30 county-hospital visits move down
    #   基层诊疗人次占比   (500 + 30) / 1,000                = 53%   (before 50%)
    # down +25%: 40 × 1.25 = 50 down-referrals
    #   下转/上转比        50 / (100 + 30)                  = 0.385 (before 40 / (100 + 60) = 0.25)
    #   下转人次同比增长   (50 − 50) / 50                    = 0%    (before (40 − 50) / 50 = −20%)
    #   县外转诊率         30 / (100 + 50 + 30) = 30 / 180   = 16.67% (before 60 / 200 = 30%)
    # contracts +1,500:
    #   家庭医生签约率     (6,000 + 1,500) / 10,000          = 75%   (before 60%)
    before = scenario.values(HAND)
    after_counts = scenario.apply(HAND, HAND_LEVERS)
    after = scenario.values(after_counts)
    assert before == pytest.approx({
        "county_retention_rate": 0.80, "in_county_inpatient_share": 0.80, "ins_fund_in_county_share": 0.60,
        "primary_visit_share": 0.50, "out_of_county_referrals": 60, "out_of_county_referral_rate": 0.30,
        "down_up_ratio": 0.25, "down_referral_growth": -0.20, "fd_coverage": 0.60,
    })
    assert after == pytest.approx({
        "county_retention_rate": 0.81, "in_county_inpatient_share": 0.90, "ins_fund_in_county_share": 0.70,
        "primary_visit_share": 0.53, "out_of_county_referrals": 30, "out_of_county_referral_rate": 30 / 180,
        "down_up_ratio": 50 / 130, "down_referral_growth": 0.0, "fd_coverage": 0.75,
    })
    assert scenario.fund_per_admission_out(HAND) == pytest.approx(10_000)
    assert scenario.fund_kept(HAND, after_counts) == pytest.approx(100_000)
    assert after_counts.county_hospital_visits == pytest.approx(270)
    assert after_counts.all_visits == HAND.all_visits, "moving visits keeps the total"


def test_contracts_stop_at_the_population() -> None:
    # 6,000 + 9,000 would be 150% of 10,000 residents: capped at 100%
    after = scenario.apply(HAND, Levers(contracts_added=9_000))
    assert scenario.values(after)["fd_coverage"] == 1.0


def test_reserve_worked_by_hand() -> None:
    # Hospital A received 200 referrals, 30 up + 20 out-of-county from the selection: its part is 50/200 = 25%.
    #   demand after bringing back half of the out-of-county ones: 30 + 20 × 0.5 = 40
    #   appointments: 20% × 10,000 outpatient visits × 25% = 500  -> 500 / 40 = 12.5 times the demand
    #   admissions:   10% × 1,000 discharges × 25% = 25            -> 25 / 40 = 62.5% of the demand
    # Hospital B (provincial, no capacity data): 10 out-of-county × 0.5 = 5 left out of the count.
    hospitals = [
        Receiver("A", 200, 30, 20, 10_000, 1_000),
        Receiver("B", 50, 0, 10, None, None),
    ]
    result = scenario.reserve(hospitals, Levers(bring_back=0.5, reserve_appointments=0.2, reserve_beds=0.1))
    assert result.demand == pytest.approx(40)
    assert result.appointments == pytest.approx(500)
    assert result.admissions == pytest.approx(25)
    assert result.demand_unknown == pytest.approx(5)
    assert result.appointment_coverage == pytest.approx(12.5)
    assert result.bed_coverage == pytest.approx(0.625)


def test_levers_at_zero_give_exactly_the_before_values() -> None:
    after = scenario.apply(HAND, Levers())
    assert after == HAND
    assert scenario.values(after) == scenario.values(HAND)
    assert scenario.fund_kept(HAND, after) == 0


counts_strategy = st.builds(
    lambda visits_out, visits_in, adm_in, adm_out, fund_in, fund_out_ip, fund_out_op, primary, county, other,
    up, down, out, down_ly, population, share: Counts(
        visits_in=visits_in + adm_in, visits_total=visits_in + adm_in + visits_out + adm_out,
        admissions_in=adm_in, admissions_total=adm_in + adm_out, fund_out_inpatient=fund_out_ip,
        fund_in=fund_in, fund_total=fund_in + fund_out_ip + fund_out_op, primary_visits=primary,
        all_visits=primary + county + other, county_hospital_visits=county, up=up, down=down, out_of_county=out,
        down_last_year=down_ly, contracted=population * share, population=population,
    ),
    *(st.integers(0, 10**7) for _ in range(10)),
    st.integers(1, 10**5), st.integers(0, 10**5), st.integers(0, 10**5), st.integers(1, 10**5),
    st.integers(1, 10**7), st.floats(0, 1),
)
RISING = ("county_retention_rate", "in_county_inpatient_share", "ins_fund_in_county_share", "primary_visit_share",
          "down_up_ratio", "down_referral_growth", "fd_coverage")
FALLING = ("out_of_county_referrals", "out_of_county_referral_rate")
LEVER_VALUES = {
    "bring_back": (0.0, 0.1, 0.35, 0.6, 1.0),
    "shift_primary": (0.0, 0.05, 0.2, 0.3),
    "down_growth": (0.0, 0.1, 0.5, 1.0),
    "contracts_added": (0.0, 1_000.0, 50_000.0, 10**7),
}


@settings(max_examples=60, deadline=None)
@given(counts=counts_strategy)
def test_every_indicator_moves_only_the_good_way_as_each_lever_rises(counts: Counts) -> None:
    for lever, steps in LEVER_VALUES.items():
        series = [scenario.values(scenario.apply(counts, replace(Levers(), **{lever: v}))) for v in steps]
        for earlier, later in zip(series, series[1:], strict=False):
            for code in RISING:
                if earlier[code] is not None:
                    assert later[code] >= earlier[code] - 1e-12, (lever, code)
            for code in FALLING:
                if earlier[code] is not None:
                    assert later[code] <= earlier[code] + 1e-12, (lever, code)


@settings(max_examples=40, deadline=None)
@given(counts=counts_strategy)
def test_reserve_coverage_rises_with_the_reserved_shares(counts: Counts) -> None:
    hospitals = [Receiver("A", counts.up + counts.out_of_county + 10, counts.up, counts.out_of_county,
                          counts.all_visits, counts.admissions_total)]
    coverages = [scenario.reserve(hospitals, Levers(reserve_appointments=v, reserve_beds=v)) for v in (0, 0.1, 0.3)]
    for earlier, later in zip(coverages, coverages[1:], strict=False):
        assert later.appointments >= earlier.appointments
        assert later.admissions >= earlier.admissions


def test_counts_add_and_subtract_field_by_field() -> None:
    doubled = HAND + HAND
    assert all(getattr(doubled, f.name) == 2 * getattr(HAND, f.name) for f in fields(Counts))
    assert doubled - HAND == HAND
    assert scenario.total([HAND, HAND]) == doubled
