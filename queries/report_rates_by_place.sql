-- Reporting rate and timeliness for each place one level below the selection, or each reporting unit
-- (facilities; towns and counties for the datasets they report), over a period and datasets together.
-- Cities and counties are summed from scoped_report_counts, towns and units from scoped_reports.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $datasets; $month_from, $month_to;
--             $due_day; $as_of; $child_level: 'city' | 'county' | 'town' | 'unit' (picks the grouping
--             column from this fixed list; a value compared in SQL, never spliced into the text).
-- Grain: one row per child place (or unit) with reports due.
with places as (
    select
        case $child_level when 'city' then c.city_code else c.county_code end as place_code,
        c.due, c.received, c.on_time, c.late, c.missing,
    from scoped_report_counts($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date,
                              $month_to::date, $due_day, $as_of::date, $scope_kind, $scope_code) c
    where $child_level in ('city', 'county')
),
units as (
    select
        case $child_level when 'town' then s.town_code else s.unit_code end as place_code,
        s.due::integer as due,
        (s.due and s.received)::integer as received,
        (s.due and s.on_time)::integer as on_time,
        (s.due and s.received and not s.on_time)::integer as late,
        (s.due and not s.received)::integer as missing,
    from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date, $scope_kind, $scope_code) s
    where $child_level in ('town', 'unit')
),
counted as (
    select place_code, sum(due) as reports_due, sum(received) as reports_received, sum(on_time) as reports_on_time,
        sum(late) as reports_late, sum(missing) as reports_missing,
    from (select * from places union all select * from units)
    where place_code is not null
    group by all
)
select
    c.place_code,
    coalesce(r.name, pl.unit_name) as place_name,
    c.reports_due,
    c.reports_received,
    c.reports_on_time,
    c.reports_late,
    c.reports_missing,
    c.reports_received / nullif(c.reports_due, 0) as reporting_rate,
    c.reports_on_time / nullif(c.reports_due, 0) as timeliness,
from counted c
left join region r on r.code = c.place_code and $child_level <> 'unit'
left join (select distinct unit_code, unit_name from report_place) pl
    on pl.unit_code = c.place_code and $child_level = 'unit'
where c.reports_due > 0
order by reporting_rate, c.place_code;
