-- The reports of a selection in the given states (missing, late), with who owes what: unit, its town
-- and county, dataset, alliance, month, due date, and for late ones when and how many days after.
-- Parameters: scope ($city, $county, $town, $alliance, $tiers, $scope_kind, $scope_code); $datasets; $month_from, $month_to;
--             $due_day; $as_of; $states (a list of 'missing', 'late').
-- Grain: one row per dataset, unit, alliance and month in one of $states.
select
    s.state,
    s.dataset,
    s.unit_kind,
    s.unit_code,
    pl.unit_name,
    s.tier,
    t.name as town_name,
    c.name as county_name,
    s.alliance_code,
    a.name as alliance_name,
    s.month,
    report_due_date(s.month, $due_day) as due_date,
    s.received_at,
    case when s.received_day is not null then s.received_day - $due_day end as days_late,
from scoped_reports($city, $county, $town, $alliance, $tiers, $datasets, $month_from::date, $month_to::date,
                    $due_day, $as_of::date, $scope_kind, $scope_code) s
join report_place pl on pl.unit_kind = s.unit_kind and pl.unit_code = s.unit_code
left join region t on t.code = s.town_code
left join region c on c.code = s.county_code
left join alliance a on a.code = s.alliance_code
where list_contains($states, s.state)
order by s.county_code, s.town_code nulls first, s.unit_code, s.month, s.dataset;
