-- Reporting rate and timeliness of a selection month by month (the trend), per dataset and overall.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $datasets; $month_from, $month_to;
--             $due_day; $as_of.
-- Grain: one row per month and dataset with reports owed, and one per month (dataset null) for them all.
select
    month,
    dataset,
    sum(due) as reports_due,
    sum(received) as reports_received,
    sum(on_time) as reports_on_time,
    sum(late) as reports_late,
    sum(missing) as reports_missing,
    reports_received / nullif(reports_due, 0) as reporting_rate,
    reports_on_time / nullif(reports_due, 0) as timeliness,
from scoped_report_counts($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                          $due_day, $as_of::date, $scope_kind, $scope_code)
group by grouping sets ((month, dataset), (month))
having sum(owed) > 0
order by month, dataset nulls first;
