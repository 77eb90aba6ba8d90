-- Public-health indicators for each place at one level inside the selection (cities, counties or
-- towns), current period: numerator and denominator as the catalog aggregates them (indicators read at
-- period end, macro at_period_end, at the place's last month with data; everything else summed over the
-- months), with the number of months that had data and the names of the place's county and city.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $codes (indicator codes);
--             $month_from, $month_to (current period);
--             $place_level: 'city' | 'county' | 'town' (picks the grouping column from this fixed list;
--             a value compared in SQL, never spliced into the text).
-- Reads the county grain for cities and counties, the town grain for towns (macro place_facts).
-- Grain: one row per indicator and place with data.
with scoped as (
    select
        case $place_level
            when 'city' then f.city_code
            when 'county' then f.county_code
            else f.town_code
        end as place_code,
        f.indicator_code,
        f.month,
        sum(f.numerator) as numerator,
        sum(f.denominator) as denominator,
    from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, $place_level) f
    where list_contains($codes, f.indicator_code)
      and f.month between $month_from::date and $month_to::date
    -- one row per place, indicator and month: the steps below read that, not the scan
    group by all
),
-- Stocks are the place's figure at its last month with data (one row per month here, so the row
-- arg_max_null picks is that month's sum; a missing denominator stays missing), flows the sum.
totals as (
    select
        s.indicator_code,
        s.place_code,
        if(at_period_end(i.aggregation), arg_max_null(s.numerator, s.month), sum(s.numerator)) as numerator,
        if(at_period_end(i.aggregation), arg_max_null(s.denominator, s.month), sum(s.denominator)) as denominator,
        count(*) as months,
        max(s.month) as last_month,
    from scoped s
    join indicator i on i.code = s.indicator_code
    where s.place_code is not null
    group by s.indicator_code, s.place_code, i.aggregation
)
select
    t.indicator_code,
    t.place_code,
    r.name as place_name,
    case r.level when 'town' then parent.name end as county_name,
    case r.level when 'town' then grandparent.name when 'county' then parent.name end as city_name,
    t.numerator,
    t.denominator,
    t.months,
    t.last_month,
from totals t
left join region r on r.code = t.place_code
left join region parent on parent.code = r.parent_code
left join region grandparent on grandparent.code = parent.parent_code
order by t.indicator_code, t.place_code;
