-- Every reporting unit × month × dataset of a selection (a county, for a data officer) with its state:
-- received, late, missing or not_due, when it came in, and the exception that excuses it. Months a unit
-- did not owe at all (before it opened or joined) have no row: the grid shows them as not due.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $datasets; $month_from, $month_to;
--             $due_day; $as_of.
-- Grain: one row per dataset, unit, alliance and month owed, excused or reported.
select
    s.dataset,
    s.unit_kind,
    s.unit_code,
    pl.unit_name,
    s.alliance_code,
    a.name as alliance_name,
    s.tier,
    s.town_code,
    t.name as town_name,
    s.month,
    s.state,
    s.received_at,
    s.received_day,
    report_due_date(s.month, $due_day) as due_date,
    s.exception_id,
    e.reason as exception_reason,
from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                    $due_day, $as_of::date, $scope_kind, $scope_code) s
join report_place pl on pl.unit_kind = s.unit_kind and pl.unit_code = s.unit_code
left join alliance a on a.code = s.alliance_code
left join region t on t.code = s.town_code
left join report_exception e on e.exception_id = s.exception_id
order by s.town_code nulls first, s.unit_code, s.dataset, s.alliance_code, s.month;
