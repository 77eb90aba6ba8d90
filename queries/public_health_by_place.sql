-- Public-health indicators for each place at one level inside the selection (cities, counties or
-- towns), current period: numerator and denominator as the catalog aggregates them (indicators read at
-- period end, macro at_period_end, at the place's last month with data; everything else summed over the
-- months), with the number of months that had data and the names of the place's county and city.
-- Parameters: $city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code (scope); $codes (indicator codes
--             of the catalog's public-health section); $month_from, $month_to (current period);
--             $place_level: 'city' | 'county' | 'town' (picks the grouping column from this fixed list;
--             a value compared in SQL, never spliced into the text).
-- Towns of every tier outside an alliance (macro town_running) are read from their running totals, two
-- rows per town and indicator (the period's last month less the month before it); any other selection
-- sums the county grain for cities and counties, the town grain for towns (macro place_facts). The
-- branch that does not apply is a constant false and reads nothing.
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
    where not town_running($alliance, $tiers, $scope_kind, $place_level)
      and list_contains($codes, f.indicator_code)
      and f.month between $month_from::date and $month_to::date
    -- one row per place, indicator and month: the steps below read that, not the scan
    group by all
),
-- Stocks are the place's figure at its last month with data (one row per month here, so the row
-- arg_max_null picks is that month's sum; a missing denominator stays missing), flows the sum.
summed as (
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
),
-- The running totals at the period's last month (at most the table's last) and at the month before the
-- period (the same row when the period starts after that: the two then cancel out). The months are joined,
-- not compared with a subquery, so that the scan reads their row groups only.
bounds as (
    select unnest([
        {'month': month_end, 'is_end': true},
        {'month': least(($month_from::date - interval 1 month)::date, month_end), 'is_end': false},
    ], recursive := true)
    from (select least($month_to::date, max(month)) as month_end, from indicator_town_running)
),
ends as (
    select r.*, b.is_end,
    from bounds b
    join indicator_town_running r on r.month = b.month
    where town_running($alliance, $tiers, $scope_kind, $place_level)
      and list_contains($codes, r.indicator_code)
      and in_place($city, $county, $town, r.city_code, r.county_code, r.town_code)
      and reach_place($scope_kind, $scope_code, r.city_code, r.county_code)
),
-- The period's figures: last month less the month before (none before a town's first month), or, for
-- stocks, the last month with data up to the period's end; a town without data in the period is left out.
differences as (
    select
        e.indicator_code,
        e.town_code as place_code,
        i.aggregation,
        e.months - coalesce(p.months, 0) as months,
        e.numerator_count - coalesce(p.numerator_count, 0) as numerator_count,
        e.numerator_total - coalesce(p.numerator_total, 0) as numerator_total,
        e.denominator_count - coalesce(p.denominator_count, 0) as denominator_count,
        e.denominator_total - coalesce(p.denominator_total, 0) as denominator_total,
        e.last_month,
        e.last_numerator,
        e.last_denominator,
    from (select * from ends where is_end) e
    left join (select * from ends where not is_end) p on p.indicator_code = e.indicator_code and p.town_code = e.town_code
    join indicator i on i.code = e.indicator_code
),
totals as (
    select indicator_code, place_code, numerator, denominator, months, last_month,
    from summed
    union all
    select
        indicator_code,
        place_code,
        if(at_period_end(aggregation), last_numerator, if(numerator_count > 0, numerator_total::double, null)),
        if(at_period_end(aggregation), last_denominator, if(denominator_count > 0, denominator_total::double, null)),
        months,
        last_month,
    from differences
    where months > 0
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
