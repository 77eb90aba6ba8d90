-- Indicators for each place one level below the selection (or each facility), current period,
-- with indicators read at period end (macro at_period_end) at the last month with data.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $codes (indicator codes); $month_from, $month_to;
--             $child_level: 'city' | 'county' | 'town' | 'facility' (picks the grouping column from
--             this fixed list; it is a value compared in SQL, never spliced into the text).
-- Reads the coarsest grain that answers the selection and the children (macro place_facts): counties
-- for cities and counties, towns for a town or towns, facility rows for facilities or an alliance.
-- Grain: one row per indicator and child place with data.
with scoped as (
    select
        case $child_level
            when 'city' then f.city_code
            when 'county' then f.county_code
            when 'town' then f.town_code
            else f.facility_code
        end as place_code,
        f.indicator_code,
        f.month,
        sum(f.numerator) as numerator,
        sum(f.denominator) as denominator,
    from place_facts($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code, $child_level) f
    where list_contains($codes, f.indicator_code)
      and f.month between $month_from::date and $month_to::date
    -- one row per child place, indicator and month: the window below reads that, not the scan
    group by all
),
kept as (
    select s.*,
    from scoped s
    join indicator i on i.code = s.indicator_code
    where s.place_code is not null
    qualify not at_period_end(i.aggregation)
        or s.month = max(s.month) over (partition by s.indicator_code, s.place_code)
)
select
    k.indicator_code,
    k.place_code,
    coalesce(r.name, fa.name) as place_name,
    sum(k.numerator) as numerator,
    sum(k.denominator) as denominator,
from kept k
left join region r on r.code = k.place_code
left join facility fa on fa.code = k.place_code
group by all
order by k.indicator_code, k.place_code;
