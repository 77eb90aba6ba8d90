-- Reporting rate and timeliness of every alliance with members in the selected places and tiers: its
-- members' reports from their joining, what they owe on their own and what they owe to it.
-- Parameters: place scope ($city, $county, $tiers; a town has no alliance ranking of its own);
--             $datasets; $month_from, $month_to; $due_day; $as_of; $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per alliance with reports due.
with counted as (
    select
        c.alliance_code,
        sum(reports_due(c.expected, c.received, c.month, $due_day, $as_of::date)) as reports_due,
        sum(c.received) as reports_received,
        sum(c.on_time_by_day[$due_day]) as reports_on_time,
    from report_count_alliance c
    where ($city is null or c.city_code = $city)
      and ($county is null or c.county_code = $county)
      and list_contains($tiers, c.tier)
      and list_contains($datasets, c.dataset)
      and c.month between $month_from::date and $month_to::date
      and (reach_place($scope_kind, $scope_code, c.city_code, c.county_code)
           or ($scope_kind = 'alliance' and c.alliance_code = $scope_code))
    group by all
)
select
    c.alliance_code,
    a.name as alliance_name,
    c.reports_due,
    c.reports_received,
    c.reports_on_time,
    c.reports_received - c.reports_on_time as reports_late,
    c.reports_due - c.reports_received as reports_missing,
    c.reports_received / nullif(c.reports_due, 0) as reporting_rate,
    c.reports_on_time / nullif(c.reports_due, 0) as timeliness,
from counted c
join alliance a on a.code = c.alliance_code
where c.reports_due > 0
order by reporting_rate, c.alliance_code;
