-- Referrals from facility to facility over the selection and period, between the $top largest senders
-- and the $top largest receivers (by all their referrals in the selection), for the hospital matrix.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $month_from, $month_to; $top (how many
--             senders and receivers); $facility (null, or a facility code: only referrals it sends or receives).
-- Grain: one row per sender and receiver pair with referrals, both among the largest.
with scope as (
    select s.facility_code, s.county_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select
        f.from_facility,
        f.to_facility,
        sum(f.referrals) as referrals,
    from referral_flow_monthly f
    -- on the county too: the flows are stored by county, so a county's scope reads its own rows
    join scope s on s.county_code = f.home_county and s.facility_code = f.home_facility
        and f.month >= s.counted_from
    where f.month between $month_from::date and $month_to::date
      and ($facility::varchar is null or $facility::varchar in (f.from_facility, f.to_facility))
    group by all
),
senders as (
    select fl.from_facility, sum(fl.referrals) as sent,
    from flows fl
    group by all
    order by sent desc, fl.from_facility
    limit $top
),
receivers as (
    select fl.to_facility, sum(fl.referrals) as received,
    from flows fl
    group by all
    order by received desc, fl.to_facility
    limit $top
)
select
    fl.from_facility,
    sender.name as from_name,
    se.sent as from_total,
    fl.to_facility,
    receiver.name as to_name,
    re.received as to_total,
    fl.referrals,
from flows fl
join senders se on se.from_facility = fl.from_facility
join receivers re on re.to_facility = fl.to_facility
join facility sender on sender.code = fl.from_facility
join facility receiver on receiver.code = fl.to_facility
order by se.sent desc, fl.from_facility, re.received desc, fl.to_facility;
