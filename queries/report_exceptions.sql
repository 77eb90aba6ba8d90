-- Exceptions data officers recorded (months a unit owes no report), withdrawn ones included, newest first.
-- Only units in the account's jurisdiction.
-- Parameters: $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per exception.
select
    e.exception_id,
    e.unit_code,
    coalesce(f.name, r.name) as unit_name,
    e.dataset,
    e.month_from,
    e.month_to,
    e.reason,
    e.recorded_by,
    e.recorded_at,
    e.withdrawn_by,
    e.withdrawn_at,
from report_exception e
left join facility f on f.code = e.unit_code
left join region r on r.code = e.unit_code
where (e.unit_code in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r)
       or e.unit_code in (select r.code from reach_regions($scope_kind, $scope_code) r))
order by e.recorded_at desc, e.exception_id desc;
