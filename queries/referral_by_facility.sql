-- Referral figures of every facility in the selection that sent or received referrals in the period:
-- what it sent (up, down, out of the county; up through the green channel) and what it received (up,
-- down, and patients returned from outside the county, which count as its own, as in the indicators).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to.
-- Reads referral_facility_monthly, joined on the facility's county (the rows are stored by county).
-- Grain: one row per facility of the selection with referrals.
with scope as (
    select s.facility_code, s.facility_name, s.tier, s.county_code, s.town_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
totals as (
    select
        m.facility_code,
        sum(m.up_sent) as up_sent,
        sum(m.down_sent) as down_sent,
        sum(m.out_of_county_sent) as out_of_county_sent,
        sum(m.green_up_sent) as green_up_sent,
        sum(m.returned_received) as returned_received,
        sum(m.up_received) as up_received,
        sum(m.down_received) as down_received,
    from referral_facility_monthly m
    join scope s on s.county_code = m.county_code and s.facility_code = m.facility_code and m.month >= s.counted_from
    where m.month between $month_from::date and $month_to::date
    group by m.facility_code
)
select
    s.facility_code,
    s.facility_name,
    s.tier,
    county.name as county_name,
    town.name as town_name,
    t.up_sent,
    t.down_sent,
    t.out_of_county_sent,
    t.green_up_sent,
    t.returned_received,
    t.up_received,
    t.down_received,
from totals t
join scope s on s.facility_code = t.facility_code
join region county on county.code = s.county_code
left join region town on town.code = s.town_code
order by s.county_code, s.tier, s.facility_code;
