-- Exceptions data officers recorded (months a unit owes no report) for units in the selected place,
-- withdrawn ones included, newest first. Only units in the account's jurisdiction.
-- Parameters: $city, $county, $town (the selected place; null: any); $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per exception.
select
    e.exception_id,
    e.unit_code,
    pl.unit_name,
    e.dataset,
    e.month_from,
    e.month_to,
    e.reason,
    e.recorded_by,
    e.recorded_at,
    e.withdrawn_by,
    e.withdrawn_at,
from report_exception e
join report_place pl on pl.unit_code = e.unit_code
where ($city is null or pl.city_code = $city)
    and ($county is null or pl.county_code = $county)
    and ($town is null or pl.town_code = $town)
    and (e.unit_code in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
         or e.unit_code in (select r.code from reach_regions($scope_kind, $scope_code) r))
order by e.recorded_at desc, e.exception_id desc;
