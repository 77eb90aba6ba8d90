-- Referrals between tiers over the selection and period, for the flow (Sankey) diagram. Places outside
-- the county (outside the city for an urban district) are one end, 'outside': the receiver of
-- out-of-county referrals and the sender of returned ones.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to;
--             $facility (null, or a facility code: only referrals it sends or receives).
-- Grain: one row per sending tier, receiving tier and direction with referrals.
with scope as (
    select s.facility_code, s.county_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select
        f.from_facility,
        f.to_facility,
        f.direction,
        sum(f.referrals) as referrals,
    from referral_flow_monthly f
    -- on the county too: the flows are stored by county, so a county's scope reads its own rows
    join scope s on s.county_code = f.home_county and s.facility_code = f.home_facility
        and f.month >= s.counted_from
    where f.month between $month_from::date and $month_to::date
      and ($facility::varchar is null or $facility::varchar in (f.from_facility, f.to_facility))
    group by all
),
tiered as (
    select
        case when fl.direction = 'returned' then 'outside' else sender.tier end as from_tier,
        case when fl.direction = 'out_of_county' then 'outside' else receiver.tier end as to_tier,
        fl.direction,
        fl.referrals,
    from flows fl
    join facility_geo sender on sender.facility_code = fl.from_facility
    join facility_geo receiver on receiver.facility_code = fl.to_facility
)
select
    t.from_tier,
    t.to_tier,
    t.direction,
    sum(t.referrals) as referrals,
from tiered t
group by all
order by t.from_tier, t.to_tier, t.direction;
