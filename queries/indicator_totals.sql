-- Numerator and denominator of each requested indicator over the selection, for the current period and
-- its comparison period. Ratios add numerators and denominators over places and months; indicators
-- read at period end (stocks, year to date, rolling coverage: macro at_period_end) take only the last
-- month with data inside each period, where the rollup already carries their sums up to that month.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $codes (indicator codes);
--             $month_from, $month_to (current period); $base_from, $base_to (comparison period).
-- Reads the county grain (indicator_county_fact), the town grain for a town, the facility rows for an
-- alliance or a facility's account (macro place_facts).
-- Grain: one row per indicator and period ('current' | 'base') that has data.
with periods as (
    select 'current' as period, $month_from::date as first_month, $month_to::date as last_month,
    union all
    select 'base', $base_from::date, $base_to::date,
),
-- Summed per indicator and month first, so that the joins below read a few hundred rows, not the scan.
monthly as (
    select f.indicator_code, f.month, sum(f.numerator) as numerator, sum(f.denominator) as denominator,
    from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, 'county') f
    where list_contains($codes, f.indicator_code)
      and f.month between least($month_from::date, $base_from::date) and greatest($month_to::date, $base_to::date)
    group by all
),
in_period as (
    select p.period, s.*, i.aggregation,
    from monthly s
    join periods p on s.month between p.first_month and p.last_month
    join indicator i on i.code = s.indicator_code
),
stock_month as (
    select period, indicator_code, max(month) as month,
    from in_period
    group by all
)
select
    ip.indicator_code,
    ip.period,
    sum(ip.numerator) as numerator,
    sum(ip.denominator) as denominator,
    max(ip.month) as last_month,
    count(distinct ip.month) as months,
from in_period ip
join stock_month sm using (period, indicator_code)
where not at_period_end(ip.aggregation) or ip.month = sm.month
group by all
order by ip.indicator_code, ip.period;
