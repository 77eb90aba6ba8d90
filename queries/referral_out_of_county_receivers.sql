-- Where the selection's out-of-county referrals go, and with which diseases: referrals per receiving
-- facility outside the county and ICD-10 chapter, in the period and in its comparison period.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope, applied to the sender);
--             $month_from, $month_to (period); $base_from, $base_to (comparison period);
--             $facility (null, or a facility code: only referrals it sends or receives).
-- Grain: one row per receiving facility and chapter with referrals in either period.
with scope as (
    select s.facility_code, s.counted_from,
    from scoped_facilities($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code) s
),
flows as (
    select
        o.to_facility,
        o.disease_chapter,
        o.month,
        o.referrals,
    from referral_outflow_monthly o
    join scope s on s.facility_code = o.from_facility and o.month >= s.counted_from
    where (o.month between $month_from::date and $month_to::date or o.month between $base_from::date and $base_to::date)
      and ($facility::varchar is null or $facility::varchar in (o.from_facility, o.to_facility))
),
totals as (
    select
        fl.to_facility,
        fl.disease_chapter,
        coalesce(sum(fl.referrals) filter (where fl.month between $month_from::date and $month_to::date), 0) as referrals,
        coalesce(sum(fl.referrals) filter (where fl.month between $base_from::date and $base_to::date), 0) as base_referrals,
    from flows fl
    group by all
)
select
    t.to_facility,
    g.facility_name as to_name,
    g.tier as to_tier,
    city.name as to_city,
    county.name as to_county,
    t.disease_chapter,
    t.referrals,
    t.base_referrals,
from totals t
join facility_geo g on g.facility_code = t.to_facility
join region county on county.code = g.county_code
left join region city on city.code = g.city_code
order by t.referrals desc, t.to_facility, t.disease_chapter;
