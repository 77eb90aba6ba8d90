-- Where the selection's out-of-county referrals go: referrals per receiving facility in the period,
-- largest first. Counted like the indicator out_of_county_referrals (referral_flow_monthly, the sender
-- as home facility, inside the selection), so the receivers add up to the headline figure.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope, applied to the sender);
--             $month_from, $month_to (period).
-- Grain: one row per receiving facility with out-of-county referrals in the period.
with scope as (
    select s.facility_code, s.county_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select f.to_facility, f.referrals,
    from referral_flow_monthly f
    -- on the county too: the flows are stored by county, so a county's scope reads its own rows
    join scope s on s.county_code = f.home_county and s.facility_code = f.home_facility
        and f.month >= s.counted_from
    where f.direction = 'out_of_county'
      and f.month between $month_from::date and $month_to::date
),
receivers as (
    select fl.to_facility, sum(fl.referrals) as referrals,
    from flows fl
    group by all
)
select
    r.to_facility as facility_code,
    fa.name as facility_name,
    r.referrals,
from receivers r
join facility fa on fa.code = r.to_facility
order by r.referrals desc, r.to_facility;
