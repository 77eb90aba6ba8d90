-- Referrals crossing one county's border over the period: sent out by the county's facilities to
-- facilities elsewhere, and received by them from facilities elsewhere, by direction and partner facility.
-- Nothing for a county outside the account's jurisdiction.
-- Parameters: $county; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per side ('out' | 'in'), direction and partner facility.
with flows as (
    select r.*, s.county_code as from_county, t.county_code as to_county,
    from referral_flow_monthly r
    join facility_geo s on s.facility_code = r.from_facility
    join facility_geo t on t.facility_code = r.to_facility
    where r.month between $month_from::date and $month_to::date
      and (s.county_code = $county or t.county_code = $county)
      and s.county_code <> t.county_code
      and reach_place($scope_kind, $scope_code, (select c.parent_code from region c where c.code = $county), $county)
)
select
    case when fl.from_county = $county then 'out' else 'in' end as side,
    fl.direction,
    case when fl.from_county = $county then fl.to_facility else fl.from_facility end as partner_code,
    g.facility_name as partner_name,
    g.tier as partner_tier,
    county.name as partner_county,
    city.name as partner_city,
    sum(fl.referrals) as referrals,
from flows fl
join facility_geo g on g.facility_code = case when fl.from_county = $county then fl.to_facility else fl.from_facility end
left join region county on county.code = g.county_code
left join region city on city.code = g.city_code
group by all
order by side desc, referrals desc, g.facility_name;
