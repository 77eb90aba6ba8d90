-- One facility and where it sits, for the facility profile's header.
-- Parameters: $facility; $scope_kind, $scope_code (jurisdiction: nothing for a facility outside it).
-- Grain: one row (none for an unknown code).
select
    g.facility_code,
    g.facility_name,
    g.tier,
    g.category,
    f.grade,
    f.beds,
    g.town_code,
    town.name as town_name,
    g.county_code,
    county.name as county_name,
    g.city_code,
    city.name as city_name,
    g.in_scope,
from facility_geo g
join facility f on f.code = g.facility_code
left join region town on town.code = g.town_code
left join region county on county.code = g.county_code
left join region city on city.code = g.city_code
where g.facility_code = $facility
  and $facility in (select r.facility_code from reach_facilities($scope_kind, $scope_code) r);
