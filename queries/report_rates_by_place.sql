-- Reporting rate and timeliness for each place one level below the selection, or each reporting unit
-- (facilities; towns and counties for the datasets they report), over a period and datasets together.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers); $datasets; $month_from, $month_to;
--             $due_day; $as_of; $child_level: 'city' | 'county' | 'town' | 'unit' (picks the grouping
--             column from this fixed list; a value compared in SQL, never spliced into the text).
-- Grain: one row per child place (or unit) with reports due.
with scoped as (
    select
        case $child_level
            when 'city' then s.city_code
            when 'county' then s.county_code
            when 'town' then s.town_code
            else s.unit_code
        end as place_code,
        s.*,
    from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date) s
)
select
    s.place_code,
    coalesce(r.name, pl.unit_name) as place_name,
    count_if(s.due) as reports_due,
    count_if(s.due and s.received) as reports_received,
    count_if(s.due and s.on_time) as reports_on_time,
    count_if(s.due and s.received and not s.on_time) as reports_late,
    count_if(s.due and not s.received) as reports_missing,
    reports_received / nullif(reports_due, 0) as reporting_rate,
    reports_on_time / nullif(reports_due, 0) as timeliness,
from scoped s
left join region r on r.code = s.place_code and $child_level <> 'unit'
left join (select distinct unit_code, unit_name from report_place) pl
    on pl.unit_code = s.place_code and $child_level = 'unit'
where s.place_code is not null
group by all
having count_if(s.due) > 0
order by reporting_rate, s.place_code;
