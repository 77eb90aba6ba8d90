-- Reporting rate and timeliness (上报率、及时率) of a selection over a period, per dataset and overall:
-- rates count the reports due (expected and received, or past their due day); a report is on time when
-- its first delivery came by day $due_day of the next month. units_missing: how many units have a report
-- missing (for "3家机构未上报").
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $datasets (dataset codes); $month_from,
--             $month_to; $due_day; $as_of (the date reports are judged at).
-- Grain: one row per dataset with reports owed in the selection, and one (dataset null) for them all.
with counts as (
    select
        dataset,
        sum(due) as reports_due,
        sum(received) as reports_received,
        sum(on_time) as reports_on_time,
        sum(late) as reports_late,
        sum(missing) as reports_missing,
        sum(not_yet_due) as reports_not_yet_due,
        max(month) filter (where received > 0) as last_month,
        sum(owed) as owed,
    from scoped_report_counts($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date,
                              $month_to::date, $due_day, $as_of::date, $scope_kind, $scope_code)
    group by grouping sets ((dataset), ())
),
gaps as (
    select dataset, count(distinct unit_code) as units_missing,
    from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date, $scope_kind, $scope_code)
    where not received and state = 'missing'
    group by grouping sets ((dataset), ())
)
select
    c.dataset,
    c.reports_due,
    c.reports_received,
    c.reports_on_time,
    c.reports_late,
    c.reports_missing,
    c.reports_not_yet_due,
    c.reports_received / nullif(c.reports_due, 0) as reporting_rate,
    c.reports_on_time / nullif(c.reports_due, 0) as timeliness,
    c.last_month,
    coalesce(g.units_missing, 0) as units_missing,
from counts c
left join gaps g on g.dataset is not distinct from c.dataset
where c.owed > 0
order by c.dataset nulls first;
