-- Every facility a profile can show, inside the monitored places or not (a provincial hospital that only
-- receives referrals still has a profile link), with its county and city for the picker's labels.
-- Only the facilities in the account's jurisdiction.
-- Parameters: $scope_kind, $scope_code (jurisdiction).
-- Grain: one row per facility.
select
    g.facility_code,
    g.facility_name,
    g.tier,
    g.in_scope,
    county.name as county_name,
    city.name as city_name,
from reach_facilities($scope_kind, $scope_code) g
left join region county on county.code = g.county_code
left join region city on city.code = g.city_code
order by g.in_scope desc, g.city_code, g.county_code, g.facility_name;
