-- What a scope names, to check it before an account is given it: the region, alliance or facility with
-- that code, whatever its level, with its name and whether it lies in the monitored places.
-- Parameters: $scope_code. Grain: one row per table that has the code (region, alliance, facility).
select
    'region' as registry,
    r.level as level,
    r.name,
    r.in_scope,
from region r
where r.code = $scope_code
union all
select
    'alliance' as registry,
    'alliance' as level,
    a.name,
    true as in_scope,
from alliance a
where a.code = $scope_code
union all
select
    'facility' as registry,
    'facility' as level,
    g.facility_name as name,
    g.in_scope,
from facility_geo g
where g.facility_code = $scope_code
order by registry;
