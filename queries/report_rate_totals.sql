-- Reporting rate and timeliness (上报率、及时率) of a selection over a period, per dataset and overall:
-- rates count the reports due (expected and received, or past their due day); a report is on time when
-- its first delivery came by day $due_day of the next month.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers); $datasets (dataset codes); $month_from,
--             $month_to; $due_day; $as_of (the date reports are judged at).
-- Grain: one row per dataset with reports owed in the selection, and one (dataset null) for them all.
with scoped as (
    select *
    from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date)
)
select
    dataset,
    count_if(due) as reports_due,
    count_if(due and received) as reports_received,
    count_if(due and on_time) as reports_on_time,
    count_if(due and received and not on_time) as reports_late,
    count_if(due and not received) as reports_missing,
    count_if(expected and not due) as reports_not_yet_due,
    reports_received / nullif(reports_due, 0) as reporting_rate,
    reports_on_time / nullif(reports_due, 0) as timeliness,
    max(month) filter (where received) as last_month,
    count(distinct unit_code) filter (where due and not received) as units_missing,
from scoped
group by grouping sets ((dataset), ())
having count_if(owed) > 0
order by dataset nulls first;
