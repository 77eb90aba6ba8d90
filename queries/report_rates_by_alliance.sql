-- Reporting rate and timeliness of every alliance with members in the selected places and tiers: its
-- members' reports from their joining, what they owe on their own and what they owe to it.
-- Parameters: place scope ($city, $county, $town, $tiers); $datasets; $month_from, $month_to; $due_day;
--             $as_of.
-- Grain: one row per alliance with reports due.
with members as (
    select m.alliance_code, m.facility_code,
        greatest(min(date_trunc('month', m.joined)), any_value(date_trunc('month', a.founded)))::date as first_month,
    from alliance_member m
    join alliance a on a.code = m.alliance_code
    group by all
),
scoped as (
    select *
    from scoped_reports($city, $county, $town, null, $tiers, $datasets, $month_from::date, $month_to::date,
                        $due_day, $as_of::date)
    where facility_code is not null
)
select
    m.alliance_code,
    a.name as alliance_name,
    count_if(s.due) as reports_due,
    count_if(s.due and s.received) as reports_received,
    count_if(s.due and s.on_time) as reports_on_time,
    count_if(s.due and s.received and not s.on_time) as reports_late,
    count_if(s.due and not s.received) as reports_missing,
    reports_received / nullif(reports_due, 0) as reporting_rate,
    reports_on_time / nullif(reports_due, 0) as timeliness,
from scoped s
join members m on m.facility_code = s.facility_code and s.month >= m.first_month
    and s.alliance_code in ('', m.alliance_code)
join alliance a on a.code = m.alliance_code
group by all
having count_if(s.due) > 0
order by reporting_rate, m.alliance_code;
