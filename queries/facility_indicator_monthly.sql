-- Month-by-month numerator and denominator of each requested indicator for one facility (its volumes,
-- the referrals it is home to, and the alliance work and shared services it received, all alliances
-- together), for the facility profile's headline and trends.
-- Parameters: $facility; $codes; $month_from, $month_to; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row per indicator and month with data.
select
    f.indicator_code,
    f.month,
    sum(f.numerator) as numerator,
    sum(f.denominator) as denominator,
from indicator_fact f
where f.facility_code = $facility
  and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
  and list_contains($codes, f.indicator_code)
  and f.month between $month_from::date and $month_to::date
group by all
order by f.indicator_code, f.month;
