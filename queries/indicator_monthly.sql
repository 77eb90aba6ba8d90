-- Month-by-month numerator and denominator of each requested indicator over the selection
-- (a month's stock is that month's value, so no special case is needed here).
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $codes; $month_from, $month_to.
-- Reads the county grain (indicator_county_fact), the town grain for a town, the facility rows for an
-- alliance or a facility's account (macro place_facts).
-- Grain: one row per indicator and month with data.
select
    f.indicator_code,
    f.month,
    sum(f.numerator) as numerator,
    sum(f.denominator) as denominator,
from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, 'county') f
where list_contains($codes, f.indicator_code)
  and f.month between $month_from::date and $month_to::date
group by all
order by f.indicator_code, f.month;
