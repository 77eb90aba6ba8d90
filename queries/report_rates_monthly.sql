-- Reporting rate and timeliness of a selection month by month (the trend), per dataset and overall.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers); $datasets; $month_from, $month_to;
--             $due_day; $as_of.
-- Grain: one row per month and dataset with reports owed, and one per month (dataset null) for them all.
with scoped as (
    select *
    from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date)
)
select
    month,
    dataset,
    count_if(due) as reports_due,
    count_if(due and received) as reports_received,
    count_if(due and on_time) as reports_on_time,
    count_if(due and received and not on_time) as reports_late,
    count_if(due and not received) as reports_missing,
    reports_received / nullif(reports_due, 0) as reporting_rate,
    reports_on_time / nullif(reports_due, 0) as timeliness,
from scoped
group by grouping sets ((month, dataset), (month))
having count_if(owed) > 0
order by month, dataset nulls first;
