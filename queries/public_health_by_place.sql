-- Public-health indicators for each place at one level inside the selection (cities, counties or
-- towns), current period: numerator and denominator as the catalog aggregates them (stock indicators
-- at the place's last month with data, everything else summed over the months), with the number of
-- months that had data (for monthly stocks read as a monthly average) and the names of the place's
-- county and city.
-- Parameters: $city, $county, $town, $alliance, $tiers (scope); $codes (indicator codes);
--             $month_from, $month_to (current period);
--             $place_level: 'city' | 'county' | 'town' (picks the grouping column from this fixed list;
--             a value compared in SQL, never spliced into the text).
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
    from scoped_facts($city, $county, $town, $alliance, $tiers) f
    where list_contains($codes, f.indicator_code)
      and f.month between $month_from::date and $month_to::date
    -- one row per place, indicator and month: the steps below read that, not the scan
    group by all
),
per_place as (
    select
        s.indicator_code,
        s.place_code,
        max(s.month) as last_month,
        count(distinct s.month) as months,
    from scoped s
    where s.place_code is not null
    group by all
),
kept as (
    select s.*,
    from scoped s
    join per_place p using (indicator_code, place_code)
    join indicator i on i.code = s.indicator_code
    where i.aggregation not in ('stock_ratio', 'stock_count')
       or s.month = p.last_month
),
totals as (
    select
        k.indicator_code,
        k.place_code,
        sum(k.numerator) as numerator,
        sum(k.denominator) as denominator,
    from kept k
    group by all
)
select
    t.indicator_code,
    t.place_code,
    r.name as place_name,
    case r.level when 'town' then parent.name end as county_name,
    case r.level when 'town' then grandparent.name when 'county' then parent.name end as city_name,
    t.numerator,
    t.denominator,
    p.months,
    p.last_month,
from totals t
join per_place p using (indicator_code, place_code)
left join region r on r.code = t.place_code
left join region parent on parent.code = r.parent_code
left join region grandparent on grandparent.code = parent.parent_code
order by t.indicator_code, t.place_code;
