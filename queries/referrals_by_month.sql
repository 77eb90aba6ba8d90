-- Referrals per month and direction over the selection, from twelve months before the first month shown
-- (so that last year's line can be drawn beside it) to the last. A referral belongs to the selection
-- when its home facility (the sender; the receiver for patients returned into the county) is in scope.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to (months shown);
--             $facility (null, or a facility code: only referrals it sends or receives).
-- Grain: one row per month and direction with referrals.
with scope as (
    select s.facility_code, s.county_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select
        f.month,
        f.direction,
        f.referrals,
    from referral_flow_monthly f
    -- on the county too: the flows are stored by county, so a county's scope reads its own rows
    join scope s on s.county_code = f.home_county and s.facility_code = f.home_facility
        and f.month >= s.counted_from
    where f.month between (date_trunc('month', $month_from::date) - interval 12 month)::date and $month_to::date
      and ($facility::varchar is null or $facility::varchar in (f.from_facility, f.to_facility))
)
select
    fl.month,
    fl.direction,
    sum(fl.referrals) as referrals,
from flows fl
group by all
order by fl.month, fl.direction;
