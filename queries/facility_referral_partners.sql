-- Referrals one facility sent and received over the period, by direction and partner facility.
-- 'sent': the facility referred the patient to the partner; 'received': the partner referred the patient
-- to the facility. Directions as recorded (up, down, out_of_county, returned).
-- Parameters: $facility; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per side, direction and partner facility.
with flows as (
    select
        case when r.from_facility = $facility then 'sent' else 'received' end as side,
        case when r.from_facility = $facility then r.to_facility else r.from_facility end as partner_code,
        r.direction,
        r.referrals,
        r.green_referrals,
    from referral_flow_monthly r
    where (r.from_facility = $facility or r.to_facility = $facility)
      and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
      and r.month between $month_from::date and $month_to::date
)
select
    fl.side,
    fl.direction,
    fl.partner_code,
    g.facility_name as partner_name,
    g.tier as partner_tier,
    county.name as partner_county,
    sum(fl.referrals) as referrals,
    sum(fl.green_referrals) as green_referrals,
from flows fl
join facility_geo g on g.facility_code = fl.partner_code
left join region county on county.code = g.county_code
group by all
order by fl.side desc, referrals desc, g.facility_name;
